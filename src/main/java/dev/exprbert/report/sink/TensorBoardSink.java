package dev.exprbert.report.sink;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Scalars as a TensorBoard event file, {@code events.out.tfevents.<unix seconds>.<host>} in the
 * folder (a {@code .N} suffix is added if that name is taken): the first record says
 * {@code brain.Event:2}, then each {@link #write} is one {@code Event} with one simple value per
 * metric, stored as float as TensorBoard's scalars are. Point {@code tensorboard --logdir} at the
 * folder. The file is appended as training goes, which is how TensorBoard reads it live, so it is
 * not written atomically; each record goes out whole (see {@link TfRecordWriter}).
 */
public final class TensorBoardSink extends AppendingSink {
  private TensorBoardSink(AppendFile file) {
    super(file, "TensorBoard");
  }

  /** Creates the folder if needed and a new event file in it. */
  public static TensorBoardSink open(Path folder) throws IOException {
    Files.createDirectories(folder);
    String base = "events.out.tfevents." + (System.currentTimeMillis() / 1000) + "." + MetricSinks.hostName();
    for (int attempt = 0; ; attempt++) {
      try {
        AppendFile file = new AppendFile(folder.resolve(attempt == 0 ? base : base + "." + attempt),
            StandardOpenOption.CREATE_NEW);
        file.append(TfRecordWriter.frame(TfEvents.fileVersion(now())));
        return new TensorBoardSink(file);
      } catch (FileAlreadyExistsException taken) {
        if (attempt > 1000) {
          throw taken;
        }
      }
    }
  }

  @Override
  public synchronized void write(long step, Map<String, ? extends Number> metrics) {
    checkOpen(step, metrics);
    file.append(TfRecordWriter.frame(TfEvents.scalars(now(), step, metrics)));
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }
}
