package dev.exprbert.train;

import dev.exprbert.data.Window;
import dev.exprbert.data.spans.LabelScheme;
import dev.exprbert.data.spans.MisalignedPolicy;
import dev.exprbert.data.spans.OffsetUnit;
import dev.exprbert.data.spans.OverlapPolicy;
import dev.exprbert.dist.DistributedBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.OptimizerChoice;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.Setting.Check;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a training run needs, under Hugging Face names ({@code TrainingArguments} plus the model and data
 * arguments of {@code run_ner.py}) and with their defaults: {@code learning_rate 5e-5}, {@code num_train_epochs 3},
 * batch size 8, {@code seed 42}, AdamW 0.9 / 0.999 / 1e-8, linear schedule, {@code max_grad_norm 1.0},
 * {@code eval_strategy "no"}, {@code save_strategy "steps"} every 500 steps, logging every 500 steps. The reference
 * model card used {@code learning_rate 2e-5} and 5 epochs; pass them as flags to reproduce it.
 *
 * <p>[note: one declaration per setting] Each setting is declared once, as a component of this record with its
 * {@link Setting} (name, default, help, flag aliases, range rule). The {@link Builder}, the JSON reader and writer
 * ({@code --config}, {@code training_args.json}) and the {@code exprbert train} flags all derive from those
 * declarations ({@link TrainingConfigKeys}); adding a setting is adding a component. Choices are typed (enums, a
 * {@link Placement}), parsed once when the config is built from text; the rules between settings (the ones
 * {@code TrainingArguments.__post_init__} enforces, and a few more) are checked in {@link Builder#build()}; the list
 * is in {@link TrainingConfigRules}.
 */
public record TrainingConfig(
    @Setting(name = "output_dir", nullable = true, help = "Where checkpoints and the final model go (required).")
    Path outputDir,
    @Setting(name = "overwrite_output_dir", aliases = "--overwrite",
        help = "Train into an output_dir that already holds a run (its checkpoints are deleted).")
    boolean overwriteOutputDir,
    // what the run does (run_ner's do_train / do_eval / do_predict); see RunSteps
    @Setting(name = "do_train", help = "Train (default when none of do_train, do_eval, do_predict is given).")
    Boolean doTrain,
    @Setting(name = "do_eval", help = "Evaluate on validation_file (also set by an eval_strategy other than no).")
    Boolean doEval,
    @Setting(name = "do_predict", help = "Predict test_file: predict_results.json and predictions.txt.")
    Boolean doPredict,
    // model and data (run_ner.py's ModelArguments / DataTrainingArguments)
    @Setting(name = "model_name_or_path", nullable = true,
        help = "Pretrained model directory to fine-tune, or all-MiniLM-L6-v2 (converted once from the copy Maven Central ships).")
    String modelNameOrPath,
    @Setting(name = "config_name", nullable = true,
        help = "A config.json (or its directory) for a randomly initialised model, when no model_name_or_path is given.")
    String configName,
    @Setting(name = "tokenizer_name", nullable = true, help = "Tokenizer directory (default: model_name_or_path).")
    String tokenizerName,
    @Setting(name = "train_file", nullable = true, help = "Training data: CoNLL (.conll/.txt/.tsv) or JSON Lines.")
    Path trainFile,
    @Setting(name = "validation_file", nullable = true, help = "Evaluation data, same formats.")
    Path validationFile,
    @Setting(name = "test_file", nullable = true,
        help = "Labelled test data for do_predict, same formats (predict_results.json, predictions.txt).")
    Path testFile,
    @Setting(name = "text_column_name", nullable = true,
        help = "JSON Lines: the field of the words (default tokens, then words); span files: the text field (default text).")
    String textColumnName,
    @Setting(name = "label_column_name", nullable = true,
        help = "JSON Lines: the field of the tags (default <task_name>_tags, then ner); span JSON Lines: the span list field.")
    String labelColumnName,
    @Setting(name = "task_name", byDefault = "ner", help = "Names the default tag field <task_name>_tags (run_ner's rule).")
    String taskName,
    @Setting(name = "max_train_samples", check = Check.POSITIVE, help = "Train on the first N sentences (documents) only.")
    Integer maxTrainSamples,
    @Setting(name = "max_eval_samples", check = Check.POSITIVE, help = "Evaluate on the first N sentences only.")
    Integer maxEvalSamples,
    @Setting(name = "max_predict_samples", check = Check.POSITIVE, help = "Predict the first N test sentences only.")
    Integer maxPredictSamples,
    @Setting(name = "label_scheme", byDefault = "bio",
        help = "Span files: the tags entities become (bio, iobes or bilou); iobes and bilou are scored in seqeval's strict mode.")
    LabelScheme labelScheme,
    @Setting(name = "on_misaligned", byDefault = "snap",
        help = "Span files: a span whose ends are not word boundaries is snapped to whole words, dropped, or an error.")
    MisalignedPolicy onMisaligned,
    @Setting(name = "overlaps", byDefault = "error", help = "Span files: spans sharing a word are an error or keep_longest.")
    OverlapPolicy overlaps,
    @Setting(name = "offset_unit", nullable = true,
        help = "Span files: code_points or utf16 offsets (default: each format's own).")
    OffsetUnit offsetUnit,
    @Setting(name = "max_seq_length",
        help = "Sub-tokens per window (default: the smaller of max_position_embeddings and the tokenizer's model_max_length).")
    Integer maxSeqLength,
    @Setting(name = "stride", byDefault = "" + Window.DEFAULT_STRIDE, check = Check.NON_NEGATIVE,
        help = "Overlap in sub-tokens between windows of a long sentence.")
    int stride,
    @Setting(name = "label_all_tokens", help = "Label every sub-token of a word, not only the first.")
    boolean labelAllTokens,
    @Setting(name = "ignore_mismatched_sizes", aliases = "--reinit-head",
        help = "Re-initialise the classification head when the data's labels differ from the model's.")
    boolean ignoreMismatchedSizes,
    @Setting(name = "unknown_labels_to_o", help = "Map evaluation labels the model does not know to O instead of failing.")
    boolean unknownLabelsToO,
    @Setting(name = "return_entity_level_metrics", help = "Log per-type precision/recall/f1/number too.")
    boolean returnEntityLevelMetrics,
    @Setting(name = "attn_implementation", nullable = true, aliases = "--attention",
        help = "Attention backend: eager, sdpa or fused (default: the fastest the model's family supports: fused, else sdpa).")
    AttentionImplementation attnImplementation,
    @Setting(name = "device", byDefault = "cpu", help = "cpu, cuda or cuda:N.")
    Placement device,
    // precision and non-finite values
    @Setting(name = "bf16", help = "Mixed precision, bfloat16 autocast: matrix products, attention and GELU in bf16;"
        + " LayerNorm, softmax statistics, loss and AdamW in fp32 on fp32 weights (CPU, or a GPU of compute capability 8.0+).")
    boolean bf16,
    @Setting(name = "fp16", help = "Mixed precision, float16 autocast with dynamic loss scaling (torch.amp.GradScaler:"
        + " scale 2^16, x2 after 2000 clean steps, x0.5 and the update skipped on overflow).")
    boolean fp16,
    @Setting(name = "tf32", help = "TF32 tensor cores for float32 matrix products on an Ampere or newer GPU (true or"
        + " false; default: LibTorch's setting); no effect on the CPU.")
    Boolean tf32,
    @Setting(name = "nan_policy", byDefault = "stop", help = "A NaN or infinite loss or gradient norm: stop (an error"
        + " naming the step; the last good checkpoint stays) or skip_step (that update is skipped, training goes on).")
    NanPolicy nanPolicy,
    @Setting(name = "logging_nan_inf_filter", byDefault = "true", help = "Log a NaN or infinite step loss as the mean"
        + " loss of its logging window so far, as Hugging Face does.")
    boolean loggingNanInfFilter,
    // data parallel (read by each rank of a run started with exprbert launch, torchrun or their variables)
    @Setting(name = "ddp_backend", nullable = true, help = "Process group that reduces the gradients of a data-parallel run: gloo or nccl"
        + " (default: nccl on CUDA, gloo on the CPU).")
    DistributedBackend ddpBackend,
    @Setting(name = "ddp_timeout", byDefault = "1800", check = Check.POSITIVE, help = "Seconds a rank waits for the"
        + " others (joining, each collective) before it fails naming the rank that is missing.")
    long ddpTimeout,
    // optimisation
    @Setting(name = "learning_rate", byDefault = "5e-5", help = "Peak AdamW learning rate.")
    double learningRate,
    @Setting(name = "weight_decay", byDefault = "0.0", check = Check.FINITE_NON_NEGATIVE,
        help = "Decoupled weight decay (not on biases and LayerNorm weights).")
    double weightDecay,
    @Setting(name = "adam_beta1", byDefault = "0.9", help = "AdamW beta1.")
    double adamBeta1,
    @Setting(name = "adam_beta2", byDefault = "0.999", help = "AdamW beta2.")
    double adamBeta2,
    @Setting(name = "adam_epsilon", byDefault = "1e-8", help = "AdamW epsilon.")
    double adamEpsilon,
    @Setting(name = "max_grad_norm", byDefault = "1.0", check = Check.FINITE_NON_NEGATIVE,
        help = "Global gradient-norm clipping (0 disables).")
    double maxGradNorm,
    @Setting(name = "label_smoothing_factor", byDefault = "0.0", check = Check.FRACTION,
        help = "Label smoothing epsilon of the cross-entropy (PyTorch's label_smoothing).")
    double labelSmoothingFactor,
    @Setting(name = "class_weights", nullable = true, help = "Cross-entropy class weights: auto (n_labelled /"
        + " (n_classes * count) over the training set's labelled tokens) or a JSON file {label: weight}.")
    String classWeights,
    @Setting(name = "crf", help = "A linear-chain CRF over the classifier's logits: trained jointly (the sentences'"
        + " negative log-likelihood), decoded with Viterbi under the label scheme's allowed transitions, saved as"
        + " config.json's use_crf.")
    boolean crf,
    @Setting(name = "optim", byDefault = "adamw_torch_fused", aliases = "--optimizer",
        help = "adamw_torch_fused (our native fused kernel, the default) or adamw_torch (LibTorch).")
    OptimizerChoice optim,
    @Setting(name = "num_train_epochs", byDefault = "3.0", help = "Epochs (may be fractional).")
    double numTrainEpochs,
    @Setting(name = "max_steps", byDefault = "-1", help = "Optimizer steps; overrides num_train_epochs when > 0.")
    long maxSteps,
    @Setting(name = "per_device_train_batch_size", byDefault = "8", check = Check.POSITIVE, help = "Training batch size.")
    int perDeviceTrainBatchSize,
    @Setting(name = "per_device_eval_batch_size", byDefault = "8", check = Check.POSITIVE, help = "Evaluation batch size.")
    int perDeviceEvalBatchSize,
    @Setting(name = "gradient_accumulation_steps", byDefault = "1", check = Check.POSITIVE,
        help = "Batches per optimizer step.")
    int gradientAccumulationSteps,
    @Setting(name = "lr_scheduler_type", byDefault = "linear",
        help = "linear, cosine, constant or constant_with_warmup.")
    LearningRateSchedule.Kind lrSchedulerType,
    @Setting(name = "warmup_ratio", byDefault = "0.0", check = Check.FRACTION, help = "Warm-up as a fraction of all steps.")
    double warmupRatio,
    @Setting(name = "warmup_steps", byDefault = "0", check = Check.NON_NEGATIVE,
        help = "Warm-up steps (overrides warmup_ratio when > 0).")
    long warmupSteps,
    @Setting(name = "group_by_length", help = "Batch sentences of similar length together.")
    boolean groupByLength,
    @Setting(name = "padding_free", aliases = "--packed", help = "Packed batches (TRL's name): sentences concatenated with"
        + " no padding, attention per sentence via cu_seqlens; needs attn_implementation fused (default: packed"
        + " whenever the attention is fused).")
    Boolean paddingFree,
    @Setting(name = "seed", byDefault = "42", help = "Seed of initialisation, shuffling and dropout.")
    long seed,
    @Setting(name = "data_seed", help = "Seed of the data order only (default: seed).")
    Long dataSeed,
    // logging, evaluation, saving
    @Setting(name = "logging_strategy", byDefault = "steps", help = "no, steps or epoch.")
    Strategy loggingStrategy,
    @Setting(name = "logging_steps", byDefault = "500", check = Check.POSITIVE, help = "Log every N optimizer steps.")
    long loggingSteps,
    @Setting(name = "logging_first_step", help = "Also log the first step.")
    boolean loggingFirstStep,
    @Setting(name = "report_to", byDefault = "none",
        help = "Metric files for every log entry: tensorboard, csv, jsonl, all or none (a list: tensorboard,csv).")
    ReportTo reportTo,
    @Setting(name = "logging_dir", nullable = true,
        help = "Folder of the report_to files (default: output_dir/runs/<Mon DD_HH-MM-SS>_<host>, as Hugging Face).")
    Path loggingDir,
    @Setting(name = "eval_strategy", byDefault = "no", aliases = {"--evaluation_strategy", "--evaluation-strategy"},
        help = "no, steps or epoch (evaluation_strategy is its older name).")
    Strategy evalStrategy,
    @Setting(name = "eval_steps", check = Check.POSITIVE, help = "Evaluate every N steps (default: logging_steps).")
    Long evalSteps,
    @Setting(name = "save_strategy", byDefault = "steps", help = "no, steps or epoch.")
    Strategy saveStrategy,
    @Setting(name = "save_steps", byDefault = "500", check = Check.POSITIVE, help = "Save a checkpoint every N steps.")
    long saveSteps,
    @Setting(name = "save_total_limit", check = Check.POSITIVE,
        help = "Keep at most N checkpoints (the best one is always kept).")
    Integer saveTotalLimit,
    @Setting(name = "load_best_model_at_end", help = "End with the best checkpoint's weights.")
    boolean loadBestModelAtEnd,
    @Setting(name = "metric_for_best_model", byDefault = "f1",
        help = "Metric that ranks checkpoints: loss, f1, precision, recall, accuracy (with return_entity_level_metrics"
            + " also overall_f1, TYPE_f1, ...).")
    String metricForBestModel,
    @Setting(name = "greater_is_better", help = "Default: false for a loss, true otherwise.")
    Boolean greaterIsBetter,
    @Setting(name = "early_stopping_patience", check = Check.POSITIVE, help = "Stop after N evaluations without improvement.")
    Integer earlyStoppingPatience,
    @Setting(name = "early_stopping_threshold", byDefault = "0.0", help = "Smallest change that counts as an improvement.")
    double earlyStoppingThreshold,
    @Setting(name = "resume_from_checkpoint", nullable = true,
        help = "A checkpoint-N directory, or true for the latest in output_dir.")
    String resumeFromCheckpoint,
    @Setting(name = "disable_tqdm", help = "No progress bar even on a terminal.")
    boolean disableTqdm) {

  /** The lower precision the forward pass autocasts to ({@code bf16}, {@code fp16}), or float32 for neither. */
  public Placement.Precision mixedPrecision() {
    return bf16 ? Placement.Precision.BFLOAT16 : fp16 ? Placement.Precision.FLOAT16 : Placement.Precision.FLOAT32;
  }

  /** Values of {@code eval_strategy}, {@code save_strategy} and {@code logging_strategy}. */
  public enum Strategy {
    NO, STEPS, EPOCH;

    /** The strategy named {@code value} (any case); the error names the setting {@code key}. */
    public static Strategy parse(String key, String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": expected no, steps or epoch, found '" + value + "'");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code ddp_timeout} as a duration. */
  public java.time.Duration ddpTimeoutDuration() {
    return java.time.Duration.ofSeconds(ddpTimeout);
  }

  /** {@code eval_steps}, which defaults to {@code logging_steps} as in Hugging Face. */
  public long effectiveEvalSteps() {
    return evalSteps != null ? evalSteps : loggingSteps;
  }

  /**
   * The evaluation key {@code metric_for_best_model} names: with the {@code eval_} prefix (Hugging Face accepts the
   * name with or without it), and with {@code return_entity_level_metrics} {@code f1} (precision, recall,
   * accuracy) names {@code eval_overall_f1}, the only overall F1 that evaluation logs then.
   */
  public String bestMetricKey() {
    return BestMetric.key(metricForBestModel, returnEntityLevelMetrics);
  }

  /** {@code greater_is_better}, defaulting to false for a loss and true otherwise. */
  public boolean effectiveGreaterIsBetter() {
    return greaterIsBetter != null ? greaterIsBetter : !bestMetricKey().endsWith("loss");
  }

  /** A builder with every value of this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
      b.put(key, key.get(this));
    }
    return b;
  }

  /**
   * The settings of a run being assembled, by Hugging Face name, starting from the defaults; {@link #build}
   * checks every value and the rules between them.
   */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();

    Builder() {
      for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
        values.put(key.name(), key.defaultValue());
      }
    }

    /** Sets a value already of the setting's type (from JSON or another config). */
    Builder put(TrainingConfigKeys.Key key, Object value) {
      values.put(key.name(), value);
      return this;
    }

    /**
     * Sets the setting called {@code hfName} (underscores or dashes). A String is read as command-line text
     * ({@code ("learning_rate", "2e-5")}, {@code ("save_total_limit", "none")}); other values are taken as they are
     * when their type fits ({@code ("learning_rate", 2e-5)}, {@code ("output_dir", path)}). The error names the setting.
     */
    public Builder set(String hfName, Object value) {
      TrainingConfigKeys.Key key = TrainingConfigKeys.key(hfName);
      return put(key, key.convert(value));
    }

    /** Checks every value and the rules between them; the message names the argument, the rule and the value. */
    public TrainingConfig build() {
      TrainingConfig c = TrainingConfigKeys.construct(values);
      if (c.outputDir == null) {
        throw new IllegalArgumentException("output_dir is required: where checkpoints and the final model go");
      }
      LearningRateSchedule.requireBaseLr(c.learningRate);
      new AdamWSettings(c.adamBeta1, c.adamBeta2, c.adamEpsilon); // checks the ranges
      if (c.maxSeqLength != null && c.maxSeqLength < 3) {
        throw new IllegalArgumentException("max_seq_length must leave room for text next to [CLS] and [SEP], found "
            + c.maxSeqLength);
      }
      TrainingConfigRules.check(c);
      return c;
    }
  }
}
