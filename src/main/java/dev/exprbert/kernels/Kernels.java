package dev.exprbert.kernels;

import static dev.exprbert.kernels.TensorChecks.check;
import static dev.exprbert.kernels.TensorChecks.requireNumel;
import static dev.exprbert.kernels.TensorChecks.requireSameSize;

import dev.exprbert.runtime.Natives;
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
 * The checked facade over {@link KernelsLibrary}: shape, dtype, device and contiguity of every tensor are
 * checked before any native call (IllegalArgumentException naming the argument), and a native status other
 * than OK becomes a {@link KernelException} carrying {@code exprbert_last_error()}. CUDA tensors run on
 * LibTorch's current stream for their device, so no host synchronisation happens here.
 */
public final class Kernels {
  private Kernels() {}

  /** One line: ABI and library version, whether CUDA is compiled in, and its archs. */
  public static String buildInfo() {
    Natives.initKernels();
    return KernelsLibrary.exprbert_build_info().getString();
  }

  public static boolean cudaCompiled() {
    Natives.initKernels();
    return KernelsLibrary.exprbert_cuda_compiled() != 0;
  }

  /** Number of CUDA devices the library sees; 0 when there is no usable GPU, driver or CUDA build. */
  public static int cudaDeviceCount() {
    Natives.initKernels();
    int count = KernelsLibrary.exprbert_cuda_device_count();
    return Math.max(count, 0);
  }

  /**
   * Global L2 norm of {@code grads} into {@code totalNorm}; optionally the clip coefficient
   * {@code min(1, maxNorm / (norm + 1e-6))} and the found-inf flag (1 when any element is inf or nan).
   *
   * @param workspace CUDA only: a tensor of at least {@link KernelsLibrary#EXPRBERT_GRAD_NORM_WORKSPACE_BYTES}
   *     bytes on the gradients' device (any dtype, contiguous); ignored (may be null) on the CPU
   */
  public static void gradNorm(List<Tensor> grads, Tensor totalNorm, Tensor clipCoef, Tensor foundInf, double maxNorm,
      Tensor workspace) {
    Natives.initKernels();
    if (grads == null) {
      throw new IllegalArgumentException("grads must not be null");
    }
    if (Double.isNaN(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be a number, got NaN");
    }
    TensorChecks.requireDefined(totalNorm, "totalNorm");
    int device = TensorChecks.deviceOf(totalNorm);
    check(totalNorm, "totalNorm", device, ScalarTypes.FLOAT);
    requireNumel(totalNorm, "totalNorm", 1, "a scalar");
    if (clipCoef != null) {
      check(clipCoef, "clipCoef", device, ScalarTypes.FLOAT);
      requireNumel(clipCoef, "clipCoef", 1, "a scalar");
    }
    if (foundInf != null) {
      check(foundInf, "foundInf", device, ScalarTypes.FLOAT);
      requireNumel(foundInf, "foundInf", 1, "a scalar");
    }
    int gradDtype = KernelsLibrary.EXPRBERT_DTYPE_F32;
    for (int i = 0; i < grads.size(); i++) {
      int dtype = check(grads.get(i), "grads[" + i + "]", device, ScalarTypes.FLOAT, ScalarTypes.BFLOAT16, ScalarTypes.HALF);
      if (i == 0) {
        gradDtype = dtype;
      } else if (dtype != gradDtype) {
        throw new IllegalArgumentException("grads[" + i + "] must have the dtype of grads[0] ("
            + TensorChecks.dtypeName(grads.get(0)) + "), got " + TensorChecks.dtypeName(grads.get(i)));
      }
    }
    long workspaceBytes = 0;
    if (device >= 0) {
      TensorChecks.requireDefined(workspace, "workspace");
      check(workspace, "workspace", device, workspace.scalar_type().value);
      workspaceBytes = workspace.nbytes();
      if (workspaceBytes < KernelsLibrary.EXPRBERT_GRAD_NORM_WORKSPACE_BYTES) {
        throw new IllegalArgumentException("workspace must hold at least " + KernelsLibrary.EXPRBERT_GRAD_NORM_WORKSPACE_BYTES
            + " bytes, got " + workspaceBytes);
      }
    }
    try (PointerScope scope = new PointerScope()) {
      int n = grads.size();
      PointerPointer<Pointer> gradPtrs = new PointerPointer<>(Math.max(n, 1));
      LongPointer numels = new LongPointer(Math.max(n, 1));
      for (int i = 0; i < n; i++) {
        gradPtrs.put(i, grads.get(i).data_ptr());
        numels.put(i, grads.get(i).numel());
      }
      KernelsLibrary.GradNormParams p = new KernelsLibrary.GradNormParams();
      p.num_tensors(n)
          .grads(gradPtrs)
          .numels(numels)
          .grad_dtype(gradDtype)
          .max_norm(maxNorm)
          .total_norm(new FloatPointer(totalNorm.data_ptr()))
          .clip_coef(clipCoef == null ? null : new FloatPointer(clipCoef.data_ptr()))
          .found_inf(foundInf == null ? null : new FloatPointer(foundInf.data_ptr()))
          .device(device)
          .stream(device >= 0 ? CudaStreams.current(device) : null)
          .workspace(device >= 0 ? workspace.data_ptr() : null)
          .workspace_bytes(workspaceBytes)
          .num_threads(0);
      checkStatus("exprbert_grad_norm", KernelsLibrary.exprbert_grad_norm(p));
    }
  }

  /** One fused AdamW update of every parameter in {@code args} (PyTorch AdamW semantics, see kernels.h). */
  public static void adamwStep(AdamwStepArgs args) {
    Natives.initKernels();
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
    requireSameSize(args.grads(), "grads", n, "params");
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
    int gradDtype = KernelsLibrary.EXPRBERT_DTYPE_F32;
    for (int i = 0; i < n; i++) {
      String at = "[" + i + "]";
      int pd = check(params.get(i), "params" + at, device, ScalarTypes.FLOAT, ScalarTypes.BFLOAT16, ScalarTypes.HALF);
      int gd = check(args.grads().get(i), "grads" + at, device, ScalarTypes.FLOAT, ScalarTypes.BFLOAT16, ScalarTypes.HALF);
      if (i == 0) {
        paramDtype = pd;
        gradDtype = gd;
      } else if (pd != paramDtype || gd != gradDtype) {
        throw new IllegalArgumentException("params" + at + " / grads" + at + " must have the dtypes of params[0] / grads[0] ("
            + TensorChecks.dtypeName(params.get(0)) + " / " + TensorChecks.dtypeName(args.grads().get(0)) + "), got "
            + TensorChecks.dtypeName(params.get(i)) + " / " + TensorChecks.dtypeName(args.grads().get(i)));
      }
      long numel = params.get(i).numel();
      requireNumel(args.grads().get(i), "grads" + at, numel, "params" + at);
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
    Tensor clipCoef = args.clipCoef();
    Tensor foundInf = args.foundInf();
    if (clipCoef != null) {
      check(clipCoef, "clipCoef", device, ScalarTypes.FLOAT);
      requireNumel(clipCoef, "clipCoef", 1, "a scalar");
    }
    if (foundInf != null) {
      check(foundInf, "foundInf", device, ScalarTypes.FLOAT);
      requireNumel(foundInf, "foundInf", 1, "a scalar");
    }
    try (PointerScope scope = new PointerScope()) {
      int size = Math.max(n, 1);
      PointerPointer<Pointer> paramPtrs = new PointerPointer<>(size);
      PointerPointer<Pointer> masterPtrs = new PointerPointer<>(size);
      PointerPointer<Pointer> gradPtrs = new PointerPointer<>(size);
      PointerPointer<Pointer> expAvgPtrs = new PointerPointer<>(size);
      PointerPointer<Pointer> expAvgSqPtrs = new PointerPointer<>(size);
      LongPointer numels = new LongPointer(size);
      IntPointer groups = new IntPointer(size);
      for (int i = 0; i < n; i++) {
        paramPtrs.put(i, params.get(i).data_ptr());
        gradPtrs.put(i, args.grads().get(i).data_ptr());
        expAvgPtrs.put(i, args.expAvg().get(i).data_ptr());
        expAvgSqPtrs.put(i, args.expAvgSq().get(i).data_ptr());
        if (hasMaster) {
          masterPtrs.put(i, args.master().get(i).data_ptr());
        }
        numels.put(i, params.get(i).numel());
        groups.put(i, args.groupIndex()[i]);
      }
      KernelsLibrary.AdamwParams p = new KernelsLibrary.AdamwParams();
      p.num_tensors(n)
          .params(paramPtrs)
          .master(hasMaster ? masterPtrs : null)
          .grads(gradPtrs)
          .exp_avg(expAvgPtrs)
          .exp_avg_sq(expAvgSqPtrs)
          .numels(numels)
          .group_index(groups)
          .num_groups(lrScale.length)
          .group_lr_scale(new DoublePointer(lrScale))
          .group_weight_decay(new DoublePointer(weightDecay))
          .param_dtype(paramDtype)
          .grad_dtype(gradDtype)
          .lr(args.lr())
          .lr_device(null)
          .beta1(args.beta1())
          .beta2(args.beta2())
          .eps(args.eps())
          .step(new LongPointer(args.step().data_ptr()))
          .clip_coef(clipCoef == null ? null : new FloatPointer(clipCoef.data_ptr()))
          .found_inf(foundInf == null ? null : new FloatPointer(foundInf.data_ptr()))
          .device(device)
          .stream(device >= 0 ? CudaStreams.current(device) : null)
          .num_threads(0);
      checkStatus("exprbert_adamw_step", KernelsLibrary.exprbert_adamw_step(p));
    }
  }

  private static void checkHyper(AdamwStepArgs args) {
    if (!(args.lr() >= 0) || Double.isInfinite(args.lr())) {
      throw new IllegalArgumentException("lr must be finite and >= 0, got " + args.lr());
    }
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

  private static void checkStatus(String function, int status) {
    if (status != KernelsLibrary.EXPRBERT_OK) {
      throw new KernelException(function, status, KernelsLibrary.exprbert_last_error().getString());
    }
  }
}
