package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Batcher;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hugging Face's {@code Trainer} for token classification: AdamW with Hugging Face's parameter groups,
 * the LR schedule stepped once per optimizer update, global-norm clipping, gradient accumulation with
 * the loss of each micro-batch summed and divided by the labelled-token count of the whole
 * accumulation group (the late-2024 fix), logging / evaluation / saving by steps or epochs,
 * save_total_limit, load_best_model_at_end, early stopping, and bit-exact resume (weights, optimizer,
 * schedule position, dropout RNG and data position; see {@link TrainerCheckpoints}).
 *
 * <p>With {@code padding_free} (TRL's name; {@code --packed}) every micro-batch, in training and evaluation,
 * goes to the model packed ({@link dev.exprbert.data.PackedBatch}: tokens concatenated, cu_seqlens, per-sentence position ids), so
 * no work is spent on padding. The loss is the same sum over labelled tokens divided by the same count, so a
 * packed run follows the padded run up to float rounding. It needs the fused attention backend.
 *
 * <p>The model and tokenizer are borrowed; the trainer owns its optimizer. Native memory: every
 * micro-batch and every optimizer step runs inside its own {@link PointerScope}, so nothing a step
 * allocates outlives it or waits for the garbage collector.
 */
public final class Trainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  final TrainingConfig config;
  final BertForTokenClassification model;
  final ModelTokenizer tokenizer;
  final Optimizer optimizer;
  final LearningRateSchedule schedule;
  final Batcher batcher;
  final Evaluator evaluator;
  final TrainerState state = new TrainerState();
  final CheckpointStore store;
  final long updatesPerEpoch;
  final long maxSteps;
  final long numEpochs;
  private final int trainSentences;
  private final long nonEmbeddingParameters;
  private final MicroBatchStep microBatchStep;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private final EarlyStopping earlyStopping;
  final TrainerCheckpoints checkpoints;
  // running sums, saved with each checkpoint (TrainingPosition)
  double lossSinceLog;
  long stepsSinceLog;
  double totalLoss;
  long tokensSinceLog;
  private long lastLogNanos;
  private long nextEpoch;
  private long nextUpdate;
  private Evaluation lastEvaluation;
  private long lastEvaluatedStep = -1;

  /**
   * @param train labelled training sentences (labels must all be in the model's config)
   * @param eval labelled evaluation sentences, or null when {@code eval_strategy} is "no"
   */
  public Trainer(TrainingConfig config, BertForTokenClassification model, ModelTokenizer tokenizer,
      List<LabeledSentence> train, List<LabeledSentence> eval) {
    this.config = Objects.requireNonNull(config, "config");
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("the training set is empty: train_file must hold at least one sentence");
    }
    if (config.evaluation() != TrainingConfig.Strategy.NO && (eval == null || eval.isEmpty())) {
      throw new IllegalArgumentException("eval_strategy is " + config.evalStrategy()
          + " but there is no evaluation data (validation_file)");
    }
    BatchLayout layout = BatchLayout.forTraining(model.attention().implementation(), config.paddingFree());
    Window window = Window.resolve(config.maxSeqLength(), config.stride(), model.config().maxPositionEmbeddings(), tokenizer);
    Featurizer featurizer = new Featurizer(tokenizer, LabelMap.ofLabels(model.config().labels()), config.labelAllTokens(),
        window.maxSeqLength(), window.stride());
    List<Feature> features = featurizer.featurize(train, true).features();
    this.trainSentences = train.size();
    this.batcher = new Batcher(features, config.perDeviceTrainBatchSize(), true, config.groupByLength(), config.seed());
    this.evaluator = eval == null || eval.isEmpty() ? null : new Evaluator(model, tokenizer, eval, config.labelAllTokens(),
        window, config.perDeviceEvalBatchSize(), layout);
    int accumulation = config.gradientAccumulationSteps();
    this.updatesPerEpoch = Math.max(1, (batcher.batchesPerEpoch() + accumulation - 1) / accumulation);
    if (config.maxSteps() > 0) {
      this.maxSteps = config.maxSteps();
      this.numEpochs = (maxSteps + updatesPerEpoch - 1) / updatesPerEpoch;
    } else {
      this.maxSteps = (long) Math.ceil(config.numTrainEpochs() * updatesPerEpoch);
      this.numEpochs = (long) Math.ceil(config.numTrainEpochs());
    }
    long warmup = config.warmupSteps() > 0 ? config.warmupSteps()
        : LearningRateSchedule.warmupFromRatio(config.warmupRatio(), maxSteps);
    this.schedule = new LearningRateSchedule(LearningRateSchedule.Kind.parse(config.lrSchedulerType()), warmup, maxSteps);
    this.optimizer = OptimizerChoice.parse(config.optim()).create(
        ParameterGroups.huggingFace(model.weights().parameters(), config.weightDecay()),
        new AdamWSettings(config.adamBeta1(), config.adamBeta2(), config.adamEpsilon()));
    this.nonEmbeddingParameters = model.weights().asMap().entrySet().stream()
        .filter(e -> !e.getKey().contains("embeddings.")).mapToLong(e -> e.getValue().numel()).sum();
    this.microBatchStep = new MicroBatchStep(model, tokenizer.padTokenId(), layout);
    this.store = new CheckpointStore(config.outputDir());
    this.checkpoints = new TrainerCheckpoints(this);
    this.earlyStopping = config.earlyStoppingPatience() == null ? null : new EarlyStopping(config.bestMetricKey(),
        config.effectiveGreaterIsBetter(), config.earlyStoppingPatience(), config.earlyStoppingThreshold());
    state.maxSteps = maxSteps;
    state.numTrainEpochs = numEpochs;
    state.loggingSteps = config.loggingSteps();
    state.evalSteps = config.effectiveEvalSteps();
    state.saveSteps = config.saveSteps();
    state.trainBatchSize = config.perDeviceTrainBatchSize();
  }

  public Trainer addListener(TrainingListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  public TrainerState state() {
    return state;
  }

  public long stepsPerEpoch() {
    return updatesPerEpoch;
  }

  /** For tests: a hook run before each checkpoint file is written (to simulate a full disk). */
  void onCheckpointWrite(TrainerCheckpoints.WriteHook hook) {
    checkpoints.hook = hook;
  }

  /**
   * Trains (resuming when {@code resume_from_checkpoint} says so), then writes the final model,
   * metrics, predictions, model card and chart into {@code output_dir} (see {@link RunOutputs}).
   */
  public TrainResult train() throws IOException {
    long started = System.nanoTime();
    Path resumed = checkpoints.prepareOutputDir();
    long firstEpoch = 0;
    long firstUpdate = 0;
    if (resumed != null) {
      TrainingPosition position = checkpoints.restore(resumed);
      firstEpoch = position.epoch();
      firstUpdate = position.updateInEpoch();
      if (earlyStopping != null) {
        earlyStopping.restore(state);
      }
      LOG.info("resumed from {} at step {} (epoch {}, update {} of {})", resumed, state.globalStep, firstEpoch + 1,
          firstUpdate, updatesPerEpoch);
    } else {
      torch.manual_seed(config.seed());
    }
    nextEpoch = firstEpoch;
    nextUpdate = firstUpdate;
    long stepsAtStart = state.globalStep;
    LOG.info("training: {} sentences ({} features), {} epochs, {} optimizer steps ({} per epoch), batch {} x accumulation {}",
        trainSentences, batcher.size(), numEpochs, maxSteps, updatesPerEpoch, config.perDeviceTrainBatchSize(),
        config.gradientAccumulationSteps());
    LOG.info("CPU threads: {} intra-op, OpenMP wait policy {}", torch.get_num_threads(), Natives.ompWaitPolicy());
    TrainerControl control = new TrainerControl();
    lastLogNanos = System.nanoTime();
    boolean done = state.globalStep >= maxSteps;
    for (long epoch = firstEpoch; epoch < numEpochs && !done; epoch++) {
      model.train(true);
      List<List<Feature>> batches = batcher.epoch((int) epoch);
      int accumulation = config.gradientAccumulationSteps();
      for (long update = epoch == firstEpoch ? firstUpdate : 0; update < updatesPerEpoch; update++) {
        int from = (int) (update * accumulation);
        int to = Math.min(batches.size(), from + accumulation);
        trainUpdate(batches.subList(from, to));
        state.epoch = epoch + (double) to / batches.size();
        nextEpoch = update + 1 == updatesPerEpoch ? epoch + 1 : epoch;
        nextUpdate = update + 1 == updatesPerEpoch ? 0 : update + 1;
        for (TrainingListener l : listeners) {
          l.onStepEnd(state, control);
        }
        boolean last = state.globalStep >= maxSteps;
        if (config.logging() == TrainingConfig.Strategy.STEPS && (state.globalStep % config.loggingSteps() == 0
            || (config.loggingFirstStep() && state.globalStep == 1))) {
          logTrainingLoss();
        }
        if (config.evaluation() == TrainingConfig.Strategy.STEPS && state.globalStep % config.effectiveEvalSteps() == 0) {
          evaluateDuringTraining(control);
        }
        // the last step is always saved; with save_strategy epoch the epoch-end save below does it, after its evaluation
        if (config.saving() == TrainingConfig.Strategy.STEPS && (state.globalStep % config.saveSteps() == 0 || last)) {
          checkpoints.save(position(nextEpoch, nextUpdate), lastEvaluation);
        }
        if (last || control.stopRequested()) {
          done = true;
          break;
        }
      }
      if (config.logging() == TrainingConfig.Strategy.EPOCH && stepsSinceLog > 0) {
        logTrainingLoss();
      }
      if (config.evaluation() == TrainingConfig.Strategy.EPOCH) {
        evaluateDuringTraining(control);
      }
      if (config.saving() == TrainingConfig.Strategy.EPOCH) {
        checkpoints.save(position(nextEpoch, nextUpdate), lastEvaluation);
      }
      done |= control.stopRequested();
    }
    model.train(false);
    if (config.loadBestModelAtEnd() && state.bestModelCheckpoint != null) {
      LOG.info("loading the best model from {} ({} = {})", state.bestModelCheckpoint, config.bestMetricKey(), state.bestMetric);
      checkpoints.loadWeights(Path.of(state.bestModelCheckpoint));
    }
    double runtime = (System.nanoTime() - started) / 1e9;
    long stepsRun = state.globalStep - stepsAtStart;
    LinkedHashMap<String, Object> summary = new LinkedHashMap<>();
    summary.put("epoch", state.epoch);
    summary.put("step", state.globalStep);
    summary.put("total_flos", state.totalFlos);
    summary.put("train_loss", state.globalStep > 0 ? totalLoss / state.globalStep : Double.NaN);
    summary.put("train_runtime", Evaluator.round4(runtime));
    summary.put("train_samples_per_second", Math.round(trainSentences * (double) stepsRun / updatesPerEpoch / runtime * 1000) / 1000.0);
    summary.put("train_steps_per_second", Math.round(stepsRun / runtime * 1000) / 1000.0);
    state.log(summary);
    for (TrainingListener l : listeners) {
      l.onLog(state, summary);
    }
    TrainResult result = new TrainResult(state.globalStep, (Double) summary.get("train_loss"), summary, trainSentences);
    RunOutputs.write(this, result);
    return result;
  }

  private TrainingPosition position(long epoch, long update) {
    return new TrainingPosition(epoch, update, batcher.batchesPerEpoch(), config.gradientAccumulationSteps(),
        batcher.size(), config.seed(), lossSinceLog, stepsSinceLog, totalLoss, tokensSinceLog);
  }

  /** One optimizer update over the micro-batches of one accumulation group. */
  private void trainUpdate(List<List<Feature>> group) {
    long labelled = 0;
    for (List<Feature> micro : group) {
      for (Feature f : micro) {
        for (long id : f.encoding().labelIds()) {
          labelled += id != TokenClassificationLoss.IGNORE_INDEX ? 1 : 0;
        }
      }
    }
    double updateLoss = 0;
    for (List<Feature> micro : group) {
      try (PointerScope scope = new PointerScope()) {
        // divide by the labelled tokens of the whole group, so accumulation equals one big batch
        MicroBatchStep.Result result = microBatchStep.run(micro, labelled);
        updateLoss += result.loss();
        tokensSinceLog += result.realTokens();
        // FLOPs as HF counts them: 6 * non-embedding parameters * tokens the model ran (packed runs no padding)
        state.totalFlos += 6.0 * nonEmbeddingParameters * result.computedTokens();
      }
    }
    double lr = schedule.learningRate(config.learningRate(), state.globalStep);
    double gradNorm;
    try (PointerScope scope = new PointerScope()) {
      Tensor norm = optimizer.step(lr, config.maxGradNorm());
      gradNorm = Double.NaN;
      if (norm != null) {
        try (norm) { // the optimizer may hand it out detached from our scope
          gradNorm = norm.item_double();
        }
      }
      optimizer.zeroGrad();
    }
    state.globalStep++;
    lastGradNorm = gradNorm;
    lossSinceLog += updateLoss;
    totalLoss += updateLoss;
    stepsSinceLog++;
  }

  private double lastGradNorm = Double.NaN;

  private void logTrainingLoss() {
    long now = System.nanoTime();
    LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
    double loss = lossSinceLog / stepsSinceLog;
    entry.put("epoch", state.epoch);
    if (!Double.isNaN(lastGradNorm)) {
      entry.put("grad_norm", lastGradNorm);
    }
    entry.put("learning_rate", schedule.learningRate(config.learningRate(), state.globalStep));
    entry.put("loss", Math.round(loss * 10000) / 10000.0);
    entry.put("step", state.globalStep);
    double tokensPerSecond = tokensSinceLog / Math.max(1e-9, (now - lastLogNanos) / 1e9);
    LOG.info("step {}/{}: loss {}, learning_rate {}, grad_norm {}, {} tokens/s", state.globalStep, maxSteps,
        String.format("%.4f", loss), String.format("%.3g", (Double) entry.get("learning_rate")),
        String.format("%.4f", lastGradNorm), String.format("%.0f", tokensPerSecond));
    lossSinceLog = 0;
    stepsSinceLog = 0;
    tokensSinceLog = 0;
    lastLogNanos = now;
    state.log(entry);
    for (TrainingListener l : listeners) {
      l.onLog(state, entry);
    }
  }

  private void evaluateDuringTraining(TrainerControl control) {
    if (lastEvaluatedStep == state.globalStep) {
      return; // the step-level evaluation already ran at this step
    }
    Evaluation evaluation = evaluate();
    lastEvaluation = evaluation;
    lastEvaluatedStep = state.globalStep;
    LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
    entry.put("epoch", state.epoch);
    entry.putAll(evaluation.metrics());
    entry.put("step", state.globalStep);
    LOG.info("evaluation at step {}: {}", state.globalStep, evaluation.metrics());
    state.log(entry);
    Double value = evaluation.metrics().get(config.bestMetricKey());
    if (value != null && (state.bestMetric == null
        || (config.effectiveGreaterIsBetter() ? value > state.bestMetric : value < state.bestMetric))) {
      state.bestMetric = value;
      state.bestGlobalStep = state.globalStep;
    }
    for (TrainingListener l : listeners) {
      l.onLog(state, entry);
    }
    if (earlyStopping != null) {
      earlyStopping.onEvaluate(state, evaluation, control);
    }
    for (TrainingListener l : listeners) {
      l.onEvaluate(state, evaluation, control);
    }
  }

  /** Evaluates the model on the evaluation set (Hugging Face's {@code trainer.evaluate()}). */
  public Evaluation evaluate() {
    if (evaluator == null) {
      throw new IllegalStateException("no evaluation data was given to this trainer (validation_file)");
    }
    return evaluator.run("eval", config.returnEntityLevelMetrics());
  }

  List<TrainingListener> listeners() {
    return listeners;
  }

  @Override
  public void close() {
    optimizer.close();
  }
}
