package dev.exprbert.train;

import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.model.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saving and resuming: what goes into a {@code checkpoint-N/} (the {@link CheckpointPart}s, in their order: model
 * files, {@code optimizer.safetensors}, {@code scheduler.json}, {@code rng_state.safetensors},
 * {@code trainer_position.json}, {@code training_args.json} and, last, {@code trainer_state.json}), written
 * crash-safely by {@link CheckpointStore}; {@code save_total_limit} rotation that keeps the best checkpoint; and on
 * start, refusing an occupied output directory or finding the checkpoint to resume from.
 *
 * <p>In a data-parallel run rank 0 decides (output directory, which checkpoint) and tells the others, rank 0 alone
 * writes, and every rank restores from the checkpoint rank 0 chose, which must be readable at the same path on every
 * machine (a shared filesystem, as Hugging Face's Trainer assumes).
 */
final class Checkpointer {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
  static final String TRAINING_ARGS = "training_args.json";

  /** Called before each checkpoint file is written; tests throw from it to simulate a full disk. */
  @FunctionalInterface
  interface WriteHook {
    void beforeWrite(Path file) throws IOException;
  }

  private final TrainingConfig config;
  private final CheckpointStore store;
  private final RunState state;
  private final List<CheckpointPart> parts;
  private final DistributedContext context;
  private WriteHook hook = file -> {};
  private long lastSavedStep = -1;

  /** @param parts every part but {@code training_args.json} and the run state's, which this adds */
  Checkpointer(TrainingConfig config, RunState state, List<CheckpointPart> parts, DistributedContext context) {
    this.context = context;
    this.config = config;
    this.store = new CheckpointStore(config.outputDir());
    this.state = state;
    List<CheckpointPart> all = new ArrayList<>(parts);
    all.add(state.positionPart());
    all.add(trainingArgs(config));
    all.add(state.trainerStatePart());
    this.parts = List.copyOf(all);
  }

  void onWrite(WriteHook hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  void onDelete(CheckpointStore.DeleteHook hook) {
    store.onDelete(Objects.requireNonNull(hook, "hook"));
  }

  /**
   * Checks that the output directory can be written (before any training), refuses one that already holds a run
   * unless asked to overwrite it or resume from it, removes leftovers of interrupted saves and deletes (only then: a
   * refused run touches nothing), and restores the checkpoint to resume from. Returns it, or null for a new run.
   * Rank 0 decides and prepares the output directory; every rank restores.
   */
  Path begin() throws IOException {
    IOException[] ioFailure = new IOException[1];
    RuntimeException[] failure = new RuntimeException[1];
    String decided = context.shareFromMain("checkpoint to resume from", () -> {
      try {
        Path resume = prepareOutputDir();
        return "ok:" + (resume != null ? resume : "");
      } catch (IOException e) {
        ioFailure[0] = e;
        return "error:" + e.getMessage();
      } catch (RuntimeException e) {
        failure[0] = e;
        return "error:" + e.getMessage();
      }
    });
    if (ioFailure[0] != null) {
      throw ioFailure[0];
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    if (decided.startsWith("error:")) {
      throw new IllegalArgumentException("rank 0 refused to start: " + decided.substring("error:".length()));
    }
    String path = decided.substring("ok:".length());
    Path resume = path.isEmpty() ? null : Path.of(path);
    if (resume != null) {
      if (!context.isMain() && !Files.isRegularFile(resume.resolve(CheckpointStore.MARKER))) {
        throw new IllegalArgumentException("rank " + context.rank() + " cannot read the checkpoint rank 0 resumes from, "
            + resume + ": every rank must see it at the same path (put output_dir on a filesystem every machine shares)");
      }
      for (CheckpointPart part : parts) {
        part.check(resume);
      }
      for (CheckpointPart part : parts) {
        part.restore(resume);
      }
      lastSavedStep = state.globalStep();
    }
    return resume;
  }

  /** Rank 0's share of {@link #begin}: the checks and the output directory; returns the checkpoint to resume from. */
  private Path prepareOutputDir() throws IOException {
    OutputDirectory.requireWritable(config.outputDir());
    Path resume = resolveResume(config.resumeFromCheckpoint());
    if (resume == null) {
      String existing = existingRun(config.outputDir());
      if (existing != null) {
        if (!config.overwriteOutputDir()) {
          throw new IllegalArgumentException("output_dir " + config.outputDir() + " already holds a run (" + existing
              + "); pass --overwrite_output_dir to train into it anyway (its checkpoints are deleted), or"
              + " --resume_from_checkpoint to continue it");
        }
        LOG.warn("overwriting the run in {} ({})", config.outputDir(), existing);
        store.deleteAll();
      }
    }
    List<String> removed = store.removeIncompleteFolders();
    if (!removed.isEmpty()) {
      LOG.warn("removed {} left in {} by an interrupted checkpoint save or delete", removed, config.outputDir());
    }
    Files.createDirectories(config.outputDir());
    return resume;
  }

  private Path resolveResume(String value) throws IOException {
    if (value == null || value.equalsIgnoreCase("false")) {
      return null;
    }
    if (value.equalsIgnoreCase("true")) {
      return store.latest().orElseThrow(() -> new IllegalArgumentException("resume_from_checkpoint true: no complete"
          + " checkpoint in " + store.outputDir() + " (expected a checkpoint-N folder holding " + CheckpointStore.MARKER
          + "); leave out --resume_from_checkpoint to start a new run"));
    }
    Path dir = Path.of(value);
    CheckpointStore.requireComplete(dir);
    return dir;
  }

  /** What shows that {@code outputDir} holds a run (a file or a checkpoint folder), or null. */
  private String existingRun(Path outputDir) throws IOException {
    if (!Files.isDirectory(outputDir)) {
      return null;
    }
    for (String marker : List.of(RunState.TRAINER_STATE, ModelDirectory.CONFIG, ModelDirectory.SAFETENSORS)) {
      if (Files.exists(outputDir.resolve(marker))) {
        return marker;
      }
    }
    List<String> checkpoints = store.checkpointFolderNames();
    return checkpoints.isEmpty() ? null : checkpoints.get(0);
  }

  /**
   * Saves {@code checkpoint-<global step>} (once per step; null when this step is saved already), names it the best
   * checkpoint when its step holds the best metric (before its trainer_state.json is written, as Hugging Face does),
   * and rotates old ones.
   */
  Path save() throws IOException {
    long step = state.globalStep();
    if (step == lastSavedStep) {
      return null;
    }
    Path target = CheckpointStore.folderFor(store.outputDir(), step);
    if (state.bestGlobalStep() != null && state.bestGlobalStep() == step) {
      state.bestModelCheckpoint(target.toString());
    }
    for (CheckpointPart part : parts) {
      part.gather();
    }
    if (!context.isMain()) {
      lastSavedStep = step;
      return target; // rank 0 writes it
    }
    Path saved = store.save(step, folder -> {
      for (CheckpointPart part : parts) {
        Path file = folder.resolve(part.file());
        try {
          hook.beforeWrite(file);
          part.save(folder);
        } catch (IOException e) {
          // a full disk says only "No space left on device": name the checkpoint and the file
          throw e.getMessage() != null && e.getMessage().contains(part.file()) ? e
              : new IOException("cannot write " + part.file() + " of " + target + " (in " + folder + "): " + e.getMessage(), e);
        }
      }
    });
    lastSavedStep = step;
    LOG.info("saved {}", saved);
    Integer limit = config.saveTotalLimit();
    if (limit != null) {
      Path keep = state.bestModelCheckpoint() != null ? Path.of(state.bestModelCheckpoint()) : null;
      for (Path deleted : store.rotate(limit, keep)) {
        LOG.info("deleted {} (save_total_limit {})", deleted, limit);
      }
    }
    return saved;
  }

  /** The newest complete checkpoint in output_dir (saved by this run or the one it resumed), or null. */
  String latestCheckpoint() {
    try {
      return store.latest().map(Path::toString).orElse(null);
    } catch (IOException e) {
      return null; // only for a message: an unreadable folder is reported where it matters
    }
  }

  /** {@code training_args.json}: the run's settings under Hugging Face's names (written, never restored). */
  static CheckpointPart trainingArgs(TrainingConfig config) {
    return new CheckpointPart() {
      @Override
      public String file() {
        return TRAINING_ARGS;
      }

      @Override
      public void save(Path folder) throws IOException {
        AtomicFiles.writeString(folder.resolve(TRAINING_ARGS), TrainingConfigKeys.toJsonText(config));
      }
    };
  }
}
