// The naive reference the kernels are tested against: one scalar loop per tensor, every value in double,
// straight from the formulas of torch.optim.AdamW and torch.nn.utils.clip_grad_norm_.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace exprbert_test {

struct ReferenceTensor {
  std::vector<double> weight, exp_avg, exp_avg_sq;
};

struct ReferenceHyper {
  double lr, beta1, beta2, eps;
};

// `grad` already holds the values the kernel sees (e.g. bf16-rounded), widened; `clip` multiplies it.
inline void reference_adamw_step(ReferenceTensor& t, const std::vector<double>& grad, double clip,
                                 const ReferenceHyper& h, double lr_scale, double weight_decay, int64_t step) {
  const double lr = h.lr * lr_scale;
  const double bias_correction1 = 1.0 - std::pow(h.beta1, static_cast<double>(step));
  const double bias_correction2 = 1.0 - std::pow(h.beta2, static_cast<double>(step));
  for (size_t i = 0; i < t.weight.size(); ++i) {
    const double g = grad[i] * clip;
    t.weight[i] *= 1.0 - lr * weight_decay;
    t.exp_avg[i] = h.beta1 * t.exp_avg[i] + (1.0 - h.beta1) * g;
    t.exp_avg_sq[i] = h.beta2 * t.exp_avg_sq[i] + (1.0 - h.beta2) * g * g;
    const double denom = std::sqrt(t.exp_avg_sq[i]) / std::sqrt(bias_correction2) + h.eps;
    t.weight[i] -= (lr / bias_correction1) * t.exp_avg[i] / denom;
  }
}

inline double reference_total_norm(const std::vector<std::vector<double>>& grads) {
  double sum = 0.0;
  for (const auto& g : grads)
    for (double x : g) sum += x * x;
  return std::sqrt(sum);
}

inline double reference_clip_coef(double total_norm, double max_norm) {
  const double coef = max_norm / (total_norm + 1e-6);
  return coef < 1.0 ? coef : 1.0;
}

}  // namespace exprbert_test
