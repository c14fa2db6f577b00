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
public final class JsonlSink extends AppendingSink {
  public static final String FILE_NAME = "metrics.jsonl";

  private JsonlSink(AppendFile file) {
    super(file, "JSON Lines");
  }

  public static JsonlSink open(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path path = folder.resolve(FILE_NAME);
    Files.deleteIfExists(path);
    return new JsonlSink(new AppendFile(path));
  }

  @Override
  public synchronized void write(long step, Map<String, ? extends Number> metrics) {
    checkOpen(step, metrics);
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

}
