package dev.exprbert.optim;

import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch's {@code torch::nn::utils::clip_grad_norm_} (norm type 2) op for op, but returning the total norm as a
 * tensor on the gradients' device instead of reading it into a {@code double}: the C++ function ends with
 * {@code total_norm.item()}, which makes every step wait for the device. Same operations in the same order
 * (per-gradient norms, the norm of their stack, {@code max_norm / (norm + 1e-6)} written as ATen writes a scalar
 * divided by a tensor, clamped at 1, multiplied into every gradient), so the clipped gradients are bit for bit
 * what the C++ function gives.
 */
final class GradClipping {
  private GradClipping() {}

  /**
   * {@code GradScaler.unscale_} ({@code _amp_foreach_non_finite_check_and_unscale_}) over the gradients of
   * {@code parameters}: each is multiplied by {@code invScale} (when given) in place, and {@code foundInf} (0-dim
   * float32) becomes 1 when any element is inf or NaN afterwards, else 0. No host read.
   */
  static void unscaleAndCheck(List<Tensor> parameters, Tensor invScale, Tensor foundInf) {
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
      foundInf.zero_();
      for (Tensor p : parameters) {
        Tensor grad = p.grad();
        if (!grad.defined()) {
          continue;
        }
        if (invScale != null) {
          grad.mul_(invScale);
        }
        foundInf.copy_(torch.maximum(foundInf, torch.isfinite(grad).all().logical_not().to(foundInf.scalar_type())));
      }
    }
  }

  /**
   * Clips the gradients of {@code parameters} (those without a gradient are skipped) to the global L2 norm
   * {@code maxNorm}; returns that norm before clipping, a 0-dim tensor the caller owns (0 when no parameter has a
   * gradient).
   */
  static Tensor clipGradNorm(List<Tensor> parameters, double maxNorm) {
    // every tensor made here dies with the scope, except the norm handed out
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard(); Scalar two = new Scalar(2.0)) {
      List<Tensor> grads = new ArrayList<>();
      for (Tensor p : parameters) {
        Tensor grad = p.grad();
        if (grad.defined()) {
          grads.add(grad);
        }
      }
      if (grads.isEmpty()) {
        return Tensors.outlive(scope, torch.zeros(new long[] {}));
      }
      List<Tensor> norms = new ArrayList<>(grads.size());
      for (Tensor grad : grads) {
        norms.add(grad.norm(two));
      }
      Tensor total = norms.size() == 1 ? norms.get(0) : torch.stack(new TensorVector(norms.toArray(Tensor[]::new))).norm(two);
      // max_norm / (total + 1e-6) as ATen evaluates a scalar over a tensor: empty_like(y).fill_(x).div_(y)
      Tensor denominator = total.add(new Scalar(1e-6));
      Tensor coefficient = torch.empty_like(denominator);
      coefficient.fill_(new Scalar(maxNorm)).div_(denominator);
      Tensor clamped = torch.clamp(coefficient, new ScalarOptional(), new ScalarOptional(new Scalar(1.0)));
      for (Tensor grad : grads) {
        grad.mul_(clamped);
      }
      return Tensors.outlive(scope, total);
    }
  }
}
