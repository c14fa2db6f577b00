package dev.exprbert.report.sink;

import java.nio.file.Path;
import java.util.Map;

/**
 * A sink that appends one record per write to one file: the shared open-check, flush and close of
 * the TensorBoard and JSON Lines sinks.
 */
abstract class AppendingSink implements MetricSink {
  protected final AppendFile file;
  private final String kind;

  AppendingSink(AppendFile file, String kind) {
    this.file = file;
    this.kind = kind;
  }

  /** The file written. */
  public Path file() {
    return file.file();
  }

  /** Checks the write and that the sink is open. */
  protected void checkOpen(long step, Map<String, ? extends Number> metrics) {
    MetricSink.checkWrite(step, metrics);
    if (!file.isOpen()) {
      throw new IllegalStateException("the " + kind + " sink for " + file.file() + " is closed");
    }
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
