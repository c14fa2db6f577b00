package dev.exprbert.train;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything a training run needs, under Hugging Face names ({@code TrainingArguments} plus the
 * model and data arguments of {@code run_ner.py}) and with their defaults: {@code learning_rate 5e-5},
 * {@code num_train_epochs 3}, batch size 8, {@code seed 42}, AdamW 0.9 / 0.999 / 1e-8, linear
 * schedule, {@code max_grad_norm 1.0}, {@code eval_strategy "no"}, {@code save_strategy "steps"}
 * every 500 steps, logging every 500 steps. The reference model card used {@code learning_rate 2e-5}
 * and 5 epochs; pass them as flags to reproduce it.
 *
 * <p>Built with {@link #builder()}, which checks every value and the rules between them (the ones
 * {@code TrainingArguments.__post_init__} enforces) before a run starts. {@link TrainingConfigKeys}
 * maps the Hugging Face names to these fields for JSON files, CLI flags and {@code training_args.json}.
 */
public record TrainingConfig(
    Path outputDir,
    boolean overwriteOutputDir,
    // model and data (run_ner.py's ModelArguments / DataTrainingArguments)
    String modelNameOrPath,
    String configName,
    String tokenizerName,
    Path trainFile,
    Path validationFile,
    Integer maxSeqLength,
    int stride,
    boolean labelAllTokens,
    boolean ignoreMismatchedSizes,
    boolean unknownLabelsToO,
    boolean returnEntityLevelMetrics,
    String attnImplementation,
    String device,
    // optimisation
    double learningRate,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEpsilon,
    double maxGradNorm,
    String optim,
    double numTrainEpochs,
    long maxSteps,
    int perDeviceTrainBatchSize,
    int perDeviceEvalBatchSize,
    int gradientAccumulationSteps,
    String lrSchedulerType,
    double warmupRatio,
    long warmupSteps,
    boolean groupByLength,
    boolean paddingFree,
    long seed,
    // logging, evaluation, saving
    String loggingStrategy,
    long loggingSteps,
    boolean loggingFirstStep,
    String evalStrategy,
    Long evalSteps,
    String saveStrategy,
    long saveSteps,
    Integer saveTotalLimit,
    boolean loadBestModelAtEnd,
    String metricForBestModel,
    Boolean greaterIsBetter,
    Integer earlyStoppingPatience,
    double earlyStoppingThreshold,
    String resumeFromCheckpoint,
    boolean disableTqdm) {

  /** Values of {@code eval_strategy}, {@code save_strategy} and {@code logging_strategy}. */
  public enum Strategy {
    NO, STEPS, EPOCH;

    public static Strategy parse(String key, String value) {
      try {
        return valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": expected no, steps or epoch, found '" + value + "'");
      }
    }
  }

  public TrainingConfig {
    Objects.requireNonNull(outputDir, "output_dir");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Strategy evaluation() {
    return Strategy.parse("eval_strategy", evalStrategy);
  }

  public Strategy saving() {
    return Strategy.parse("save_strategy", saveStrategy);
  }

  public Strategy logging() {
    return Strategy.parse("logging_strategy", loggingStrategy);
  }

  /** {@code eval_steps}, which defaults to {@code logging_steps} as in Hugging Face. */
  public long effectiveEvalSteps() {
    return evalSteps != null ? evalSteps : loggingSteps;
  }

  /** {@code metric_for_best_model} without the {@code eval_} prefix (Hugging Face accepts both). */
  public String bestMetricKey() {
    return "eval_" + (metricForBestModel.startsWith("eval_") ? metricForBestModel.substring(5) : metricForBestModel);
  }

  /** {@code greater_is_better}, defaulting to false for a loss and true otherwise. */
  public boolean effectiveGreaterIsBetter() {
    return greaterIsBetter != null ? greaterIsBetter : !bestMetricKey().endsWith("loss");
  }

  /** A builder with every value of this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.ALL.values()) {
      key.copy(this, b);
    }
    return b;
  }

  /** Mutable Hugging Face defaults; {@link #build} validates. Setters take the value types of the fields. */
  public static final class Builder {
    Path outputDir;
    boolean overwriteOutputDir;
    String modelNameOrPath;
    String configName;
    String tokenizerName;
    Path trainFile;
    Path validationFile;
    Integer maxSeqLength;
    int stride = 32;
    boolean labelAllTokens;
    boolean ignoreMismatchedSizes;
    boolean unknownLabelsToO;
    boolean returnEntityLevelMetrics;
    String attnImplementation = "sdpa";
    String device = "cpu";
    double learningRate = 5e-5;
    double weightDecay = 0.0;
    double adamBeta1 = 0.9;
    double adamBeta2 = 0.999;
    double adamEpsilon = 1e-8;
    double maxGradNorm = 1.0;
    String optim = OptimizerChoice.DEFAULT;
    double numTrainEpochs = 3.0;
    long maxSteps = -1;
    int perDeviceTrainBatchSize = 8;
    int perDeviceEvalBatchSize = 8;
    int gradientAccumulationSteps = 1;
    String lrSchedulerType = "linear";
    double warmupRatio = 0.0;
    long warmupSteps = 0;
    boolean groupByLength;
    boolean paddingFree;
    long seed = 42;
    String loggingStrategy = "steps";
    long loggingSteps = 500;
    boolean loggingFirstStep;
    String evalStrategy = "no";
    Long evalSteps;
    String saveStrategy = "steps";
    long saveSteps = 500;
    Integer saveTotalLimit;
    boolean loadBestModelAtEnd;
    String metricForBestModel = "f1";
    Boolean greaterIsBetter;
    Integer earlyStoppingPatience;
    double earlyStoppingThreshold = 0.0;
    String resumeFromCheckpoint;
    boolean disableTqdm;

    Builder() {}

    /** Sets one value by its Hugging Face name from text (a CLI flag), e.g. {@code ("learning_rate", "2e-5")}. */
    public Builder set(String hfName, String text) {
      TrainingConfigKeys.key(hfName).setText(this, text);
      return this;
    }

    public Builder outputDir(Path v) { outputDir = v; return this; }
    public Builder overwriteOutputDir(boolean v) { overwriteOutputDir = v; return this; }
    public Builder modelNameOrPath(String v) { modelNameOrPath = v; return this; }
    public Builder configName(String v) { configName = v; return this; }
    public Builder tokenizerName(String v) { tokenizerName = v; return this; }
    public Builder trainFile(Path v) { trainFile = v; return this; }
    public Builder validationFile(Path v) { validationFile = v; return this; }
    public Builder maxSeqLength(Integer v) { maxSeqLength = v; return this; }
    public Builder stride(int v) { stride = v; return this; }
    public Builder labelAllTokens(boolean v) { labelAllTokens = v; return this; }
    public Builder ignoreMismatchedSizes(boolean v) { ignoreMismatchedSizes = v; return this; }
    public Builder unknownLabelsToO(boolean v) { unknownLabelsToO = v; return this; }
    public Builder returnEntityLevelMetrics(boolean v) { returnEntityLevelMetrics = v; return this; }
    public Builder attnImplementation(String v) { attnImplementation = v; return this; }
    public Builder device(String v) { device = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder adamBeta1(double v) { adamBeta1 = v; return this; }
    public Builder adamBeta2(double v) { adamBeta2 = v; return this; }
    public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
    public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
    public Builder optim(String v) { optim = v; return this; }
    public Builder numTrainEpochs(double v) { numTrainEpochs = v; return this; }
    public Builder maxSteps(long v) { maxSteps = v; return this; }
    public Builder perDeviceTrainBatchSize(int v) { perDeviceTrainBatchSize = v; return this; }
    public Builder perDeviceEvalBatchSize(int v) { perDeviceEvalBatchSize = v; return this; }
    public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
    public Builder lrSchedulerType(String v) { lrSchedulerType = v; return this; }
    public Builder warmupRatio(double v) { warmupRatio = v; return this; }
    public Builder warmupSteps(long v) { warmupSteps = v; return this; }
    public Builder groupByLength(boolean v) { groupByLength = v; return this; }
    public Builder paddingFree(boolean v) { paddingFree = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder loggingStrategy(String v) { loggingStrategy = v; return this; }
    public Builder loggingSteps(long v) { loggingSteps = v; return this; }
    public Builder loggingFirstStep(boolean v) { loggingFirstStep = v; return this; }
    public Builder evalStrategy(String v) { evalStrategy = v; return this; }
    public Builder evalSteps(Long v) { evalSteps = v; return this; }
    public Builder saveStrategy(String v) { saveStrategy = v; return this; }
    public Builder saveSteps(long v) { saveSteps = v; return this; }
    public Builder saveTotalLimit(Integer v) { saveTotalLimit = v; return this; }
    public Builder loadBestModelAtEnd(boolean v) { loadBestModelAtEnd = v; return this; }
    public Builder metricForBestModel(String v) { metricForBestModel = v; return this; }
    public Builder greaterIsBetter(Boolean v) { greaterIsBetter = v; return this; }
    public Builder earlyStoppingPatience(Integer v) { earlyStoppingPatience = v; return this; }
    public Builder earlyStoppingThreshold(double v) { earlyStoppingThreshold = v; return this; }
    public Builder resumeFromCheckpoint(String v) { resumeFromCheckpoint = v; return this; }
    public Builder disableTqdm(boolean v) { disableTqdm = v; return this; }

    /** Checks every value and the rules between them; the message names the argument, the rule and the value. */
    public TrainingConfig build() {
      if (outputDir == null) {
        throw new IllegalArgumentException("output_dir is required: where checkpoints and the final model go");
      }
      positive("per_device_train_batch_size", perDeviceTrainBatchSize);
      positive("per_device_eval_batch_size", perDeviceEvalBatchSize);
      positive("gradient_accumulation_steps", gradientAccumulationSteps);
      positive("logging_steps", loggingSteps);
      positive("save_steps", saveSteps);
      if (evalSteps != null) {
        positive("eval_steps", evalSteps);
      }
      nonNegativeFinite("learning_rate", learningRate);
      nonNegativeFinite("weight_decay", weightDecay);
      nonNegativeFinite("max_grad_norm", maxGradNorm);
      new dev.exprbert.optim.AdamWSettings(adamBeta1, adamBeta2, adamEpsilon); // checks the ranges
      if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
        throw new IllegalArgumentException("warmup_ratio must be in [0, 1], found " + warmupRatio);
      }
      if (warmupSteps < 0) {
        throw new IllegalArgumentException("warmup_steps must be >= 0, found " + warmupSteps);
      }
      if (maxSteps <= 0 && !(numTrainEpochs > 0 && Double.isFinite(numTrainEpochs))) {
        throw new IllegalArgumentException("num_train_epochs must be > 0 (or max_steps > 0), found " + numTrainEpochs);
      }
      if (maxSeqLength != null && maxSeqLength < 3) {
        throw new IllegalArgumentException("max_seq_length must leave room for text next to [CLS] and [SEP], found " + maxSeqLength);
      }
      if (stride < 0) {
        throw new IllegalArgumentException("stride must be >= 0, found " + stride);
      }
      if (saveTotalLimit != null && saveTotalLimit < 1) {
        throw new IllegalArgumentException("save_total_limit must be >= 1 (or unset to keep every checkpoint), found " + saveTotalLimit);
      }
      dev.exprbert.optim.LearningRateSchedule.Kind.parse(lrSchedulerType);
      OptimizerChoice.parse(optim);
      dev.exprbert.runtime.Placement.of(device, "float32");
      if (!attnImplementation.equals("eager") && !attnImplementation.equals("sdpa") && !attnImplementation.equals("fused")) {
        throw new IllegalArgumentException("attn_implementation: expected eager, sdpa or fused, found '" + attnImplementation + "'");
      }
      if (paddingFree && !attnImplementation.equals("fused")) {
        throw new IllegalArgumentException("padding_free (packed batches) needs attn_implementation fused, the only"
            + " backend with a varlen kernel, found '" + attnImplementation + "': add --attention fused, or drop"
            + " --padding_free");
      }
      Strategy eval = Strategy.parse("eval_strategy", evalStrategy);
      Strategy save = Strategy.parse("save_strategy", saveStrategy);
      Strategy.parse("logging_strategy", loggingStrategy);
      if (loadBestModelAtEnd) {
        if (eval == Strategy.NO || eval != save) {
          throw new IllegalArgumentException("load_best_model_at_end requires the save and eval strategy to match and not"
              + " be 'no', found save_strategy " + saveStrategy + " and eval_strategy " + evalStrategy);
        }
        long every = evalSteps != null ? evalSteps : loggingSteps;
        if (eval == Strategy.STEPS && saveSteps % every != 0) {
          throw new IllegalArgumentException("load_best_model_at_end requires save_steps to be a multiple of eval_steps,"
              + " found save_steps " + saveSteps + " and eval_steps " + every);
        }
      }
      if (earlyStoppingPatience != null) {
        if (earlyStoppingPatience < 1) {
          throw new IllegalArgumentException("early_stopping_patience must be >= 1, found " + earlyStoppingPatience);
        }
        if (!loadBestModelAtEnd) {
          throw new IllegalArgumentException("early_stopping_patience requires load_best_model_at_end (as Hugging Face's"
              + " EarlyStoppingCallback does), so the best checkpoint is the one kept");
        }
      }
      if (metricForBestModel == null || metricForBestModel.isBlank()) {
        throw new IllegalArgumentException("metric_for_best_model must name a metric such as f1 or loss");
      }
      return new TrainingConfig(outputDir, overwriteOutputDir, modelNameOrPath, configName, tokenizerName, trainFile,
          validationFile, maxSeqLength, stride, labelAllTokens, ignoreMismatchedSizes, unknownLabelsToO,
          returnEntityLevelMetrics, attnImplementation, device, learningRate, weightDecay, adamBeta1, adamBeta2,
          adamEpsilon, maxGradNorm, optim, numTrainEpochs, maxSteps, perDeviceTrainBatchSize, perDeviceEvalBatchSize,
          gradientAccumulationSteps, lrSchedulerType, warmupRatio, warmupSteps, groupByLength, paddingFree, seed, loggingStrategy,
          loggingSteps, loggingFirstStep, evalStrategy, evalSteps, saveStrategy, saveSteps, saveTotalLimit,
          loadBestModelAtEnd, metricForBestModel, greaterIsBetter, earlyStoppingPatience, earlyStoppingThreshold,
          resumeFromCheckpoint, disableTqdm);
    }

    private static void positive(String name, long value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, found " + value);
      }
    }

    private static void nonNegativeFinite(String name, double value) {
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(name + " must be a finite number >= 0, found " + value);
      }
    }
  }
}
