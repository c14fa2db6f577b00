package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one table from Hugging Face argument names to {@link TrainingConfig} fields. JSON config files,
 * the {@code exprbert train} flags ({@code --learning_rate} and {@code --learning-rate}) and
 * {@code training_args.json} all go through it, so a new setting is added in one place.
 */
public final class TrainingConfigKeys {

  /** The value types a setting can have; nullable kinds accept JSON null and "none"/"null" on the command line. */
  enum Kind { PATH, STRING, NULLABLE_STRING, INT, NULLABLE_INT, LONG, NULLABLE_LONG, DOUBLE, BOOL, NULLABLE_BOOL }

  /** One setting: its Hugging Face name, type, how to read it from a config and write it into a builder. */
  public static final class Key {
    private final String name;
    private final Kind kind;
    private final Function<TrainingConfig, Object> getter;
    private final BiConsumer<TrainingConfig.Builder, Object> setter;
    private final String help;

    @SuppressWarnings("unchecked")
    <T> Key(String name, Kind kind, Function<TrainingConfig, T> getter, BiConsumer<TrainingConfig.Builder, T> setter, String help) {
      this.name = name;
      this.kind = kind;
      this.getter = (Function<TrainingConfig, Object>) getter;
      this.setter = (BiConsumer<TrainingConfig.Builder, Object>) setter;
      this.help = help;
    }

    public String name() {
      return name;
    }

    public String help() {
      return help;
    }

    /** Whether the flag is a switch that may be given without a value ({@code --overwrite_output_dir}). */
    public boolean isBoolean() {
      return kind == Kind.BOOL || kind == Kind.NULLABLE_BOOL;
    }

    void copy(TrainingConfig from, TrainingConfig.Builder to) {
      setter.accept(to, getter.apply(from));
    }

    /** Parses text from the command line. */
    void setText(TrainingConfig.Builder b, String text) {
      setter.accept(b, parse(text));
    }

    private Object parse(String text) {
      String t = text.strip();
      boolean none = t.equalsIgnoreCase("none") || t.equalsIgnoreCase("null");
      try {
        switch (kind) {
          case PATH: return none ? null : Path.of(t);
          case STRING: return t;
          case NULLABLE_STRING: return none ? null : t;
          case INT: return Integer.parseInt(t);
          case NULLABLE_INT: return none ? null : Integer.valueOf(t);
          case LONG: return Long.parseLong(t);
          case NULLABLE_LONG: return none ? null : Long.valueOf(t);
          case DOUBLE: return Double.parseDouble(t);
          case BOOL: return parseBool(t);
          case NULLABLE_BOOL: return none ? null : parseBool(t);
          default: throw new AssertionError(kind);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": expected " + expected() + ", found '" + text + "'");
      }
    }

    private Boolean parseBool(String t) {
      switch (t.toLowerCase(Locale.ROOT)) {
        case "true": case "1": case "yes": return true;
        case "false": case "0": case "no": return false;
        default: throw new IllegalArgumentException(name + ": expected true or false, found '" + t + "'");
      }
    }

    private void setJson(TrainingConfig.Builder b, JsonElement value, Path file) {
      if (value.isJsonNull()) {
        if (kind == Kind.PATH || kind.name().startsWith("NULLABLE")) {
          setter.accept(b, null);
          return;
        }
        throw new IllegalArgumentException(file + ": " + name + " must not be null (expected " + expected() + ")");
      }
      if (!value.isJsonPrimitive()) {
        throw new IllegalArgumentException(file + ": " + name + ": expected " + expected() + ", found " + value);
      }
      JsonPrimitive p = value.getAsJsonPrimitive();
      boolean wantsBool = isBoolean();
      boolean wantsNumber = kind == Kind.INT || kind == Kind.NULLABLE_INT || kind == Kind.LONG
          || kind == Kind.NULLABLE_LONG || kind == Kind.DOUBLE;
      if ((wantsBool && !p.isBoolean()) || (wantsNumber && !p.isNumber()) || (!wantsBool && !wantsNumber && !p.isString())) {
        throw new IllegalArgumentException(file + ": " + name + ": expected " + expected() + ", found " + value);
      }
      if (wantsNumber && kind != Kind.DOUBLE && p.getAsDouble() != Math.rint(p.getAsDouble())) {
        throw new IllegalArgumentException(file + ": " + name + ": expected " + expected() + ", found " + value);
      }
      setter.accept(b, parse(p.getAsString()));
    }

    private JsonElement toJson(TrainingConfig config) {
      Object v = getter.apply(config);
      if (v == null) {
        return com.google.gson.JsonNull.INSTANCE;
      }
      if (v instanceof Boolean bool) {
        return new JsonPrimitive(bool);
      }
      if (v instanceof Number number) {
        return new JsonPrimitive(number);
      }
      return new JsonPrimitive(v.toString());
    }

    private String expected() {
      return switch (kind) {
        case PATH -> "a path";
        case STRING, NULLABLE_STRING -> "a string";
        case INT, NULLABLE_INT, LONG, NULLABLE_LONG -> "an integer";
        case DOUBLE -> "a number";
        case BOOL, NULLABLE_BOOL -> "true or false";
      };
    }
  }

  static final Map<String, Key> ALL;

  static {
    Map<String, Key> m = new LinkedHashMap<>();
    add(m, new Key("output_dir", Kind.PATH, TrainingConfig::outputDir, TrainingConfig.Builder::outputDir, "Where checkpoints and the final model go (required)."));
    add(m, new Key("overwrite_output_dir", Kind.BOOL, TrainingConfig::overwriteOutputDir, TrainingConfig.Builder::overwriteOutputDir, "Train into an output_dir that already holds a run (its checkpoints are deleted)."));
    add(m, new Key("model_name_or_path", Kind.NULLABLE_STRING, TrainingConfig::modelNameOrPath, TrainingConfig.Builder::modelNameOrPath, "Pretrained model directory to fine-tune, or all-MiniLM-L6-v2 (converted once from the copy Maven Central ships)."));
    add(m, new Key("config_name", Kind.NULLABLE_STRING, TrainingConfig::configName, TrainingConfig.Builder::configName, "A config.json (or its directory) for a randomly initialised model, when no model_name_or_path is given."));
    add(m, new Key("tokenizer_name", Kind.NULLABLE_STRING, TrainingConfig::tokenizerName, TrainingConfig.Builder::tokenizerName, "Tokenizer directory (default: model_name_or_path)."));
    add(m, new Key("train_file", Kind.PATH, TrainingConfig::trainFile, TrainingConfig.Builder::trainFile, "Training data: CoNLL (.conll/.txt/.tsv) or JSON Lines."));
    add(m, new Key("validation_file", Kind.PATH, TrainingConfig::validationFile, TrainingConfig.Builder::validationFile, "Evaluation data, same formats."));
    add(m, new Key("max_seq_length", Kind.NULLABLE_INT, TrainingConfig::maxSeqLength, TrainingConfig.Builder::maxSeqLength, "Sub-tokens per window (default: the model's max_position_embeddings)."));
    add(m, new Key("stride", Kind.INT, TrainingConfig::stride, TrainingConfig.Builder::stride, "Overlap in sub-tokens between windows of a long sentence."));
    add(m, new Key("label_all_tokens", Kind.BOOL, TrainingConfig::labelAllTokens, TrainingConfig.Builder::labelAllTokens, "Label every sub-token of a word, not only the first."));
    add(m, new Key("ignore_mismatched_sizes", Kind.BOOL, TrainingConfig::ignoreMismatchedSizes, TrainingConfig.Builder::ignoreMismatchedSizes, "Re-initialise the classification head when the data's labels differ from the model's."));
    add(m, new Key("unknown_labels_to_o", Kind.BOOL, TrainingConfig::unknownLabelsToO, TrainingConfig.Builder::unknownLabelsToO, "Map evaluation labels the model does not know to O instead of failing."));
    add(m, new Key("return_entity_level_metrics", Kind.BOOL, TrainingConfig::returnEntityLevelMetrics, TrainingConfig.Builder::returnEntityLevelMetrics, "Log per-type precision/recall/f1/number too."));
    add(m, new Key("attn_implementation", Kind.STRING, TrainingConfig::attnImplementation, TrainingConfig.Builder::attnImplementation, "Attention backend: eager, sdpa or fused."));
    add(m, new Key("device", Kind.STRING, TrainingConfig::device, TrainingConfig.Builder::device, "cpu, cuda or cuda:N."));
    add(m, new Key("learning_rate", Kind.DOUBLE, TrainingConfig::learningRate, TrainingConfig.Builder::learningRate, "Peak AdamW learning rate."));
    add(m, new Key("weight_decay", Kind.DOUBLE, TrainingConfig::weightDecay, TrainingConfig.Builder::weightDecay, "Decoupled weight decay (not on biases and LayerNorm weights)."));
    add(m, new Key("adam_beta1", Kind.DOUBLE, TrainingConfig::adamBeta1, TrainingConfig.Builder::adamBeta1, "AdamW beta1."));
    add(m, new Key("adam_beta2", Kind.DOUBLE, TrainingConfig::adamBeta2, TrainingConfig.Builder::adamBeta2, "AdamW beta2."));
    add(m, new Key("adam_epsilon", Kind.DOUBLE, TrainingConfig::adamEpsilon, TrainingConfig.Builder::adamEpsilon, "AdamW epsilon."));
    add(m, new Key("max_grad_norm", Kind.DOUBLE, TrainingConfig::maxGradNorm, TrainingConfig.Builder::maxGradNorm, "Global gradient-norm clipping (0 disables)."));
    add(m, new Key("optim", Kind.STRING, TrainingConfig::optim, TrainingConfig.Builder::optim, "adamw_torch_fused (our native fused kernel, the default) or adamw_torch (LibTorch)."));
    add(m, new Key("num_train_epochs", Kind.DOUBLE, TrainingConfig::numTrainEpochs, TrainingConfig.Builder::numTrainEpochs, "Epochs (may be fractional)."));
    add(m, new Key("max_steps", Kind.LONG, TrainingConfig::maxSteps, TrainingConfig.Builder::maxSteps, "Optimizer steps; overrides num_train_epochs when > 0."));
    add(m, new Key("per_device_train_batch_size", Kind.INT, TrainingConfig::perDeviceTrainBatchSize, TrainingConfig.Builder::perDeviceTrainBatchSize, "Training batch size."));
    add(m, new Key("per_device_eval_batch_size", Kind.INT, TrainingConfig::perDeviceEvalBatchSize, TrainingConfig.Builder::perDeviceEvalBatchSize, "Evaluation batch size."));
    add(m, new Key("gradient_accumulation_steps", Kind.INT, TrainingConfig::gradientAccumulationSteps, TrainingConfig.Builder::gradientAccumulationSteps, "Batches per optimizer step."));
    add(m, new Key("lr_scheduler_type", Kind.STRING, TrainingConfig::lrSchedulerType, TrainingConfig.Builder::lrSchedulerType, "linear, cosine, constant or constant_with_warmup."));
    add(m, new Key("warmup_ratio", Kind.DOUBLE, TrainingConfig::warmupRatio, TrainingConfig.Builder::warmupRatio, "Warm-up as a fraction of all steps."));
    add(m, new Key("warmup_steps", Kind.LONG, TrainingConfig::warmupSteps, TrainingConfig.Builder::warmupSteps, "Warm-up steps (overrides warmup_ratio when > 0)."));
    add(m, new Key("group_by_length", Kind.BOOL, TrainingConfig::groupByLength, TrainingConfig.Builder::groupByLength, "Batch sentences of similar length together."));
    add(m, new Key("padding_free", Kind.BOOL, TrainingConfig::paddingFree, TrainingConfig.Builder::paddingFree, "Packed batches (TRL's name): sentences concatenated with no padding, attention per sentence via cu_seqlens; needs attn_implementation fused."));
    add(m, new Key("seed", Kind.LONG, TrainingConfig::seed, TrainingConfig.Builder::seed, "Seed of initialisation, shuffling and dropout."));
    add(m, new Key("logging_strategy", Kind.STRING, TrainingConfig::loggingStrategy, TrainingConfig.Builder::loggingStrategy, "no, steps or epoch."));
    add(m, new Key("logging_steps", Kind.LONG, TrainingConfig::loggingSteps, TrainingConfig.Builder::loggingSteps, "Log every N optimizer steps."));
    add(m, new Key("logging_first_step", Kind.BOOL, TrainingConfig::loggingFirstStep, TrainingConfig.Builder::loggingFirstStep, "Also log the first step."));
    add(m, new Key("eval_strategy", Kind.STRING, TrainingConfig::evalStrategy, TrainingConfig.Builder::evalStrategy, "no, steps or epoch."));
    add(m, new Key("eval_steps", Kind.NULLABLE_LONG, TrainingConfig::evalSteps, TrainingConfig.Builder::evalSteps, "Evaluate every N steps (default: logging_steps)."));
    add(m, new Key("save_strategy", Kind.STRING, TrainingConfig::saveStrategy, TrainingConfig.Builder::saveStrategy, "no, steps or epoch."));
    add(m, new Key("save_steps", Kind.LONG, TrainingConfig::saveSteps, TrainingConfig.Builder::saveSteps, "Save a checkpoint every N steps."));
    add(m, new Key("save_total_limit", Kind.NULLABLE_INT, TrainingConfig::saveTotalLimit, TrainingConfig.Builder::saveTotalLimit, "Keep at most N checkpoints (the best one is always kept)."));
    add(m, new Key("load_best_model_at_end", Kind.BOOL, TrainingConfig::loadBestModelAtEnd, TrainingConfig.Builder::loadBestModelAtEnd, "End with the best checkpoint's weights."));
    add(m, new Key("metric_for_best_model", Kind.STRING, TrainingConfig::metricForBestModel, TrainingConfig.Builder::metricForBestModel, "Metric that ranks checkpoints (f1, loss, ...)."));
    add(m, new Key("greater_is_better", Kind.NULLABLE_BOOL, TrainingConfig::greaterIsBetter, TrainingConfig.Builder::greaterIsBetter, "Default: false for a loss, true otherwise."));
    add(m, new Key("early_stopping_patience", Kind.NULLABLE_INT, TrainingConfig::earlyStoppingPatience, TrainingConfig.Builder::earlyStoppingPatience, "Stop after N evaluations without improvement."));
    add(m, new Key("early_stopping_threshold", Kind.DOUBLE, TrainingConfig::earlyStoppingThreshold, TrainingConfig.Builder::earlyStoppingThreshold, "Smallest change that counts as an improvement."));
    add(m, new Key("resume_from_checkpoint", Kind.NULLABLE_STRING, TrainingConfig::resumeFromCheckpoint, TrainingConfig.Builder::resumeFromCheckpoint, "A checkpoint-N directory, or true for the latest in output_dir."));
    add(m, new Key("disable_tqdm", Kind.BOOL, TrainingConfig::disableTqdm, TrainingConfig.Builder::disableTqdm, "No progress bar even on a terminal."));
    ALL = Collections.unmodifiableMap(m);
  }

  private TrainingConfigKeys() {}

  private static void add(Map<String, Key> m, Key key) {
    m.put(key.name(), key);
  }

  /** Every setting, in the order training_args.json lists them. */
  public static Iterable<Key> all() {
    return ALL.values();
  }

  /** The key called {@code name} (underscores or dashes); the error lists the close ones. */
  public static Key key(String name) {
    Key key = ALL.get(name.replace('-', '_'));
    if (key == null) {
      throw new IllegalArgumentException("unknown training argument '" + name + "'; known: " + ALL.keySet());
    }
    return key;
  }

  /**
   * A builder filled from a JSON object of Hugging Face names (run_ner accepts the same file).
   * Unknown keys are an error, as {@code HfArgumentParser.parse_json_file} makes them.
   */
  public static TrainingConfig.Builder readJson(Path file) throws IOException {
    return applyJson(TrainingConfig.builder(), file);
  }

  /** Applies every entry of a JSON config file to {@code builder}. */
  public static TrainingConfig.Builder applyJson(TrainingConfig.Builder builder, Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + ": expected a JSON object of training arguments, found invalid JSON ("
          + e.getMessage() + ")");
    }
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object of training arguments, found " + root);
    }
    for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
      Key key = ALL.get(e.getKey());
      if (key == null) {
        throw new IllegalArgumentException(file + ": unknown training argument '" + e.getKey() + "'; known: " + ALL.keySet());
      }
      key.setJson(builder, e.getValue(), file);
    }
    return builder;
  }

  /** The config as a JSON object with Hugging Face keys (what training_args.json holds). */
  public static JsonObject toJson(TrainingConfig config) {
    JsonObject o = new JsonObject();
    for (Key key : ALL.values()) {
      o.add(key.name(), key.toJson(config));
    }
    return o;
  }

  /** {@link #toJson} pretty-printed, as Hugging Face writes its JSON files (indent 2, nulls kept). */
  public static String toJsonText(TrainingConfig config) {
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    return gson.toJson(toJson(config)) + "\n";
  }
}
