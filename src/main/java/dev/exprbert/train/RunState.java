package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.io.FiniteJson;
import dev.exprbert.runtime.HostReads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The one mutable state of a training run; callbacks see it through {@link RunView}. It holds Hugging Face's
 * {@code TrainerState} (global step, fractional epoch, best metric and checkpoint, FLOPs, {@code log_history},
 * {@code stateful_callbacks}), where the data stands (the next update), and the running loss sums.
 *
 * <p>[note: losses stay on the device] The loss of each step and the gradient norm are device tensors; the sums
 * since the last log and over the run are added on the device. They are read to the host ({@link HostReads}) only
 * when a log entry is made, a checkpoint records them, or the run ends, so a step on a GPU never waits for it.
 *
 * <p>Two files are its checkpoint parts: {@code trainer_state.json} (Hugging Face's keys, so
 * {@code TrainerState.load_from_json} reads ours) and {@code trainer_position.json} (the data position and loss
 * sums, so a resumed run continues with the same batch and logs the same numbers; the batch order itself is not
 * saved: {@code Batcher.epoch(e)} depends only on (seed, e), so the data's shape is checked instead).
 */
final class RunState implements RunView {
  static final String TRAINER_STATE = "trainer_state.json";
  static final String POSITION = "trainer_position.json";
  // non-finite numbers (a NaN loss or gradient norm) are written as null: valid JSON (FiniteJson)
  private static final Gson GSON = FiniteJson.register(new GsonBuilder().setPrettyPrinting().serializeNulls()).create();
  private static final Gson POSITION_GSON = FiniteJson.register(new GsonBuilder().setPrettyPrinting()).create();

  /**
   * The data position and loss sums, field for field what {@code trainer_position.json} holds. {@code epochEndPending}:
   * the checkpoint was saved at the step that ended an epoch (or the run), before that epoch's end was acted on
   * ([note: epoch end on resume]); absent (false) in files written before it existed.
   */
  private record Position(long epoch, long updateInEpoch, long batchesPerEpoch, long gradientAccumulationSteps,
      long trainFeatures, long seed, double lossSinceLog, long stepsSinceLog, double totalLoss, long tokensSinceLog,
      long worldSize, boolean epochEndPending) {
    /** The ranks of the run that saved it (files written before data parallelism say nothing: one). */
    long ranks() {
      return worldSize > 0 ? worldSize : 1;
    }
  }

  // Hugging Face's TrainerState
  private long globalStep;
  private double epoch;
  private long maxSteps;
  private long numTrainEpochs;
  private long loggingSteps;
  private long evalSteps;
  private long saveSteps;
  private long trainBatchSize;
  private Double bestMetric;
  private Long bestGlobalStep;
  private String bestModelCheckpoint;
  private double totalFlos;
  private JsonObject statefulCallbacks = new JsonObject();
  private final List<Map<String, Object>> logHistory = new ArrayList<>();
  // where the data stands, and its shape (checked on resume)
  private long nextEpoch;
  private long nextUpdateInEpoch;
  private long batchesPerEpoch;
  private long accumulation;
  private long trainFeatures;
  private long seed;
  private boolean nanInfFilter;
  private long worldSize = 1;
  // running sums ([note: losses stay on the device])
  private double startLossSinceLog; // where the device sums start (a resumed run's saved sums), until the first step
  private double startTotalLoss;
  private Tensor lossSinceLog; // float64 scalar on the device: the sum of the step losses since the last log
  private Tensor totalLoss;    // float64 scalar on the device: the sum of every step's loss
  private long stepsSinceLog;
  private long tokensSinceLog;
  private long tokensSeen;
  private long lastEvaluatedStep = -1;
  private TrainingStep.Output lastStep;
  private boolean epochEndDone = true; // whether the loop acted on the end of the epoch of the last step
  private boolean epochEndPending;     // restored: the checkpoint's epoch end still has to be acted on

  private RunState() {}

  RunState(TrainingConfig config, RunLength length, long batchesPerEpoch, long trainFeatures, int worldSize) {
    this.worldSize = worldSize;
    this.maxSteps = length.maxSteps();
    this.numTrainEpochs = length.numEpochs();
    this.loggingSteps = config.loggingSteps();
    this.evalSteps = config.effectiveEvalSteps();
    this.saveSteps = config.saveSteps();
    this.trainBatchSize = config.perDeviceTrainBatchSize();
    this.batchesPerEpoch = batchesPerEpoch;
    this.accumulation = config.gradientAccumulationSteps();
    this.trainFeatures = trainFeatures;
    this.seed = config.seed();
    this.nanInfFilter = config.loggingNanInfFilter();
  }

  // ------------------------------------------------------------------------------------------ RunView

  @Override
  public long globalStep() {
    return globalStep;
  }

  @Override
  public double epoch() {
    return epoch;
  }

  @Override
  public long maxSteps() {
    return maxSteps;
  }

  @Override
  public long numTrainEpochs() {
    return numTrainEpochs;
  }

  @Override
  public Double bestMetric() {
    return bestMetric;
  }

  @Override
  public Long bestGlobalStep() {
    return bestGlobalStep;
  }

  @Override
  public String bestModelCheckpoint() {
    return bestModelCheckpoint;
  }

  @Override
  public double totalFlos() {
    return totalFlos;
  }

  @Override
  public List<Map<String, Object>> logHistory() {
    return Collections.unmodifiableList(logHistory);
  }

  @Override
  public long tokensSeen() {
    return tokensSeen;
  }

  @Override
  public JsonObject statefulCallbacks() {
    return statefulCallbacks.deepCopy();
  }

  // ------------------------------------------------------------------------------------------ the loop

  /** The epoch (0-based) of the next update. */
  long nextEpoch() {
    return nextEpoch;
  }

  /** Updates already done in {@link #nextEpoch()}. */
  long nextUpdateInEpoch() {
    return nextUpdateInEpoch;
  }

  /** The step just taken ({@link TrainingStep.Output}, owned here until the next one). */
  TrainingStep.Output lastStep() {
    return lastStep;
  }

  /**
   * Records update {@code update} of epoch {@code epochIndex}: one more global step, the fractional epoch
   * (Hugging Face's {@code epoch + (update + 1) / updates}, counted in batches), the next position, and the step's
   * loss added to the sums on the device. Takes ownership of {@code step}.
   */
  void completeStep(TrainingStep.Output step, long epochIndex, long update, RunLength length, int batchesInEpoch) {
    globalStep++;
    epoch = epochIndex + (double) length.batchesDone(update, batchesInEpoch) / batchesInEpoch;
    boolean epochDone = update + 1 == length.updatesPerEpoch();
    nextEpoch = epochDone ? epochIndex + 1 : epochIndex;
    nextUpdateInEpoch = epochDone ? 0 : update + 1;
    if (lossSinceLog == null) { // the first step: the sums start from the saved ones, added in the same order
      lossSinceLog = startingAt(step.loss(), startLossSinceLog);
      totalLoss = startingAt(step.loss(), startTotalLoss);
    }
    if (nanInfFilter) {
      // Hugging Face's logging_nan_inf_filter: a NaN or infinite step loss counts as the mean of the logging
      // window so far (tr_loss / (1 + steps since the log)), chosen on the device; a finite one is added as it is
      try (PointerScope scope = new PointerScope()) {
        Tensor windowMean = lossSinceLog.div(new Scalar((double) (1 + stepsSinceLog)));
        Tensor counted = torch.where(torch.isfinite(step.loss()), step.loss(), windowMean);
        lossSinceLog.add_(counted);
        totalLoss.add_(counted);
      }
    } else {
      lossSinceLog.add_(step.loss());
      totalLoss.add_(step.loss());
    }
    stepsSinceLog++;
    tokensSinceLog += step.realTokens();
    tokensSeen += step.realTokens();
    if (lastStep != null) {
      lastStep.close();
    }
    lastStep = step;
    epochEndDone = false;
  }

  /** The loop is about to act on the end of the current epoch (its log, evaluation and save requests). */
  void epochEnded() {
    epochEndDone = true;
    epochEndPending = false;
  }

  /**
   * [note: epoch end on resume] A step checkpoint taken at the last step of an epoch (or of the run) is written before
   * the loop acts on that epoch's end: an {@code eval_strategy epoch} evaluation, an epoch log. A run resumed from it
   * starts at the next epoch, so without this it would never make them, and that epoch's evaluation would be missing
   * from {@code log_history} and the chart. True when the restored checkpoint is such a one: the trainer then acts on
   * that epoch's end first, as the interrupted run did right after saving it.
   */
  boolean epochEndPending() {
    return epochEndPending;
  }

  /** Whether a checkpoint saved now leaves the epoch end of this step to be acted on. */
  private boolean epochEndAfterThisSave() {
    return !epochEndDone && (nextUpdateInEpoch == 0 || globalStep >= maxSteps);
  }

  long stepsSinceLog() {
    return stepsSinceLog;
  }

  /** A float64 scalar holding {@code value} on {@code like}'s device. */
  private static Tensor startingAt(Tensor like, double value) {
    Tensor t = org.bytedeco.pytorch.global.torch.zeros_like(like);
    try (org.bytedeco.pytorch.Scalar start = new org.bytedeco.pytorch.Scalar(value)) {
      t.add_(start);
    }
    return t;
  }

  /**
   * The training-loss entry of {@code log_history} ({@code epoch, grad_norm, learning_rate, loss, step}, the mean
   * loss since the last log rounded to 4 places), appended; reads the loss sum and gradient norm from the device.
   */
  Map<String, Object> logTrainingLoss(double learningRate) {
    double loss = read(lossSinceLog, startLossSinceLog) / stepsSinceLog;
    LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
    entry.put("epoch", epoch);
    Tensor norm = lastStep != null ? lastStep.gradNorm() : null;
    if (norm != null) {
      entry.put("grad_norm", HostReads.toDouble(norm)); // may be inf or NaN: written as null in JSON files
    }
    entry.put("learning_rate", learningRate);
    entry.put("loss", Double.isFinite(loss) ? Math.round(loss * 10000) / 10000.0 : loss); // Math.round(NaN) is 0
    entry.put("step", globalStep);
    if (lossSinceLog != null) {
      lossSinceLog.zero_();
    }
    startLossSinceLog = 0;
    stepsSinceLog = 0;
    tokensSinceLog = 0;
    return log(entry);
  }

  /** Whether no evaluation ran at this step yet (an epoch-end evaluation is skipped after a step-level one). */
  boolean needsEvaluation() {
    return lastEvaluatedStep != globalStep;
  }

  /** The evaluation's entry of {@code log_history} (epoch, its metrics, step), appended. */
  Map<String, Object> logEvaluation(Evaluation evaluation) {
    lastEvaluatedStep = globalStep;
    LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
    entry.put("epoch", epoch);
    entry.putAll(evaluation.metrics());
    entry.put("step", globalStep);
    return log(entry);
  }

  /** The mean training loss over all steps (read from the device), NaN before the first step. */
  double meanTrainingLoss() {
    if (globalStep == 0) {
      return Double.NaN;
    }
    return read(totalLoss, startTotalLoss) / globalStep;
  }

  /**
   * The training summary entry of {@code log_history} ({@code epoch, step, total_flos, train_loss, train_runtime,
   * train_samples_per_second, train_steps_per_second}), appended.
   *
   * @param runtime seconds since {@code train()} started
   * @param stepsRun optimizer steps this process ran (a resumed run ran fewer than {@link #globalStep()})
   */
  Map<String, Object> logSummary(double runtime, long stepsRun, int trainSentences, long updatesPerEpoch) {
    LinkedHashMap<String, Object> summary = new LinkedHashMap<>();
    summary.put("epoch", epoch);
    summary.put("step", globalStep);
    summary.put("total_flos", totalFlos);
    summary.put("train_loss", meanTrainingLoss());
    summary.put("train_runtime", Evaluator.round4(runtime));
    summary.put("train_samples_per_second",
        Math.round(trainSentences * (double) stepsRun / updatesPerEpoch / runtime * 1000) / 1000.0);
    summary.put("train_steps_per_second", Math.round(stepsRun / runtime * 1000) / 1000.0);
    return log(summary);
  }

  Map<String, Object> log(Map<String, Object> entry) {
    logHistory.add(entry);
    return entry;
  }

  void recordBest(double value) {
    bestMetric = value;
    bestGlobalStep = globalStep;
  }

  void bestModelCheckpoint(String checkpoint) {
    bestModelCheckpoint = checkpoint;
  }

  void addFlos(double flos) {
    totalFlos += flos;
  }

  /** Records a callback's resumable state under {@code name} in {@code stateful_callbacks}. */
  void putStatefulCallback(String name, JsonObject state) {
    statefulCallbacks.add(name, state);
  }

  /** A device sum's value (a host read), or where it starts before the first step. */
  private static double read(Tensor sum, double start) {
    return sum != null ? HostReads.toDouble(sum) : start;
  }

  // ------------------------------------------------------------------------------------------ files

  /** {@code trainer_position.json}: written into checkpoints, restored (and checked against this run's data). */
  CheckpointPart positionPart() {
    return new CheckpointPart() {
      @Override
      public String file() {
        return POSITION;
      }

      @Override
      public void save(Path folder) throws IOException {
        Position p = new Position(nextEpoch, nextUpdateInEpoch, batchesPerEpoch, accumulation, trainFeatures, seed,
            read(lossSinceLog, startLossSinceLog), stepsSinceLog, read(totalLoss, startTotalLoss), tokensSinceLog,
            worldSize, epochEndAfterThisSave());
        AtomicFiles.writeString(folder.resolve(POSITION), POSITION_GSON.toJson(p) + "\n");
      }

      @Override
      public void check(Path checkpoint) throws IOException {
        Position saved = readPosition(checkpoint);
        if (saved.ranks() != worldSize) {
          throw new IllegalArgumentException("cannot resume from " + checkpoint + ": it was saved by a run of "
              + saved.ranks() + " rank(s) and this run has " + worldSize + "; resume with the same world size"
              + " (nproc_per_node x nnodes), whose RNG states the checkpoint holds");
        }
        StringBuilder diff = new StringBuilder();
        compare(diff, "batches per epoch", saved.batchesPerEpoch(), batchesPerEpoch);
        compare(diff, "gradient_accumulation_steps", saved.gradientAccumulationSteps(), accumulation);
        compare(diff, "training features", saved.trainFeatures(), trainFeatures);
        compare(diff, "seed", saved.seed(), seed);
        if (diff.length() > 0) {
          throw new IllegalArgumentException("cannot resume from " + checkpoint + ": the data or batch settings changed"
              + " since it was saved (" + diff + "); resume with the same train_file, batch size, accumulation and seed");
        }
      }

      @Override
      public void restore(Path checkpoint) throws IOException {
        Position saved = readPosition(checkpoint);
        nextEpoch = saved.epoch();
        nextUpdateInEpoch = saved.updateInEpoch();
        startLossSinceLog = saved.lossSinceLog();
        stepsSinceLog = saved.stepsSinceLog();
        startTotalLoss = saved.totalLoss();
        tokensSinceLog = saved.tokensSinceLog();
        epochEndPending = saved.epochEndPending();
      }
    };
  }

  /** {@code trainer_state.json}, the last file of a checkpoint (its presence marks it complete). */
  CheckpointPart trainerStatePart() {
    return new CheckpointPart() {
      @Override
      public String file() {
        return TRAINER_STATE;
      }

      @Override
      public void save(Path folder) throws IOException {
        writeTrainerState(folder.resolve(TRAINER_STATE));
      }

      @Override
      public void restore(Path checkpoint) throws IOException {
        RunState saved = readTrainerState(checkpoint.resolve(TRAINER_STATE));
        globalStep = saved.globalStep;
        epoch = saved.epoch;
        bestMetric = saved.bestMetric;
        bestGlobalStep = saved.bestGlobalStep;
        bestModelCheckpoint = saved.bestModelCheckpoint;
        totalFlos = saved.totalFlos;
        statefulCallbacks = saved.statefulCallbacks;
        logHistory.clear();
        logHistory.addAll(saved.logHistory);
      }
    };
  }

  void writeTrainerState(Path file) throws IOException {
    JsonObject o = new JsonObject();
    o.add("best_global_step", GSON.toJsonTree(bestGlobalStep));
    o.add("best_metric", GSON.toJsonTree(bestMetric));
    o.add("best_model_checkpoint", GSON.toJsonTree(bestModelCheckpoint));
    o.addProperty("epoch", epoch);
    o.addProperty("eval_steps", evalSteps);
    o.addProperty("global_step", globalStep);
    o.addProperty("is_hyper_param_search", false);
    o.addProperty("is_local_process_zero", true);
    o.addProperty("is_world_process_zero", true);
    o.add("log_history", GSON.toJsonTree(logHistory));
    o.addProperty("logging_steps", loggingSteps);
    o.addProperty("max_steps", maxSteps);
    o.addProperty("num_input_tokens_seen", 0);
    o.addProperty("num_train_epochs", numTrainEpochs);
    o.addProperty("save_steps", saveSteps);
    o.add("stateful_callbacks", statefulCallbacks);
    o.addProperty("total_flos", totalFlos);
    o.addProperty("train_batch_size", trainBatchSize);
    o.add("trial_name", JsonNull.INSTANCE);
    o.add("trial_params", JsonNull.INSTANCE);
    AtomicFiles.writeString(file, GSON.toJson(o) + "\n");
  }

  static RunState readTrainerState(Path file) throws IOException {
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": expected a trainer_state.json object, found unreadable JSON (" + e.getMessage() + ")", e);
    }
    RunState s = new RunState();
    s.globalStep = number(o, "global_step", file).longValue();
    s.epoch = number(o, "epoch", file).doubleValue();
    s.maxSteps = number(o, "max_steps", file).longValue();
    s.numTrainEpochs = optionalLong(o, "num_train_epochs");
    s.loggingSteps = optionalLong(o, "logging_steps");
    s.evalSteps = optionalLong(o, "eval_steps");
    s.saveSteps = optionalLong(o, "save_steps");
    s.trainBatchSize = optionalLong(o, "train_batch_size");
    s.bestMetric = present(o, "best_metric") ? o.get("best_metric").getAsDouble() : null;
    s.bestGlobalStep = present(o, "best_global_step") ? o.get("best_global_step").getAsLong() : null;
    s.bestModelCheckpoint = present(o, "best_model_checkpoint") ? o.get("best_model_checkpoint").getAsString() : null;
    s.totalFlos = o.has("total_flos") ? o.get("total_flos").getAsDouble() : 0;
    if (o.has("stateful_callbacks") && o.get("stateful_callbacks").isJsonObject()) {
      s.statefulCallbacks = o.getAsJsonObject("stateful_callbacks");
    }
    if (o.has("log_history")) {
      List<LinkedHashMap<String, Object>> entries = GSON.fromJson(o.get("log_history"),
          new TypeToken<List<LinkedHashMap<String, Object>>>() {}.getType());
      for (LinkedHashMap<String, Object> e : entries) {
        // Gson reads every JSON number as a Double; step counts read back as whole numbers
        LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
        e.forEach((k, v) -> entry.put(k, k.equals("step") && v instanceof Double d ? (Object) d.longValue() : v));
        s.logHistory.add(entry);
      }
    }
    return s;
  }

  private static Position readPosition(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(POSITION);
    if (!Files.isRegularFile(file)) {
      throw new IOException("checkpoint " + checkpoint + " has no " + POSITION
          + ": it was not written by this trainer, so the data position cannot be restored");
    }
    return POSITION_GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Position.class);
  }

  private static void compare(StringBuilder diff, String name, long saved, long now) {
    if (saved != now) {
      diff.append(diff.length() > 0 ? "; " : "").append(name).append(": checkpoint ").append(saved).append(", now ").append(now);
    }
  }

  private static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private static Number number(JsonObject o, String key, Path file) throws IOException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IOException(file + ": expected a number for '" + key + "', found " + e);
    }
    return e.getAsNumber();
  }

  private static long optionalLong(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsLong() : 0;
  }

  /** Frees the device tensors. */
  void close() {
    for (AutoCloseable t : new AutoCloseable[] {lossSinceLog, totalLoss, lastStep}) {
      try {
        if (t != null) {
          t.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
