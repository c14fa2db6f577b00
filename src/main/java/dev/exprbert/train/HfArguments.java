package dev.exprbert.train;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hugging Face argument names (run_ner.py's {@code ModelArguments} and {@code DataTrainingArguments},
 * {@code TrainingArguments}, and the older names still pasted) that are not {@link TrainingConfig} settings, each
 * with what ExprBERT does with it, so that a pasted run_ner command is either run or refused with a reason, never
 * met with "unknown option":
 * <ul>
 *   <li>{@link Kind#IGNORED}: accepted with any value, because it changes nothing here (worker processes, caches,
 *       tracker names); the reason is logged;
 *   <li>{@link Kind#ONLY}: accepted with the values that describe what ExprBERT does (usually Hugging Face's default,
 *       such as {@code --push_to_hub false}), refused with the reason otherwise;
 *   <li>{@link Kind#TRANSLATED}: another spelling of a setting ({@code --use_cpu}, {@code --per_gpu_train_batch_size},
 *       {@code --train_sampling_strategy}).
 * </ul>
 * A name that is also a setting is the setting: the entry is skipped (so work that turns an entry into a setting
 * only adds the component).
 */
public final class HfArguments {
  private static final Logger LOG = LoggerFactory.getLogger(HfArguments.class);

  /** What happens to the argument. */
  public enum Kind { IGNORED, ONLY, TRANSLATED }

  /** How the flag takes its value on the command line. */
  public enum Shape {
    /** true/false; bare means true. */
    SWITCH,
    /** one value */
    VALUE,
    /** one or more values (Hugging Face's list fields, {@code nargs="+"}) */
    LIST
  }

  /**
   * One argument.
   *
   * @param accepted for {@link Kind#ONLY}: the values taken (normalised, see {@link #normalise})
   * @param reason why it is ignored or limited, one clause
   * @param translate for {@link Kind#TRANSLATED}: sets the settings the value means
   */
  public record Entry(String name, Kind kind, Shape shape, List<String> accepted, String reason,
      BiConsumer<String, TrainingConfig.Builder> translate) {

    /** Applies {@code value} (command-line text) to {@code builder}, or refuses it with the reason. */
    public void apply(String value, TrainingConfig.Builder builder) {
      switch (kind) {
        case IGNORED -> LOG.info("{} {} changes nothing here: {}", name, value, reason);
        case ONLY -> {
          String v = normalise(value);
          if (shape == Shape.SWITCH) {
            v = v.equals("1") ? "true" : v.equals("0") ? "false" : v;
          }
          if (!accepted.contains(v)) {
            throw new IllegalArgumentException(name + " " + value + " is not supported (accepted: "
                + String.join(" or ", accepted) + "): " + reason);
          }
        }
        case TRANSLATED -> translate.accept(value, builder);
      }
    }
  }

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  private static final String DISTRIBUTED = "distributed training is not in this build (one process, one device)";
  private static final String FULL_EVAL =
      "evaluation runs under the training's bf16/fp16 autocast with float32 weights; casting the whole model is not"
      + " offered";
  private static final String IN_PROCESS_DATA = "batches are built in-process, in order, by the training loop";
  private static final String NO_TRACKER = "it names runs for trackers (wandb, mlflow, trackio) ExprBERT does not have;"
      + " report_to writes tensorboard, csv and jsonl";
  private static final String NO_HUB_UPLOAD = "models are not uploaded; output_dir is a Hugging Face model directory"
      + " (upload it with huggingface_hub's `hf upload`)";
  private static final String NO_COMPILE = "there is no torch.compile from Java; the fused kernels are --attention fused"
      + " and the default optimizer";

  static {
    // run_ner.py ModelArguments
    only("cache_dir", Shape.VALUE, "hub downloads go to huggingface_hub's cache: set HF_HUB_CACHE (or HF_HOME)", "none");
    only("model_revision", Shape.VALUE, "name the revision with the model: --model_name_or_path org/name@revision",
        "main");
    only("token", Shape.VALUE, "set HF_TOKEN for private models", "none");
    only("trust_remote_code", Shape.SWITCH, "no model code is downloaded or run: the architectures are built in",
        "false");
    // run_ner.py DataTrainingArguments
    only("dataset_name", Shape.VALUE, "datasets are not downloaded: give train_file, validation_file and test_file"
        + " (CoNLL, JSON Lines, span annotations)", "none");
    only("dataset_config_name", Shape.VALUE, "datasets are not downloaded (see dataset_name)", "none");
    ignored("overwrite_cache", Shape.SWITCH, "no preprocessed-data cache is kept: the files are read anew each run");
    ignored("preprocessing_num_workers", Shape.VALUE, "tokenization runs in-process");
    ignored("pad_to_max_length", Shape.SWITCH, "padding never changes results: batches are padded to their longest"
        + " window, or packed");
    // TrainingArguments
    only("lr_scheduler_kwargs", Shape.VALUE, "the schedules take no extra arguments", "none");
    only("optim_args", Shape.VALUE, "the AdamW variants take their settings as adam_beta1, adam_beta2, adam_epsilon",
        "none");
    only("optim_target_modules", Shape.LIST, "GaLore/APOLLO-style optimizers are not offered", "none");
    only("average_tokens_across_devices", Shape.SWITCH, DISTRIBUTED + "; the loss is divided by the labelled tokens of"
        + " the whole update", "true");
    only("bf16_full_eval", Shape.SWITCH, FULL_EVAL, "false");
    only("fp16_full_eval", Shape.SWITCH, FULL_EVAL, "false");
    only("fp16_opt_level", Shape.VALUE, "apex opt levels are not offered: --fp16 is torch.amp autocast with GradScaler",
        "o1");
    only("gradient_checkpointing", Shape.SWITCH, "activations are kept; recomputation is not offered", "false");
    only("gradient_checkpointing_kwargs", Shape.VALUE, "gradient checkpointing is not offered", "none");
    only("torch_compile", Shape.SWITCH, NO_COMPILE, "false");
    only("torch_compile_backend", Shape.VALUE, NO_COMPILE, "none");
    only("torch_compile_mode", Shape.VALUE, NO_COMPILE, "none");
    only("use_liger_kernel", Shape.SWITCH, "Liger kernels are for decoder models; BERT's are built in", "false");
    only("liger_kernel_config", Shape.VALUE, "Liger kernels are not offered", "none");
    ignored("use_cache", Shape.SWITCH, "encoders keep no key/value cache");
    only("neftune_noise_alpha", Shape.VALUE, "NEFTune embedding noise is not offered", "none");
    only("torch_empty_cache_steps", Shape.VALUE, "the CUDA caching allocator is not emptied periodically", "none");
    only("auto_find_batch_size", Shape.SWITCH, "the batch size is what per_device_train_batch_size says", "false");
    ignored("log_on_each_node", Shape.SWITCH, "one process logs everything");
    only("include_num_input_tokens_seen", Shape.VALUE, "the token count is logged as tokens per second", "false", "no");
    ignored("log_level", Shape.VALUE, "log levels come from the logging backend"
        + " (-Dorg.slf4j.simpleLogger.defaultLogLevel=info)");
    ignored("log_level_replica", Shape.VALUE, "there are no replica processes");
    ignored("run_name", Shape.VALUE, NO_TRACKER);
    ignored("project", Shape.VALUE, NO_TRACKER);
    ignored("trackio_space_id", Shape.VALUE, NO_TRACKER);
    ignored("trackio_bucket_id", Shape.VALUE, NO_TRACKER);
    ignored("trackio_static_space_id", Shape.VALUE, NO_TRACKER);
    only("eval_delay", Shape.VALUE, "evaluation starts with the first eval step or epoch", "0");
    only("prediction_loss_only", Shape.SWITCH, "evaluation always computes the seqeval metrics", "false");
    only("eval_on_start", Shape.SWITCH, "the first evaluation comes at the first eval step or epoch end", "false");
    ignored("eval_do_concat_batches", Shape.SWITCH, "predictions are scored per sentence; the metrics are the same");
    only("eval_use_gather_object", Shape.SWITCH, DISTRIBUTED, "false");
    ignored("eval_accumulation_steps", Shape.VALUE, "predictions move to the host after each batch");
    only("include_for_metrics", Shape.LIST, "the metrics are run_ner's seqeval metrics", "none");
    ignored("batch_eval_metrics", Shape.SWITCH, "the seqeval counts are accumulated per batch either way");
    only("save_only_model", Shape.SWITCH, "checkpoints always hold the optimizer, schedule and RNG state so a run"
        + " resumes bit-exactly", "false");
    only("save_on_each_node", Shape.SWITCH, DISTRIBUTED, "false");
    only("enable_jit_checkpoint", Shape.SWITCH, "checkpoints are written at save steps only", "false");
    only("push_to_hub", Shape.SWITCH, NO_HUB_UPLOAD, "false");
    ignored("hub_token", Shape.VALUE, "read only by push_to_hub, which is not offered");
    ignored("hub_private_repo", Shape.SWITCH, "read only by push_to_hub, which is not offered");
    ignored("hub_model_id", Shape.VALUE, "read only by push_to_hub, which is not offered");
    ignored("hub_strategy", Shape.VALUE, "read only by push_to_hub, which is not offered");
    ignored("hub_always_push", Shape.SWITCH, "read only by push_to_hub, which is not offered");
    ignored("hub_revision", Shape.VALUE, "read only by push_to_hub, which is not offered");
    only("ignore_data_skip", Shape.SWITCH, "resuming always skips the batches already trained on (bit-exact resume)",
        "false");
    only("restore_callback_states_from_checkpoint", Shape.SWITCH, "resuming always restores the callbacks' state"
        + " (the early-stopping counter) with the rest of the run", "true");
    only("full_determinism", Shape.SWITCH, "deterministic-algorithms mode is not offered; a CPU run repeats bit for bit"
        + " with the same seed", "false");
    translated("use_cpu", Shape.SWITCH, "device cpu", HfArguments::useCpu);
    only("accelerator_config", Shape.VALUE, DISTRIBUTED, "none");
    only("parallelism_config", Shape.VALUE, DISTRIBUTED, "none");
    only("dataloader_drop_last", Shape.SWITCH, "an epoch's last, smaller batch is always trained on", "false");
    ignored("dataloader_num_workers", Shape.VALUE, IN_PROCESS_DATA);
    ignored("dataloader_pin_memory", Shape.SWITCH, IN_PROCESS_DATA);
    ignored("dataloader_persistent_workers", Shape.SWITCH, IN_PROCESS_DATA);
    ignored("dataloader_prefetch_factor", Shape.VALUE, IN_PROCESS_DATA);
    ignored("dataloader_multiprocessing_context", Shape.VALUE, IN_PROCESS_DATA);
    ignored("dataloader_in_order", Shape.SWITCH, IN_PROCESS_DATA);
    ignored("remove_unused_columns", Shape.SWITCH, "only the model's inputs are built from the data");
    only("label_names", Shape.LIST, "the labels are the data's tags", "none", "labels");
    translated("train_sampling_strategy", Shape.VALUE, "random: shuffled batches; group_by_length: group_by_length true",
        HfArguments::samplingStrategy);
    ignored("length_column_name", Shape.VALUE, "lengths are counted on the tokenized windows");
    only("ddp_find_unused_parameters", Shape.SWITCH, DISTRIBUTED, "none");
    only("ddp_bucket_cap_mb", Shape.VALUE, DISTRIBUTED, "none");
    only("ddp_broadcast_buffers", Shape.SWITCH, DISTRIBUTED, "none");
    only("ddp_static_graph", Shape.SWITCH, DISTRIBUTED, "none", "false");
    only("ddp_backend", Shape.VALUE, DISTRIBUTED, "none");
    only("ddp_timeout", Shape.VALUE, DISTRIBUTED, "1800");
    only("fsdp", Shape.LIST, DISTRIBUTED, "none", "false");
    only("fsdp_config", Shape.VALUE, DISTRIBUTED, "none");
    only("deepspeed", Shape.VALUE, DISTRIBUTED, "none");
    only("local_rank", Shape.VALUE, DISTRIBUTED, "-1");
    only("debug", Shape.LIST, "the underflow/overflow and TPU debug modes are not offered", "none");
    only("skip_memory_metrics", Shape.SWITCH, "memory metrics are not logged", "true");
    // older TrainingArguments names still found in run_ner commands
    translated("no_cuda", Shape.SWITCH, "device cpu (the older use_cpu)", HfArguments::useCpu);
    translated("per_gpu_train_batch_size", Shape.VALUE, "per_device_train_batch_size (its older name)",
        (v, b) -> b.set("per_device_train_batch_size", v));
    translated("per_gpu_eval_batch_size", Shape.VALUE, "per_device_eval_batch_size (its older name)",
        (v, b) -> b.set("per_device_eval_batch_size", v));
    only("save_safetensors", Shape.SWITCH, "weights are always saved as model.safetensors", "true");
  }

  private HfArguments() {}

  /** The entry of {@code name} (underscores or dashes), or null when it has none or is a setting. */
  public static Entry lookup(String name) {
    String key = name.replace('-', '_');
    if (TrainingConfigKeys.isSetting(key)) {
      return null;
    }
    return ENTRIES.get(key);
  }

  /** Every entry that is not (yet) a setting. */
  public static Collection<Entry> all() {
    Map<String, Entry> live = new LinkedHashMap<>();
    ENTRIES.forEach((name, entry) -> {
      if (!TrainingConfigKeys.isSetting(name)) {
        live.put(name, entry);
      }
    });
    return Collections.unmodifiableCollection(live.values());
  }

  /**
   * A value in one spelling for comparisons: trimmed, lower case; absent values ({@code none}, {@code null}, empty,
   * {@code {}}, {@code []}) as {@code none}; true/false as {@code yes/1} and {@code no/0} say; numbers in their
   * shortest form ({@code 0.0} is {@code 0}).
   */
  static String normalise(String value) {
    String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    switch (v) {
      case "", "none", "null", "{}", "[]" -> {
        return "none";
      }
      case "true", "yes" -> {
        return "true";
      }
      case "false", "no" -> {
        return "false";
      }
      default -> { }
    }
    try {
      return new BigDecimal(v).stripTrailingZeros().toPlainString();
    } catch (NumberFormatException notANumber) {
      return v;
    }
  }

  private static void useCpu(String value, TrainingConfig.Builder builder) {
    if (normalise(value).equals("true") || normalise(value).equals("1")) {
      builder.set("device", "cpu");
    }
  }

  private static void samplingStrategy(String value, TrainingConfig.Builder builder) {
    switch (normalise(value)) {
      case "random" -> builder.set("group_by_length", false);
      case "group_by_length" -> builder.set("group_by_length", true);
      default -> throw new IllegalArgumentException("train_sampling_strategy " + value + " is not supported (accepted:"
          + " random or group_by_length): training batches are shuffled, optionally grouped by length");
    }
  }

  private static void ignored(String name, Shape shape, String reason) {
    put(new Entry(name, Kind.IGNORED, shape, List.of(), reason, null));
  }

  private static void only(String name, Shape shape, String reason, String... accepted) {
    put(new Entry(name, Kind.ONLY, shape, Arrays.stream(accepted).map(HfArguments::normalise).toList(), reason, null));
  }

  private static void translated(String name, Shape shape, String meaning,
      BiConsumer<String, TrainingConfig.Builder> translate) {
    put(new Entry(name, Kind.TRANSLATED, shape, List.of(), meaning, translate));
  }

  private static void put(Entry entry) {
    if (ENTRIES.put(entry.name(), entry) != null) {
      throw new IllegalStateException("two entries for " + entry.name());
    }
  }
}
