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
  void readsTheOrderedDictThatStateDictWrites() throws IOException {
    // torch.save(model.state_dict()): collections.OrderedDict() REDUCE, SETITEMS, then BUILD with _metadata
    Path file = dir.resolve("ordered.bin");
    TorchSaveFiles.write(file, true, views(), storages());
    Map<String, Tensor> tensors = PytorchBin.read(file);
    try {
      assertEquals(List.of("encoder.weight", "decoder.weight", "tail", "bias", "scale"), List.copyOf(tensors.keySet()));
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, SafetensorsRoundTripTest.floats(tensors.get("decoder.weight")));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  @Test
  void halfStoragesAreReadWithTheirDtype() throws IOException {
    Path file = dir.resolve("half.bin");
    // 1.0, -2.0, 0.5 in IEEE half precision, little-endian
    byte[] half = {0x00, 0x3c, 0x00, (byte) 0xc0, 0x00, 0x38};
    TorchSaveFiles.writeZip(file, TorchSaveFiles.pickle(false,
        List.of(new View("w", "0", 0, new long[] {3}, new long[] {1})), Map.of("0", 3L), "HalfStorage"), Map.of("0", half));
    Map<String, Tensor> tensors = PytorchBin.read(file);
    try {
      assertEquals(org.bytedeco.pytorch.global.torch.ScalarType.Half.value, tensors.get("w").scalar_type().value);
      try (Tensor f = tensors.get("w").to(org.bytedeco.pytorch.global.torch.ScalarType.Float)) {
        assertArrayEquals(new float[] {1, -2, 0.5f}, SafetensorsRoundTripTest.floats(f));
      }
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /** The crafted views that crashed the JVM or copied heap memory: each is one line naming file and tensor. */
  @Test
  void aViewBeyondItsStorageIsRefusedBeforeAnyNativeCopy() throws IOException {
    Map<String, float[]> three = Map.of("0", new float[] {1, 2, 3});
    assertCrafted(new View("bert.embeddings.position_embeddings.weight", "0", 0, new long[] {512, 32}, new long[] {32, 1}),
        three, "reaches element 16383 but storage '0' holds 3 FloatStorage elements");
    assertCrafted(new View("w", "0", 2, new long[] {2}, new long[] {1}), three, "reaches element 3");
    assertCrafted(new View("w", "0", 0, new long[] {2, 2}, new long[] {0, 5}), three, "reaches element 5");
    assertCrafted(new View("w", "0", 0, new long[] {2}, new long[] {-1}), three, "stride [-1] is negative");
    assertCrafted(new View("w", "0", 0, new long[] {-2}, new long[] {1}), three, "negative dimension");
    assertCrafted(new View("w", "0", -1, new long[] {1}, new long[] {1}), three, "storage offset -1 is negative");
    assertCrafted(new View("w", "0", Long.MAX_VALUE, new long[] {2}, new long[] {1}), three, "overflows");
    assertCrafted(new View("w", "0", 0, new long[] {1L << 32, 1L << 32}, new long[] {1, 1}), three, "overflows");
    assertCrafted(new View("w", "0", 0, new long[] {2, 3}, new long[] {1}), three, "different lengths");
  }

  @Test
  void aStorageDeclaringMoreElementsThanItsRecordHoldsIsRefused() throws IOException {
    Path file = dir.resolve("short-record.bin");
    byte[] threeFloats = new byte[12];
    TorchSaveFiles.writeZip(file, TorchSaveFiles.pickle(false,
        List.of(new View("w", "0", 0, new long[] {1000}, new long[] {1})), Map.of("0", 1000L), "FloatStorage"),
        Map.of("0", threeFloats));
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertOneLine(e, file, "tensor 'w': storage '0' needs 4000 bytes (1000 x 4) but its record holds 12");
  }

  @Test
  void aMissingStorageRecordIsRefused() throws IOException {
    Path file = dir.resolve("no-record.bin");
    TorchSaveFiles.writeZip(file, TorchSaveFiles.pickle(false,
        List.of(new View("w", "7", 0, new long[] {1}, new long[] {1})), Map.of("7", 1L), "FloatStorage"), Map.of());
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertOneLine(e, file, "has no record archive/data/7");
  }

  @Test
  void aPythonGlobalOutsideTheAllowListIsRefusedUnrun() throws IOException {
    java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    TorchSaveFiles.global(p, "os", "system");
    TorchSaveFiles.unicode(p, "touch /tmp/pwned");
    p.write(0x85);
    p.write('R');
    p.write('.');
    Path file = dir.resolve("evil.bin");
    TorchSaveFiles.writeZip(file, p.toByteArray(), Map.of());
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertTrue(e.getMessage().contains("Python global os.system"), e.getMessage());
    assertTrue(e.getMessage().contains("weights_only=True"), "an unsupported file gets the conversion command");
  }

  @Test
  void aTruncatedPickleIsOneLine() throws IOException {
    byte[] pickle = TorchSaveFiles.pickle(false, views(), Map.of("0", 6L, "1", 2L), "FloatStorage");
    Path file = dir.resolve("truncated.bin");
    TorchSaveFiles.writeZip(file, java.util.Arrays.copyOf(pickle, pickle.length / 2), Map.of());
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertOneLine(e, file, "data.pkl cannot be read");
  }

  private void assertCrafted(View view, Map<String, float[]> storages, String expected) throws IOException {
    Path file = dir.resolve("crafted.bin");
    TorchSaveFiles.write(file, false, List.of(view), storages);
    PytorchBinException e = assertThrows(PytorchBinException.class, () -> PytorchBin.read(file));
    assertOneLine(e, file, "tensor '" + view.name() + "'");
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static void assertOneLine(Exception e, Path file, String expected) {
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
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
    assertOneLine(e, file, "could not load it as a zip archive");
  }

  @Test
  void conversionCommandQuotesThePaths() {
    String cmd = PytorchBin.conversionCommand(Path.of("/models/it's/pytorch_model.bin"));
    assertTrue(cmd.contains("torch.load('/models/it\\'s/pytorch_model.bin'"), cmd);
    assertTrue(cmd.contains("'/models/it\\'s/model.safetensors'"), cmd);
  }
}
