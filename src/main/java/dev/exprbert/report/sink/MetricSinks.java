package dev.exprbert.report.sink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Opens sinks by their {@code --report_to} names. */
public final class MetricSinks {
  /** A sink that keeps nothing ({@code --report_to none}). */
  public static final MetricSink NONE = new MetricSink() {
    @Override
    public void write(long step, Map<String, ? extends Number> metrics) {
      MetricSink.checkWrite(step, metrics);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private MetricSinks() {}

  /**
   * {@code tensorboard}, {@code csv}, {@code jsonl} or {@code none}, writing into {@code folder}
   * (created if missing).
   *
   * @throws IllegalArgumentException for another name
   */
  public static MetricSink open(String name, Path folder) throws IOException {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "tensorboard" -> TensorBoardSink.open(folder);
      case "csv" -> CsvSink.open(folder);
      case "jsonl" -> JsonlSink.open(folder);
      case "none" -> NONE;
      default -> throw new IllegalArgumentException(
          "unknown --report_to \"" + name + "\": expected tensorboard, csv, jsonl or none");
    };
  }
}
