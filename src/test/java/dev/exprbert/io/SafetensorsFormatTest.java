package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a header can be wrong gets its own file and its own message. */
class SafetensorsFormatTest {
  @TempDir Path dir;

  private SafetensorsFormatException rejected(Path file) {
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.open(file).close());
    assertTrue(e.getMessage().startsWith(file.toString()), "message names the file: " + e.getMessage());
    assertEquals(file, e.file());
    return e;
  }

  private static void assertMentions(Exception e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
  }

  @Test
  void fileShorterThanEightBytes() throws IOException {
    Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
    assertMentions(rejected(file), "at least 8 bytes", "3 bytes");
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("long.safetensors"), 1000, "{}".getBytes(), new byte[0]);
    assertMentions(rejected(file), "header length 1000", "runs past the end of the file", "file size is 10");
  }

  @Test
  void headerLengthAboveTheHfLimit() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("huge.safetensors"), -1L, "{}".getBytes(), new byte[0]);
    assertMentions(rejected(file), "18446744073709551615", "limit");
  }

  @Test
  void headerNotJson() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("garbage.safetensors"), "{\"a\" 1}", new byte[0]);
    assertMentions(rejected(file), "not valid JSON");
  }

  @Test
  void headerNotUtf8() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("latin1.safetensors"), 4, new byte[] {'{', (byte) 0xff, '}', ' '},
        new byte[0]);
    assertMentions(rejected(file), "UTF-8");
  }

  @Test
  void headerNotAnObject() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("array.safetensors"), "[1, 2]", new byte[0]);
    assertMentions(rejected(file), "must be a JSON object", "found an array");
  }

  @Test
  void trailingJsonAfterTheObject() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("two.safetensors"), "{} {}", new byte[0]);
    assertMentions(rejected(file), "not valid JSON", "column 5");
  }

  @Test
  void unknownDtype() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("c64.safetensors"),
        "{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
    assertMentions(rejected(file), "tensor 'w'", "unknown dtype \"C64\"", "F32", "BF16");
  }

  @Test
  void negativeDimension() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("neg.safetensors"),
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,0]}}", new byte[0]);
    assertMentions(rejected(file), "tensor 'w'", "[2, -1]", "negative dimension");
  }

  @Test
  void fractionalDimension() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("frac.safetensors"),
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]);
    assertMentions(rejected(file), "tensor 'w': shape must hold integers", "1.5");
  }

  @Test
  void missingField() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("noshape.safetensors"),
        "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]);
    assertMentions(rejected(file), "tensor 'w'", "missing shape");
  }

  @Test
  void offsetsDisagreeWithShapeTimesDtypeSize() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("size.safetensors"),
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]);
    assertMentions(rejected(file), "tensor 'w'", "needs 24 bytes", "[0, 20]", "span 20");
  }

  @Test
  void offsetsOverlap() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("overlap.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
    assertMentions(rejected(file), "'b'", "[4, 12]", "overlap tensor 'a' [0, 8]");
  }

  @Test
  void offsetsLeaveAGap() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("gap.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
    assertMentions(rejected(file), "gap of 4 bytes", "after tensor 'a'", "'b' starts at 8, expected 4");
  }

  @Test
  void firstTensorDoesNotStartAtZero() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("gap0.safetensors"),
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}", new byte[3]);
    assertMentions(rejected(file), "gap of 2 bytes at the start");
  }

  @Test
  void offsetsRunPastTheEndOfTheFile() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("past.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
    assertMentions(rejected(file), "'a'", "[0, 16]", "run past the end", "holds 8 bytes");
  }

  @Test
  void trailingBytesAfterTheLastTensor() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("trail.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[6]);
    assertMentions(rejected(file), "cover 4 bytes", "holds 6 bytes", "2 trailing");
  }

  @Test
  void duplicateNames() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("dup.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
    assertMentions(rejected(file), "duplicate name 'a'");
  }

  @Test
  void metadataValueNotAString() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("meta.safetensors"), "{\"__metadata__\":{\"epoch\":3}}", new byte[0]);
    assertMentions(rejected(file), "\"__metadata__\" value for 'epoch' must be a string", "found a number");
  }

  @Test
  void shapeOverflow() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("overflow.safetensors"),
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", new byte[0]);
    assertMentions(rejected(file), "overflows");
  }

  @Test
  void tooManyDimensions() throws IOException {
    String ones = String.join(",", java.util.Collections.nCopies(65, "1"));
    Path file = RawSafetensors.write(dir.resolve("dims.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + ones + "],\"data_offsets\":[0,4]}}", new byte[4]);
    assertMentions(rejected(file), "tensor 'a': shape has 65 dimensions; expected at most 64");
  }

  /** HF's reader accepts tensors listed in any order as long as their offsets tile the data; so do we. */
  @Test
  void tensorsListedOutOfOffsetOrderOpen() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("unordered.safetensors"),
        "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
            + "\"data_offsets\":[0,1]}}", new byte[3]);
    try (SafetensorsFile f = Safetensors.open(file)) {
      assertEquals(java.util.List.of("b", "a"), java.util.List.copyOf(f.names()));
    }
  }

  @Test
  void validFileWithPaddingAndMetadataOpens() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("ok.safetensors"),
        "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]},"
            + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}   ", new byte[4]);
    try (SafetensorsFile f = Safetensors.open(file)) {
      assertEquals(java.util.List.of("a", "z"), java.util.List.copyOf(f.names()));
      assertEquals("pt", f.metadata().get("format"));
      assertEquals(SafetensorsDtype.I16, f.info("a").dtype());
      assertEquals(0, f.info("z").numel());
    }
  }

  @Test
  void unknownNameInGetIsNamed() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("one.safetensors"),
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
    try (SafetensorsFile f = Safetensors.open(file)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.get("b"));
      assertMentions(e, "no tensor named 'b'", "one.safetensors");
    }
  }
}
