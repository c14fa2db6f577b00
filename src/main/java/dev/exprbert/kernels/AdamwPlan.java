package dev.exprbert.kernels;

import static dev.exprbert.kernels.TensorChecks.check;
import static dev.exprbert.kernels.TensorChecks.requireNumel;
import static dev.exprbert.kernels.TensorChecks.requireSameSize;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A fused AdamW step (and its gradient norm) prepared once for a fixed set of tensors: everything that does not
 * change between steps (parameters, fp32 master weights, both moments, the group arrays, the step counter and the
 * clip / found-inf scalars) is checked once in {@link #prepare}, and its pointer arrays and both params structs are
 * built once. A step then only refreshes what changes: the gradients ({@link #setGrads}, with cheap per-gradient
 * checks: defined, dtype, element count, contiguity, device), the learning rate and whether to clip.
 *
 * <p>The parameters are updated in place and the moments are owned by the caller, so their addresses are stable;
 * the caller must not replace them while the plan lives (copy into them instead, as resume does). Owns its native
 * arrays and structs: close it. Not thread-safe.
 */
public final class AdamwPlan implements AutoCloseable {
  private final List<Pointer> owned = new ArrayList<>();
  private final int n;
  private final long[] numels;
  private final int device;
  private final boolean hasMaster;
  private final PointerPointer<Pointer> gradPtrs;
  private final FloatPointer clipCoefPtr;
  private final FloatPointer foundInfPtr;
  private final KernelsLibrary.AdamwParams adamw;
  private final KernelsLibrary.GradNormParams norm;
  private int gradDtype = -1;
  private boolean closed;

  private AdamwPlan(AdamwStepArgs args, int device, int paramDtype, boolean hasMaster) {
    this.n = args.params().size();
    this.device = device;
    this.hasMaster = hasMaster;
    this.numels = new long[n];
    // Built inside a scope of its own so nothing attaches to a caller's scope; what the plan keeps is detached
    // from it (keep) and lives until close().
    try (PointerScope scope = new PointerScope()) {
      int size = Math.max(n, 1);
      PointerPointer<Pointer> paramPtrs = keep(scope, new PointerPointer<>(size));
      PointerPointer<Pointer> masterPtrs = keep(scope, new PointerPointer<>(size));
      PointerPointer<Pointer> expAvgPtrs = keep(scope, new PointerPointer<>(size));
      PointerPointer<Pointer> expAvgSqPtrs = keep(scope, new PointerPointer<>(size));
      this.gradPtrs = keep(scope, new PointerPointer<>(size));
      LongPointer numelPtr = keep(scope, new LongPointer(size));
      IntPointer groups = keep(scope, new IntPointer(size));
      for (int i = 0; i < n; i++) {
        numels[i] = args.params().get(i).numel();
        paramPtrs.put(i, args.params().get(i).data_ptr());
        expAvgPtrs.put(i, args.expAvg().get(i).data_ptr());
        expAvgSqPtrs.put(i, args.expAvgSq().get(i).data_ptr());
        if (hasMaster) {
          masterPtrs.put(i, args.master().get(i).data_ptr());
        }
        numelPtr.put(i, numels[i]);
        groups.put(i, args.groupIndex()[i]);
      }
      this.clipCoefPtr = args.clipCoef() == null ? null : keep(scope, new FloatPointer(args.clipCoef().data_ptr()));
      this.foundInfPtr = args.foundInf() == null ? null : keep(scope, new FloatPointer(args.foundInf().data_ptr()));
      this.adamw = keep(scope, new KernelsLibrary.AdamwParams());
      KernelsLibrary.exprbert_adamw_params_init(adamw);
      adamw.num_tensors(n)
          .params(paramPtrs)
          .master(hasMaster ? masterPtrs : null)
          .grads(gradPtrs)
          .exp_avg(expAvgPtrs)
          .exp_avg_sq(expAvgSqPtrs)
          .numels(numelPtr)
          .group_index(groups)
          .num_groups(args.groupLrScale().length)
          .group_lr_scale(keep(scope, new DoublePointer(args.groupLrScale())))
          .group_weight_decay(keep(scope, new DoublePointer(args.groupWeightDecay())))
          .param_dtype(paramDtype)
          .beta1(args.beta1())
          .beta2(args.beta2())
          .eps(args.eps())
          .step(keep(scope, new LongPointer(args.step().data_ptr())))
          .device(device);
      this.norm = keep(scope, new KernelsLibrary.GradNormParams());
      KernelsLibrary.exprbert_grad_norm_params_init(norm);
      norm.num_tensors(n).grads(gradPtrs).numels(numelPtr).device(device)
          .clip_coef(clipCoefPtr).found_inf(foundInfPtr);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Moves {@code p} out of {@code scope} into this plan (PointerScope.detach also drops one reference: retain first). */
  private <P extends Pointer> P keep(PointerScope scope, P p) {
    p.retainReference();
    scope.detach(p);
    owned.add(p);
    return p;
  }

  /**
   * Checks every tensor of {@code args} except the gradients (which {@link #setGrads} takes per step) and builds
   * the plan; {@code args.grads()} and {@code args.lr()} are ignored here. IllegalArgumentException names the first
   * bad argument.
   */
  public static AdamwPlan prepare(AdamwStepArgs args) {
    NativeKernels.load();
    if (args == null) {
      throw new IllegalArgumentException("args must not be null");
    }
    TensorChecks.requireDefined(args.step(), "step");
    int device = TensorChecks.deviceOf(args.step());
    check(args.step(), "step", device, ScalarTypes.LONG);
    requireNumel(args.step(), "step", 1, "a step counter");
    List<Tensor> params = args.params();
    if (params == null) {
      throw new IllegalArgumentException("params must not be null");
    }
    int n = params.size();
    requireSameSize(args.expAvg(), "expAvg", n, "params");
    requireSameSize(args.expAvgSq(), "expAvgSq", n, "params");
    boolean hasMaster = args.master() != null && !args.master().isEmpty();
    if (hasMaster) {
      requireSameSize(args.master(), "master", n, "params");
    }
    if (args.groupIndex() == null || args.groupIndex().length != n) {
      throw new IllegalArgumentException("groupIndex must hold " + n + " entries like params, got "
          + (args.groupIndex() == null ? "null" : String.valueOf(args.groupIndex().length)));
    }
    double[] lrScale = args.groupLrScale();
    double[] weightDecay = args.groupWeightDecay();
    if (lrScale == null || weightDecay == null || lrScale.length != weightDecay.length || (n > 0 && lrScale.length == 0)) {
      throw new IllegalArgumentException("groupLrScale and groupWeightDecay must be non-empty arrays of one length, got "
          + (lrScale == null ? "null" : lrScale.length) + " and " + (weightDecay == null ? "null" : weightDecay.length));
    }
    checkHyper(args);
    int paramDtype = KernelsLibrary.EXPRBERT_DTYPE_F32;
    for (int i = 0; i < n; i++) {
      String at = "[" + i + "]";
      int pd = check(params.get(i), "params" + at, device, ScalarTypes.FLOAT, ScalarTypes.BFLOAT16, ScalarTypes.HALF);
      if (i == 0) {
        paramDtype = pd;
      } else if (pd != paramDtype) {
        throw new IllegalArgumentException("params" + at + " must have the dtype of params[0] ("
            + TensorChecks.dtypeName(params.get(0)) + "), got " + TensorChecks.dtypeName(params.get(i)));
      }
      long numel = params.get(i).numel();
      check(args.expAvg().get(i), "expAvg" + at, device, ScalarTypes.FLOAT);
      requireNumel(args.expAvg().get(i), "expAvg" + at, numel, "params" + at);
      check(args.expAvgSq().get(i), "expAvgSq" + at, device, ScalarTypes.FLOAT);
      requireNumel(args.expAvgSq().get(i), "expAvgSq" + at, numel, "params" + at);
      if (hasMaster) {
        check(args.master().get(i), "master" + at, device, ScalarTypes.FLOAT);
        requireNumel(args.master().get(i), "master" + at, numel, "params" + at);
      }
      int g = args.groupIndex()[i];
      if (g < 0 || g >= lrScale.length) {
        throw new IllegalArgumentException("groupIndex" + at + " must be in [0, " + lrScale.length + "), got " + g);
      }
    }
    if (n > 0 && (paramDtype != KernelsLibrary.EXPRBERT_DTYPE_F32) != hasMaster) {
      throw new IllegalArgumentException(hasMaster
          ? "master must be null when params are Float (the parameters are the fp32 weights)"
          : "master (fp32 master weights) must be given when params are " + TensorChecks.dtypeName(params.get(0)));
    }
    OptimizerKernels.checkScalar(args.clipCoef(), "clipCoef", device);
    OptimizerKernels.checkScalar(args.foundInf(), "foundInf", device);
    return new AdamwPlan(args, device, paramDtype, hasMaster);
  }

  /**
   * The gradients of the next step, one per parameter in the plan's order: each defined, contiguous, on the plan's
   * device, with the parameter's element count, all of one dtype (Float, or BFloat16 / Half). Borrowed: they must
   * stay alive until {@link #step} returns.
   */
  public void setGrads(List<Tensor> grads) {
    requireOpen();
    requireSameSize(grads, "grads", n, "params");
    for (int i = 0; i < n; i++) {
      Tensor g = grads.get(i);
      String name = "grads[" + i + "]";
      int dtype;
      if (i == 0) {
        dtype = check(g, name, device, ScalarTypes.FLOAT, ScalarTypes.BFLOAT16, ScalarTypes.HALF);
        gradDtype = dtype;
      } else {
        TensorChecks.requireDefined(g, name);
        dtype = ScalarTypes.toExprbert(g.scalar_type().value);
        if (dtype != gradDtype) {
          throw new IllegalArgumentException(name + " must have the dtype of grads[0] ("
              + TensorChecks.dtypeName(grads.get(0)) + "), got " + TensorChecks.dtypeName(g));
        }
        if (!g.is_contiguous()) {
          throw new IllegalArgumentException(name + " must be contiguous (the kernel walks raw memory); call contiguous() first");
        }
        if (g.is_cuda() != (device >= 0) || (device >= 0 && TensorChecks.deviceOf(g) != device)) {
          throw new IllegalArgumentException(name + " must be on " + TensorChecks.deviceName(device)
              + " like the parameters, got " + TensorChecks.deviceName(TensorChecks.deviceOf(g)));
        }
      }
      requireNumel(g, name, numels[i], "params[" + i + "]");
      gradPtrs.put(i, g.data_ptr());
    }
    adamw.grad_dtype(gradDtype);
    norm.grad_dtype(gradDtype);
  }

  /**
   * The global L2 norm of the gradients set by {@link #setGrads} into {@code totalNorm} (float32 scalar on the
   * plan's device), and the clip coefficient {@code min(1, maxNorm / (norm + 1e-6))} and found-inf flag into the
   * plan's clipCoef / foundInf when it has them. No host synchronisation.
   *
   * @param workspace CUDA only: at least {@link KernelsLibrary#EXPRBERT_GRAD_NORM_WORKSPACE_BYTES} bytes on the
   *     device; ignored (may be null) on the CPU
   */
  public void gradNorm(Tensor totalNorm, double maxNorm, Tensor workspace) {
    requireOpen();
    requireGradsSet();
    try (PointerScope call = new PointerScope()) {
      OptimizerKernels.fillGradNorm(norm, totalNorm, maxNorm, device, workspace);
      norm.num_threads(NativeKernels.cpuThreads());
      KernelStatus.check("exprbert_grad_norm", KernelsLibrary.exprbert_grad_norm(norm));
    }
  }

  /**
   * One AdamW update at learning rate {@code lr} with the gradients of {@link #setGrads}; {@code clipped} applies the
   * plan's clipCoef and skips the whole update when its foundInf flag is set (whichever of the two the plan was
   * prepared with; written by {@link #gradNorm} or by the caller).
   */
  public void step(double lr, boolean clipped) {
    requireOpen();
    requireGradsSet();
    OptimizerKernels.checkLr(lr);
    adamw.lr(lr).clip_coef(clipped ? clipCoefPtr : null).found_inf(clipped ? foundInfPtr : null);
    if (device >= 0) {
      adamw.stream(CudaStreams.current(device)); // LibTorch's current stream of this moment, as every call takes it
    }
    adamw.num_threads(NativeKernels.cpuThreads());
    KernelStatus.check("exprbert_adamw_step", KernelsLibrary.exprbert_adamw_step(adamw));
  }

  private void requireGradsSet() {
    if (gradDtype < 0) {
      throw new IllegalStateException("setGrads must be called before a step");
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this AdamwPlan is closed");
    }
  }

  private static void checkHyper(AdamwStepArgs args) {
    if (!(args.beta1() >= 0 && args.beta1() < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + args.beta1());
    }
    if (!(args.beta2() >= 0 && args.beta2() < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + args.beta2());
    }
    if (!(args.eps() > 0) || Double.isInfinite(args.eps())) {
      throw new IllegalArgumentException("eps must be finite and > 0, got " + args.eps());
    }
    for (int g = 0; g < args.groupLrScale().length; g++) {
      double scale = args.groupLrScale()[g];
      double wd = args.groupWeightDecay()[g];
      if (!(scale >= 0) || Double.isInfinite(scale)) {
        throw new IllegalArgumentException("groupLrScale[" + g + "] must be finite and >= 0, got " + scale);
      }
      if (!(wd >= 0) || Double.isInfinite(wd)) {
        throw new IllegalArgumentException("groupWeightDecay[" + g + "] must be finite and >= 0, got " + wd);
      }
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      owned.forEach(Pointer::close);
      owned.clear();
    }
  }
}
