package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.TorchSaveFiles.View;
import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchBinTest {
  @TempDir Path dir;

  @BeforeAll
  static void loadLibTorch() {
    Natives.init();
  }

  private static Map<String, float[]> storages() {
    Map<String, float[]> s = new LinkedHashMap<>();
    s.put("0", new float[] {0, 1, 2, 3, 4, 5});
    s.put("1", new float[] {-1.5f, 2.5f});
    return s;
  }

  private static List<View> views() {
    return List.of(
        new View("encoder.weight", "0", 0, new long[] {2, 3}, new long[] {3, 1}),
        // a transposed view into the same storage, as tied or sliced weights are saved
        new View("decoder.weight", "0", 0, new long[] {3, 2}, new long[] {1, 3}),
        new View("tail", "0", 4, new long[] {2}, new long[] {1}),
        new View("bias", "1", 0, new long[] {2}, new long[] {1}),
        new View("scale", "1", 1, new long[] {}, new long[] {}));
  }

  @Test
  void readsAPlainDictStateDictInOrderWithSharedStorages() throws IOException {
    Path file = dir.resolve("pytorch_model.bin");
    TorchSaveFiles.write(file, false, views(), storages());
    Map<String, Tensor> tensors = PytorchBin.read(file);
    try {
      assertEquals(List.of("encoder.weight", "decoder.weight", "tail", "bias", "scale"), List.copyOf(tensors.keySet()));
      assertArrayEquals(new long[] {2, 3}, TensorTestBytes.shape(tensors.get("encoder.weight")));
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, SafetensorsRoundTripTest.floats(tensors.get("encoder.weight")));
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, SafetensorsRoundTripTest.floats(tensors.get("decoder.weight")));
      assertArrayEquals(new float[] {4, 5}, SafetensorsRoundTripTest.floats(tensors.get("tail")));
      assertArrayEquals(new float[] {-1.5f, 2.5f}, SafetensorsRoundTripTest.floats(tensors.get("bias")));
      assertEquals(0, tensors.get("scale").dim());
      assertEquals(2.5f, tensors.get("scale").item_float());
      assertTrue(tensors.get("decoder.weight").is_contiguous(), "each entry gets its own contiguous buffer");
      // and they can be written straight to safetensors
      Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  @Test
  void anOrderedDictStateDictGetsTheConversionCommand() throws IOException {
    Path file = dir.resolve("ordered.bin");
    TorchSaveFiles.write(file, true, views(), storages());
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("OrderedDict"), e.getMessage());
    assertTrue(e.getMessage().contains("from safetensors.torch import save_file"), e.getMessage());
    assertTrue(e.getMessage().contains("weights_only=True"), e.getMessage());
  }

  @Test
  void theLegacyFormatIsRecognisedBeforeLoading() throws IOException {
    // torch < 1.6 files start with a pickled magic number: PROTO 2, LONG1 ...
    Path file = Files.write(dir.resolve("legacy.bin"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertTrue(e.getMessage().contains("legacy format"), e.getMessage());
    assertTrue(e.getMessage().contains(PytorchBin.conversionCommand(file)), e.getMessage());
  }

  @Test
  void aBrokenZipIsAnExceptionNotACrash() throws IOException {
    Path file = Files.write(dir.resolve("broken.bin"), new byte[] {'P', 'K', 3, 4, 0, 0, 0});
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertTrue(e.getMessage().contains("could not load"), e.getMessage());
  }

  @Test
  void conversionCommandQuotesThePaths() {
    String cmd = PytorchBin.conversionCommand(Path.of("/models/it's/pytorch_model.bin"));
    assertTrue(cmd.contains("torch.load('/models/it\\'s/pytorch_model.bin'"), cmd);
    assertTrue(cmd.contains("'/models/it\\'s/model.safetensors'"), cmd);
  }
}
