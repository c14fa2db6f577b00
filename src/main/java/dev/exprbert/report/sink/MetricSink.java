package dev.exprbert.report.sink;

import java.util.Map;

/**
 * A destination for metrics logged during training ({@code --report_to}). Each {@link #write}
 * reaches the operating system before it returns, so a crashed run leaves every complete record
 * readable; {@link #flush} also forces the file to the disk. Sinks are safe to share between
 * threads. Writing to a closed sink is an {@link IllegalStateException}.
 */
public interface MetricSink extends AutoCloseable {
  /**
   * Records {@code metrics} at {@code step}; NaN and infinities are allowed (each format says how
   * it stores them).
   *
   * @throws IllegalArgumentException for a negative step, an empty or null metric name or a null value
   */
  void write(long step, Map<String, ? extends Number> metrics);

  /** Forces everything written so far to the disk. */
  void flush();

  @Override
  void close();

  /** Checks what every sink requires of a write. */
  static void checkWrite(long step, Map<String, ? extends Number> metrics) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("metric names must be non-empty, got " + metrics.keySet());
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("metric " + e.getKey() + " has no value");
      }
    }
  }
}
