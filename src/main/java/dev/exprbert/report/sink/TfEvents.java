package dev.exprbert.report.sink;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serialises the two TensorBoard {@code Event} messages a scalar log needs, field by field with
 * protobuf-java's wire encoder (no generated classes: two messages of a few fields). Field numbers
 * are those of TensorFlow's {@code tensorflow/core/util/event.proto} and
 * {@code tensorflow/core/framework/summary.proto}:
 *
 * <pre>
 * Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary { repeated Value value = 1; }
 * Value   { string tag = 1; float simple_value = 2; }
 * </pre>
 */
final class TfEvents {
  /** What TensorBoard expects in the first record of an event file. */
  static final String FILE_VERSION = "brain.Event:2";

  private TfEvents() {}

  static byte[] fileVersion(double wallTime) {
    return encode(out -> {
      out.writeDouble(1, wallTime);
      out.writeString(3, FILE_VERSION);
    });
  }

  /** One event with a summary of one simple (float) value per metric. */
  static byte[] scalars(double wallTime, long step, Map<String, ? extends Number> metrics) {
    byte[] summary = encode(out -> {
      for (Map.Entry<String, ? extends Number> metric : metrics.entrySet()) {
        byte[] value = encode(v -> {
          v.writeString(1, metric.getKey());
          v.writeFloat(2, metric.getValue().floatValue());
        });
        out.writeByteArray(1, value);
      }
    });
    return encode(out -> {
      out.writeDouble(1, wallTime);
      out.writeInt64(2, step);
      out.writeByteArray(5, summary);
    });
  }

  private interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] encode(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      body.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory protobuf encoding failed", e);
    }
    return bytes.toByteArray();
  }
}
