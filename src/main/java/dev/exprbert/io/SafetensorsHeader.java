package dev.exprbert.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and validated header of a safetensors file.
 *
 * <p>Layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON (an object mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets"}}, plus an optional {@code "__metadata__"} object of
 * strings), then the data section. Validation follows the HF reader ({@code Metadata::validate} in
 * safetensors/src/tensor.rs): sorted by offset, the tensors must tile the data section from 0 to its
 * last byte with no gap or overlap, and each one's byte length must equal numel × dtype size. We
 * additionally reject duplicate names, which serde silently collapses.
 *
 * @param tensors entries in the order the JSON lists them
 * @param metadata the {@code __metadata__} strings, empty when absent
 * @param dataStart absolute file offset of the data section, {@code 8 + N}
 */
public record SafetensorsHeader(List<SafetensorsTensorInfo> tensors, Map<String, String> metadata, long dataStart) {
  /** Same bound as the HF reader (MAX_HEADER_SIZE): protects against allocating a bogus length. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  /**
   * More dimensions than any tensor has (LibTorch's CUDA kernels stop at 25). The HF reader has no
   * limit, but a header of a million ones would make LibTorch build size and stride arrays that long.
   */
  static final int MAX_DIMS = 64;

  public SafetensorsHeader {
    tensors = List.copyOf(tensors);
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** Reads and validates the header of an open file. */
  static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw new SafetensorsFormatException(file,
          "expected at least 8 bytes (the header length), found a file of " + fileSize + " bytes");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lengthBytes, 0);
    long headerLength = lengthBytes.getLong(0);
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerLength)
          + " is beyond the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (8 + headerLength > fileSize) {
      throw new SafetensorsFormatException(file, "header length " + headerLength + " runs past the end of the file: "
          + "expected at most " + (fileSize - 8) + " bytes after the 8-byte prefix, file size is " + fileSize);
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBytes, 8);
    headerBytes.flip();
    String json;
    try {
      json = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(headerBytes).toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsFormatException(file, "header is not valid UTF-8 (" + e.getMessage() + ")");
    }
    long dataStart = 8 + headerLength;
    return parse(file, json, fileSize - dataStart, dataStart);
  }

  static SafetensorsHeader parse(Path file, String json, long dataLength, long dataStart) throws IOException {
    List<SafetensorsTensorInfo> tensors = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (JsonReader reader = new JsonReader(new StringReader(json))) {
      reader.setStrictness(Strictness.STRICT);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw new SafetensorsFormatException(file, "header must be a JSON object, found " + describe(reader.peek()));
      }
      reader.beginObject();
      Set<String> seen = new HashSet<>();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (!seen.add(name)) {
          throw new SafetensorsFormatException(file, "duplicate name '" + name + "' in the header");
        }
        if (METADATA_KEY.equals(name)) {
          readMetadata(file, reader, metadata);
        } else {
          tensors.add(readTensor(file, reader, name));
        }
      }
      reader.endObject();
      // In strict mode a second value after the object makes peek() throw; only whitespace may follow.
      reader.peek();
    } catch (MalformedJsonException | IllegalStateException | NumberFormatException e) {
      throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getMessage());
    } catch (java.io.EOFException e) {
      throw new SafetensorsFormatException(file, "header is not valid JSON: it ends early (" + e.getMessage() + ")");
    }
    validateLayout(file, tensors, dataLength);
    return new SafetensorsHeader(tensors, metadata, dataStart);
  }

  private static void readMetadata(Path file, JsonReader reader, Map<String, String> metadata) throws IOException {
    if (reader.peek() != JsonToken.BEGIN_OBJECT) {
      throw new SafetensorsFormatException(file,
          "\"__metadata__\" must be an object of strings, found " + describe(reader.peek()));
    }
    reader.beginObject();
    while (reader.hasNext()) {
      String key = reader.nextName();
      if (reader.peek() != JsonToken.STRING) {
        throw new SafetensorsFormatException(file,
            "\"__metadata__\" value for '" + key + "' must be a string, found " + describe(reader.peek()));
      }
      if (metadata.put(key, reader.nextString()) != null) {
        throw new SafetensorsFormatException(file, "duplicate \"__metadata__\" key '" + key + "'");
      }
    }
    reader.endObject();
  }

  private static SafetensorsTensorInfo readTensor(Path file, JsonReader reader, String name) throws IOException {
    String where = "tensor '" + name + "': ";
    if (reader.peek() != JsonToken.BEGIN_OBJECT) {
      throw new SafetensorsFormatException(file,
          where + "expected an object with dtype, shape, data_offsets, found " + describe(reader.peek()));
    }
    String dtypeName = null;
    long[] shape = null;
    long[] offsets = null;
    reader.beginObject();
    while (reader.hasNext()) {
      String field = reader.nextName();
      switch (field) {
        case "dtype" -> {
          if (reader.peek() != JsonToken.STRING) {
            throw new SafetensorsFormatException(file, where + "dtype must be a string, found " + describe(reader.peek()));
          }
          dtypeName = reader.nextString();
        }
        case "shape" -> shape = readLongArray(file, reader, where + "shape");
        case "data_offsets" -> offsets = readLongArray(file, reader, where + "data_offsets");
        default -> reader.skipValue(); // the HF reader ignores unknown fields too
      }
    }
    reader.endObject();
    if (dtypeName == null || shape == null || offsets == null) {
      throw new SafetensorsFormatException(file, where + "expected the fields dtype, shape and data_offsets, missing "
          + (dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
    }
    SafetensorsDtype dtype = SafetensorsDtype.fromHeaderName(dtypeName);
    if (dtype == null) {
      throw new SafetensorsFormatException(file,
          where + "unknown dtype \"" + dtypeName + "\", expected one of " + SafetensorsDtype.supportedNames());
    }
    if (shape.length > MAX_DIMS) {
      throw new SafetensorsFormatException(file, where + "shape has " + shape.length + " dimensions; expected at most "
          + MAX_DIMS);
    }
    for (long d : shape) {
      if (d < 0) {
        throw new SafetensorsFormatException(file,
            where + "shape " + Arrays.toString(shape) + " has a negative dimension; expected sizes >= 0");
      }
    }
    if (offsets.length != 2) {
      throw new SafetensorsFormatException(file,
          where + "data_offsets must be [begin, end], found " + Arrays.toString(offsets));
    }
    if (offsets[0] < 0 || offsets[1] < offsets[0]) {
      throw new SafetensorsFormatException(file,
          where + "data_offsets " + Arrays.toString(offsets) + " must satisfy 0 <= begin <= end");
    }
    long expectedBytes;
    try {
      long numel = 1;
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      expectedBytes = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new SafetensorsFormatException(file,
          where + "shape " + Arrays.toString(shape) + " overflows a 64-bit byte count");
    }
    if (offsets[1] - offsets[0] != expectedBytes) {
      throw new SafetensorsFormatException(file, where + "shape " + Arrays.toString(shape) + " with dtype " + dtype
          + " needs " + expectedBytes + " bytes, but data_offsets " + Arrays.toString(offsets)
          + " span " + (offsets[1] - offsets[0]));
    }
    return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] readLongArray(Path file, JsonReader reader, String what) throws IOException {
    if (reader.peek() != JsonToken.BEGIN_ARRAY) {
      throw new SafetensorsFormatException(file, what + " must be an array of integers, found " + describe(reader.peek()));
    }
    List<Long> values = new ArrayList<>();
    reader.beginArray();
    while (reader.hasNext()) {
      if (reader.peek() != JsonToken.NUMBER) {
        throw new SafetensorsFormatException(file, what + " must hold integers, found " + describe(reader.peek()));
      }
      String text = reader.nextString();
      try {
        values.add(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw new SafetensorsFormatException(file, what + " must hold integers, found " + text);
      }
    }
    reader.endArray();
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /** Sorted by offset, the tensors must cover [0, dataLength) exactly once. */
  private static void validateLayout(Path file, List<SafetensorsTensorInfo> tensors, long dataLength)
      throws SafetensorsFormatException {
    List<SafetensorsTensorInfo> byOffset = new ArrayList<>(tensors);
    // Ties (zero-length tensors at one offset) keep a stable order; they take no bytes, so they are fine.
    byOffset.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin).thenComparingLong(SafetensorsTensorInfo::end));
    long expectedBegin = 0;
    SafetensorsTensorInfo previous = null;
    for (SafetensorsTensorInfo t : byOffset) {
      if (t.begin() < expectedBegin) {
        throw new SafetensorsFormatException(file, "tensor '" + t.name() + "' data_offsets [" + t.begin() + ", "
            + t.end() + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
      }
      if (t.begin() > expectedBegin) {
        String before = previous == null ? "at the start of the data section"
            : "after tensor '" + previous.name() + "' (which ends at " + expectedBegin + ")";
        throw new SafetensorsFormatException(file, "gap of " + (t.begin() - expectedBegin) + " bytes " + before
            + ": tensor '" + t.name() + "' starts at " + t.begin() + ", expected " + expectedBegin);
      }
      if (t.end() > dataLength) {
        throw new SafetensorsFormatException(file, "tensor '" + t.name() + "' data_offsets [" + t.begin() + ", " + t.end()
            + "] run past the end of the file: the data section holds " + dataLength + " bytes");
      }
      expectedBegin = t.end();
      previous = t;
    }
    if (expectedBegin != dataLength) {
      throw new SafetensorsFormatException(file, "the tensors cover " + expectedBegin + " bytes of data but the file holds "
          + dataLength + " bytes after the header (" + (dataLength - expectedBegin) + " trailing bytes)");
    }
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case BEGIN_ARRAY -> "an array";
      case BEGIN_OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case END_DOCUMENT -> "the end of the header";
      default -> token.toString();
    };
  }

  static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new java.io.EOFException("unexpected end of file at byte " + at);
      }
      at += n;
    }
  }
}
