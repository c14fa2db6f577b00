package dev.exprbert.report.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
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

  /** The names of the sinks that write files, in the order {@code all} opens them. */
  public static final List<String> NAMES = List.of("tensorboard", "csv", "jsonl");

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

  /** This machine's name with characters other than letters, digits, '.', '_' and '-' replaced, for file names. */
  public static String hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.replaceAll("[^A-Za-z0-9._-]", "_");
    } catch (IOException e) {
      return "localhost";
    }
  }
}
