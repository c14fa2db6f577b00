package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import dev.exprbert.kernels.AdamwPlan;
import dev.exprbert.kernels.AdamwStepArgs;
import dev.exprbert.kernels.KernelsLibrary;
import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.kernels.OptimizerKernels;
import dev.exprbert.kernels.ScalarTypes;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * AdamW as one fused multi-tensor native call per step (plus one grad-norm call when clipping): PyTorch
 * {@code torch.optim.AdamW} semantics, fp32 moments, fp32 master weights for bfloat16/float16 parameters.
 * On a GPU the step count, clip coefficient and found-inf flag stay in device memory: a step never waits
 * for the device.
 *
 * <p>The kernel call is prepared once ({@link AdamwPlan}): the parameters, moments, master weights and group arrays
 * are checked and their pointer arrays built when the optimizer is made, so a step only hands over the new gradients
 * (with cheap checks) and the learning rate. A step where some parameter has no gradient (PyTorch skips those) takes
 * the one-shot path that checks everything.
 *
 * <p>Differences from PyTorch, on purpose: (1) one step counter is shared by all parameters, where PyTorch
 * keeps one per parameter; they differ only if some parameter has no gradient in some steps, which does not
 * happen when fine-tuning a whole model. (2) When clipping ({@code maxGradNorm > 0}) and any gradient is inf
 * or nan, the whole update is skipped (nothing changes, the step count included), where PyTorch would write
 * nan into the parameters; with a {@link GradientCheck} the same holds without clipping, and loss-scaled gradients
 * are unscaled inside the update ({@code GradScaler}'s skip, decided on the device).
 */
public final class FusedAdamW implements Optimizer {
  private static final long[] SCALAR = new long[] {};

  /** One optimised tensor with its state. */
  private record Slot(String name, Tensor param, int group, Tensor expAvg, Tensor expAvgSq, Tensor master) {}

  private final AdamWSettings settings;
  private final List<Slot> slots = new ArrayList<>();
  private final double[] groupLrScale;
  private final double[] groupWeightDecay;
  private final Device device;
  private final boolean cuda;
  private final Tensor step;
  private final Tensor clipCoef;
  private final Tensor foundInf;
  private final Tensor workspace;
  private final AdamwPlan plan;
  private boolean closed;

  public FusedAdamW(List<ParamGroup> groups, AdamWSettings settings) {
    NativeKernels.load();
    if (groups == null || groups.isEmpty()) {
      throw new IllegalArgumentException("groups must hold at least one ParamGroup, got " + (groups == null ? "null" : "none"));
    }
    if (settings == null) {
      throw new IllegalArgumentException("settings must not be null");
    }
    this.settings = settings;
    this.groupLrScale = new double[groups.size()];
    this.groupWeightDecay = new double[groups.size()];
    Tensor first = firstParameter(groups);
    int firstType = first.scalar_type().value;
    this.cuda = first.is_cuda();
    this.device = first.device();
    Set<String> names = new HashSet<>();
    try (PointerScope scope = new PointerScope()) {
      for (int g = 0; g < groups.size(); g++) {
        groupLrScale[g] = 1.0;
        groupWeightDecay[g] = groups.get(g).weightDecay();
        for (NamedParameter named : groups.get(g).parameters()) {
          String name = named.name();
          Tensor p = named.tensor();
          checkParameter(name, p, first, firstType);
          if (!names.add(name)) {
            throw new IllegalArgumentException("parameter name " + name + " appears twice; names key the optimizer state");
          }
          Tensor master = firstType == ScalarTypes.FLOAT ? null : keep(scope, p.to(ScalarType.Float).clone());
          long[] shape = p.sizes().vec().get();
          Tensor expAvg = keep(scope, torch.zeros(shape, floatOptions()));
          Tensor expAvgSq = keep(scope, torch.zeros(shape, floatOptions()));
          slots.add(new Slot(name, p, g, expAvg, expAvgSq, master));
        }
      }
      this.step = keep(scope, torch.zeros(new long[] {1}, options(ScalarType.Long)));
      this.clipCoef = keep(scope, torch.ones(SCALAR, floatOptions()));
      this.foundInf = keep(scope, torch.zeros(SCALAR, floatOptions()));
      this.workspace = cuda
          ? keep(scope, torch.zeros(new long[] {KernelsLibrary.EXPRBERT_GRAD_NORM_WORKSPACE_BYTES}, options(ScalarType.Byte)))
          : null;
    }
    this.plan = AdamwPlan.prepare(args(slots, null, 0, true));
  }

  /** The kernel arguments over {@code use} (grads may be null: a plan takes them per step). */
  private AdamwStepArgs args(List<Slot> use, List<Tensor> grads, double lr, boolean clip) {
    List<Tensor> params = new ArrayList<>(use.size());
    List<Tensor> masters = new ArrayList<>(use.size());
    List<Tensor> expAvg = new ArrayList<>(use.size());
    List<Tensor> expAvgSq = new ArrayList<>(use.size());
    int[] groupIndex = new int[use.size()];
    for (int i = 0; i < use.size(); i++) {
      Slot slot = use.get(i);
      params.add(slot.param());
      expAvg.add(slot.expAvg());
      expAvgSq.add(slot.expAvgSq());
      if (slot.master() != null) {
        masters.add(slot.master());
      }
      groupIndex[i] = slot.group();
    }
    return new AdamwStepArgs(params, masters.isEmpty() ? null : masters, grads, expAvg, expAvgSq, groupIndex,
        groupLrScale, groupWeightDecay, lr, settings.beta1(), settings.beta2(), settings.eps(), step, clip ? clipCoef : null, clip ? foundInf : null);
  }

  @Override
  public Tensor step(double lr, double maxGradNorm, GradientCheck check) {
    requireOpen();
    if (Double.isNaN(maxGradNorm)) {
      throw new IllegalArgumentException("maxGradNorm must be a number (<= 0 disables clipping), got NaN");
    }
    boolean clip = maxGradNorm > 0;
    boolean scaled = check != null && check.invScale() != null;
    // the grad-norm kernel runs when clipping or checking: it writes the norm, clip coefficient and found-inf flag,
    // and the update then reads the two scalars (skipping itself when the flag is set)
    boolean flagged = clip || check != null;
    // with a loss scale the kernel's coefficient would be that of the scaled norm: unscale() computes it instead
    double kernelMaxNorm = scaled ? 0.0 : maxGradNorm;
    Tensor norm = null;
    try (PointerScope scope = new PointerScope()) {
      norm = flagged ? keep(scope, torch.zeros(SCALAR, floatOptions())) : null;
      List<Tensor> grads = new ArrayList<>(slots.size());
      List<Slot> withGrad = new ArrayList<>(slots.size());
      for (Slot slot : slots) {
        Tensor grad = slot.param().grad();
        if (!grad.defined()) {
          continue; // PyTorch skips parameters without a gradient
        }
        // e.g. a grad produced by a transposed view: the kernel needs flat memory
        grads.add(grad.is_contiguous() ? grad : grad.contiguous());
        withGrad.add(slot);
      }
      if (withGrad.isEmpty()) {
        if (check != null) {
          check.foundInf().zero_();
        }
        return clip ? norm : closed(norm);
      }
      if (withGrad.size() == slots.size()) {
        plan.setGrads(grads);
        if (flagged) {
          plan.gradNorm(norm, kernelMaxNorm, workspace);
        }
        if (scaled) {
          unscale(norm, check.invScale(), maxGradNorm);
        }
        plan.step(lr, flagged);
      } else {
        if (flagged) {
          OptimizerKernels.gradNorm(grads, norm, clipCoef, foundInf, kernelMaxNorm, workspace);
        }
        if (scaled) {
          unscale(norm, check.invScale(), maxGradNorm);
        }
        OptimizerKernels.adamwStep(args(withGrad, grads, lr, flagged));
      }
      if (check != null) {
        check.foundInf().copy_(foundInf);
      }
    } catch (RuntimeException e) {
      if (norm != null) {
        norm.close();
      }
      throw e;
    }
    return clip ? norm : closed(norm);
  }

  /**
   * {@code GradScaler.unscale_} followed by {@code clip_grad_norm_}, folded into the update's one gradient multiplier:
   * {@code norm} (of the scaled gradients) becomes the unscaled norm, and the clip coefficient becomes
   * {@code min(1, max / (norm + 1e-6)) * invScale} (just {@code invScale} without clipping), which the kernel multiplies
   * into every gradient. The scale is a power of two, so this rounds exactly as unscaling first would. An unscaled
   * norm that is not finite sets the found-inf flag too (a scale below 1 could make it overflow). All on the device.
   */
  private void unscale(Tensor norm, Tensor invScale, double maxGradNorm) {
    try (PointerScope scope = new PointerScope()) {
      norm.mul_(invScale);
      if (maxGradNorm > 0) {
        // max_norm / (norm + 1e-6) as ATen evaluates a scalar over a tensor (GradClipping), capped at 1
        Tensor denominator = norm.add(new Scalar(1e-6));
        Tensor coefficient = torch.empty_like(denominator).fill_(new Scalar(maxGradNorm)).div_(denominator);
        clipCoef.copy_(coefficient.clamp_max_(new Scalar(1.0)).mul_(invScale));
      } else {
        clipCoef.copy_(invScale);
      }
      Tensor notFinite = torch.isfinite(norm).logical_not().to(ScalarType.Float);
      foundInf.copy_(torch.maximum(foundInf, notFinite));
    }
  }

  private static Tensor closed(Tensor t) {
    if (t != null) {
      t.close();
    }
    return null;
  }

  @Override
  public void zeroGrad() {
    requireOpen();
    for (Slot slot : slots) {
      try (Tensor grad = slot.param().mutable_grad()) {
        grad.reset();
      }
    }
  }

  @Override
  public long stepCount() {
    requireOpen();
    return step.item_long();
  }

  @Override
  public Map<String, Tensor> stateTensors() {
    requireOpen();
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Slot slot : slots) {
      state.put(slot.name() + ".exp_avg", cpuCopy(slot.expAvg()));
      state.put(slot.name() + ".exp_avg_sq", cpuCopy(slot.expAvgSq()));
      if (slot.master() != null) {
        state.put(slot.name() + ".master", cpuCopy(slot.master()));
      }
    }
    state.put("step", cpuCopy(step));
    return state;
  }

  @Override
  public void loadStateTensors(Map<String, Tensor> state) {
    requireOpen();
    if (state == null) {
      throw new IllegalArgumentException("state must not be null");
    }
    Map<String, Tensor> targets = new LinkedHashMap<>();
    for (Slot slot : slots) {
      targets.put(slot.name() + ".exp_avg", slot.expAvg());
      targets.put(slot.name() + ".exp_avg_sq", slot.expAvgSq());
      if (slot.master() != null) {
        targets.put(slot.name() + ".master", slot.master());
      }
    }
    targets.put("step", step);
    for (String key : state.keySet()) {
      if (!targets.containsKey(key)) {
        throw new IllegalArgumentException("optimizer state has an unexpected entry " + key
            + " (no such parameter in this optimizer; expected keys like " + targets.keySet().iterator().next() + ")");
      }
    }
    // Check everything first, then copy: a bad entry leaves the optimizer untouched.
    for (Map.Entry<String, Tensor> target : targets.entrySet()) {
      Tensor source = state.get(target.getKey());
      if (source == null || !source.defined()) {
        throw new IllegalArgumentException("optimizer state is missing " + target.getKey());
      }
      Tensor expected = target.getValue();
      if (source.scalar_type().value != expected.scalar_type().value) {
        throw new IllegalArgumentException("optimizer state " + target.getKey() + " must have dtype "
            + ScalarTypes.name(expected.scalar_type().value) + ", got " + ScalarTypes.name(source.scalar_type().value));
      }
      long[] want = expected.sizes().vec().get();
      long[] got = source.sizes().vec().get();
      if (!java.util.Arrays.equals(want, got)) {
        throw new IllegalArgumentException("optimizer state " + target.getKey() + " must have shape "
            + java.util.Arrays.toString(want) + ", got " + java.util.Arrays.toString(got));
      }
    }
    try (PointerScope scope = new PointerScope()) {
      for (Map.Entry<String, Tensor> target : targets.entrySet()) {
        target.getValue().copy_(state.get(target.getKey()));
      }
    }
    // Master weights are the truth for 16-bit parameters: make the parameters agree with them.
    try (PointerScope scope = new PointerScope()) {
      for (Slot slot : slots) {
        if (slot.master() != null) {
          slot.param().copy_(slot.master());
        }
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    plan.close();
    for (Slot slot : slots) {
      slot.expAvg().close();
      slot.expAvgSq().close();
      if (slot.master() != null) {
        slot.master().close();
      }
    }
    step.close();
    clipCoef.close();
    foundInf.close();
    if (workspace != null) {
      workspace.close();
    }
    device.close();
  }

  private static Tensor firstParameter(List<ParamGroup> groups) {
    for (ParamGroup group : groups) {
      if (group == null) {
        throw new IllegalArgumentException("groups must not contain null");
      }
      if (!group.parameters().isEmpty()) {
        return group.parameters().get(0).tensor();
      }
    }
    throw new IllegalArgumentException("groups hold no parameters at all");
  }

  private void checkParameter(String name, Tensor p, Tensor first, int firstType) {
    if (p == null || !p.defined()) {
      throw new IllegalArgumentException("parameter " + name + " must be a defined tensor");
    }
    int type = p.scalar_type().value;
    if (type != ScalarTypes.FLOAT && type != ScalarTypes.BFLOAT16 && type != ScalarTypes.HALF) {
      throw new IllegalArgumentException("parameter " + name + " must be Float, BFloat16 or Half, got " + ScalarTypes.name(type));
    }
    if (type != firstType) {
      throw new IllegalArgumentException("parameter " + name + " must have the dtype of the first parameter ("
          + ScalarTypes.name(firstType) + "), got " + ScalarTypes.name(type));
    }
    if (p.is_cuda() != cuda || (cuda && p.device().index() != first.device().index())) {
      throw new IllegalArgumentException("parameter " + name + " must be on the device of the first parameter ("
          + (cuda ? "cuda:" + first.device().index() : "cpu") + ")");
    }
    if (!p.is_contiguous()) {
      throw new IllegalArgumentException("parameter " + name + " must be contiguous: the fused step updates its memory in place");
    }
  }

  private TensorOptions floatOptions() {
    return options(ScalarType.Float);
  }

  private TensorOptions options(ScalarType type) {
    return new TensorOptions().dtype(new ScalarTypeOptional(type)).device(new DeviceOptional(device));
  }

  private static Tensor keep(PointerScope scope, Tensor t) {
    return Tensors.outlive(scope, t);
  }

  private static Tensor cpuCopy(Tensor t) {
    return t.is_cuda() ? t.cpu() : t.clone();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this FusedAdamW is closed");
    }
  }
}
