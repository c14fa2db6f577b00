package dev.exprbert.report.sink;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Metrics as JSON Lines, {@code metrics.jsonl} in the folder: one object per write, {@code
 * {"step": 10, "wall_time": 1767225600.5, "loss": 0.42, ...}}, appended and handed to the operating
 * system at once. JSON has no NaN or infinity, so those values are written as {@code null}. Opening
 * starts a new file (an old one is replaced).
 */
public final class JsonlSink implements MetricSink {
  public static final String FILE_NAME = "metrics.jsonl";

  private final AppendFile file;

  private JsonlSink(AppendFile file) {
    this.file = file;
  }

  public static JsonlSink open(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path path = folder.resolve(FILE_NAME);
    Files.deleteIfExists(path);
    return new JsonlSink(new AppendFile(path));
  }

  public Path file() {
    return file.file();
  }

  @Override
  public synchronized void write(long step, Map<String, ? extends Number> metrics) {
    MetricSink.checkWrite(step, metrics);
    if (!file.isOpen()) {
      throw new IllegalStateException("the JSON Lines sink for " + file.file() + " is closed");
    }
    StringWriter line = new StringWriter();
    try (JsonWriter json = new JsonWriter(line)) {
      json.setHtmlSafe(false);
      json.beginObject();
      json.name("step").value(step);
      json.name("wall_time").jsonValue(Double.toString(System.currentTimeMillis() / 1000.0));
      for (Map.Entry<String, ? extends Number> metric : metrics.entrySet()) {
        json.name(metric.getKey());
        if (AppendFile.isFinite(metric.getValue())) {
          json.jsonValue(AppendFile.number(metric.getValue()));
        } else {
          json.nullValue();
        }
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    file.appendLine(line.toString());
  }

  @Override
  public synchronized void flush() {
    if (file.isOpen()) {
      file.force();
    }
  }

  @Override
  public synchronized void close() {
    file.close();
  }
}
