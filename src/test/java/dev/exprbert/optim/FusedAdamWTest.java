package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import static dev.exprbert.optim.AdamWFixtures.LR;
import static dev.exprbert.optim.AdamWFixtures.closeAll;
import static dev.exprbert.optim.AdamWFixtures.cloneParams;
import static dev.exprbert.optim.AdamWFixtures.gradsForStep;
import static dev.exprbert.optim.AdamWFixtures.groups;
import static dev.exprbert.optim.AdamWFixtures.maxAbsDiff;
import static dev.exprbert.optim.AdamWFixtures.randomParams;
import static dev.exprbert.optim.AdamWFixtures.setGrads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.kernels.NativeKernels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FusedAdamW against LibTorch's own torch::optim::AdamW, clip_grad_norm_, and its own resume. */
class FusedAdamWTest {
  private static final AdamWSettings SETTINGS = new AdamWSettings(0.9, 0.999, 1e-8);

  @BeforeAll
  static void load() {
    NativeKernels.load();
  }

  @Test
  void matchesLibTorchAdamWFor20StepsWithTwoWeightDecayGroups() {
    List<Tensor> ours = randomParams(1, ScalarType.Float);
    List<Tensor> theirs = cloneParams(ours, ScalarType.Float);
    List<Tensor> start = cloneParams(ours, ScalarType.Float);
    try (FusedAdamW fused = new FusedAdamW(groups(ours), SETTINGS); AdamW reference = AdamWFixtures.libTorchAdamW(theirs)) {
      for (int step = 0; step < 20; step++) {
        List<Tensor> grads = gradsForStep(step);
        setGrads(ours, grads);
        setGrads(theirs, grads);
        assertNull(fused.step(LR, 0.0), "no clipping asked: no norm");
        reference.step();
        closeAll(grads);
      }
      assertEquals(20, fused.stepCount());
      double diff = maxAbsDiff(ours, theirs);
      System.out.println("max |fused - LibTorch AdamW| after 20 steps: " + diff);
      assertTrue(diff <= 1e-6, "max |fused - LibTorch| after 20 steps = " + diff);
      assertTrue(maxAbsDiff(ours, start) > 1e-2, "the parameters must actually have moved");
    } finally {
      closeAll(ours);
      closeAll(theirs);
      closeAll(start);
    }
  }

  @Test
  void clippingMatchesLibTorchClipGradNormThenAdamW() {
    List<Tensor> ours = randomParams(2, ScalarType.Float);
    List<Tensor> theirs = cloneParams(ours, ScalarType.Float);
    double maxNorm = 1.0; // gradient norms here are ~ sqrt(73000) ~ 270: the clip is active
    try (FusedAdamW fused = new FusedAdamW(groups(ours), SETTINGS); AdamW reference = AdamWFixtures.libTorchAdamW(theirs)) {
      for (int step = 0; step < 20; step++) {
        List<Tensor> grads = gradsForStep(step);
        setGrads(ours, grads);
        setGrads(theirs, grads);
        float expectedNorm = AdamWFixtures.clipGradNormWithLibTorch(theirs, maxNorm);
        reference.step();
        try (Tensor norm = fused.step(LR, maxNorm)) {
          assertEquals(0, norm.dim(), "the norm is a 0-dim tensor");
          assertEquals(expectedNorm, norm.item_float(), 1e-5 * expectedNorm, "pre-clip norm at step " + step);
        }
        closeAll(grads);
      }
      double diff = maxAbsDiff(ours, theirs);
      System.out.println("max |fused - LibTorch clip_grad_norm_ + AdamW| after 20 steps: " + diff);
      assertTrue(diff <= 1e-6, "max |fused - LibTorch| with clipping = " + diff);
    } finally {
      closeAll(ours);
      closeAll(theirs);
    }
  }

  @Test
  void bf16ParametersFollowFp32MasterWeights() {
    List<Tensor> ours = randomParams(3, ScalarType.BFloat16);
    List<Tensor> theirs = cloneParams(ours, ScalarType.Float); // exact: bf16 -> fp32 widening
    try (FusedAdamW fused = new FusedAdamW(groups(ours), SETTINGS); AdamW reference = AdamWFixtures.libTorchAdamW(theirs)) {
      for (int step = 0; step < 10; step++) {
        List<Tensor> grads = gradsForStep(step);
        setGrads(ours, grads); // rounded to bf16
        try (PointerScopeHolder h = new PointerScopeHolder()) {
          for (int i = 0; i < theirs.size(); i++) {
            try (Tensor g16 = grads.get(i).to(ScalarType.BFloat16); Tensor g = g16.to(ScalarType.Float);
                Tensor slot = theirs.get(i).mutable_grad()) {
              slot.put(g); // the same bf16 values, widened
            }
          }
        }
        fused.step(LR, 0.0);
        reference.step();
        closeAll(grads);
      }
      Map<String, Tensor> state = fused.stateTensors();
      for (int i = 0; i < ours.size(); i++) {
        Tensor master = state.get("p" + i + ".master");
        try (Tensor expected = theirs.get(i).detach(); Tensor diff = master.sub(expected).abs().max();
            Tensor rounded = master.to(ScalarType.BFloat16); Tensor param = ours.get(i).detach()) {
          assertTrue(diff.item_double() <= 1e-6, "master p" + i + " vs fp32 LibTorch: " + diff.item_double());
          assertTrue(rounded.equal(param), "bf16 param p" + i + " must be its master weight rounded once");
        }
      }
      state.values().forEach(Tensor::close);
    } finally {
      closeAll(ours);
      closeAll(theirs);
    }
  }

  @Test
  void stateRoundTripResumesBitExactly() {
    List<Tensor> straight = randomParams(4, ScalarType.Float);
    List<Tensor> resumed = cloneParams(straight, ScalarType.Float);
    try (FusedAdamW uninterrupted = new FusedAdamW(groups(straight), SETTINGS)) {
      for (int step = 0; step < 20; step++) {
        runStep(uninterrupted, straight, step, 1.0);
      }
      Map<String, Tensor> saved;
      try (FusedAdamW first = new FusedAdamW(groups(resumed), SETTINGS)) {
        for (int step = 0; step < 10; step++) {
          runStep(first, resumed, step, 1.0);
        }
        saved = first.stateTensors();
      }
      assertTrue(saved.keySet().containsAll(List.of("p0.exp_avg", "p0.exp_avg_sq", "p4.exp_avg_sq", "step")));
      List<Tensor> continued = cloneParams(resumed, ScalarType.Float);
      try (FusedAdamW second = new FusedAdamW(groups(continued), SETTINGS)) {
        second.loadStateTensors(saved);
        assertEquals(10, second.stepCount());
        for (int step = 10; step < 20; step++) {
          runStep(second, continued, step, 1.0);
        }
        assertEquals(20, second.stepCount());
        for (int i = 0; i < straight.size(); i++) {
          assertTrue(straight.get(i).equal(continued.get(i)), "p" + i + " after resume differs from 20 straight steps");
        }
      } finally {
        closeAll(continued);
        saved.values().forEach(Tensor::close);
      }
    } finally {
      closeAll(straight);
      closeAll(resumed);
    }
  }

  @Test
  void loadStateRejectsMissingAndMisshapenEntries() {
    List<Tensor> params = randomParams(5, ScalarType.Float);
    try (FusedAdamW fused = new FusedAdamW(groups(params), SETTINGS)) {
      Map<String, Tensor> state = new HashMap<>(fused.stateTensors());
      Tensor removed = state.remove("p1.exp_avg");
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> fused.loadStateTensors(state));
      assertTrue(missing.getMessage().contains("missing p1.exp_avg"), missing.getMessage());
      state.put("p1.exp_avg", torch.zeros(5));
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> fused.loadStateTensors(state));
      assertTrue(shape.getMessage().contains("p1.exp_avg must have shape [32]"), shape.getMessage());
      state.put("p1.exp_avg", removed);
      state.put("p9.master", torch.zeros(1));
      IllegalArgumentException unexpected = assertThrows(IllegalArgumentException.class, () -> fused.loadStateTensors(state));
      assertTrue(unexpected.getMessage().contains("unexpected entry p9.master"), unexpected.getMessage());
      state.values().forEach(Tensor::close);
    } finally {
      closeAll(params);
    }
  }

  @Test
  void nonFiniteGradientSkipsTheWholeStep() {
    List<Tensor> params = randomParams(6, ScalarType.Float);
    List<Tensor> before = cloneParams(params, ScalarType.Float);
    try (FusedAdamW fused = new FusedAdamW(groups(params), SETTINGS)) {
      List<Tensor> grads = gradsForStep(0);
      try (Tensor element = grads.get(4).narrow(0, 5, 1)) {
        element.fill_(new org.bytedeco.pytorch.Scalar(Double.POSITIVE_INFINITY));
      }
      setGrads(params, grads);
      try (Tensor norm = fused.step(LR, 1.0)) {
        assertTrue(Float.isInfinite(norm.item_float()) || Float.isNaN(norm.item_float()));
      }
      assertEquals(0, fused.stepCount(), "a skipped step does not count");
      assertEquals(0.0, maxAbsDiff(params, before), "no parameter may change");
      closeAll(grads);
    } finally {
      closeAll(params);
      closeAll(before);
    }
  }

  @Test
  void zeroGradLeavesGradientsUndefinedAndParamsWithoutGradAreSkipped() {
    List<Tensor> params = randomParams(7, ScalarType.Float);
    List<Tensor> before = cloneParams(params, ScalarType.Float);
    try (FusedAdamW fused = new FusedAdamW(groups(params), SETTINGS)) {
      List<Tensor> grads = gradsForStep(0);
      setGrads(params, grads);
      fused.zeroGrad();
      for (Tensor p : params) {
        try (Tensor g = p.grad()) {
          assertFalse(g.defined(), "zeroGrad sets grads to undefined (set_to_none)");
        }
      }
      assertNull(fused.step(LR, 0.0));
      assertEquals(0, fused.stepCount(), "nothing had a gradient: nothing to do");
      assertEquals(0.0, maxAbsDiff(params, before));
      closeAll(grads);
    } finally {
      closeAll(params);
      closeAll(before);
    }
  }

  @Test
  void constructorRejectsUnsupportedParameters() {
    try (Tensor dbl = torch.zeros(3).to(ScalarType.Double); Tensor matrix = torch.zeros(4, 3); Tensor view = matrix.t()) {
      IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
          () -> new FusedAdamW(List.of(new ParamGroup(List.of(new NamedParameter("w", dbl)), 0.0)), SETTINGS));
      assertTrue(dtype.getMessage().contains("parameter w must be Float, BFloat16 or Half, got Double"), dtype.getMessage());
      IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
          () -> new FusedAdamW(List.of(new ParamGroup(List.of(new NamedParameter("wt", view)), 0.0)), SETTINGS));
      assertTrue(strided.getMessage().contains("wt must be contiguous"), strided.getMessage());
      IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
          () -> new FusedAdamW(List.of(new ParamGroup(List.of(new NamedParameter("m", matrix), new NamedParameter("m", matrix)), 0.0)),
              SETTINGS));
      assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
    }
  }

  private static void runStep(FusedAdamW optimizer, List<Tensor> params, int step, double maxNorm) {
    List<Tensor> grads = gradsForStep(step);
    setGrads(params, grads);
    Tensor norm = optimizer.step(LR, maxNorm);
    if (norm != null) {
      norm.close();
    }
    closeAll(grads);
  }

  /** Closes whatever JavaCPP objects a block creates. */
  private static final class PointerScopeHolder implements AutoCloseable {
    private final org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();

    @Override
    public void close() {
      scope.close();
    }
  }
}
