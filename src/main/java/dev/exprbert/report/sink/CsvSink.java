package dev.exprbert.report.sink;

import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Metrics as CSV, {@code metrics.csv} in the folder: columns {@code step}, {@code wall_time}, then
 * each metric in the order first seen; a row per write, empty cells for metrics a write lacks;
 * non-finite values as {@code nan}, {@code inf}, {@code -inf} (what pandas reads back).
 *
 * <p>A write that brings a metric not seen before needs a wider header, so the whole file is
 * rewritten with the new column, atomically ({@link AtomicFiles}): a reader sees the old file or
 * the new one, never a header that does not fit its rows. Other writes append one row. The rows
 * are kept in memory for such rewrites (a run logs hundreds of rows, not millions). Opening starts
 * a new file.
 */
public final class CsvSink implements MetricSink {
  public static final String FILE_NAME = "metrics.csv";

  private record Row(long step, double wallTime, Map<String, Number> values) {}

  private final Path path;
  private final Set<String> columns = new LinkedHashSet<>();
  private final List<Row> rows = new ArrayList<>();
  private AppendFile file;
  private boolean closed;

  private CsvSink(Path path) {
    this.path = path;
  }

  public static CsvSink open(Path folder) throws IOException {
    Files.createDirectories(folder);
    CsvSink sink = new CsvSink(folder.resolve(FILE_NAME));
    sink.rewrite();
    return sink;
  }

  public Path file() {
    return path;
  }

  @Override
  public synchronized void write(long step, Map<String, ? extends Number> metrics) {
    MetricSink.checkWrite(step, metrics);
    if (closed) {
      throw new IllegalStateException("the CSV sink for " + path + " is closed");
    }
    Row row = new Row(step, System.currentTimeMillis() / 1000.0, new LinkedHashMap<>(metrics));
    rows.add(row);
    if (columns.addAll(metrics.keySet())) {
      rewrite();
    } else {
      file.appendLine(line(row));
    }
  }

  private void rewrite() {
    StringBuilder content = new StringBuilder(header()).append('\n');
    for (Row row : rows) {
      content.append(line(row)).append('\n');
    }
    try {
      if (file != null) {
        file.close();
      }
      AtomicFiles.writeString(path, content.toString());
      file = new AppendFile(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private String header() {
    List<String> cells = new ArrayList<>();
    cells.add("step");
    cells.add("wall_time");
    for (String column : columns) {
      cells.add(quote(column));
    }
    return String.join(",", cells);
  }

  private String line(Row row) {
    List<String> cells = new ArrayList<>();
    cells.add(Long.toString(row.step()));
    cells.add(Double.toString(row.wallTime()));
    for (String column : columns) {
      Number value = row.values().get(column);
      cells.add(value == null ? "" : cell(value));
    }
    return String.join(",", cells);
  }

  private static String cell(Number value) {
    double d = value.doubleValue();
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    return AppendFile.number(value);
  }

  /** RFC 4180 quoting for names holding a comma, quote or line break. */
  private static String quote(String name) {
    if (name.indexOf(',') < 0 && name.indexOf('"') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0) {
      return name;
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  @Override
  public synchronized void flush() {
    if (!closed) {
      file.force();
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      file.close();
    }
  }
}
