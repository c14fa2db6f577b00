package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {
  @TempDir Path dir;

  @BeforeAll
  static void loadLibTorch() {
    Natives.init();
  }

  private static byte[] pattern(SafetensorsDtype dtype, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      // BOOL must hold 0/1; everything else gets bytes that differ per position and cover the high bit.
      b[i] = dtype == SafetensorsDtype.BOOL ? (byte) (i % 2) : (byte) (i * 37 + 11);
    }
    return b;
  }

  private static void closeAll(Map<String, Tensor> tensors) {
    tensors.values().forEach(Tensor::close);
  }

  @ParameterizedTest
  @EnumSource(SafetensorsDtype.class)
  void everyDtypeRoundTripsBitExactly(SafetensorsDtype dtype) throws IOException {
    long[] shape = {2, 3};
    byte[] bytes = pattern(dtype, 6 * dtype.byteSize());
    Path file = dir.resolve(dtype + ".safetensors");
    try (Tensor t = TensorTestBytes.tensor(dtype, shape, bytes)) {
      Safetensors.write(file, Map.of("t", t), Map.of("format", "pt"));
    }
    Map<String, Tensor> back = Safetensors.read(file);
    try {
      Tensor t = back.get("t");
      assertEquals(dtype.scalarType().value, t.scalar_type().value);
      assertArrayEquals(shape, TensorTestBytes.shape(t));
      assertArrayEquals(bytes, TensorTestBytes.bytes(t));
    } finally {
      closeAll(back);
    }
    // The data section holds exactly those bytes: decode the file without our reader.
    byte[] raw = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    byte[] data = java.util.Arrays.copyOfRange(raw, (int) (8 + headerLength), raw.length);
    assertArrayEquals(bytes, data);
  }

  @Test
  void halfPrecisionBitPatternsMeanWhatIeeeSays() throws IOException {
    // bf16: 1.0, -2.0, +inf, NaN, smallest subnormal, -0.0 ; f16: 1.0, 65504 (max), -inf, 2^-24 (subnormal)
    short[] bf16 = {0x3F80, (short) 0xC000, 0x7F80, 0x7FC0, 0x0001, (short) 0x8000};
    short[] f16 = {0x3C00, 0x7BFF, (short) 0xFC00, 0x0001};
    Path file = dir.resolve("half.safetensors");
    try (Tensor b = TensorTestBytes.tensor(SafetensorsDtype.BF16, new long[] {6}, le(bf16));
        Tensor h = TensorTestBytes.tensor(SafetensorsDtype.F16, new long[] {4}, le(f16))) {
      Safetensors.write(file, Map.of("bf16", b, "f16", h), null);
    }
    Map<String, Tensor> back = Safetensors.read(file);
    try (Tensor b = back.get("bf16").to(torch.ScalarType.Float); Tensor h = back.get("f16").to(torch.ScalarType.Float)) {
      assertArrayEquals(le(bf16), TensorTestBytes.bytes(back.get("bf16")));
      float[] bv = floats(b);
      assertEquals(1.0f, bv[0]);
      assertEquals(-2.0f, bv[1]);
      assertEquals(Float.POSITIVE_INFINITY, bv[2]);
      assertTrue(Float.isNaN(bv[3]));
      assertEquals(Float.intBitsToFloat(0x00010000), bv[4]);
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(bv[5]));
      float[] hv = floats(h);
      assertEquals(1.0f, hv[0]);
      assertEquals(65504.0f, hv[1]);
      assertEquals(Float.NEGATIVE_INFINITY, hv[2]);
      assertEquals((float) Math.pow(2, -24), hv[3]);
    } finally {
      closeAll(back);
    }
  }

  @Test
  void emptyTensorsAndScalarsKeepTheirShapes() throws IOException {
    Path file = dir.resolve("edge.safetensors");
    byte[] scalarBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-42L).array();
    try (Tensor empty0 = TensorTestBytes.tensor(SafetensorsDtype.F32, new long[] {0, 3}, new byte[0]);
        Tensor empty1 = TensorTestBytes.tensor(SafetensorsDtype.BF16, new long[] {4, 0}, new byte[0]);
        Tensor scalar = TensorTestBytes.tensor(SafetensorsDtype.I64, new long[] {}, scalarBytes)) {
      Map<String, Tensor> in = new LinkedHashMap<>();
      in.put("empty0", empty0);
      in.put("empty1", empty1);
      in.put("scalar", scalar);
      Safetensors.write(file, in, Map.of());
    }
    try (SafetensorsFile f = Safetensors.open(file)) {
      assertArrayEquals(new long[] {0, 3}, f.info("empty0").shape());
      assertArrayEquals(new long[] {}, f.info("scalar").shape());
      try (Tensor e0 = f.get("empty0"); Tensor e1 = f.get("empty1"); Tensor s = f.get("scalar")) {
        assertArrayEquals(new long[] {0, 3}, TensorTestBytes.shape(e0));
        assertArrayEquals(new long[] {4, 0}, TensorTestBytes.shape(e1));
        assertEquals(0, s.dim());
        assertEquals(-42L, s.item_long());
      }
    }
  }

  @Test
  void layoutMatchesTheHfWriter() throws IOException {
    Path file = dir.resolve("layout.safetensors");
    try (Tensor b = TensorTestBytes.tensor(SafetensorsDtype.F32, new long[] {1}, new byte[] {1, 0, 0, 0});
        Tensor a = TensorTestBytes.tensor(SafetensorsDtype.F32, new long[] {1}, new byte[] {2, 0, 0, 0});
        Tensor c = TensorTestBytes.tensor(SafetensorsDtype.I64, new long[] {1}, new byte[] {3, 0, 0, 0, 0, 0, 0, 0});
        Tensor d = TensorTestBytes.tensor(SafetensorsDtype.U8, new long[] {1, 1}, new byte[] {4})) {
      Map<String, Tensor> in = new LinkedHashMap<>();
      in.put("b", b);
      in.put("d", d);
      in.put("a", a);
      in.put("c", c);
      Safetensors.write(file, in, Map.of("format", "pt"));
    }
    byte[] raw = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, n % 8, "header padded to a multiple of 8");
    String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
    // Descending dtype (I64 > F32 > U8), then name; __metadata__ first; compact JSON; space padding.
    String expected = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]},"
        + "\"d\":{\"dtype\":\"U8\",\"shape\":[1,1],\"data_offsets\":[16,17]}}";
    assertEquals(expected, header.stripTrailing());
    assertTrue(header.length() - expected.length() < 8);
    byte[] data = java.util.Arrays.copyOfRange(raw, (int) (8 + n), raw.length);
    assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4}, data);
  }

  @Test
  void namesSortByCodePointAsRustDoes() {
    // U+FF21 sorts before U+1F600 by code point (and UTF-8 bytes), after it by UTF-16 units.
    assertTrue(dev.exprbert.runtime.CodePointOrder.compare("\uFF21", "\uD83D\uDE00") < 0);
    assertTrue("\uFF21".compareTo("\uD83D\uDE00") > 0);
    assertTrue(dev.exprbert.runtime.CodePointOrder.compare("a", "ab") < 0);
    assertEquals(0, dev.exprbert.runtime.CodePointOrder.compare("x.y", "x.y"));
  }

  @Test
  void nonContiguousTensorsAreWrittenInLogicalOrder() throws IOException {
    Path file = dir.resolve("transposed.safetensors");
    try (Tensor base = torch.arange(new org.bytedeco.pytorch.Scalar(6)).to(torch.ScalarType.Float).reshape(2, 3);
        Tensor transposed = base.t()) {
      assertFalse(transposed.is_contiguous());
      Safetensors.write(file, Map.of("t", transposed), null);
    }
    Map<String, Tensor> back = Safetensors.read(file);
    try {
      assertArrayEquals(new long[] {3, 2}, TensorTestBytes.shape(back.get("t")));
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, floats(back.get("t")));
    } finally {
      closeAll(back);
    }
  }

  @Test
  void lazyGetReadsOnlyTheNamedTensorAndFailsAfterClose() throws IOException {
    Path file = dir.resolve("lazy.safetensors");
    try (Tensor a = torch.ones(2, 2); Tensor b = torch.zeros(3)) {
      Safetensors.write(file, Map.of("a", a, "b", b), null);
    }
    SafetensorsFile f = Safetensors.open(file);
    try (Tensor b = f.get("b")) {
      assertArrayEquals(new float[] {0, 0, 0}, floats(b));
    }
    assertEquals(List.of("a", "b"), List.copyOf(f.names()));
    f.close();
    assertThrows(IllegalStateException.class, () -> f.get("a"));
  }

  @Test
  void unsupportedDtypeIsRejectedByName() {
    try (Tensor c = torch.ones(2).to(torch.ScalarType.ComplexFloat)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Safetensors.write(dir.resolve("c.safetensors"), Map.of("cplx", c), null));
      assertTrue(e.getMessage().contains("tensor 'cplx'"), e.getMessage());
      assertTrue(e.getMessage().contains("ComplexFloat"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("c.safetensors")));
  }

  @Test
  void overwritingReplacesTheFileWhole() throws IOException {
    Path file = dir.resolve("over.safetensors");
    try (Tensor a = torch.ones(100); Tensor b = torch.zeros(1)) {
      Safetensors.write(file, Map.of("big", a), null);
      Safetensors.write(file, Map.of("small", b), null);
    }
    try (SafetensorsFile f = Safetensors.open(file)) {
      assertEquals(List.of("small"), List.copyOf(f.names()));
    }
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
    }
  }

  static byte[] le(short[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short v : values) {
      b.putShort(v);
    }
    return b.array();
  }

  static float[] floats(Tensor t) {
    ByteBuffer b = ByteBuffer.wrap(TensorTestBytes.bytes(t)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }
}
