package dev.exprbert.optim;

import org.bytedeco.pytorch.Tensor;

/**
 * What an {@link Optimizer#step(double, double, GradientCheck)} does about loss scaling and non-finite gradients,
 * as {@code torch.amp.GradScaler.unscale_} and {@code step} do: the gradients are divided by the loss scale before
 * clipping and the update, a flag records whether any gradient element was inf or NaN, and such a step can be skipped
 * whole (parameters, moments and the step count unchanged).
 *
 * <p>Everything stays on the device: the fused AdamW decides the skip inside its kernel from the flag, so a skipped
 * step costs no host synchronisation and it always skips (a non-finite gradient would only write NaN into the
 * weights). LibTorch's AdamW cannot: with {@code skipNonFinite} it reads the flag to the host (one
 * {@code HostReads} read per step, what {@code GradScaler.step} does with its {@code found_inf.item()}); without it
 * the update runs whatever the gradients hold, as {@code torch.optim.AdamW} does.
 *
 * @param invScale a 0-dim float32 tensor on the parameters' device holding {@code 1 / loss scale}, or null when the
 *     loss was not scaled; borrowed
 * @param foundInf a 0-dim float32 tensor on the parameters' device the step writes: 1 when any gradient element is
 *     inf or NaN (after unscaling), else 0; borrowed
 * @param skipNonFinite whether a step with a non-finite gradient must be skipped (see above)
 */
public record GradientCheck(Tensor invScale, Tensor foundInf, boolean skipNonFinite) {
  public GradientCheck {
    if (foundInf == null) {
      throw new IllegalArgumentException("foundInf must be a 0-dim float32 tensor the step writes, got null");
    }
  }
}
