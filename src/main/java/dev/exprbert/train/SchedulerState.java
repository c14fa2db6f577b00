package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON twin of Hugging Face's {@code scheduler.pt} (LambdaLR's {@code state_dict}): the schedule's
 * shape, its base learning rate and {@code last_epoch} (LambdaLR's name for the number of steps taken).
 * Our schedule is a pure function of the step, so resuming only needs {@code last_epoch}; the rest is
 * checked so a resumed run cannot silently follow another schedule.
 */
record SchedulerState(String lr_scheduler_type, long warmup_steps, long total_steps, double base_lr, long last_epoch,
    double last_lr) {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  static SchedulerState of(LearningRateSchedule schedule, double baseLr, long step) {
    return new SchedulerState(schedule.kind().hfName(), schedule.warmupSteps(), schedule.totalSteps(), baseLr, step,
        schedule.learningRate(baseLr, step));
  }

  void write(Path file) throws IOException {
    AtomicFiles.writeString(file, GSON.toJson(this) + "\n");
  }

  static SchedulerState read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("checkpoint " + file.getParent() + " has no " + file.getFileName());
    }
    return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), SchedulerState.class);
  }

  void requireMatches(LearningRateSchedule schedule, double baseLr, Path checkpoint) {
    SchedulerState now = of(schedule, baseLr, last_epoch);
    if (!now.lr_scheduler_type.equals(lr_scheduler_type) || now.warmup_steps != warmup_steps
        || now.total_steps != total_steps || now.base_lr != base_lr) {
      throw new IllegalArgumentException("cannot resume from " + checkpoint + ": its schedule was " + this
          + " but this run's is " + now + "; resume with the same learning_rate, lr_scheduler_type, warmup and epochs/max_steps");
    }
  }
}
