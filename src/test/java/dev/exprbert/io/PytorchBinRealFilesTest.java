package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files from real {@code torch.save} (see the folder's README and make_torch_bins.py): tied weights,
 * transposed and offset views, an nn.Parameter, float16, bfloat16, float64, int64, bool, a scalar and
 * an empty tensor, as the OrderedDict of {@code state_dict()}, a plain dict and with pickle protocol 4.
 */
class PytorchBinRealFilesTest {
  private static Path folder;
  private static JsonObject expected;

  @BeforeAll
  static void load() throws IOException, URISyntaxException {
    Natives.init();
    folder = Path.of(PytorchBinRealFilesTest.class.getResource("torch-save/expected.json").toURI()).getParent();
    expected = JsonParser.parseString(Files.readString(folder.resolve("expected.json"))).getAsJsonObject()
        .getAsJsonObject("tensors");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ordered_state_dict.bin", "plain_dict.bin", "protocol4.bin"})
  void everyTensorHasTorchsDtypeShapeAndValues(String file) throws IOException {
    Map<String, Tensor> tensors = PytorchBin.read(folder.resolve(file));
    try {
      assertEquals(List.copyOf(expected.keySet()), List.copyOf(tensors.keySet()));
      for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
        JsonObject want = e.getValue().getAsJsonObject();
        Tensor got = tensors.get(e.getKey());
        assertEquals(want.get("dtype").getAsString(), torchName(got), e.getKey());
        long[] shape = want.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
        assertArrayEquals(shape, Tensors.shape(got), e.getKey());
        double[] values = want.getAsJsonArray("values").asList().stream().mapToDouble(JsonElement::getAsDouble).toArray();
        assertArrayEquals(values, doubles(got), e.getKey());
        assertTrue(got.is_contiguous(), e.getKey() + " gets its own contiguous buffer");
      }
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"legacy.bin"})
  void theLegacyFormatGetsTheConversionCommand(String file) {
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(folder.resolve(file)));
    assertTrue(e.getMessage().contains("legacy format") && e.getMessage().contains("weights_only=True"), e.getMessage());
  }

  private static String torchName(Tensor t) {
    return switch (t.scalar_type().value) {
      case 6 -> "float32";
      case 5 -> "float16";
      case 15 -> "bfloat16";
      case 7 -> "float64";
      case 4 -> "int64";
      case 11 -> "bool";
      default -> t.scalar_type().toString();
    };
  }

  private static double[] doubles(Tensor t) {
    try (Tensor d = t.to(torch.ScalarType.Double); Tensor c = d.contiguous()) {
      double[] out = new double[(int) c.numel()];
      if (out.length > 0) {
        new DoublePointer(c.data_ptr()).get(out);
      }
      return out;
    }
  }
}
