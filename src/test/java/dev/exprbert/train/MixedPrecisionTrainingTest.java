package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Batcher;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.OptimizerKind;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.ReadsPerStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bf16 and fp16 training (LibTorch's autocast; fp32 weights and AdamW; fp16 with dynamic loss scaling) of the tiny
 * fixture follows the float32 loss curve, with every attention backend and padding-free batches; an overflowing fp16
 * step is skipped and halves the scale, decided on the device; and a training step in either precision reads nothing
 * from the device unless it logs.
 *
 * <p>[note: mixed-precision tolerance] Dropout is off, so rounding is the runs' only difference. The bound on the
 * relative difference of each step's loss from float32 is one unit in the last place of the type: 2^-8 (0.39%) for
 * bfloat16, which keeps 8 significant bits, and 2^-11 (0.049%) for float16, which keeps 11. The matrix products and
 * attention run in the type, their outputs feed float32 LayerNorms and a float32 loss, and the loss averages the
 * rounding of many tokens, so a step's loss lands far inside one unit even after twelve AdamW steps at learning rate
 * 1e-3 let the rounding compound: measured on this fixture (2 cores, LibTorch 2.10, any backend, padded or packed) at
 * most 2.4e-4 for bf16 and 2.9e-5 for fp16, each about 16x inside its bound. A precision that were not applied (a
 * difference of 0), swapped (bf16 closer than fp16) or broken (percent-level drift) fails.
 */
class MixedPrecisionTrainingTest {
  /** One bfloat16 unit in the last place, relative: 2^-8. */
  static final double BF16_TOLERANCE = Math.scalb(1.0, -8);
  /** One float16 unit in the last place, relative: 2^-11. */
  static final double FP16_TOLERANCE = Math.scalb(1.0, -11);
  private static final int STEPS = 12;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @CsvSource({"eager, false", "sdpa, false", "fused, false", "fused, true"})
  void bf16AndFp16FollowTheFloat32LossCurve(String attention, boolean paddingFree) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 64);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      List<Double> fp32 = losses(Placement.CPU_FLOAT32, tokenizer, train, labels, attention, paddingFree, Placement.Precision.FLOAT32);
      List<Double> bf16 = losses(Placement.CPU_FLOAT32, tokenizer, train, labels, attention, paddingFree, Placement.Precision.BFLOAT16);
      List<Double> fp16 = losses(Placement.CPU_FLOAT32, tokenizer, train, labels, attention, paddingFree, Placement.Precision.FLOAT16);
      double bf16Diff = maxRelativeDifference(fp32, bf16);
      double fp16Diff = maxRelativeDifference(fp32, fp16);
      System.out.printf("%s packed=%s: max relative loss difference from fp32 over %d steps: bf16 %.2e, fp16 %.2e%n",
          attention, paddingFree, STEPS, bf16Diff, fp16Diff);
      assertTrue(bf16Diff > 0, "bf16 gave float32's losses exactly: autocast was not applied " + bf16);
      assertTrue(fp16Diff > 0, "fp16 gave float32's losses exactly: autocast was not applied " + fp16);
      assertTrue(bf16Diff > fp16Diff, "bf16 keeps fewer bits than fp16, so it must drift further");
      assertTrue(bf16Diff <= BF16_TOLERANCE, "bf16 " + bf16 + " vs fp32 " + fp32);
      assertTrue(fp16Diff <= FP16_TOLERANCE, "fp16 " + fp16 + " vs fp32 " + fp32);
      assertTrue(bf16.get(STEPS - 1) < bf16.get(0) * 0.9, "bf16 training should lower the loss: " + bf16);
    }
  }

  @ParameterizedTest
  @CsvSource({"FUSED_ADAMW", "TORCH_ADAMW"})
  void anOverflowingFp16StepIsSkippedAndHalvesTheScale(OptimizerKind kind) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 16);
    List<String> labels = TrainerFixtures.labelsOf(train);
    // 2^24 times a summed cross-entropy's gradient overflows float16's 65504 in the logits' backward
    double initial = Math.scalb(1.0, 24);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = dropoutFreeModel(Placement.CPU_FLOAT32, labels, "fused");
        MixedPrecision fp16 = MixedPrecision.fp16(Placement.CPU_FLOAT32,
            new LossScaler(Placement.CPU_FLOAT32, initial, 2, 0.5, 2000));
        Optimizer optimizer = kind.create(ParameterGroups.huggingFace(model.weights().parameters(), 0.0),
            new AdamWSettings(0.9, 0.999, 1e-8))) {
      List<List<Feature>> batches = batches(tokenizer, train, labels);
      TrainingStep step = new TrainingStep(model, optimizer, BatchLayout.PADDED, tokenizer.padTokenId(), 1.0, fp16);
      Map<String, Tensor> before = snapshot(model);
      long reads = HostReads.count();
      try (TrainingStep.Output out = step.run(List.of(batches.get(0)), 1e-3)) {
        assertTrue(Double.isFinite(out.loss().item_double()), "the loss itself is finite: only the gradients overflow");
      }
      if (kind == OptimizerKind.FUSED_ADAMW) {
        assertEquals(reads, HostReads.count(), "the fused AdamW skips on the device: no host read");
      }
      assertEquals(1f, fp16.foundInf().item_float(), "the scaled gradients overflowed");
      assertEquals(0, optimizer.stepCount(), "the overflowing step was skipped");
      assertEquals(initial / 2, fp16.scaler().stateDict().get("scale"), "and the scale halved");
      assertUnchanged(before, model);
      int skipped = 1;
      while (optimizer.stepCount() == 0 && skipped < 12) {
        try (TrainingStep.Output out = step.run(List.of(batches.get(0)), 1e-3)) {
          skipped += fp16.foundInf().item_float() != 0 ? 1 : 0;
        }
      }
      assertEquals(1, optimizer.stepCount(), "once the scale is small enough a step goes through");
      assertEquals(Math.scalb(initial, -skipped), fp16.scaler().stateDict().get("scale"), "halved once per skip");
      before.values().forEach(Tensor::close);
    }
  }

  @ParameterizedTest
  @CsvSource({"bf16", "fp16"})
  void aStepReadsNothingFromTheDeviceUnlessItLogs(String precision) throws Exception {
    assertReadsOnlyAtLogs(Placement.CPU_FLOAT32, precision, tmp);
  }

  /** Six steps logging every third: the host reads between two step ends happen only after a logging step. */
  static void assertReadsOnlyAtLogs(Placement placement, String precision, Path tmp) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 48);
    List<String> labels = TrainerFixtures.labelsOf(train);
    ReadsPerStep reads = new ReadsPerStep();
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve(precision)).set(precision, true)
        .set("attn_implementation", "fused").set("max_steps", 6).set("per_device_train_batch_size", 8)
        .set("logging_steps", 3).set("save_strategy", "no").build();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = dropoutFreeModel(placement, labels, "fused");
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      trainer.addCallback(reads);
      trainer.train();
    }
    reads.assertReadsOnlyAfterLogs(6, 3, precision + " on " + placement.device());
  }

  private static Map<String, Tensor> snapshot(EncoderForTokenClassification model) {
    Map<String, Tensor> copy = new java.util.LinkedHashMap<>();
    model.weights().parameters().forEach(p -> copy.put(p.name(), p.tensor().clone()));
    return copy;
  }

  private static void assertUnchanged(Map<String, Tensor> before, EncoderForTokenClassification model) {
    for (dev.exprbert.model.NamedParameter p : model.weights().parameters()) {
      try (Tensor same = torch.eq(before.get(p.name()), p.tensor()).all()) {
        assertTrue(same.item_bool(), p.name() + " changed in a skipped step");
      }
    }
  }

  /**
   * The loss of each of {@link #STEPS} training steps (unrounded: the step's own device value) of the dropout-free
   * tiny fixture in {@code precision}, through {@link TrainingStep} as the Trainer runs it.
   */
  static List<Double> losses(Placement placement, ModelTokenizer tokenizer, List<LabeledSentence> train,
      List<String> labels, String attention, boolean paddingFree, Placement.Precision precision) {
    List<Double> losses = new ArrayList<>();
    try (EncoderForTokenClassification model = dropoutFreeModel(placement, labels, attention);
        MixedPrecision mixed = MixedPrecision.of(placement, precision, false, precision.name());
        Optimizer optimizer = OptimizerKind.FUSED_ADAMW.create(ParameterGroups.huggingFace(model.weights().parameters(),
            0.01), new AdamWSettings(0.9, 0.999, 1e-8))) {
      List<List<Feature>> batches = batches(tokenizer, train, labels);
      TrainingStep step = new TrainingStep(model, optimizer, BatchLayout.forTraining(
          model.attention().implementation(), paddingFree), tokenizer.padTokenId(), 1.0, mixed);
      model.train(true);
      for (int i = 0; i < STEPS; i++) {
        try (TrainingStep.Output out = step.run(List.of(batches.get(i % batches.size())), 1e-3)) {
          losses.add(out.loss().item_double());
        }
      }
    }
    return losses;
  }

  static List<List<Feature>> batches(ModelTokenizer tokenizer, List<LabeledSentence> train, List<String> labels) {
    List<Feature> features = new Featurizer(tokenizer, LabelMap.ofLabels(labels), false, 128, 32).featurize(train, true)
        .features();
    return new Batcher(features, 8, true, false, 42).epoch(0);
  }

  /** The tiny fixture (hidden 32, 2 layers) without dropout: precision is then the runs' only difference. */
  static EncoderForTokenClassification dropoutFreeModel(Placement placement, List<String> labels, String attention) {
    BertConfig config = TrainerFixtures.tinyConfig(32, 2, labels).toBuilder().hiddenDropoutProb(0)
        .attentionProbsDropoutProb(0).build();
    return new EncoderForTokenClassification(config, CheckpointLoader.initialize(config, placement, 42),
        placement, AttentionBackend.named(attention));
  }

  static double maxRelativeDifference(List<Double> reference, List<Double> other) {
    double max = 0;
    for (int i = 0; i < reference.size(); i++) {
      max = Math.max(max, Math.abs(other.get(i) - reference.get(i)) / Math.abs(reference.get(i)));
    }
    return max;
  }
}
