package dev.exprbert.model;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.OptimizerKind;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our BERT against PyTorch's numbers for the same weights and batch (../shared/fixtures/tiny-bert-parity): logits,
 * loss, every gradient against the fixture's {@code grad.*} and the parameters after three AdamW steps, for every
 * backend (packed included) and both optimizers, with the tolerances and the two exceptions of {@link ParityChecks};
 * plus central finite differences of the fixture loss, the layer-wise backward against one autograd graph, and the
 * fused AdamW against LibTorch's over twenty steps.
 */
class TinyBertParityTest {
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
    return ParityChecks.model(fixture, backend);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eager", "sdpa", "fused", "fused-packed"})
  void logitsAndLossMatchPyTorch(String backend) {
    try (EncoderForTokenClassification model = model(backend.replace("-packed", ""))) {
      double[] err = ParityChecks.logitsAndLoss(backend, model, fixture, backend.endsWith("-packed"));
      System.out.printf("parity tiny-bert %s: max |logits diff| %.3g, |loss diff| %.3g%n", backend, err[0], err[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"eager", "sdpa", "fused", "fused-packed"})
  void everyGradientMatchesTheFixture(String backend) {
    try (EncoderForTokenClassification model = model(backend.replace("-packed", ""))) {
      ParityChecks.backward(model, fixture, backend.endsWith("-packed"));
      double worst = ParityChecks.gradients(backend, model, fixture);
      System.out.printf("parity tiny-bert %s: largest gradient error %.3g of the tensor's max |grad|%n", backend, worst);
    }
  }

  /**
   * An independent check of the gradients: central differences of the fixture loss at each tensor's two largest
   * gradient entries (eager only: the backends agree with each other and with {@code grad.*} above).
   */
  @org.junit.jupiter.api.Test
  void layerwiseGradientsMatchFiniteDifferencesOfTheFixtureLoss() {
    try (EncoderForTokenClassification model = model("eager")) {
      ParityChecks.backward(model, fixture, false);
      double worst = 0;
      String worstAt = "";
      for (Map.Entry<String, Tensor> p : model.weights().asMap().entrySet()) {
        float[] grad;
        try (Tensor g = p.getValue().grad()) {
          grad = Tensors.toFloatArray(g);
        }
        if (fixture.trueZeroGradParams().contains(p.getKey())) {
          continue; // rounding noise on both sides (see ParityChecks)
        }
        double scale = TensorAssertions.maxAbs(grad);
        for (int index : FiniteDifferences.largestIndices(grad, 2)) {
          double fd = FiniteDifferences.central(model, fixture, p.getValue(), index, 1e-2);
          double err = Math.abs(fd - grad[index]) / scale;
          assertTrue(err < 2e-3, String.format("%s[%d]: autograd %.6g, finite difference %.6g (relative error %.3g)",
              p.getKey(), index, grad[index], fd, err));
          if (err > worst) {
            worst = err;
            worstAt = p.getKey() + "[" + index + "]";
          }
        }
      }
      System.out.printf("parity tiny-bert: largest gradient error vs finite differences %.3g of max|g| (%s)%n", worst,
          worstAt);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"eager", "sdpa"})
  void layerwiseBackwardEqualsOneGraph(String backend) {
    try (EncoderForTokenClassification layerwise = model(backend); EncoderForTokenClassification whole = model(backend)) {
      try (EncoderForTokenClassification.ForwardPass pass =
              layerwise.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
          Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
        pass.backward(loss);
      }
      try (Tensor logits = whole.forwardFullGraph(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
          Tensor loss = TokenClassificationLoss.mean(logits, fixture.labels)) {
        loss.backward();
      }
      for (String name : layerwise.weights().asMap().keySet()) {
        try (Tensor a = layerwise.weights().get(name).grad(); Tensor b = whole.weights().get(name).grad()) {
          assertClose("grad " + name, a, b, 0.0);
        }
      }
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> backendsAndOptimizers() {
    return java.util.stream.Stream.of("eager", "sdpa", "fused", "fused-packed").flatMap(backend -> java.util.stream.Stream
        .of(OptimizerKind.TORCH_ADAMW, OptimizerKind.FUSED_ADAMW)
        .map(kind -> org.junit.jupiter.params.provider.Arguments.of(backend, kind)));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("backendsAndOptimizers")
  void adamWStepsWithHuggingFaceGroupsAndScheduleMatchPyTorch(String backend, OptimizerKind kind) {
    try (EncoderForTokenClassification model = model(backend.replace("-packed", ""))) {
      double worst = ParityChecks.afterSteps(backend + " " + kind, model, fixture, kind, backend.endsWith("-packed"));
      System.out.printf("parity tiny-bert %s %s: largest |parameter diff| after %d AdamW steps %.3g%n", backend, kind,
          fixture.steps(), worst);
    }
  }

  /** The fused kernel and LibTorch's AdamW stay within 1e-6 over 20 steps on the fixture model. */
  @org.junit.jupiter.api.Test
  void fusedAndLibTorchAdamWAgreeForTwentyStepsOnTheFixtureModel() {
    LearningRateSchedule schedule = new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR, 1e-3, 2, 20);
    try (EncoderForTokenClassification a = model("eager"); EncoderForTokenClassification b = model("eager");
        Optimizer torchAdamW = OptimizerKind.TORCH_ADAMW.create(ParameterGroups.huggingFace(a.weights().parameters(), 0.01),
            AdamWSettings.HUGGING_FACE_DEFAULTS);
        Optimizer fused = OptimizerKind.FUSED_ADAMW.create(ParameterGroups.huggingFace(b.weights().parameters(), 0.01),
            AdamWSettings.HUGGING_FACE_DEFAULTS)) {
      for (int step = 0; step < 20; step++) {
        for (var pair : java.util.List.of(java.util.Map.entry(a, torchAdamW), java.util.Map.entry(b, fused))) {
          try (EncoderForTokenClassification.ForwardPass pass =
                  pair.getKey().forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
              Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
            pass.backward(loss);
          }
          try (Tensor norm = pair.getValue().step(schedule.learningRate(step), 1.0)) {
            pair.getValue().zeroGrad();
          }
        }
      }
      for (String name : a.weights().asMap().keySet()) {
        if (!fixture.trueZeroGradParams().contains(name)) { // zero-gradient noise (ParityChecks)
          assertClose("20 steps " + name, b.weights().get(name), a.weights().get(name), 1e-6);
        }
      }
    }
  }
}
