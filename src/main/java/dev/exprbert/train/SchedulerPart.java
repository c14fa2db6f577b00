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
 * {@code scheduler.json}, the JSON twin of Hugging Face's {@code scheduler.pt} (LambdaLR's {@code state_dict}): the
 * schedule's shape, its base learning rate and {@code last_epoch} (LambdaLR's name for the number of steps taken).
 * Our schedule is a pure function of the step, so resuming needs nothing from it; the rest is checked so a resumed
 * run cannot silently follow another schedule.
 */
final class SchedulerPart implements CheckpointPart {
  static final String FILE = "scheduler.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /** The file's fields, in its order. */
  private record State(String lr_scheduler_type, long warmup_steps, long total_steps, double base_lr, long last_epoch,
      double last_lr) {}

  private final LearningRateSchedule schedule;
  private final RunView run;

  SchedulerPart(LearningRateSchedule schedule, RunView run) {
    this.schedule = schedule;
    this.run = run;
  }

  private State at(long step) {
    return new State(schedule.kind().hfName(), schedule.warmupSteps(), schedule.totalSteps(), schedule.baseLr(), step,
        schedule.learningRate(step));
  }

  @Override
  public String file() {
    return FILE;
  }

  @Override
  public void save(Path folder) throws IOException {
    AtomicFiles.writeString(folder.resolve(FILE), GSON.toJson(at(run.globalStep())) + "\n");
  }

  @Override
  public void check(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("checkpoint " + checkpoint + " has no " + FILE);
    }
    State saved = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), State.class);
    State now = at(saved.last_epoch());
    if (!now.lr_scheduler_type().equals(saved.lr_scheduler_type()) || now.warmup_steps() != saved.warmup_steps()
        || now.total_steps() != saved.total_steps() || now.base_lr() != saved.base_lr()) {
      throw new IllegalArgumentException("cannot resume from " + checkpoint + ": its schedule was " + saved
          + " but this run's is " + now + "; resume with the same learning_rate, lr_scheduler_type, warmup and"
          + " epochs/max_steps");
    }
  }
}
