package dev.exprbert.report.sink;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent reader of TensorBoard event files for tests: checks both CRCs of every record with
 * its own bitwise CRC-32C (not java.util.zip) and decodes the Event fields by number as TensorFlow's
 * event.proto/summary.proto define them.
 */
public final class TfEventFileReader {
  public record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

  private TfEventFileReader() {}

  /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. */
  static int crc32c(byte[] data, int offset, int length) {
    int crc = 0xFFFFFFFF;
    for (int i = offset; i < offset + length; i++) {
      crc ^= data[i] & 0xFF;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return ~crc;
  }

  static int masked(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  public static List<Event> read(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (bytes.hasRemaining()) {
      int start = bytes.position();
      long length = bytes.getLong();
      int lengthCrc = bytes.getInt();
      if (lengthCrc != masked(crc32c(bytes.array(), start, 8))) {
        throw new IOException("bad length CRC in record at byte " + start);
      }
      if (bytes.remaining() < length + 4) {
        throw new IOException("truncated record at byte " + start);
      }
      byte[] payload = new byte[Math.toIntExact(length)];
      bytes.get(payload);
      if (bytes.getInt() != masked(crc32c(payload, 0, payload.length))) {
        throw new IOException("bad data CRC in record at byte " + start);
      }
      events.add(decodeEvent(payload));
    }
    return events;
  }

  private static Event decodeEvent(byte[] payload) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(payload);
    double wallTime = 0;
    long step = 0;
    String fileVersion = null;
    Map<String, Float> scalars = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case (1 << 3) | 1 -> wallTime = in.readDouble();
        case (2 << 3) -> step = in.readInt64();
        case (3 << 3) | 2 -> fileVersion = in.readString();
        case (5 << 3) | 2 -> scalars = decodeSummary(in.readByteArray());
        default -> throw new IOException("unexpected Event field tag " + tag);
      }
    }
    return new Event(wallTime, step, fileVersion, scalars);
  }

  private static Map<String, Float> decodeSummary(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    Map<String, Float> values = new LinkedHashMap<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag != ((1 << 3) | 2)) {
        throw new IOException("unexpected Summary field tag " + tag);
      }
      CodedInputStream value = CodedInputStream.newInstance(in.readByteArray());
      String name = null;
      Float simple = null;
      for (int t = value.readTag(); t != 0; t = value.readTag()) {
        switch (t) {
          case (1 << 3) | 2 -> name = value.readString();
          case (2 << 3) | 5 -> simple = value.readFloat();
          default -> throw new IOException("unexpected Value field tag " + t);
        }
      }
      values.put(name, simple);
    }
    return values;
  }
}
