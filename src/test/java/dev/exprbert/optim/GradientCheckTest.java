package dev.exprbert.optim;

import static dev.exprbert.optim.AdamWFixtures.LR;
import static dev.exprbert.optim.AdamWFixtures.closeAll;
import static dev.exprbert.optim.AdamWFixtures.cloneParams;
import static dev.exprbert.optim.AdamWFixtures.gradsForStep;
import static dev.exprbert.optim.AdamWFixtures.groups;
import static dev.exprbert.optim.AdamWFixtures.maxAbsDiff;
import static dev.exprbert.optim.AdamWFixtures.randomParams;
import static dev.exprbert.optim.AdamWFixtures.setGrads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.runtime.HostReads;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link GradientCheck}, GradScaler's half of a step, in both optimizers: gradients of a loss scaled by a power of two
 * and unscaled inside the step give the unscaled update bit for bit (with and without clipping); the found-inf flag
 * is written; a non-finite step is skipped on the device by the fused AdamW (no host read) and by LibTorch's AdamW only
 * when asked (one host read), which otherwise writes the NaN as PyTorch does.
 */
class GradientCheckTest {
  private static final AdamWSettings SETTINGS = new AdamWSettings(0.9, 0.999, 1e-8);
  private static final double SCALE = 1024;

  @BeforeAll
  static void load() {
    NativeKernels.load();
  }

  @ParameterizedTest
  @CsvSource({"FUSED_ADAMW, 0.0", "FUSED_ADAMW, 0.5", "TORCH_ADAMW, 0.0", "TORCH_ADAMW, 0.5"})
  void scaledGradientsUnscaledInTheStepGiveTheUnscaledUpdateBitForBit(OptimizerKind kind, double maxNorm) {
    List<Tensor> plain = randomParams(3, ScalarType.Float);
    List<Tensor> scaled = cloneParams(plain, ScalarType.Float);
    try (Optimizer a = kind.create(groups(plain), SETTINGS); Optimizer b = kind.create(groups(scaled), SETTINGS);
        Tensor invScale = torch.full(new long[] {}, new Scalar(1 / SCALE)); Tensor foundInf = torch.ones(new long[] {})) {
      for (int step = 0; step < 3; step++) {
        List<Tensor> grads = gradsForStep(step);
        List<Tensor> timesScale = new ArrayList<>();
        grads.forEach(g -> timesScale.add(g.mul(new Scalar(SCALE))));
        setGrads(plain, grads);
        setGrads(scaled, timesScale);
        try (Tensor n1 = a.step(LR, maxNorm); Tensor n2 = b.step(LR, maxNorm, new GradientCheck(invScale, foundInf, true))) {
          if (maxNorm > 0) {
            assertEquals(n1.item_float(), n2.item_float(), "the returned norm is that of the unscaled gradients");
            assertTrue(n1.item_float() > maxNorm, "the test needs the clipping to act");
          }
        }
        assertEquals(0f, foundInf.item_float(), "finite gradients: the flag is cleared");
        a.zeroGrad();
        b.zeroGrad();
        closeAll(grads);
        closeAll(timesScale);
      }
      assertEquals(0.0, maxAbsDiff(plain, scaled), kind + ": unscaling inside the step must give the same weights");
      assertEquals(3, b.stepCount());
    } finally {
      closeAll(plain);
      closeAll(scaled);
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void aNonFiniteGradientSetsTheFlagAndIsSkippedWhenAsked(OptimizerKind kind) {
    List<Tensor> params = randomParams(5, ScalarType.Float);
    List<Tensor> before = cloneParams(params, ScalarType.Float);
    try (Optimizer optimizer = kind.create(groups(params), SETTINGS); Tensor foundInf = torch.zeros(new long[] {})) {
      poisonedStep(params, optimizer, new GradientCheck(null, foundInf, true));
      assertEquals(1f, foundInf.item_float(), "an inf gradient element sets the flag");
      assertEquals(0, optimizer.stepCount(), kind + ": a skipped step does not count");
      assertEquals(0.0, maxAbsDiff(params, before), kind + ": a skipped step changes nothing");
    } finally {
      closeAll(params);
      closeAll(before);
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void onlyLibTorchAdamWReadsTheFlagToTheHost(OptimizerKind kind) {
    List<Tensor> params = randomParams(5, ScalarType.Float);
    try (Optimizer optimizer = kind.create(groups(params), SETTINGS); Tensor foundInf = torch.zeros(new long[] {})) {
      long reads = HostReads.count();
      poisonedStep(params, optimizer, new GradientCheck(null, foundInf, true));
      assertEquals(kind == OptimizerKind.TORCH_ADAMW ? 1 : 0, HostReads.count() - reads, kind + " host reads");
      reads = HostReads.count();
      poisonedStep(params, optimizer, new GradientCheck(null, foundInf, false));
      assertEquals(0, HostReads.count() - reads, "no skip asked: no read");
      if (kind == OptimizerKind.TORCH_ADAMW) {
        assertEquals(1, optimizer.stepCount(), "without skipNonFinite LibTorch's AdamW steps, as PyTorch does");
        try (Tensor nan = torch.isnan(params.get(4)).any()) {
          assertTrue(nan.item_bool(), "and writes the NaN into the weights");
        }
      } else {
        assertEquals(0, optimizer.stepCount(), "the fused AdamW always skips a non-finite step");
      }
    } finally {
      closeAll(params);
    }
  }

  private static void poisonedStep(List<Tensor> params, Optimizer optimizer, GradientCheck check) {
    List<Tensor> grads = gradsForStep(0);
    try (Tensor element = grads.get(4).narrow(0, 7, 1)) {
      element.fill_(new Scalar(Double.POSITIVE_INFINITY));
    }
    setGrads(params, grads);
    Tensor norm = optimizer.step(LR, 0.0, check);
    assertTrue(norm == null, "no clipping asked: no norm");
    optimizer.zeroGrad();
    closeAll(grads);
    assertNotNull(check.foundInf());
  }
}
