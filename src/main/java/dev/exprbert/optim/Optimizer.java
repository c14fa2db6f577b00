package dev.exprbert.optim;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * An AdamW optimizer over parameter groups, with PyTorch {@code torch.optim.AdamW} semantics:
 * decoupled weight decay {@code p *= 1 - lr * wd}, bias-corrected moments, {@code eps} added after
 * the bias-corrected square root. Implementations: the LibTorch path and the fused native kernel.
 *
 * <p>The optimizer owns its moment tensors (closed by {@link #close()}); it borrows the parameters.
 */
public interface Optimizer extends AutoCloseable {

  /**
   * One update of every parameter at learning rate {@code lr}, reading each parameter's {@code grad()}
   * (parameters whose grad is undefined are skipped, as PyTorch does).
   *
   * <p>When {@code maxGradNorm > 0} the gradients are first clipped to that global L2 norm with
   * {@code torch.nn.utils.clip_grad_norm_} semantics (coefficient {@code max / (norm + 1e-6)}, capped at 1).
   *
   * @return the global gradient norm before clipping, a 0-dim float32 tensor on the parameters' device
   *     that the caller owns (reading it is the caller's choice, so a GPU step needs no host sync);
   *     {@code null} when {@code maxGradNorm <= 0}
   */
  default Tensor step(double lr, double maxGradNorm) {
    return step(lr, maxGradNorm, null);
  }

  /**
   * {@link #step(double, double)} with loss scaling and the non-finite check of {@code check} ({@link GradientCheck}:
   * the gradients are unscaled by {@code check.invScale()} before clipping and the update, {@code check.foundInf()}
   * is written, a non-finite step is skipped as it says); a null {@code check} is {@link #step(double, double)}. The
   * returned norm is that of the unscaled gradients.
   */
  Tensor step(double lr, double maxGradNorm, GradientCheck check);

  /** Sets every parameter's gradient to undefined (PyTorch {@code zero_grad(set_to_none=True)}). */
  void zeroGrad();

  /** Number of updates applied so far (PyTorch's per-parameter {@code state["step"]}). */
  long stepCount();

  /**
   * The state needed to resume bit-exactly, as CPU tensors named {@code <param>.exp_avg},
   * {@code <param>.exp_avg_sq} (and {@code <param>.master} where fp32 master weights are kept)
   * plus {@code step}; the caller owns the returned tensors.
   */
  Map<String, Tensor> stateTensors();

  /** Restores what {@link #stateTensors()} returned; throws IllegalArgumentException naming a missing or misshapen entry. */
  void loadStateTensors(Map<String, Tensor> state);

  @Override
  void close();
}
