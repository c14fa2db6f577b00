package dev.exprbert.train;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.BertConfig;
import dev.exprbert.model.ModelDirectory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What goes into a {@code checkpoint-N/} and how a run resumes from one. A checkpoint holds the model
 * directory files ({@code config.json}, {@code model.safetensors}, tokenizer files),
 * {@code optimizer.safetensors} ({@link dev.exprbert.optim.Optimizer#stateTensors}),
 * {@code scheduler.json}, {@code rng_state.safetensors} (LibTorch's CPU generator state and, with
 * {@code --attention fused}, the fused kernel's dropout counter), {@code trainer_position.json},
 * {@code training_args.json} and, last, {@code trainer_state.json} (see {@link CheckpointStore}).
 */
final class TrainerCheckpoints {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerCheckpoints.class);
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String SCHEDULER = "scheduler.json";
  static final String RNG = "rng_state.safetensors";
  static final String TRAINING_ARGS = "training_args.json";

  /** Called before each checkpoint file is written; tests throw from it to simulate a full disk. */
  @FunctionalInterface
  interface WriteHook {
    void beforeWrite(Path file) throws IOException;
  }

  private final Trainer trainer;
  WriteHook hook = file -> {};
  private long lastSavedStep = -1;

  TrainerCheckpoints(Trainer trainer) {
    this.trainer = trainer;
  }

  /**
   * Refuses an output directory that already holds a run unless asked to overwrite it or resume from
   * it; removes leftovers of interrupted saves. Returns the checkpoint to resume from, or null.
   */
  Path prepareOutputDir() throws IOException {
    TrainingConfig config = trainer.config;
    CheckpointStore store = trainer.store;
    Path resume = resolveResume(config.resumeFromCheckpoint(), store);
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
    Files.createDirectories(config.outputDir());
    store.removeIncompleteSaves();
    return resume;
  }

  private static Path resolveResume(String value, CheckpointStore store) throws IOException {
    if (value == null || value.equalsIgnoreCase("false")) {
      return null;
    }
    if (value.equalsIgnoreCase("true")) {
      return store.latest().orElseThrow(() -> new IllegalArgumentException("resume_from_checkpoint true: no complete"
          + " checkpoint in " + store.outputDir() + " (expected a checkpoint-N folder holding " + CheckpointStore.MARKER + ")"));
    }
    Path dir = Path.of(value);
    CheckpointStore.requireComplete(dir);
    return dir;
  }

  private static String existingRun(Path outputDir) throws IOException {
    if (!Files.isDirectory(outputDir)) {
      return null;
    }
    for (String marker : List.of(TrainerState.FILE, ModelDirectory.CONFIG, ModelDirectory.SAFETENSORS)) {
      if (Files.exists(outputDir.resolve(marker))) {
        return marker;
      }
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir, CheckpointStore.PREFIX + "*")) {
      for (Path p : entries) {
        return p.getFileName().toString();
      }
    }
    return null;
  }

  /** Saves {@code checkpoint-<global step>} (once per step), tracks the best checkpoint and rotates old ones. */
  void save(TrainingPosition position, Evaluation lastEvaluation) throws IOException {
    TrainerState state = trainer.state;
    if (state.globalStep == lastSavedStep) {
      return;
    }
    Path target = CheckpointStore.folderFor(trainer.store.outputDir(), state.globalStep);
    if (state.bestGlobalStep != null && state.bestGlobalStep == state.globalStep) {
      state.bestModelCheckpoint = target.toString();
    }
    Path saved = trainer.store.save(state.globalStep, folder -> write(folder, position));
    lastSavedStep = state.globalStep;
    LOG.info("saved {}", saved);
    Integer limit = trainer.config.saveTotalLimit();
    if (limit != null) {
      Path keep = state.bestModelCheckpoint != null ? Path.of(state.bestModelCheckpoint) : null;
      for (Path deleted : trainer.store.rotate(limit, keep)) {
        LOG.info("deleted {} (save_total_limit {})", deleted, limit);
      }
    }
    for (TrainingListener l : trainer.listeners()) {
      l.onSave(state, saved);
    }
  }

  private void write(Path folder, TrainingPosition position) throws IOException {
    hook.beforeWrite(folder.resolve(ModelDirectory.SAFETENSORS));
    ModelDirectory.save(folder, trainer.model.config(), trainer.model.weights().asMap());
    trainer.tokenizer.save(folder);
    hook.beforeWrite(folder.resolve(OPTIMIZER));
    Map<String, Tensor> optimizerState = trainer.optimizer.stateTensors();
    try {
      Safetensors.write(folder.resolve(OPTIMIZER), optimizerState, Map.of("format", "pt", "optim", trainer.config.optim()));
    } finally {
      optimizerState.values().forEach(Tensor::close);
    }
    hook.beforeWrite(folder.resolve(SCHEDULER));
    SchedulerState.of(trainer.schedule, trainer.config.learningRate(), trainer.state.globalStep).write(folder.resolve(SCHEDULER));
    hook.beforeWrite(folder.resolve(RNG));
    try (Tensor rng = RngState.capture(); Tensor offset = RngState.captureFusedAttention(trainer.model.attention())) {
      Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
      tensors.put(RngState.KEY, rng);
      if (offset != null) {
        tensors.put(RngState.FUSED_ATTENTION_KEY, offset);
      }
      Safetensors.write(folder.resolve(RNG), tensors, Map.of("format", "pt"));
    }
    hook.beforeWrite(folder.resolve(TrainingPosition.FILE));
    position.write(folder.resolve(TrainingPosition.FILE));
    hook.beforeWrite(folder.resolve(TRAINING_ARGS));
    dev.exprbert.io.AtomicFiles.writeString(folder.resolve(TRAINING_ARGS), TrainingConfigKeys.toJsonText(trainer.config));
    hook.beforeWrite(folder.resolve(TrainerState.FILE));
    trainer.state.write(folder.resolve(TrainerState.FILE));
  }

  /**
   * Restores weights, optimizer state, trainer state and the dropout RNG from {@code dir}; returns the
   * data position to continue from. The checkpoint must have the model's labels.
   */
  TrainingPosition restore(Path dir) throws IOException {
    BertConfig saved = ModelDirectory.readConfig(dir);
    List<String> labels = trainer.model.config().labels();
    if (!saved.labels().equals(labels)) {
      throw new IllegalArgumentException("cannot resume from " + dir + ": it was trained with labels " + saved.labels()
          + " but this run has labels " + labels + " (resume with the same data, or start a new run)");
    }
    TrainingPosition position = TrainingPosition.read(dir.resolve(TrainingPosition.FILE));
    position.requireSameData(new TrainingPosition(0, 0, trainer.batcher.batchesPerEpoch(),
        trainer.config.gradientAccumulationSteps(), trainer.batcher.size(), trainer.config.seed(), 0, 0, 0, 0), dir);
    SchedulerState scheduler = SchedulerState.read(dir.resolve(SCHEDULER));
    scheduler.requireMatches(trainer.schedule, trainer.config.learningRate(), dir);
    loadWeights(dir);
    Map<String, Tensor> optimizerState = Safetensors.read(dir.resolve(OPTIMIZER));
    try {
      trainer.optimizer.loadStateTensors(optimizerState);
    } finally {
      optimizerState.values().forEach(Tensor::close);
    }
    TrainerState restored = TrainerState.read(dir.resolve(TrainerState.FILE));
    TrainerState state = trainer.state;
    state.globalStep = restored.globalStep;
    state.epoch = restored.epoch;
    state.bestMetric = restored.bestMetric;
    state.bestGlobalStep = restored.bestGlobalStep;
    state.bestModelCheckpoint = restored.bestModelCheckpoint;
    state.totalFlos = restored.totalFlos;
    state.statefulCallbacks = restored.statefulCallbacks;
    state.logHistory().clear();
    state.logHistory().addAll(restored.logHistory());
    trainer.lossSinceLog = position.lossSinceLog();
    trainer.stepsSinceLog = position.stepsSinceLog();
    trainer.totalLoss = position.totalLoss();
    trainer.tokensSinceLog = position.tokensSinceLog();
    Map<String, Tensor> rng = Safetensors.read(dir.resolve(RNG));
    try {
      Tensor state0 = rng.get(RngState.KEY);
      if (state0 == null) {
        throw new IllegalArgumentException(dir.resolve(RNG) + " has no tensor '" + RngState.KEY + "'");
      }
      RngState.restore(state0);
      RngState.restoreFusedAttention(trainer.model.attention(), rng.get(RngState.FUSED_ATTENTION_KEY),
          trainer.model.config().attentionProbsDropoutProb(), dir.resolve(RNG));
    } finally {
      rng.values().forEach(Tensor::close);
    }
    lastSavedStep = state.globalStep;
    return position;
  }

  /** Copies the weights of a checkpoint into the model's parameters, in place (the optimizer keeps its references). */
  void loadWeights(Path dir) throws IOException {
    Map<String, Tensor> weights = ModelDirectory.readWeights(dir);
    try (NoGradGuard noGrad = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : trainer.model.weights().asMap().entrySet()) {
        Tensor source = weights.get(e.getKey());
        if (source == null) {
          throw new IllegalArgumentException(dir + " has no weight '" + e.getKey() + "'");
        }
        if (!java.util.Arrays.equals(dev.exprbert.runtime.Tensors.shape(source), dev.exprbert.runtime.Tensors.shape(e.getValue()))) {
          throw new IllegalArgumentException(dir + ": weight '" + e.getKey() + "' has shape "
              + dev.exprbert.runtime.Tensors.shapeString(source) + " but the model needs "
              + dev.exprbert.runtime.Tensors.shapeString(e.getValue()));
        }
        // copy_ returns the parameter's own Java object (JavaCPP returns `this` for a self reference): never close it
        e.getValue().copy_(source);
      }
    } finally {
      weights.values().forEach(Tensor::close);
    }
  }
}
