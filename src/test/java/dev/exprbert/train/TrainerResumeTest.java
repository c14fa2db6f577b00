package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Save -> resume bit-exactness (llm.c's test_gpt2 habit): a run interrupted after step 4 and resumed
 * from checkpoint-4 ends with the same weights, bit for bit, and the same metrics and log as the
 * uninterrupted run, with dropout on (the RNG state is restored), gradient accumulation 2, the
 * interruption mid-epoch (3 updates per epoch), and each optimizer; and with {@code --attention fused} and
 * attention dropout on, padded and packed ({@code padding_free}), where the fused kernel's dropout counter must
 * come back from the checkpoint.
 */
class TrainerResumeTest {
  private static final int STOP_AT = 4;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @CsvSource({"adamw_torch_fused, sdpa, false", "adamw_torch, sdpa, false", "adamw_torch_fused, fused, false",
      "adamw_torch_fused, fused, true"})
  void interruptedAndResumedRunEqualsUninterruptedRun(String optim, String attention, boolean paddingFree) throws Exception {
    resumeEqualsUninterrupted(optim, attention, paddingFree, null);
  }

  /** The same in mixed precision: autocast is stateless, and the fp16 loss scaler's state comes back from scaler.json. */
  @ParameterizedTest
  @CsvSource({"adamw_torch_fused, fused, true, bf16", "adamw_torch_fused, sdpa, false, fp16",
      "adamw_torch, fused, false, fp16"})
  void interruptedAndResumedMixedPrecisionRunEqualsUninterruptedRun(String optim, String attention, boolean paddingFree,
      String precision) throws Exception {
    resumeEqualsUninterrupted(optim, attention, paddingFree, precision);
  }

  /** @param precision bf16, fp16, or null for float32 */
  private void resumeEqualsUninterrupted(String optim, String attention, boolean paddingFree, String precision)
      throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 48);
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 16);
    List<String> labels = TrainerFixtures.labelsOf(train);
    Path whole = tmp.resolve("whole");
    Path parts = tmp.resolve("parts");
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      run(config(whole, optim, attention, paddingFree, null, precision), tokenizer, train, eval, labels, 0);
      run(config(parts, optim, attention, paddingFree, null, precision), tokenizer, train, eval, labels, STOP_AT);
      assertTrue(Files.isRegularFile(parts.resolve("checkpoint-" + STOP_AT).resolve(RunState.TRAINER_STATE)));
      if (attention.equals("fused")) {
        Map<String, org.bytedeco.pytorch.Tensor> rng =
            dev.exprbert.io.Safetensors.read(parts.resolve("checkpoint-" + STOP_AT).resolve(RngPart.FILE));
        try {
          long offset = dev.exprbert.runtime.Tensors.toLongArray(rng.get(RngPart.FUSED_ATTENTION_KEY))[0];
          // 2 layers x 2 micro-batches x STOP_AT updates: a counter at 0 would not show that it is restored
          assertEquals(2L * 2 * STOP_AT, offset, "fused attention dropout calls before the checkpoint");
        } finally {
          rng.values().forEach(org.bytedeco.pytorch.Tensor::close);
        }
      }
      // a fresh process would start from another generator state: make sure only the restored state counts
      org.bytedeco.pytorch.global.torch.manual_seed(12345);
      TrainResult resumed = run(config(parts, optim, attention, paddingFree, parts.resolve("checkpoint-" + STOP_AT).toString(), precision),
          tokenizer, train, eval, labels, 0);
      assertEquals(6, resumed.globalStep());
    }
    assertArrayEquals(Files.readAllBytes(whole.resolve(ModelDirectory.SAFETENSORS)),
        Files.readAllBytes(parts.resolve(ModelDirectory.SAFETENSORS)), "final weights differ");
    if (optim.equals("adamw_torch_fused")) {
      // the fused optimizer's state is plain tensors; LibTorch's AdamW state is its own serialized archive,
      // whose bytes carry more than the numbers (they differ between equal states), so only the weights tell there
      assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-6").resolve(OptimizerPart.FILE)),
          Files.readAllBytes(parts.resolve("checkpoint-6").resolve(OptimizerPart.FILE)), "optimizer state differs");
    }
    if ("fp16".equals(precision)) {
      assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-6").resolve(LossScaler.FILE)),
          Files.readAllBytes(parts.resolve("checkpoint-6").resolve(LossScaler.FILE)), "loss scaler state differs");
    }
    assertEquals(withoutTimings(RunView.read(whole.resolve(RunState.TRAINER_STATE)).logHistory()),
        withoutTimings(RunView.read(parts.resolve(RunState.TRAINER_STATE)).logHistory()));
  }

  private static List<Map<String, Object>> withoutTimings(List<Map<String, Object>> history) {
    return history.stream().map(SpeedMetrics::without).toList();
  }

  /**
   * A step checkpoint that falls on the last step of an epoch is written before that epoch's evaluation runs; the run
   * resumed from it acts on that epoch's end first, so its evaluation stays in log_history (and the chart) as in the
   * uninterrupted run.
   */
  @org.junit.jupiter.api.Test
  void resumingFromAStepCheckpointAtAnEpochBoundaryKeepsThatEpochsEvaluation() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 48);
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 16);
    List<String> labels = TrainerFixtures.labelsOf(train);
    Path whole = tmp.resolve("whole");
    Path parts = tmp.resolve("parts");
    int epochEnd = 3; // 6 batches of 8, 2 per update
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      run(config(whole, null).set("save_steps", epochEnd).build(), tokenizer, train, eval, labels, 0);
      run(config(parts, null).set("save_steps", epochEnd).build(), tokenizer, train, eval, labels, epochEnd);
      Path checkpoint = parts.resolve("checkpoint-" + epochEnd);
      assertFalse(RunView.read(checkpoint.resolve(RunState.TRAINER_STATE)).logHistory().stream()
          .anyMatch(e -> e.containsKey("eval_f1")), "the checkpoint was written before the epoch's evaluation");
      run(config(parts, checkpoint.toString()).set("save_steps", epochEnd).build(), tokenizer, train, eval, labels, 0);
    }
    List<Map<String, Object>> expected = withoutTimings(RunView.read(whole.resolve(RunState.TRAINER_STATE)).logHistory());
    List<Map<String, Object>> resumed = withoutTimings(RunView.read(parts.resolve(RunState.TRAINER_STATE)).logHistory());
    assertEquals(3, expected.stream().filter(e -> e.containsKey("eval_f1")).count(),
        "two epoch evaluations and the final one: " + expected);
    assertEquals(expected, resumed);
  }

  private static TrainingConfig.Builder config(Path out, String resume) {
    return TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("num_train_epochs", 2)
        .set("per_device_train_batch_size", 8).set("gradient_accumulation_steps", 2).set("logging_steps", 1)
        .set("eval_strategy", "epoch").set("resume_from_checkpoint", resume);
  }

  private static TrainingConfig config(Path out, String optim, String attention, boolean paddingFree, String resume,
      String precision) {
    TrainingConfig.Builder builder = TrainingConfig.builder();
    if (precision != null) {
      builder.set(precision, true);
    }
    return builder.set("output_dir", out).set("optim", optim).set("attn_implementation", attention).set("padding_free", paddingFree)
        .set("learning_rate", 1e-3).set("num_train_epochs", 2)
        .set("per_device_train_batch_size", 8).set("gradient_accumulation_steps", 2).set("warmup_ratio", 0.2).set("weight_decay", 0.01)
        .set("logging_steps", 1).set("save_steps", 2).set("eval_strategy", "epoch").set("resume_from_checkpoint", resume).build();
  }

  private static TrainResult run(TrainingConfig config, ModelTokenizer tokenizer, List<LabeledSentence> train,
      List<LabeledSentence> eval, List<String> labels, int stopAt) throws Exception {
    try (EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 2, labels)) {
      model.setAttention(TrainingSetup.attention(config, model.config()));
      return run(config, model, tokenizer, train, eval, stopAt);
    }
  }

  private static TrainResult run(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      List<LabeledSentence> train, List<LabeledSentence> eval, int stopAt) throws Exception {
    try (Trainer trainer = new Trainer(config, model, tokenizer, train, eval)) {
      assertFalse(model.config().hiddenDropoutProb() == 0, "the test needs dropout on");
      assertFalse(model.config().attentionProbsDropoutProb() == 0, "the test needs attention dropout on");
      if (stopAt > 0) {
        trainer.addCallback(new TrainerCallback() {
          @Override
          public void onStepEnd(RunView state, TrainerControl control) {
            if (state.globalStep() == stopAt) {
              control.requestStop();
            }
          }
        });
      }
      return trainer.train();
    }
  }
}
