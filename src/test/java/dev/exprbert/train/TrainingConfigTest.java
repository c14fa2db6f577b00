package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.OptimizerChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face names and defaults, JSON in and out, and the rules the builder enforces before a run. */
class TrainingConfigTest {
  @TempDir
  Path tmp;

  private TrainingConfig.Builder base() {
    return TrainingConfig.builder().set("output_dir", tmp.resolve("out"));
  }

  @Test
  void defaultsAreHuggingFaceTrainingArguments() {
    TrainingConfig c = base().build();
    assertEquals(5e-5, c.learningRate());
    assertEquals(3.0, c.numTrainEpochs());
    assertEquals(8, c.perDeviceTrainBatchSize());
    assertEquals(8, c.perDeviceEvalBatchSize());
    assertEquals(42, c.seed());
    assertEquals(0.9, c.adamBeta1());
    assertEquals(0.999, c.adamBeta2());
    assertEquals(1e-8, c.adamEpsilon());
    assertEquals(0.0, c.weightDecay());
    assertEquals(1.0, c.maxGradNorm());
    assertEquals(LearningRateSchedule.Kind.LINEAR, c.lrSchedulerType());
    assertEquals("linear", c.lrSchedulerType().hfName());
    assertEquals(-1, c.maxSteps());
    assertEquals(1, c.gradientAccumulationSteps());
    assertEquals(TrainingConfig.Strategy.NO, c.evalStrategy());
    assertEquals(TrainingConfig.Strategy.STEPS, c.saveStrategy());
    assertEquals(500, c.saveSteps());
    assertEquals(500, c.loggingSteps());
    assertEquals(500, c.effectiveEvalSteps(), "eval_steps defaults to logging_steps");
    assertEquals("eval_f1", c.bestMetricKey());
    assertTrue(c.effectiveGreaterIsBetter());
    assertEquals(OptimizerChoice.ADAMW_TORCH_FUSED, c.optim());
    assertEquals("adamw_torch_fused", c.optim().toString());
    assertNull(c.saveTotalLimit());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() throws Exception {
    TrainingConfig c = base().set("learning_rate", 2e-5).set("num_train_epochs", 5).set("eval_strategy", "epoch").set("save_strategy", "epoch")
        .set("load_best_model_at_end", true).set("early_stopping_patience", 2).set("save_total_limit", 3).set("train_file", Path.of("a.conll"))
        .set("metric_for_best_model", "loss").set("greater_is_better", null).set("max_seq_length", 256).set("optim", "adamw_torch").build();
    Path file = tmp.resolve("training_args.json");
    Files.writeString(file, TrainingConfigKeys.toJsonText(c));
    assertEquals(c, TrainingConfigKeys.readJson(file).build());
    assertTrue(Files.readString(file).contains("\"learning_rate\": 2.0E-5"), Files.readString(file));
    assertEquals("eval_loss", c.bestMetricKey());
    assertTrue(!c.effectiveGreaterIsBetter(), "a loss is better when lower");
  }

  /**
   * training_args.json is byte for byte what the Trainer wrote before the settings became typed and declared once
   * (training_args_golden.txt was written by that version, with the keys of settings added since inserted in their
   * places): the defaults, and a run with aliases and typed choices.
   */
  @Test
  void trainingArgsJsonKeepsItsFormat() throws Exception {
    String[] golden;
    try (java.io.InputStream in = getClass().getResourceAsStream("training_args_golden.txt")) {
      golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("=====\n");
    }
    TrainingConfig defaults = TrainingConfig.builder().set("output_dir", Path.of("runs/x")).build();
    assertEquals(golden[0], TrainingConfigKeys.toJsonText(defaults));
    TrainingConfig c = TrainingConfig.builder().set("output_dir", "runs/y").set("optim", "torch-adamw")
        .set("attn_implementation", "fused").set("padding_free", "true").set("eval_strategy", "epoch")
        .set("save_strategy", "epoch").set("load_best_model_at_end", "true").set("metric_for_best_model", "loss")
        .set("learning_rate", "2e-5").set("max_seq_length", "128").set("device", "cpu").set("lr_scheduler_type", "cosine")
        .set("train_file", "data/train.conll").set("save_total_limit", "2").set("early_stopping_patience", "3")
        .set("warmup_ratio", "0.1").set("num_train_epochs", "2.5").set("model_name_or_path", "bert-base-cased").build();
    assertEquals(golden[1], TrainingConfigKeys.toJsonText(c));
    assertEquals(c, TrainingConfigKeys.readJson(Files.writeString(tmp.resolve("args.json"), golden[1])).build());
  }

  @Test
  void everyComponentIsASettingWithOneName() {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
      assertTrue(names.add(key.name()), "two settings are called " + key.name());
      assertTrue(!key.help().isBlank(), key.name() + " has no help text");
    }
    assertEquals(TrainingConfig.class.getRecordComponents().length, names.size());
    assertEquals(java.util.List.of("--attention"), TrainingConfigKeys.key("attn_implementation").aliases());
  }

  @Test
  void namesWorkWithUnderscoresOrDashes() {
    TrainingConfig c = base().set("learning-rate", "3e-4").set("per_device_train_batch_size", "16")
        .set("save-total-limit", "none").set("overwrite_output_dir", "true").build();
    assertEquals(3e-4, c.learningRate());
    assertEquals(16, c.perDeviceTrainBatchSize());
    assertNull(c.saveTotalLimit());
    assertTrue(c.overwriteOutputDir());
  }

  @Test
  void badValuesAreRejectedWithTheirName() throws Exception {
    assertMessage("output_dir is required", () -> TrainingConfig.builder().build());
    assertMessage("learning_rate: expected a number, found 'fast'", () -> base().set("learning_rate", "fast"));
    assertMessage("unknown training argument 'learning_rat'", () -> base().set("learning_rat", "1"));
    assertMessage("eval_strategy: expected no, steps or epoch, found 'daily'", () -> base().set("eval_strategy", "daily").build());
    assertMessage("per_device_train_batch_size must be >= 1, found 0", () -> base().set("per_device_train_batch_size", 0).build());
    assertMessage("warmup_ratio must be in [0, 1]", () -> base().set("warmup_ratio", 1.5).build());
    assertMessage("lr_scheduler_type 'triangle'", () -> base().set("lr_scheduler_type", "triangle").build());
    assertMessage("optim: expected", () -> base().set("optim", "sgd").build());
    assertMessage("load_best_model_at_end requires the save and eval strategy to match",
        () -> base().set("load_best_model_at_end", true).set("eval_strategy", "epoch").build());
    assertMessage("save_steps to be a multiple of eval_steps",
        () -> base().set("load_best_model_at_end", true).set("eval_strategy", "steps").set("eval_steps", 300L).set("save_steps", 500).build());
    assertMessage("early_stopping_patience requires load_best_model_at_end",
        () -> base().set("eval_strategy", "epoch").set("early_stopping_patience", 3).build());
    Path json = tmp.resolve("bad.json");
    Files.writeString(json, "{\"learning_rate\": \"fast\"}");
    assertMessage(json + ": learning_rate: expected a number, found \"fast\"", () -> TrainingConfigKeys.readJson(json));
    Files.writeString(json, "{\"num_epochs\": 3}");
    assertMessage(json + ": unknown training argument 'num_epochs'", () -> TrainingConfigKeys.readJson(json));
    Files.writeString(json, "[1]");
    assertMessage("expected a JSON object of training arguments", () -> TrainingConfigKeys.readJson(json));
  }

  @Test
  void paddingFreeAndAttentionFollowTheModelByDefaultAndPackingNeedsFusedAttention() {
    TrainingConfig defaults = base().build();
    assertEquals(null, defaults.paddingFree(), "unset: packed whenever the attention is fused");
    assertEquals(null, defaults.attnImplementation(), "unset: the fastest the model's family supports");
    assertEquals(BatchLayout.PACKED, BatchLayout.forTraining(AttentionImplementation.FUSED, defaults.paddingFree()));
    assertEquals(BatchLayout.PADDED, BatchLayout.forTraining(AttentionImplementation.SDPA, defaults.paddingFree()));
    assertEquals(BatchLayout.PADDED, BatchLayout.forTraining(AttentionImplementation.FUSED, false), "pinned padded");
    assertEquals(true, base().set("padding_free", true).build().paddingFree(), "fine while the attention is unset");
    assertMessage("padding_free (packed batches) needs attn_implementation fused",
        () -> base().set("padding_free", true).set("attn_implementation", "sdpa").build());
    assertMessage("found 'eager'", () -> base().set("padding_free", "true").set("attn_implementation", "eager").build());
    TrainingConfig packed = base().set("padding-free", "true").set("attn_implementation", "fused").build();
    assertTrue(packed.paddingFree());
    assertTrue(TrainingConfigKeys.toJson(packed).get("padding_free").getAsBoolean(), "training_args.json keeps it");
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable body) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }
}
