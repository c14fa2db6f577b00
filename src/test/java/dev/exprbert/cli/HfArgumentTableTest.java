package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.train.HfArguments;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingConfigKeys;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every Hugging Face argument name a run_ner.py command can hold (hf-arguments/hf_argument_names.json, made by
 * make_hf_argument_names.py from transformers 5.18's TrainingArguments and run_ner.py's dataclasses, plus older names)
 * is accepted by {@code exprbert train} or refused with a reason, as this table says for each:
 * <ul>
 *   <li>SETTING: a setting of that name; the example value reaches the config (training_args.json differs);
 *   <li>ALIAS: another spelling of a setting; the value reaches that setting;
 *   <li>IGNORED: accepted, the config is unchanged;
 *   <li>ONLY: the first value is accepted (config unchanged), the second refused with a message naming the argument;
 *   <li>TRANSLATED: the value sets another setting to the value given;
 *   <li>ELSEWHERE: work that other parts of the project add (mixed precision, distributed training): a setting
 *       once that work is in, until then accepted at Hugging Face's default and refused otherwise, naming the work.
 * </ul>
 */
class HfArgumentTableTest {
  @TempDir
  Path tmp;

  private enum Kind { SETTING, ALIAS, IGNORED, ONLY, TRANSLATED, ELSEWHERE }

  /**
   * One name's expectation.
   *
   * @param value SETTING, ALIAS, IGNORED, TRANSLATED: the value given; ONLY, ELSEWHERE: an accepted value
   * @param other ONLY, ELSEWHERE: a refused value; ALIAS, TRANSLATED: the setting it sets; ELSEWHERE: the work named
   * @param expected TRANSLATED: that setting's value afterwards (as training_args.json writes it)
   * @param extra more flags the value needs (load_best_model_at_end needs matching strategies)
   */
  private record Row(String name, Kind kind, String value, String other, String expected, String area, String[] extra) {}

  private static final Map<String, Row> TABLE = new LinkedHashMap<>();

  private static void setting(String name, String value, String... extra) {
    add(new Row(name, Kind.SETTING, value, null, null, null, extra));
  }

  private static void ignored(String name, String value) {
    add(new Row(name, Kind.IGNORED, value, null, null, null, new String[0]));
  }

  private static void only(String name, String accepted, String refused) {
    add(new Row(name, Kind.ONLY, accepted, refused, null, null, new String[0]));
  }

  private static void elsewhere(String name, String accepted, String refused, String area) {
    add(new Row(name, Kind.ELSEWHERE, accepted, refused, null, area, new String[0]));
  }

  private static void translated(String name, String value, String setting, String expected, String... extra) {
    add(new Row(name, Kind.TRANSLATED, value, setting, expected, null, extra));
  }

  private static void add(Row row) {
    if (TABLE.put(row.name(), row) != null) {
      throw new IllegalStateException("two rows for " + row.name());
    }
  }

  private static final String DISTRIBUTED = "distributed training";

  static {
    // run_ner.py ModelArguments
    setting("model_name_or_path", "bert-base-cased");
    setting("config_name", "config.json");
    setting("tokenizer_name", "tokenizer");
    only("cache_dir", "none", "/tmp/hub-cache");
    only("model_revision", "main", "v2");
    only("token", "none", "hf_secret");
    only("trust_remote_code", "false", "true");
    setting("ignore_mismatched_sizes", "true");
    // run_ner.py DataTrainingArguments
    setting("task_name", "pos");
    only("dataset_name", "none", "conll2003");
    only("dataset_config_name", "none", "en");
    setting("train_file", "train.json");
    setting("validation_file", "dev.json");
    setting("test_file", "test.json");
    setting("text_column_name", "words");
    setting("label_column_name", "tags");
    ignored("overwrite_cache", "true");
    ignored("preprocessing_num_workers", "4");
    setting("max_seq_length", "128");
    ignored("pad_to_max_length", "true");
    setting("max_train_samples", "100");
    setting("max_eval_samples", "50");
    setting("max_predict_samples", "20");
    setting("label_all_tokens", "true");
    setting("return_entity_level_metrics", "true");
    // TrainingArguments (transformers 5.18), in declaration order
    setting("output_dir", "runs/other");
    setting("per_device_train_batch_size", "16");
    setting("num_train_epochs", "5");
    setting("max_steps", "10");
    setting("learning_rate", "2e-5");
    setting("lr_scheduler_type", "cosine");
    only("lr_scheduler_kwargs", "{}", "{\"num_cycles\": 2}");
    setting("warmup_steps", "10");
    setting("optim", "adamw_torch");
    only("optim_args", "none", "momentum=0.9");
    only("optim_target_modules", "none", "attn");
    setting("weight_decay", "0.01");
    setting("adam_beta1", "0.8");
    setting("adam_beta2", "0.99");
    setting("adam_epsilon", "1e-6");
    setting("gradient_accumulation_steps", "2");
    elsewhere("average_tokens_across_devices", "true", "false", DISTRIBUTED);
    setting("max_grad_norm", "0.5");
    setting("label_smoothing_factor", "0.1");
    setting("bf16", "true");
    setting("fp16", "true");
    only("bf16_full_eval", "false", "true");
    only("fp16_full_eval", "false", "true");
    setting("tf32", "true");
    only("gradient_checkpointing", "false", "true");
    only("gradient_checkpointing_kwargs", "none", "{\"use_reentrant\": false}");
    only("torch_compile", "false", "true");
    only("torch_compile_backend", "none", "inductor");
    only("torch_compile_mode", "none", "max-autotune");
    only("use_liger_kernel", "false", "true");
    only("liger_kernel_config", "{}", "{\"rope\": true}");
    ignored("use_cache", "false");
    only("neftune_noise_alpha", "none", "5");
    only("torch_empty_cache_steps", "none", "10");
    only("auto_find_batch_size", "false", "true");
    setting("logging_strategy", "epoch");
    setting("logging_steps", "10");
    setting("logging_first_step", "true");
    ignored("log_on_each_node", "false");
    setting("logging_nan_inf_filter", "false");
    only("include_num_input_tokens_seen", "no", "all");
    ignored("log_level", "info");
    ignored("log_level_replica", "warning");
    setting("disable_tqdm", "true");
    setting("report_to", "tensorboard");
    ignored("run_name", "my-run");
    ignored("project", "ner");
    ignored("trackio_space_id", "org/space");
    ignored("trackio_bucket_id", "bucket");
    ignored("trackio_static_space_id", "org/static");
    setting("eval_strategy", "epoch");
    setting("eval_steps", "50");
    only("eval_delay", "0", "2");
    setting("per_device_eval_batch_size", "16");
    only("prediction_loss_only", "false", "true");
    only("eval_on_start", "false", "true");
    ignored("eval_do_concat_batches", "false");
    elsewhere("eval_use_gather_object", "false", "true", DISTRIBUTED);
    ignored("eval_accumulation_steps", "4");
    only("include_for_metrics", "none", "inputs");
    ignored("batch_eval_metrics", "true");
    only("save_only_model", "false", "true");
    setting("save_strategy", "epoch");
    setting("save_steps", "100");
    elsewhere("save_on_each_node", "false", "true", DISTRIBUTED);
    setting("save_total_limit", "2");
    only("enable_jit_checkpoint", "false", "true");
    only("push_to_hub", "false", "true");
    ignored("hub_token", "hf_secret");
    ignored("hub_private_repo", "true");
    ignored("hub_model_id", "org/model");
    ignored("hub_strategy", "checkpoint");
    ignored("hub_always_push", "true");
    ignored("hub_revision", "dev");
    setting("load_best_model_at_end", "true", "--eval_strategy", "epoch", "--save_strategy", "epoch");
    setting("metric_for_best_model", "loss");
    setting("greater_is_better", "false");
    only("ignore_data_skip", "false", "true");
    only("restore_callback_states_from_checkpoint", "true", "false");
    only("full_determinism", "false", "true");
    setting("seed", "7");
    setting("data_seed", "11");
    translated("use_cpu", "true", "device", "cpu", "--device", "cuda:0");
    elsewhere("accelerator_config", "none", "{\"split_batches\": true}", DISTRIBUTED);
    elsewhere("parallelism_config", "none", "{\"dp_shard_size\": 2}", DISTRIBUTED);
    only("dataloader_drop_last", "false", "true");
    ignored("dataloader_num_workers", "4");
    ignored("dataloader_pin_memory", "false");
    ignored("dataloader_persistent_workers", "true");
    ignored("dataloader_prefetch_factor", "2");
    ignored("dataloader_multiprocessing_context", "spawn");
    ignored("dataloader_in_order", "true");
    ignored("remove_unused_columns", "false");
    only("label_names", "labels", "ner_labels");
    translated("train_sampling_strategy", "group_by_length", "group_by_length", "true");
    ignored("length_column_name", "length");
    elsewhere("ddp_find_unused_parameters", "none", "true", DISTRIBUTED);
    elsewhere("ddp_bucket_cap_mb", "none", "25", DISTRIBUTED);
    elsewhere("ddp_broadcast_buffers", "none", "false", DISTRIBUTED);
    elsewhere("ddp_static_graph", "false", "true", DISTRIBUTED);
    elsewhere("ddp_backend", "none", "nccl", DISTRIBUTED);
    elsewhere("ddp_timeout", "1800", "600", DISTRIBUTED);
    elsewhere("fsdp", "none", "full_shard", DISTRIBUTED);
    elsewhere("fsdp_config", "none", "fsdp.json", DISTRIBUTED);
    elsewhere("deepspeed", "none", "ds_config.json", DISTRIBUTED);
    only("debug", "none", "underflow_overflow");
    only("skip_memory_metrics", "true", "false");
    setting("do_train", "true");
    setting("do_eval", "true");
    setting("do_predict", "true");
    setting("resume_from_checkpoint", "true");
    elsewhere("local_rank", "-1", "0", DISTRIBUTED);
    // older names (transformers 4.x)
    add(new Row("evaluation_strategy", Kind.ALIAS, "epoch", "eval_strategy", null, null, new String[0]));
    setting("overwrite_output_dir", "true");
    setting("logging_dir", "logs");
    setting("warmup_ratio", "0.1");
    setting("group_by_length", "true");
    translated("no_cuda", "true", "device", "cpu", "--device", "cuda");
    translated("per_gpu_train_batch_size", "16", "per_device_train_batch_size", "16");
    translated("per_gpu_eval_batch_size", "4", "per_device_eval_batch_size", "4");
    only("save_safetensors", "true", "false");
    only("fp16_opt_level", "O1", "O2");
  }

  private static final String[] BASE = {"--output_dir", "runs/x"};

  /** The config the flags {@code args} (after the base flags) build, as training_args.json writes it. */
  private static final CommandLine CLI = new CommandLine(new TrainCommand()); // picocli resets it before each parse

  private static JsonObject configOf(String... args) {
    CommandLine cli = CLI;
    List<String> all = new ArrayList<>(Arrays.asList(args).contains(BASE[0]) ? List.of() : Arrays.asList(BASE));
    all.addAll(Arrays.asList(args));
    CommandLine.ParseResult parsed = cli.parseArgs(all.toArray(String[]::new));
    TrainingConfig config = TrainingFlags.apply(parsed, TrainingConfig.builder()).build();
    return TrainingConfigKeys.toJson(config);
  }

  private static String[] flags(Row row, String value) {
    List<String> args = new ArrayList<>(Arrays.asList(row.extra()));
    args.add("--" + row.name());
    args.add(value);
    return args.toArray(String[]::new);
  }

  private static Set<String> committedNames() throws Exception {
    JsonObject file;
    try (InputStream in = HfArgumentTableTest.class.getResourceAsStream("/dev/exprbert/train/hf-arguments/hf_argument_names.json")) {
      file = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
    assertEquals(1, file.get("format").getAsInt(), "hf_argument_names.json format; regenerate it with"
        + " make_hf_argument_names.py");
    Set<String> names = new LinkedHashSet<>();
    for (String group : List.of("model_arguments", "data_training_arguments", "training_arguments",
        "older_training_arguments")) {
      for (JsonElement name : file.getAsJsonArray(group)) {
        names.add(name.getAsString());
      }
    }
    return names;
  }

  @Test
  void everyHuggingFaceNameHasARowAndNoRowIsStale() throws Exception {
    Set<String> names = committedNames();
    assertEquals(147, names.size(), "names in hf_argument_names.json");
    Set<String> missing = new LinkedHashSet<>(names);
    missing.removeAll(TABLE.keySet());
    Set<String> extra = new LinkedHashSet<>(TABLE.keySet());
    extra.removeAll(names);
    assertEquals(Set.of(), missing, "Hugging Face names without a row in this table");
    assertEquals(Set.of(), extra, "rows for names that are not Hugging Face arguments");
    for (HfArguments.Entry entry : HfArguments.all()) {
      assertTrue(names.contains(entry.name()), entry.name() + " is in HfArguments but is not a Hugging Face argument");
    }
  }

  @Test
  void eachNameIsAcceptedOrRefusedAsTheTableSays() {
    JsonObject base = configOf();
    List<String> wrong = new ArrayList<>();
    int settings = 0;
    for (Row row : TABLE.values()) {
      try {
        switch (row.kind()) {
          case SETTING -> {
            assertTrue(TrainingConfigKeys.isSetting(row.name()), row.name() + " is not a setting");
            JsonObject config = configOf(flags(row, row.value()));
            assertNotEquals(base.get(row.name()), config.get(row.name()), row.name() + " " + row.value()
                + " did not reach the config");
            settings++;
          }
          case ALIAS -> assertEquals(configOf("--" + row.other(), row.value()), configOf(flags(row, row.value())),
              row.name() + " is not " + row.other());
          case IGNORED -> {
            assertEquals(HfArguments.Kind.IGNORED, HfArguments.lookup(row.name()).kind(), row.name());
            assertEquals(base, configOf(flags(row, row.value())), row.name() + " changed the config");
          }
          case ONLY -> checkOnly(row, base);
          case TRANSLATED -> {
            assertEquals(HfArguments.Kind.TRANSLATED, HfArguments.lookup(row.name()).kind(), row.name());
            JsonObject config = configOf(flags(row, row.value()));
            assertEquals(row.expected(), config.get(row.other()).getAsString(), row.name() + " -> " + row.other());
          }
          case ELSEWHERE -> {
            if (TrainingConfigKeys.isSetting(row.name())) {
              configOf(flags(row, row.value())); // that work's setting takes Hugging Face's default
            } else {
              String message = checkOnly(row, base);
              assertTrue(message.contains(row.area()), row.name() + "'s refusal does not name " + row.area() + ": "
                  + message);
            }
          }
        }
      } catch (AssertionError | RuntimeException e) {
        wrong.add(row.name() + ": " + e.getMessage());
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(settings >= 50, "settings checked: " + settings);
  }

  /** The accepted value leaves the config as it was; the refused one fails naming the argument. Returns the message. */
  private static String checkOnly(Row row, JsonObject base) {
    HfArguments.Entry entry = HfArguments.lookup(row.name());
    assertEquals(HfArguments.Kind.ONLY, entry.kind(), row.name());
    assertEquals(base, configOf(flags(row, row.value())), row.name() + " " + row.value() + " changed the config");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> configOf(flags(row, row.other())), row.name() + " " + row.other() + " was accepted");
    assertTrue(refused.getMessage().startsWith(row.name() + " " + row.other() + " is not supported"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains(": " + entry.reason()), refused.getMessage());
    return refused.getMessage();
  }

  @Test
  void switchesWorkBareAndListsTakeSeveralValues() {
    assertThrows(IllegalArgumentException.class, () -> configOf("--push_to_hub"), "a bare switch means true");
    assertEquals("[]", configOf().get("report_to").toString(), "report_to none, written as Hugging Face does");
    JsonObject listed = configOf("--report_to", "tensorboard", "csv");
    assertEquals("[\"tensorboard\",\"csv\"]", listed.get("report_to").toString());
    assertEquals("[\"tensorboard\",\"csv\",\"jsonl\"]", configOf("--report-to", "all").get("report_to").toString());
    IllegalArgumentException wandb = assertThrows(IllegalArgumentException.class,
        () -> configOf("--report_to", "wandb"));
    assertTrue(wandb.getMessage().contains("wandb is a Hugging Face integration ExprBERT does not have"),
        wandb.getMessage());
  }

  @Test
  void unknownNamesFailWithTheClosestKnownName() {
    CliRun run = CliRun.of("train", "--output_dir", "runs/x", "--learnig_rate", "1e-4");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("'--learnig_rate'") && run.err().contains("did you mean --learning_rate"),
        run.err());
    IllegalArgumentException builder = assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder().set("evalution_strategy", "epoch"));
    assertEquals("unknown training argument 'evalution_strategy'; did you mean 'evaluation_strategy'?",
        builder.getMessage());
  }

  @Test
  void aRunNerJsonFileIsReadWithTheSameTable() throws Exception {
    Path json = Files.writeString(tmp.resolve("args.json"), "{\"output_dir\": \"runs/j\", \"evaluation_strategy\":"
        + " \"epoch\", \"report_to\": [\"csv\", \"jsonl\"], \"push_to_hub\": false, \"dataloader_num_workers\": 4,"
        + " \"fsdp\": [], \"per_gpu_train_batch_size\": 32, \"lr_scheduler_kwargs\": {}}");
    TrainingConfig config = TrainingConfigKeys.readJson(json).build();
    assertEquals(TrainingConfig.Strategy.EPOCH, config.evalStrategy());
    assertEquals(List.of("csv", "jsonl"), config.reportTo().names());
    assertEquals(32, config.perDeviceTrainBatchSize());
    Path refused = Files.writeString(tmp.resolve("refused.json"), "{\"output_dir\": \"runs/j\", \"push_to_hub\": true}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingConfigKeys.readJson(refused));
    assertTrue(e.getMessage().startsWith(refused + ": push_to_hub true is not supported"), e.getMessage());
    Path typo = Files.writeString(tmp.resolve("typo.json"), "{\"num_train_epoch\": 3}");
    e = assertThrows(IllegalArgumentException.class, () -> TrainingConfigKeys.readJson(typo));
    assertEquals(typo + ": unknown training argument 'num_train_epoch'; did you mean 'num_train_epochs'?",
        e.getMessage());
  }
}
