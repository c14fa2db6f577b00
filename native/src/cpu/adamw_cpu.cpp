// Fused multi-tensor AdamW on the CPU: one pass over each element (28 bytes per fp32 parameter: read
// p, g, m, v; write p, m, v), loops written so that g++ -O3 vectorises them with the baseline ISA.
// Elementwise, so any thread count gives identical bits.
#include <vector>

#include "../common/adamw_element.h"
#include "../common/dtype_switch.h"
#include "../common/multi_tensor_plan.h"
#include "cpu_kernels.h"
#include "parallel.h"

namespace exprbert {
namespace {

template <typename P, typename G, bool kHasMaster>
void adamw_range(P* __restrict param, float* __restrict master, const G* __restrict grad, float* __restrict exp_avg,
                 float* __restrict exp_avg_sq, int64_t n, const AdamwCoefficients c, const float clip) {
  for (int64_t i = 0; i < n; ++i) {
    adamw_update_element<P, G, kHasMaster>(param, master, grad, exp_avg, exp_avg_sq, i, c, clip);
  }
}

template <typename P, typename G>
void adamw_all(const exprbert_adamw_params& p, const Launch& all, const std::vector<AdamwCoefficients>& coefficients,
               float clip) {
  parallel_for_items(static_cast<int64_t>(all.chunks.size()), p.num_threads, [&](int64_t index) {
    const PlannedChunk& chunk = all.chunks[index];
    const int64_t t = all.tensors[chunk.slot];
    const int64_t b = chunk.begin;
    const int64_t n = chunk.end - chunk.begin;
    P* param = static_cast<P*>(p.params[t]) + b;
    const G* grad = static_cast<const G*>(p.grads[t]) + b;
    const AdamwCoefficients& c = coefficients[p.group_index[t]];
    if (p.master != nullptr) {
      adamw_range<P, G, true>(param, p.master[t] + b, grad, p.exp_avg[t] + b, p.exp_avg_sq[t] + b, n, c, clip);
    } else {
      adamw_range<P, G, false>(param, nullptr, grad, p.exp_avg[t] + b, p.exp_avg_sq[t] + b, n, c, clip);
    }
  });
}

}  // namespace

void adamw_step_cpu(const exprbert_adamw_params& p) {
  if (p.found_inf != nullptr && *p.found_inf != 0.0f) return;  // skipped step: nothing changes, step included
  const int64_t step = *p.step + 1;
  const double lr = p.lr_device != nullptr ? static_cast<double>(*p.lr_device) : p.lr;
  const float clip = p.clip_coef != nullptr ? *p.clip_coef : 1.0f;
  std::vector<AdamwCoefficients> coefficients;
  coefficients.reserve(p.num_groups > 0 ? p.num_groups : 0);
  for (int32_t g = 0; g < p.num_groups; ++g) {
    coefficients.push_back(adamw_coefficients(lr * p.group_lr_scale[g], p.group_weight_decay[g], p.beta1, p.beta2,
                                              p.eps, step));
  }
  const std::vector<Launch> plan = plan_multi_tensor(p.numels, p.num_tensors, kCpuChunkElements, INT32_MAX, INT32_MAX);
  if (!plan.empty()) {
    dispatch_dtype(p.param_dtype, "params", [&](auto param_tag) {
      using P = typename decltype(param_tag)::type;
      dispatch_dtype(p.grad_dtype, "grads", [&](auto grad_tag) {
        using G = typename decltype(grad_tag)::type;
        adamw_all<P, G>(p, plan.front(), coefficients, clip);
      });
    });
  }
  *p.step = step;
}

}  // namespace exprbert
