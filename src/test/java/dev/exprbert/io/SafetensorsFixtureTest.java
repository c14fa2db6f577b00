package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the Python-written fixtures (../shared/fixtures/tiny-bert-parity) and checks values against a
 * second decoder in this test: Gson for the header, ByteBuffer for the floats.
 */
class SafetensorsFixtureTest {
  static final Path FIXTURES = Path.of("../shared/fixtures/tiny-bert-parity");
  static final Path MODEL = FIXTURES.resolve("model.safetensors");
  static final Path EXPECTED = FIXTURES.resolve("expected.safetensors");

  @TempDir Path dir;

  @BeforeAll
  static void loadLibTorch() {
    Natives.init();
  }

  /** The file's bytes, its header as Gson sees it, and the float at element {@code index} of a tensor. */
  private record Independent(ByteBuffer file, JsonObject header, long dataStart) {
    static Independent of(Path path) throws IOException {
      ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
      int n = (int) file.getLong(0);
      JsonObject header = JsonParser.parseString(new String(file.array(), 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
      return new Independent(file, header, 8L + n);
    }

    float f32(String name, int index) {
      JsonObject entry = header.getAsJsonObject(name);
      assertEquals("F32", entry.get("dtype").getAsString());
      long begin = entry.getAsJsonArray("data_offsets").get(0).getAsLong();
      return file.getFloat((int) (dataStart + begin + 4L * index));
    }

    long[] shape(String name) {
      JsonArray dims = header.getAsJsonObject(name).getAsJsonArray("shape");
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i).getAsLong();
      }
      return out;
    }

    List<String> names() {
      List<String> out = new ArrayList<>(header.keySet());
      out.remove("__metadata__");
      return out;
    }
  }

  @Test
  void modelFixtureNamesShapesAndValues() throws IOException {
    Independent ref = Independent.of(MODEL);
    Map<String, Tensor> tensors = Safetensors.read(MODEL);
    try {
      // 5 embedding tensors + 2 layers x 16 + classifier weight and bias
      assertEquals(39, tensors.size());
      assertEquals(ref.names(), List.copyOf(tensors.keySet()), "header order kept");
      assertEquals("bert.embeddings.word_embeddings.weight", tensors.keySet().iterator().next());
      for (String name : ref.names()) {
        assertArrayEquals(ref.shape(name), TensorTestBytes.shape(tensors.get(name)), name);
      }
      assertArrayEquals(new long[] {100, 32}, TensorTestBytes.shape(tensors.get("bert.embeddings.word_embeddings.weight")));
      assertArrayEquals(new long[] {5, 32}, TensorTestBytes.shape(tensors.get("classifier.weight")));

      float[] words = SafetensorsRoundTripTest.floats(tensors.get("bert.embeddings.word_embeddings.weight"));
      assertEquals(ref.f32("bert.embeddings.word_embeddings.weight", 3 * 32 + 5), words[3 * 32 + 5]);
      assertEquals(ref.f32("bert.embeddings.word_embeddings.weight", 100 * 32 - 1), words[100 * 32 - 1]);
      float[] bias = SafetensorsRoundTripTest.floats(tensors.get("classifier.bias"));
      for (int i = 0; i < 5; i++) {
        assertEquals(ref.f32("classifier.bias", i), bias[i], "classifier.bias[" + i + "]");
      }
      assertTrue(bias[0] != 0.0f, "a trained/initialised bias, not zeros");
    } finally {
      tensors.values().forEach(Tensor::close);
    }
    try (SafetensorsFile f = Safetensors.open(MODEL)) {
      assertEquals(Map.of("format", "pt"), f.metadata());
    }
  }

  @Test
  void expectedFixtureLogitsAndLoss() throws IOException {
    Independent ref = Independent.of(EXPECTED);
    try (SafetensorsFile f = Safetensors.open(EXPECTED)) {
      assertArrayEquals(new long[] {3, 11, 5}, f.info("logits").shape());
      assertArrayEquals(new long[] {1}, f.info("loss").shape());
      try (Tensor loss = f.get("loss"); Tensor logits = f.get("logits")) {
        assertEquals(ref.f32("loss", 0), loss.item_float());
        float[] values = SafetensorsRoundTripTest.floats(logits);
        assertEquals(ref.f32("logits", 0), values[0]);
        assertEquals(ref.f32("logits", 3 * 11 * 5 - 1), values[3 * 11 * 5 - 1]);
      }
    }
  }

  @Test
  void rewritingTheFixtureKeepsEveryTensor() throws IOException {
    Path copy = dir.resolve("model.safetensors");
    Map<String, Tensor> original = Safetensors.read(MODEL);
    try {
      Safetensors.write(copy, original, Map.of("format", "pt"));
      Map<String, Tensor> back = Safetensors.read(copy);
      try {
        assertEquals(original.keySet(), back.keySet());
        for (String name : original.keySet()) {
          assertTrue(original.get(name).equal(back.get(name)), name);
        }
      } finally {
        back.values().forEach(Tensor::close);
      }
    } finally {
      original.values().forEach(Tensor::close);
    }
  }
}
