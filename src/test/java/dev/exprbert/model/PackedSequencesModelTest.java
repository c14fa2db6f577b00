package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.OptimizerKind;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Packed (padding-free) batches through the fixture model against the same batch padded: the logits of
 * every real token, the loss, every parameter gradient (relative to the tensor's max |gradient|) and the
 * parameters after one fused AdamW step agree within 1e-5, in train mode with attention dropout too; bad packed
 * inputs are refused naming what is wrong.
 * The packed form is the fixture's ({@link ParityFixture#packed}: rows cut at each mask's length).
 */
class PackedSequencesModelTest {
  // Tolerance: 1e-5 relative. Packing changes only which rows the GEMMs see (summation order per element is
  // the same), so the differences are float32 rounding in blocked GEMM/softmax paths, far below 1e-5.
  private static final double RELATIVE = 1e-5;

  private static ParityFixture fixture;
  private static ParityFixture.Packed packed;

  @BeforeAll
  static void load() {
    fixture = ParityFixture.tinyBert();
    packed = fixture.packed;
    assertTrue(packed.rowOf().length < fixture.inputIds.numel(), "the fixture batch must hold padding for this test to"
        + " mean something");
  }

  @AfterAll
  static void free() {
    fixture.close();
  }

  private static EncoderForTokenClassification model(String backend) {
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(fixture.config(), fixture.weights, Placement.CPU_FLOAT32, 0, false, "fixture");
    return new EncoderForTokenClassification(fixture.config(), loaded.weights(), Placement.CPU_FLOAT32, AttentionBackend.named(backend));
  }

  /** The padded logits' rows of real tokens, in packed order. */
  private static float[] realRows(float[] padded, int labels) {
    float[] out = new float[packed.rowOf().length * labels];
    for (int t = 0; t < packed.rowOf().length; t++) {
      System.arraycopy(padded, packed.rowOf()[t] * labels, out, t * labels, labels);
    }
    return out;
  }

  @Test
  void packedLogitsEqualPaddedLogitsOfRealTokens() {
    try (EncoderForTokenClassification fused = model("fused"); EncoderForTokenClassification eager = model("eager");
        Tensor paddedFused = fused.logits(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
        Tensor paddedEager = eager.logits(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
        Tensor packedLogits = fused.logits(packed.sequences())) {
      int labels = fused.config().numLabels();
      assertEquals(packed.rowOf().length, packedLogits.size(0));
      assertEquals(labels, packedLogits.size(1));
      float[] actual = Tensors.toFloatArray(packedLogits);
      for (Tensor reference : new Tensor[] {paddedFused, paddedEager}) {
        float[] expected = realRows(Tensors.toFloatArray(reference), labels);
        TensorAssertions.assertClose("packed logits", actual, expected, RELATIVE * TensorAssertions.maxAbs(expected));
      }
    }
  }

  @Test
  void packedLossAndEveryGradientEqualPadded() {
    try (EncoderForTokenClassification padded = model("fused"); EncoderForTokenClassification packedModel = model("fused")) {
      double paddedLoss;
      double packedLoss;
      try (EncoderForTokenClassification.ForwardPass pass =
              padded.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
        paddedLoss = loss.item_double();
        pass.backward(loss);
      }
      try (EncoderForTokenClassification.ForwardPass pass = packedModel.forwardForTraining(packed.sequences());
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), packed.labels())) {
        packedLoss = loss.item_double();
        pass.backward(loss);
      }
      assertEquals(paddedLoss, packedLoss, RELATIVE * Math.abs(paddedLoss), "mean loss (same labelled-token count)");
      double worst = compareParameters(padded, packedModel, p -> {
        try (Tensor g = p.grad()) {
          return Tensors.toFloatArray(g);
        }
      }, "grad");
      System.out.printf("packed vs padded: loss %.8f vs %.8f, largest relative gradient difference %.3g%n", packedLoss,
          paddedLoss, worst);
    }
  }

  @Test
  void oneAdamWStepPackedEqualsPadded() {
    try (EncoderForTokenClassification padded = model("fused"); EncoderForTokenClassification packedModel = model("fused");
        Optimizer paddedOpt = OptimizerKind.FUSED_ADAMW.create(ParameterGroups.huggingFace(padded.weights().parameters(), 0.01),
            new AdamWSettings(0.9, 0.999, 1e-8));
        Optimizer packedOpt = OptimizerKind.FUSED_ADAMW.create(
            ParameterGroups.huggingFace(packedModel.weights().parameters(), 0.01), new AdamWSettings(0.9, 0.999, 1e-8))) {
      try (EncoderForTokenClassification.ForwardPass pass =
              padded.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
        pass.backward(loss);
      }
      try (EncoderForTokenClassification.ForwardPass pass = packedModel.forwardForTraining(packed.sequences());
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), packed.labels())) {
        pass.backward(loss);
      }
      try (Tensor a = paddedOpt.step(1e-3, 1.0); Tensor b = packedOpt.step(1e-3, 1.0)) {
        assertEquals(a.item_double(), b.item_double(), RELATIVE * a.item_double(), "gradient norm");
      }
      // Adam divides by sqrt(v): a gradient that is pure rounding noise (the key biases, true gradient 0) becomes a
      // full lr-sized step of random sign, so compare those against lr instead of their own scale.
      double worst = 0;
      for (Map.Entry<String, Tensor> e : padded.weights().asMap().entrySet()) {
        float[] expected = Tensors.toFloatArray(e.getValue());
        float[] actual = Tensors.toFloatArray(packedModel.weights().get(e.getKey()));
        double tolerance = e.getKey().contains("attention.self.key.bias") ? 2e-3 : RELATIVE * TensorAssertions.maxAbs(expected);
        worst = Math.max(worst, TensorAssertions.assertClose("after one step " + e.getKey(), actual, expected, tolerance));
      }
      System.out.printf("packed vs padded: largest |parameter difference| after one AdamW step %.3g%n", worst);
    }
  }

  /** Compares one float array per parameter within RELATIVE of its max |value|; returns the worst relative error. */
  private static double compareParameters(EncoderForTokenClassification expectedModel, EncoderForTokenClassification actualModel,
      Function<Tensor, float[]> read, String what) {
    double worst = 0;
    for (Map.Entry<String, Tensor> p : expectedModel.weights().asMap().entrySet()) {
      float[] expected = read.apply(p.getValue());
      float[] actual = read.apply(actualModel.weights().get(p.getKey()));
      double scale = TensorAssertions.maxAbs(expected);
      if (p.getKey().contains("attention.self.key.bias")) {
        // True gradient 0 (softmax ignores a per-query constant): both sides are rounding noise.
        assertTrue(TensorAssertions.maxAbs(actual) < 1e-6, p.getKey() + " should be rounding noise");
        continue;
      }
      double err = TensorAssertions.assertClose(what + " " + p.getKey(), actual, expected, RELATIVE * scale) / scale;
      worst = Math.max(worst, err);
    }
    return worst;
  }

  @Test
  void attentionDropoutMasksArePerSequenceSoPackedTrainingEqualsPadded() {
    // hidden dropout off (LibTorch's generator would draw differently shaped masks), attention dropout 0.1: the
    // fused kernel keys its mask by (sequence, head, row, column) within a sequence, so both layouts drop alike
    BertConfig config = fixture.bertConfig().toBuilder().hiddenDropoutProb(0.0).build();
    assertTrue(config.attentionProbsDropoutProb() > 0);
    CheckpointLoader.Loaded a = CheckpointLoader.load(config, fixture.weights, Placement.CPU_FLOAT32, 0, false, "fixture");
    CheckpointLoader.Loaded b = CheckpointLoader.load(config, fixture.weights, Placement.CPU_FLOAT32, 0, false, "fixture");
    try (EncoderForTokenClassification padded = new EncoderForTokenClassification(config, a.weights(), Placement.CPU_FLOAT32,
            AttentionBackend.named("fused"));
        EncoderForTokenClassification packedModel = new EncoderForTokenClassification(config, b.weights(),
            Placement.CPU_FLOAT32, AttentionBackend.named("fused"))) {
      padded.train(true);
      packedModel.train(true);
      double paddedLoss;
      double packedLoss;
      double evalLoss;
      try (EncoderForTokenClassification.ForwardPass pass =
              padded.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
        paddedLoss = loss.item_double();
        pass.backward(loss);
      }
      try (EncoderForTokenClassification.ForwardPass pass = packedModel.forwardForTraining(packed.sequences());
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), packed.labels())) {
        packedLoss = loss.item_double();
        pass.backward(loss);
      }
      packedModel.train(false);
      try (Tensor logits = packedModel.logits(packed.sequences());
          Tensor loss = TokenClassificationLoss.mean(logits, packed.labels())) {
        evalLoss = loss.item_double();
      }
      assertTrue(Math.abs(evalLoss - packedLoss) > 1e-4, "attention dropout must change the loss for this test to"
          + " mean something: " + evalLoss + " vs " + packedLoss);
      assertEquals(paddedLoss, packedLoss, RELATIVE * Math.abs(paddedLoss), "train-mode loss");
      compareParameters(padded, packedModel, p -> {
        try (Tensor g = p.grad()) {
          return Tensors.toFloatArray(g);
        }
      }, "train-mode grad");
    }
  }

  @Test
  void eagerAndSdpaRefusePackedBatchesNamingFused() {
    for (String backend : new String[] {"eager", "sdpa"}) {
      try (EncoderForTokenClassification model = model(backend)) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
            () -> model.logits(packed.sequences()).close());
        assertTrue(e.getMessage().contains("--attention fused"), e.getMessage());
      }
    }
  }

  @Test
  void badPackedInputsAreRefusedNamingTheArgument() {
    long total = packed.ids().size(0);
    long[] offsets = Tensors.toLongArray(packed.cuSeqlens());
    offsets[offsets.length - 1] = total - 1;
    try (EncoderForTokenClassification model = model("fused");
        Tensor shortCu64 = Tensors.longs(offsets, offsets.length);
        Tensor shortCu = shortCu64.to(torch.ScalarType.Int);
        Tensor cu64 = packed.cuSeqlens().to(torch.ScalarType.Long);
        Tensor ids2d = packed.ids().unsqueeze(0);
        Tensor fewerPositions = packed.positions().narrow(0, 0, packed.positions().size(0) - 1);
        Tensor wrongLabels = packed.labels().narrow(0, 0, 3)) {
      // cu_seqlens whose last offset is not the token count
      assertMessage(() -> model.logits(new PackedSequences(packed.ids(), packed.types(), packed.positions(), shortCu,
          packed.maxSeqlen())).close(), "cu_seqlens must end at the token count", "" + (total - 1), "" + total);
      assertMessage(() -> model.logits(new PackedSequences(packed.ids(), packed.types(), packed.positions(), cu64,
          packed.maxSeqlen())).close(), "cu_seqlens must be int32");
      assertMessage(() -> model.logits(new PackedSequences(packed.ids(), packed.types(), packed.positions(),
          packed.cuSeqlens(), packed.maxSeqlen() - 1)).close(), "max_seqlen");
      assertMessage(() -> model.logits(new PackedSequences(ids2d, packed.types(), packed.positions(), packed.cuSeqlens(),
          packed.maxSeqlen())).close(), "packed input_ids must be [total_tokens]");
      assertMessage(() -> model.logits(new PackedSequences(packed.ids(), packed.types(), fewerPositions,
          packed.cuSeqlens(), packed.maxSeqlen())).close(), "position_ids must be [total_tokens]");
      try (Tensor logits = model.logits(packed.sequences())) {
        assertMessage(() -> TokenClassificationLoss.mean(logits, wrongLabels).close(), "labels of packed logits");
      }
    }
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
    }
  }
}
