package dev.exprbert.model;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.OptimizerKind;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Our model against a parity fixture, with the fixtures' tolerances (README.md, FAMILIES.md) and nothing looser:
 * <ul>
 *   <li>logits and loss 1e-4 absolute (logits only where attention_mask is 1: padded rows are undefined);
 *   <li>gradients 1e-4 relative to each tensor's max |fixture gradient|, every tensor against {@code grad.*} directly;
 *       the tensors whose gradient is mathematically zero (attention key biases: softmax ignores a bias added to every
 *       key) 1e-6 absolute, since the fixture holds float32 noise there;
 *   <li>parameters after the AdamW steps 1e-5 absolute, except where Adam turns rounding noise into steps of up to
 *       lr: the true-zero tensors (within the sum of the learning rates of their initial value) and the entries whose
 *       fixture gradient is below 1e-6 (within that sum of the fixture's value).
 * </ul>
 * A batch runs padded, or packed ({@code packed}: the fixture's rows cut at their lengths, fused attention only).
 */
final class ParityChecks {
  static final double LOGITS_ABS = 1e-4;
  static final double LOSS_ABS = 1e-4;
  static final double GRAD_RELATIVE = 1e-4;
  static final double TRUE_ZERO_GRAD_ABS = 1e-6;
  static final double AFTER_STEPS_ABS = 1e-5;
  /** Below this |gradient| Adam's eps = 1e-8 makes a step sensitive to float32 rounding. */
  static final double ADAM_SENSITIVE_GRAD = 1e-6;

  private ParityChecks() {}

  /** The fixture's model with every weight from its checkpoint (strictly: nothing missing, nothing unexpected). */
  static EncoderForTokenClassification model(ParityFixture f, String backend) {
    EncoderConfig config = f.config();
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(config, f.weights, Placement.CPU_FLOAT32, 0, false, "fixture");
    if (!loaded.report().isComplete() || !loaded.report().unexpected().isEmpty()) {
      loaded.weights().close();
      fail(f.dir + ": the fixture checkpoint should cover every parameter and nothing else: " + loaded.report());
    }
    return new EncoderForTokenClassification(config, loaded.weights(), Placement.CPU_FLOAT32, AttentionBackend.named(backend));
  }

  /** Logits of the fixture batch (padded: [batch, seq, labels]; packed: [total_tokens, labels]); the caller owns them. */
  static Tensor logits(EncoderForTokenClassification model, ParityFixture f, boolean packed) {
    return packed ? model.logits(f.packed.sequences()) : model.logits(f.inputIds, f.attentionMask, f.tokenTypeIds);
  }

  /** The training pass of the fixture batch. */
  static EncoderForTokenClassification.ForwardPass forward(EncoderForTokenClassification model, ParityFixture f,
      boolean packed) {
    return packed ? model.forwardForTraining(f.packed.sequences())
        : model.forwardForTraining(f.inputIds, f.attentionMask, f.tokenTypeIds);
  }

  static Tensor labels(ParityFixture f, boolean packed) {
    return packed ? f.packed.labels() : f.labels;
  }

  /** Logits of real tokens and the loss; returns {max |logits diff|, |loss diff|}. */
  static double[] logitsAndLoss(String what, EncoderForTokenClassification model, ParityFixture f, boolean packed) {
    try (Tensor logits = logits(model, f, packed); Tensor loss = TokenClassificationLoss.mean(logits, labels(f, packed))) {
      int labels = model.config().numLabels();
      float[] expected = Tensors.toFloatArray(f.expected("logits"));
      int[] rowOf = f.packed.rowOf(); // the padded row of every real token
      float[] actual = Tensors.toFloatArray(logits);
      float[] a = new float[rowOf.length * labels];
      float[] e = new float[rowOf.length * labels];
      for (int t = 0; t < rowOf.length; t++) {
        System.arraycopy(actual, (packed ? t : rowOf[t]) * labels, a, t * labels, labels);
        System.arraycopy(expected, rowOf[t] * labels, e, t * labels, labels);
      }
      double logitErr = assertClose(what + " logits", a, e, LOGITS_ABS);
      double lossErr = assertClose(what + " loss", Tensors.toFloatArray(loss), Tensors.toFloatArray(f.expected("loss")),
          LOSS_ABS);
      return new double[] {logitErr, lossErr};
    }
  }

  /** Fills every gradient of {@code model} from the fixture loss (layer-wise backward). */
  static void backward(EncoderForTokenClassification model, ParityFixture f, boolean packed) {
    try (EncoderForTokenClassification.ForwardPass pass = forward(model, f, packed);
        Tensor loss = TokenClassificationLoss.mean(pass.logits(), labels(f, packed))) {
      pass.backward(loss);
    }
  }

  /** Every gradient against {@code grad.<name>}; returns the largest error relative to its tensor's max |gradient|. */
  static double gradients(String what, EncoderForTokenClassification model, ParityFixture f) {
    Set<String> trueZero = f.trueZeroGradParams();
    double worst = 0;
    for (Map.Entry<String, Tensor> p : model.weights().asMap().entrySet()) {
      float[] actual;
      try (Tensor g = p.getValue().grad()) {
        actual = Tensors.toFloatArray(g);
      }
      float[] expected = Tensors.toFloatArray(f.expected("grad." + p.getKey()));
      if (trueZero.contains(p.getKey())) {
        assertClose(what + " grad " + p.getKey() + " (true zero)", actual, expected, TRUE_ZERO_GRAD_ABS);
        continue;
      }
      double scale = TensorAssertions.maxAbs(expected);
      double err = assertClose(what + " grad " + p.getKey(), actual, expected, GRAD_RELATIVE * scale) / scale;
      worst = Math.max(worst, err);
    }
    return worst;
  }

  /**
   * Runs the fixture's AdamW steps (Hugging Face's parameter groups and schedule, eval mode as the fixture) and
   * compares every parameter with {@code after_steps.<name>}; returns the largest error outside the two exceptions.
   */
  static double afterSteps(String what, EncoderForTokenClassification model, ParityFixture f, OptimizerKind kind,
      boolean packed) {
    JsonObject opt = f.optimizer();
    JsonArray betas = opt.getAsJsonArray("betas");
    AdamWSettings settings = new AdamWSettings(betas.get(0).getAsDouble(), betas.get(1).getAsDouble(),
        opt.get("eps").getAsDouble());
    LearningRateSchedule schedule = f.schedule();
    JsonArray losses = f.batch.getAsJsonArray("losses_during_steps");
    Map<String, float[]> initial = new LinkedHashMap<>();
    model.weights().asMap().forEach((name, t) -> initial.put(name, Tensors.toFloatArray(t)));
    try (Optimizer optimizer = kind.create(
        ParameterGroups.huggingFace(model.weights().parameters(), opt.get("weight_decay").getAsDouble()), settings)) {
      model.train(false); // the fixture runs model.eval(): dropout off
      for (int step = 0; step < f.steps(); step++) {
        try (EncoderForTokenClassification.ForwardPass pass = forward(model, f, packed);
            Tensor loss = TokenClassificationLoss.mean(pass.logits(), labels(f, packed))) {
          assertEquals(losses.get(step).getAsDouble(), loss.item_double(), LOSS_ABS, what + " loss before step " + step);
          pass.backward(loss);
        }
        try (Tensor norm = optimizer.step(schedule.learningRate(step), 0.0)) {
          optimizer.zeroGrad();
        }
      }
      assertEquals(f.steps(), optimizer.stepCount());
    }
    double sumLr = f.sumLr();
    Set<String> trueZero = f.trueZeroGradParams();
    double worst = 0;
    for (Map.Entry<String, Tensor> p : model.weights().asMap().entrySet()) {
      String name = p.getKey();
      float[] actual = Tensors.toFloatArray(p.getValue());
      if (trueZero.contains(name)) {
        assertClose(what + " after_steps " + name + " (true zero: within sum_lr of its initial value)", actual,
            initial.get(name), sumLr);
        continue;
      }
      float[] expected = Tensors.toFloatArray(f.expected("after_steps." + name));
      float[] grad = Tensors.toFloatArray(f.expected("grad." + name));
      float[] strictActual = actual.clone();
      float[] strictExpected = expected.clone();
      int sensitive = 0;
      for (int i = 0; i < grad.length; i++) {
        if (grad[i] != 0 && Math.abs(grad[i]) < ADAM_SENSITIVE_GRAD) {
          sensitive++;
          if (Math.abs((double) actual[i] - expected[i]) > sumLr) {
            fail(String.format("%s after_steps %s[%d] (Adam-sensitive, |grad| %.3g): actual %.8g expected %.8g, more than"
                + " sum_lr %.3g apart", what, name, i, grad[i], actual[i], expected[i], sumLr));
          }
          strictActual[i] = 0; // compared above; left out of the strict comparison
          strictExpected[i] = 0;
        }
      }
      double err = assertClose(what + " after_steps " + name + (sensitive > 0 ? " (" + sensitive
          + " Adam-sensitive entries within sum_lr)" : ""), strictActual, strictExpected, AFTER_STEPS_ABS);
      worst = Math.max(worst, err);
    }
    return worst;
  }

  /** Our Hugging Face parameter groups leave exactly the fixture's {@code no_decay_params} without weight decay. */
  static void noDecayGroupMatches(EncoderForTokenClassification model, ParityFixture f) {
    Set<String> expected = f.noDecayParams();
    if (expected == null) {
      return;
    }
    String[] ours = model.weights().asMap().keySet().stream().filter(n -> !ParameterGroups.decays(n)).sorted()
        .toArray(String[]::new);
    String[] theirs = expected.stream().sorted().toArray(String[]::new);
    assertEquals(Arrays.asList(theirs), Arrays.asList(ours), "parameters without weight decay");
  }
}
