package dev.exprbert.train;

import dev.exprbert.report.sink.MetricSink;
import dev.exprbert.report.sink.MetricSinks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report_to}: every log entry of a run (training loss, evaluations, the summary, the final evaluation) goes
 * to the metric files it names, at the entry's global step, as Hugging Face's {@code TensorBoardCallback.on_log}
 * sends it. TensorBoard gets Hugging Face's tag names ({@code rewrite_logs}: {@code eval_f1} becomes {@code eval/f1},
 * {@code test_*} becomes {@code test/*}, everything else {@code train/*}); CSV and JSON Lines keep the log's own keys.
 * Only numbers are written; the entry's {@code step} is the record's step.
 *
 * <p>The files go into {@code logging_dir}, by default {@code output_dir/runs/<Mon DD_HH-MM-SS>_<host>} (Hugging
 * Face's {@code default_logdir}), a new folder per run. They are opened at the first event (so a run refused at its
 * start leaves no folder) and each record reaches the operating system when written; whoever added the reporter
 * closes it after the run (or its failure): the summary and the final evaluation are logged after
 * {@code onTrainEnd}, so closing there would lose them.
 */
public final class MetricReporter implements TrainerCallback, AutoCloseable {
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("MMMdd_HH-mm-ss", Locale.ENGLISH);

  private final ReportTo targets;
  private final Path folder;
  private final List<MetricSink> sinks = new ArrayList<>();
  private final List<Boolean> tensorBoardNames = new ArrayList<>();
  private boolean opened;
  private boolean closed;

  public MetricReporter(ReportTo targets, Path folder) {
    this.targets = targets;
    this.folder = folder;
  }

  /** The reporter of a run's {@code report_to} and {@code logging_dir}. */
  public static MetricReporter of(TrainingConfig config) {
    return new MetricReporter(config.reportTo(), config.loggingDir() != null ? config.loggingDir()
        : defaultFolder(config.outputDir(), LocalDateTime.now()));
  }

  /** Hugging Face's default logging folder: {@code runs/<Mon DD_HH-MM-SS>_<host>} under {@code outputDir}. */
  static Path defaultFolder(Path outputDir, LocalDateTime start) {
    return outputDir.resolve("runs").resolve(RUN_TIME.format(start) + "_" + MetricSinks.hostName());
  }

  /** Where the files go (whether or not any was written yet). */
  public Path folder() {
    return folder;
  }

  @Override
  public void onTrainBegin(RunView run, TrainerControl control) {
    open();
  }

  @Override
  public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
    write(run.globalStep(), entry);
  }

  /** Writes the numbers of {@code entry} at {@code step} to every sink (the log of an evaluation without training). */
  public void write(long step, Map<String, Object> entry) {
    open();
    Map<String, Number> plain = new LinkedHashMap<>();
    Map<String, Number> tensorBoard = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : entry.entrySet()) {
      if (e.getKey().equals("step") || !(e.getValue() instanceof Number number)) {
        continue;
      }
      plain.put(e.getKey(), number);
      tensorBoard.put(tensorBoardName(e.getKey()), number);
    }
    if (plain.isEmpty()) {
      return;
    }
    for (int i = 0; i < sinks.size(); i++) {
      sinks.get(i).write(step, tensorBoardNames.get(i) ? tensorBoard : plain);
    }
  }

  /** Hugging Face's {@code rewrite_logs}. */
  static String tensorBoardName(String key) {
    if (key.startsWith("eval_")) {
      return "eval/" + key.substring(5);
    }
    if (key.startsWith("test_")) {
      return "test/" + key.substring(5);
    }
    return "train/" + key;
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("the report_to files in " + folder + " are closed");
    }
    if (opened) {
      return;
    }
    opened = true;
    try {
      for (String name : targets.names()) {
        sinks.add(MetricSinks.open(name, folder));
        tensorBoardNames.add(name.equals("tensorboard"));
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("report_to: cannot create the metric files in " + folder, e);
    }
  }

  /** Flushes and closes every file; a later write is an error. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    for (MetricSink sink : sinks) {
      try {
        sink.flush();
        sink.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
