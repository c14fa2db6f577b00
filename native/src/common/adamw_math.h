// The AdamW update of ONE element, shared by the CPU twin and the CUDA functor (traversal, math and
// dispatch kept apart; math in float whatever the storage type).
//
// [note: operation order] LibTorch's torch::optim::AdamW::step (torch/csrc/api/src/optim/adamw.cpp) runs
//   p.mul_(1 - lr * wd)
//   exp_avg.mul_(beta1).add_(grad, 1 - beta1)
//   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
//   denom = (exp_avg_sq.sqrt() / sqrt(bias_correction2)).add_(eps)
//   p.addcdiv_(exp_avg, denom, -lr / bias_correction1)
// with double scalars that the float kernels round to float once, and addcmul/addcdiv computing
// self + (value * t1) * t2 and self + (value * t1) / t2. We repeat exactly that sequence of float
// operations. The library is compiled with floating-point contraction off (host -ffp-contract=off,
// nvcc --fmad=false), so the CPU twin and the CUDA kernels produce the same bits, and fp32 results agree
// with LibTorch's to about one ulp (LibTorch's vectorised add_ may fuse a multiply-add).
#pragma once

#include <cmath>
#include <cstdint>

#include "host_device.h"

namespace exprbert {

// Host uses the std:: overloads, device the CUDA math library: same IEEE results (sqrt is correctly
// rounded in both; nvcc's default -prec-sqrt=true).
#if defined(__CUDA_ARCH__)
EXPRBERT_HD float sqrt_f32(float x) { return sqrtf(x); }
EXPRBERT_HD double pow_f64(double x, double y) { return pow(x, y); }
EXPRBERT_HD double sqrt_f64(double x) { return sqrt(x); }
EXPRBERT_HD bool is_finite_f32(float x) { return isfinite(x); }
#else
inline float sqrt_f32(float x) { return std::sqrt(x); }
inline double pow_f64(double x, double y) { return std::pow(x, y); }
inline double sqrt_f64(double x) { return std::sqrt(x); }
inline bool is_finite_f32(float x) { return std::isfinite(x); }
#endif

// Per-group scalars of one step, rounded to float once (the way LibTorch's Scalars reach float kernels).
struct AdamwCoefficients {
  float decay;                  // 1 - lr * weight_decay
  float beta1;
  float one_minus_beta1;
  float beta2;
  float one_minus_beta2;
  float bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  float eps;
  float neg_step_size;          // -lr / (1 - beta1^t)
};

// `step` is the 1-based count of this update.
EXPRBERT_HD AdamwCoefficients adamw_coefficients(double lr, double weight_decay, double beta1, double beta2,
                                                 double eps, int64_t step) {
  const double t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - pow_f64(beta1, t);
  const double bias_correction2 = 1.0 - pow_f64(beta2, t);
  AdamwCoefficients c;
  c.decay = static_cast<float>(1.0 - lr * weight_decay);
  c.beta1 = static_cast<float>(beta1);
  c.one_minus_beta1 = static_cast<float>(1.0 - beta1);
  c.beta2 = static_cast<float>(beta2);
  c.one_minus_beta2 = static_cast<float>(1.0 - beta2);
  c.bias_correction2_sqrt = static_cast<float>(sqrt_f64(bias_correction2));
  c.eps = static_cast<float>(eps);
  c.neg_step_size = static_cast<float>(-(lr / bias_correction1));
  return c;
}

// One element: `weight` is the fp32 value being optimised (the master weight when there is one).
EXPRBERT_HD void adamw_update(float& weight, float& exp_avg, float& exp_avg_sq, float grad,
                              const AdamwCoefficients& c) {
  weight = weight * c.decay;
  exp_avg = exp_avg * c.beta1 + c.one_minus_beta1 * grad;
  exp_avg_sq = exp_avg_sq * c.beta2 + (c.one_minus_beta2 * grad) * grad;
  const float denom = sqrt_f32(exp_avg_sq) / c.bias_correction2_sqrt + c.eps;
  weight = weight + (c.neg_step_size * exp_avg) / denom;
}

// clip_grad_norm_'s coefficient: max_norm / (total_norm + 1e-6), capped at 1 (float math, as LibTorch's
// tensor expression is float). Not finite norm -> 1 (the found-inf flag skips that step anyway).
EXPRBERT_HD float clip_coefficient(float total_norm, double max_norm) {
  if (!(max_norm > 0.0) || !is_finite_f32(total_norm)) return 1.0f;
  const float coef = static_cast<float>(max_norm) / (total_norm + 1e-6f);
  return coef < 1.0f ? coef : 1.0f;
}

}  // namespace exprbert
