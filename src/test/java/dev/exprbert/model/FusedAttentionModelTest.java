package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --attention fused} on the fixture model against {@code eager}: every parameter gradient of the
 * layer-wise backward within 1e-5 of the tensor's max |gradient|, and the two ways the fused custom op must
 * refuse or allow a call (one autograd graph; inference without a tape). Logits, loss and AdamW steps
 * against PyTorch are in {@link TinyBertParityTest}.
 */
class FusedAttentionModelTest {
  private static ParityFixture fixture;

  @BeforeAll
  static void load() {
    fixture = ParityFixture.tinyBert();
  }

  @AfterAll
  static void free() {
    fixture.close();
  }

  private static EncoderForTokenClassification model(String backend) {
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(fixture.config(), fixture.weights, Placement.CPU_FLOAT32, 0, false, "fixture");
    return new EncoderForTokenClassification(fixture.config(), loaded.weights(), Placement.CPU_FLOAT32, AttentionBackend.named(backend));
  }

  private static void backward(EncoderForTokenClassification model) {
    try (EncoderForTokenClassification.ForwardPass pass =
            model.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
        Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
      pass.backward(loss);
    }
  }

  @Test
  void everyGradientEqualsEagerWithinOneInAHundredThousand() {
    try (EncoderForTokenClassification fused = model("fused"); EncoderForTokenClassification eager = model("eager")) {
      backward(fused);
      backward(eager);
      double worst = 0;
      String worstAt = "";
      for (Map.Entry<String, Tensor> p : eager.weights().asMap().entrySet()) {
        float[] expected;
        float[] actual;
        try (Tensor e = p.getValue().grad(); Tensor a = fused.weights().get(p.getKey()).grad()) {
          expected = Tensors.toFloatArray(e);
          actual = Tensors.toFloatArray(a);
        }
        double scale = TensorAssertions.maxAbs(expected);
        if (p.getKey().contains("attention.self.key.bias")) {
          // True gradient 0 (softmax ignores a per-query constant): both sides are rounding noise.
          assertTrue(TensorAssertions.maxAbs(actual) < 1e-6, p.getKey() + " should be rounding noise");
          continue;
        }
        double err = TensorAssertions.assertClose("grad " + p.getKey(), actual, expected, 1e-5 * scale) / scale;
        if (err > worst) {
          worst = err;
          worstAt = p.getKey();
        }
      }
      System.out.printf("fused vs eager: largest relative gradient difference %.3g (%s)%n", worst, worstAt);
    }
  }

  @Test
  void oneAutogradGraphIsRefusedNamingTheOption() {
    try (EncoderForTokenClassification fused = model("fused")) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> fused.forwardFullGraph(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds));
      assertTrue(e.getMessage().contains("--attention fused"), e.getMessage());
    }
  }

  @Test
  void leftPaddedMaskIsRejected() {
    try (EncoderForTokenClassification fused = model("fused");
        Tensor flipped = fixture.attentionMask.flip(1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> fused.logits(fixture.inputIds, flipped, fixture.tokenTypeIds).close());
      assertTrue(e.getMessage().contains("right-padded"), e.getMessage());
    }
  }
}
