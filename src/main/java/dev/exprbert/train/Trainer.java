package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Batcher;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.PrecisionSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hugging Face's {@code Trainer} for token classification. {@link #train} is the loop of {@code _inner_training_loop}:
 * per epoch, per optimizer update, one {@link TrainingStep} (forward and layer-wise backward of each micro-batch,
 * clipping, AdamW, the schedule's learning rate), then the callbacks decide what that step does and the loop does it
 * (log, evaluate, save), until {@code max_steps} or a callback stops it. Everything else is a
 * {@link TrainerCallback} on one event API: the logging, evaluation and save schedule ({@link DefaultFlow}), FLOP
 * counting ({@link FlopCounter}), the log lines ({@link LogPrinter}), best-metric tracking and
 * {@code load_best_model_at_end} ({@link BestModel}), early stopping ({@link EarlyStopping}), and whatever
 * {@link #addCallback} adds (the progress bar, a caller's own). One mutable {@link RunState} holds the run;
 * callbacks see it read-only ({@link RunView}). Saving and bit-exact resuming (weights, optimizer, schedule,
 * dropout RNG, data position) go through the {@link CheckpointPart}s of each component ({@link Checkpointer}); the
 * finished run's files are written by {@link RunOutputs}.
 *
 * <p>Batches are padded or, with {@code padding_free}, packed ({@link BatchLayout}, chosen once here). The loss and
 * gradient norm stay on the device and are read only at logging steps ([note: losses stay on the device] in
 * {@link RunState}); where data parallelism, mixed precision and a NaN guard plug in: [note: step seams] in
 * {@link TrainingStep}.
 *
 * <p>Data parallel ([note: data parallel] below): given a {@link DistributedContext} of N ranks, every rank runs this
 * same loop on its shard of each global batch ({@code per_device_train_batch_size x N x gradient_accumulation_steps}
 * features per optimizer step; steps per epoch and the schedule count global batches, as Hugging Face's do).
 *
 * <p>The model and tokenizer are borrowed; the trainer owns its optimizer. Every micro-batch and optimizer step runs
 * inside its own PointerScope, so nothing a step allocates outlives it or waits for the garbage collector.
 *
 * <p>[note: data parallel] What each rank does, DistributedDataParallel's way on c10d: at the start the model's
 * parameters are broadcast from rank 0 (so every rank starts from the same weights, as DDP's constructor does) and
 * the ranks check that they read the same data; each step sums the token counts, gradients and loss over the ranks
 * ({@link DataParallelSync}), so every rank applies the same update and holds the same weights and optimizer state;
 * evaluation is sharded by batch and gathered, so every rank gets the metrics a single process would compute (and
 * takes the same early-stopping and best-model decisions); rank 0 alone writes checkpoints, logs, the final model,
 * the model card and the chart, with every rank's RNG state in the checkpoint ({@code rng_state_<rank>}); a resumed
 * run needs the checkpoint readable by every rank and the same world size. Every rank must call {@link #train} and
 * {@link #evaluate} (they are collective).
 */
public final class Trainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  /**
   * The {@code train_results.json} key counting device-to-host reads ({@link HostReads}) from the start of
   * {@code train()} to the training summary: the logging steps, evaluations and saves of the run, and the summary.
   * Each read waits for the device, so on a GPU a count near the number of logs, not of steps, shows the loop did not
   * stall every step.
   */
  public static final String HOST_READS = "host_reads";

  private final TrainingConfig config;
  private final EncoderForTokenClassification model;
  private final ModelTokenizer tokenizer;
  private final int trainSentences;
  private final Batcher batcher;
  private final TokenClassificationLoss loss;
  private final Evaluator evaluator;
  private final RunLength length;
  private final LearningRateSchedule schedule;
  private final Optimizer optimizer;
  private final TrainingStep step;
  private final RunState state;
  private final Checkpointer checkpointer;
  private final MixedPrecision precision;
  private final NonFiniteGuard guard;
  private final DistributedContext context;
  private final GradientSync sync;
  private final List<Feature> features;
  private final CallbackList callbacks = new CallbackList();

  /**
   * A single-process trainer.
   *
   * @param train labelled training sentences (labels must all be in the model's config)
   * @param eval labelled evaluation sentences, or null when {@code eval_strategy} is "no"
   */
  public Trainer(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      List<LabeledSentence> train, List<LabeledSentence> eval) {
    this(config, model, tokenizer, train, eval, DistributedContext.single());
  }

  /**
   * This rank's trainer of a data-parallel run ([note: data parallel]); every rank passes the same config and data.
   * The context is borrowed (close it after the trainer).
   */
  public Trainer(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      List<LabeledSentence> train, List<LabeledSentence> eval, DistributedContext context) {
    this.context = Objects.requireNonNull(context, "context");
    this.config = Objects.requireNonNull(config, "config");
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("the training set is empty: train_file must hold at least one sentence");
    }
    if (config.evalStrategy() != TrainingConfig.Strategy.NO && (eval == null || eval.isEmpty())) {
      throw new IllegalArgumentException("eval_strategy is " + config.evalStrategy()
          + " but there is no evaluation data (validation_file)");
    }
    BestMetric.requireKnownType(config.metricForBestModel(), config.returnEntityLevelMetrics(), model.config().labels());
    // precision first: a device that cannot train in it is refused before anything is allocated
    String tf32 = PrecisionSupport.applyTf32(model.placement(), config.tf32());
    if (tf32 != null) {
      LOG.info(tf32);
    }
    this.precision = MixedPrecision.of(config, model.placement());
    BatchLayout layout = BatchLayout.forTraining(model.attention().implementation(), config.paddingFree());
    Window window = Window.resolve(config.maxSeqLength(), config.stride(), model.config().maxSequenceLength(), tokenizer);
    this.features = new Featurizer(tokenizer, LabelMap.ofLabels(model.config().labels()), config.labelAllTokens(),
        window.maxSeqLength(), window.stride()).featurize(train, true).features();
    this.trainSentences = train.size();
    requireCrfFits(config, model, features, train);
    this.loss = ClassWeights.loss(config, model.config().labels(), features);
    // the data order comes from data_seed when given, as Hugging Face's sampler does; everything else from seed
    long dataSeed = config.dataSeed() != null ? config.dataSeed() : config.seed();
    this.batcher = new Batcher(features, config.perDeviceTrainBatchSize(), true, config.groupByLength(), dataSeed,
        context.rank(), context.worldSize());
    this.evaluator = eval == null || eval.isEmpty() ? null : Evaluator.of(config, model, tokenizer, eval, loss,
        precision.autocast(), context);
    this.length = RunLength.of(config, batcher.batchesPerEpoch());
    this.schedule = LearningRateSchedule.of(config.lrSchedulerType(), config.learningRate(), config.warmupSteps(),
        config.warmupRatio(), length.maxSteps());
    this.optimizer = config.optim().kind().create(ParameterGroups.huggingFace(model.weights().parameters(),
        config.weightDecay()), new AdamWSettings(config.adamBeta1(), config.adamBeta2(), config.adamEpsilon()));
    this.sync = context.isLaunched() ? new DataParallelSync(context, model) : GradientSync.LOCAL;
    this.step = new TrainingStep(model, optimizer, layout, tokenizer.padTokenId(), config.maxGradNorm(), loss,
        precision, sync);
    this.state = new RunState(config, length, batcher.batchesPerEpoch(), batcher.size(), context.worldSize());
    ModelPart modelPart = new ModelPart(model, tokenizer);
    List<CheckpointPart> parts = new ArrayList<>(List.of(modelPart, new OptimizerPart(optimizer,
        config.optim().toString()), new SchedulerPart(schedule, state), new RngPart(model, context)));
    parts.addAll(precision.checkpointParts());
    this.checkpointer = new Checkpointer(config, state, parts, context);
    this.guard = new NonFiniteGuard(config.nanPolicy(), precision.gradientOverflowIsFault(), model.placement(),
        checkpointer::latestCheckpoint);
    callbacks.add(new DefaultFlow(config));
    callbacks.add(new FlopCounter(state, model));
    if (context.isMain()) {
      callbacks.add(new LogPrinter(config, length, trainSentences, batcher.size(), precision, context.worldSize()));
    }
    callbacks.add(new BestModel(config, state, modelPart, context));
    if (config.earlyStoppingPatience() != null) {
      callbacks.add(new EarlyStopping(state, config));
    }
  }

  /**
   * A model with a CRF trains on chains of what the run labels, so its config.json must say the same
   * ({@code crf_label_all_tokens} = {@code label_all_tokens}), and every gold chain must be one its constraints allow;
   * {@code crf} needs a model that has one ({@link TrainingSetup} adds it).
   */
  private static void requireCrfFits(TrainingConfig config, EncoderForTokenClassification model, List<Feature> features,
      List<LabeledSentence> train) {
    LinearChainCrf crf = model.crf();
    if (crf == null) {
      if (config.crf()) {
        throw new IllegalArgumentException("crf is set but the model has no CRF head: load it with TrainingSetup.prepare,"
            + " or give its config \"" + CrfSettings.USE_CRF + "\": true (CrfSettings.applyTo)");
      }
      return;
    }
    if (crf.settings().everySubToken() != config.labelAllTokens()) {
      throw new IllegalArgumentException("the model's CRF chains " + (crf.settings().everySubToken()
          ? "every sub-token" : "each word's first sub-token") + " (config.json's " + CrfSettings.LABEL_ALL_TOKENS + " "
          + crf.settings().everySubToken() + ") but label_all_tokens is " + config.labelAllTokens()
          + "; train with the same label_all_tokens");
    }
    CrfLoss.requireAllowedGold(crf.constraints(), features, train, "train_file");
  }

  /** Adds a callback; it runs after the built-in ones, in the order added. */
  public Trainer addCallback(TrainerCallback callback) {
    callbacks.add(callback);
    return this;
  }

  /** The loss this run trains and evaluates with (class weights, label smoothing). */
  public TokenClassificationLoss loss() {
    return loss;
  }

  /** The run so far, read-only. */
  public RunView state() {
    return state;
  }

  public long stepsPerEpoch() {
    return length.updatesPerEpoch();
  }

  /** For tests: a hook run before each checkpoint file is written (to simulate a full disk). */
  void onCheckpointWrite(Checkpointer.WriteHook hook) {
    checkpointer.onWrite(hook);
  }

  /** For tests: a hook run before each file of a rotated-out checkpoint is deleted (to pause or kill a run there). */
  void onCheckpointDelete(CheckpointStore.DeleteHook hook) {
    checkpointer.onDelete(hook);
  }

  /**
   * Trains (resuming when {@code resume_from_checkpoint} says so), then writes the final model, metrics,
   * predictions, model card and chart into {@code output_dir} ({@link RunOutputs}).
   */
  public TrainResult train() throws IOException {
    long started = System.nanoTime();
    long readsAtStart = HostReads.count();
    Path resumed = checkpointer.begin();
    if (resumed == null) {
      torch.manual_seed(config.seed());
    } else if (context.isMain()) {
      LOG.info("resumed from {} at step {} (epoch {}, update {} of {})", resumed, state.globalStep(),
          state.nextEpoch() + 1, state.nextUpdateInEpoch(), length.updatesPerEpoch());
    }
    if (context.isLaunched()) {
      RankAgreement.check(context, features, evaluator);
      context.broadcast(model.weights().parameters().stream().map(p -> p.tensor()).toList(), 0,
          "the broadcast of rank 0's parameters");
    }
    long stepsAtStart = state.globalStep();
    TrainerControl control = new TrainerControl();
    if (state.globalStep() >= length.maxSteps()) {
      control.requestStop();
    }
    callbacks.onTrainBegin(state, control);
    if (state.epochEndPending()) { // [note: epoch end on resume] in RunState
      endEpoch(control);
    }
    for (long epoch = state.nextEpoch(); epoch < length.numEpochs() && !control.stopRequested(); epoch++) {
      model.train(true);
      List<List<Feature>> batches = batcher.epoch((int) epoch);
      callbacks.onEpochBegin(state, control);
      for (long update = state.nextUpdateInEpoch(); update < length.updatesPerEpoch() && !control.stopRequested(); update++) {
        TrainingStep.Output out = step.run(length.group(batches, update), schedule.learningRate(state.globalStep()));
        guard.observe(out.loss(), precision.foundInf(), state.globalStep() + 1);
        state.completeStep(out, epoch, update, length, batches.size());
        callbacks.onStepEnd(state, control);
        act(control);
      }
      endEpoch(control);
    }
    model.train(false);
    guard.check(state.globalStep(), "at the end of training");
    callbacks.onTrainEnd(state, control);
    Map<String, Object> summary = state.logSummary((System.nanoTime() - started) / 1e9, state.globalStep() - stepsAtStart,
        trainSentences, length.updatesPerEpoch());
    // train_results.json (not log_history, which stays Hugging Face's) also says how often the loop waited for the
    // device: a run that read the loss every step would show it here
    Map<String, Object> results = new LinkedHashMap<>(summary);
    results.put(HOST_READS, HostReads.count() - readsAtStart);
    callbacks.onLog(state, control, summary);
    Evaluation last = RunOutputs.write(config, model, tokenizer, state, evaluator, results, trainSentences,
        entry -> callbacks.onLog(state, control, entry), context.isMain());
    context.barrier("the end of training");
    return new TrainResult(state.globalStep(), (Double) summary.get("train_loss"), results, trainSentences, last);
  }

  /** The end of an epoch: the callbacks' say, then what they asked for. */
  private void endEpoch(TrainerControl control) throws IOException {
    callbacks.onEpochEnd(state, control);
    state.epochEnded();
    act(control);
  }

  /** Does what the callbacks asked of this step or epoch end: log, evaluate, save (Hugging Face's order). */
  private void act(TrainerControl control) throws IOException {
    // the NaN guard reads the device where the loop reads it anyway: before a log, an evaluation or a checkpoint
    if (control.saveRequested()) {
      guard.check(state.globalStep(), "before saving the checkpoint of step " + state.globalStep());
      guard.checkWeights(model.weights().parameters(), state.globalStep());
    } else if (control.logRequested() || control.evaluationRequested()) {
      guard.check(state.globalStep(), "at the log or evaluation of step " + state.globalStep());
    }
    if (control.logRequested() && state.stepsSinceLog() > 0) {
      callbacks.onLog(state, control, state.logTrainingLoss(schedule.learningRate(state.globalStep())));
    }
    if (control.evaluationRequested() && state.needsEvaluation()) {
      Evaluation evaluation = evaluate();
      callbacks.onLog(state, control, state.logEvaluation(evaluation));
      callbacks.onEvaluate(state, control, evaluation);
    }
    if (control.saveRequested()) {
      Path saved = checkpointer.save();
      if (saved != null) {
        callbacks.onSave(state, control, saved);
      }
    }
    control.clearStepRequests();
  }

  /** Evaluates the model on the evaluation set (Hugging Face's {@code trainer.evaluate()}). */
  public Evaluation evaluate() {
    if (evaluator == null) {
      throw new IllegalStateException("no evaluation data was given to this trainer (validation_file)");
    }
    return evaluator.run("eval", config.returnEntityLevelMetrics());
  }

  /** The gradient all-reduce of a data-parallel run (for benchmarks: its wait time), or null in a single process. */
  public dev.exprbert.dist.BucketedAllReduce gradientBuckets() {
    return sync instanceof DataParallelSync dp ? dp.buckets() : null;
  }

  @Override
  public void close() {
    optimizer.close();
    state.close();
    guard.close();
    precision.close();
    if (sync instanceof DataParallelSync dp) {
      dp.close();
    }
  }
}
