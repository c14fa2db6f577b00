package dev.exprbert.kernels;

import static dev.exprbert.kernels.TensorChecks.check;
import static dev.exprbert.kernels.TensorChecks.requireNumel;

import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The checked facade over the optimizer kernels of {@link KernelsLibrary}: shape, dtype, device and contiguity of
 * every tensor are checked before any native call (IllegalArgumentException naming the argument), and a native
 * status other than OK becomes a {@link KernelException} carrying {@code exprbert_last_error()}. CUDA tensors run
 * on LibTorch's current stream for their device, so no host synchronisation happens here.
 *
 * <p>These are one-shot calls that check everything on every call. An optimizer that steps the same tensors again
 * and again prepares an {@link AdamwPlan} instead, which checks the fixed tensors once.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /**
   * Global L2 norm of {@code grads} into {@code totalNorm}; optionally the clip coefficient
   * {@code min(1, maxNorm / (norm + 1e-6))} and the found-inf flag (1 when any element is inf or nan).
   *
   * @param workspace CUDA only: a tensor of at least {@link KernelsLibrary#EXPRBERT_GRAD_NORM_WORKSPACE_BYTES}
   *     bytes on the gradients' device (any dtype, contiguous); ignored (may be null) on the CPU
   */
  public static void gradNorm(List<Tensor> grads, Tensor totalNorm, Tensor clipCoef, Tensor foundInf, double maxNorm,
      Tensor workspace) {
    NativeKernels.load();
    if (grads == null) {
      throw new IllegalArgumentException("grads must not be null");
    }
    TensorChecks.requireDefined(totalNorm, "totalNorm");
    int device = TensorChecks.deviceOf(totalNorm);
    checkScalar(clipCoef, "clipCoef", device);
    checkScalar(foundInf, "foundInf", device);
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
    try (PointerScope scope = new PointerScope()) {
      int n = grads.size();
      PointerPointer<Pointer> gradPtrs = new PointerPointer<>(Math.max(n, 1));
      LongPointer numels = new LongPointer(Math.max(n, 1));
      for (int i = 0; i < n; i++) {
        gradPtrs.put(i, grads.get(i).data_ptr());
        numels.put(i, grads.get(i).numel());
      }
      KernelsLibrary.GradNormParams p = new KernelsLibrary.GradNormParams();
      KernelsLibrary.exprbert_grad_norm_params_init(p);
      p.num_tensors(n)
          .grads(gradPtrs)
          .numels(numels)
          .grad_dtype(gradDtype)
          .clip_coef(clipCoef == null ? null : new FloatPointer(clipCoef.data_ptr()))
          .found_inf(foundInf == null ? null : new FloatPointer(foundInf.data_ptr()))
          .device(device)
          .num_threads(NativeKernels.cpuThreads());
      fillGradNorm(p, totalNorm, maxNorm, device, workspace);
      KernelStatus.check("exprbert_grad_norm", KernelsLibrary.exprbert_grad_norm(p));
    }
  }

  /** One fused AdamW update of every parameter in {@code args} (PyTorch AdamW semantics, see kernels.h). */
  public static void adamwStep(AdamwStepArgs args) {
    try (AdamwPlan plan = AdamwPlan.prepare(args)) {
      plan.setGrads(args.grads());
      plan.step(args.lr(), true);
    }
  }

  /**
   * The per-call fields of a grad-norm struct: the output, max norm, stream and workspace, after checking them.
   * Shared by {@link #gradNorm} and {@link AdamwPlan#gradNorm}.
   */
  static void fillGradNorm(KernelsLibrary.GradNormParams p, Tensor totalNorm, double maxNorm, int device,
      Tensor workspace) {
    if (Double.isNaN(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be a number, got NaN");
    }
    TensorChecks.requireDefined(totalNorm, "totalNorm");
    check(totalNorm, "totalNorm", device, ScalarTypes.FLOAT);
    requireNumel(totalNorm, "totalNorm", 1, "a scalar");
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
    p.max_norm(maxNorm)
        .total_norm(new FloatPointer(totalNorm.data_ptr()))
        .stream(device >= 0 ? CudaStreams.current(device) : null)
        .workspace(device >= 0 ? workspace.data_ptr() : null)
        .workspace_bytes(workspaceBytes);
  }

  /** An optional float32 one-element tensor on {@code device} (null passes). */
  static void checkScalar(Tensor t, String name, int device) {
    if (t != null) {
      check(t, name, device, ScalarTypes.FLOAT);
      requireNumel(t, name, 1, "a scalar");
    }
  }

  static void checkLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
    }
  }
}
