// Global L2 norm of all gradients, deterministic whatever the thread count:
// each fixed chunk (kCpuChunkElements of one tensor) is summed in double in a fixed lane order, then the
// chunk partials are added in chunk order. Squares of floats cannot overflow a double, so the sum is
// finite exactly when every element is finite: found_inf needs no second pass.
#include <cmath>
#include <vector>

#include "../common/adamw_math.h"
#include "../common/dtype_switch.h"
#include "../common/multi_tensor_plan.h"
#include "cpu_kernels.h"
#include "parallel.h"

namespace exprbert {
namespace {

template <typename G>
double sum_of_squares(const G* __restrict grad, int64_t n) {
  constexpr int kLanes = 8;  // fixed lane count: vectorisable and independent of the machine
  double lanes[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const double x = to_float(grad[i + j]);
      lanes[j] += x * x;
    }
  }
  for (int j = 0; i + j < n; ++j) {
    const double x = to_float(grad[i + j]);
    lanes[j] += x * x;
  }
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

}  // namespace

void grad_norm_cpu(const exprbert_grad_norm_params& p) {
  const std::vector<Launch> plan = plan_multi_tensor(p.numels, p.num_tensors, kCpuChunkElements, INT32_MAX, INT32_MAX);
  const Launch all = plan.empty() ? Launch{} : plan.front();
  std::vector<double> partial(all.chunks.size(), 0.0);
  dispatch_dtype(p.grad_dtype, "grads", [&](auto tag) {
    using G = typename decltype(tag)::type;
    parallel_for_items(static_cast<int64_t>(all.chunks.size()), p.num_threads, [&](int64_t c) {
      const PlannedChunk& chunk = all.chunks[c];
      const G* grad = static_cast<const G*>(p.grads[all.tensors[chunk.slot]]);
      partial[c] = sum_of_squares(grad + chunk.begin, chunk.end - chunk.begin);
    });
  });
  double total = 0.0;
  for (double value : partial) total += value;
  const float norm = static_cast<float>(std::sqrt(total));
  *p.total_norm = norm;
  if (p.clip_coef != nullptr) *p.clip_coef = clip_coefficient(norm, p.max_norm);
  if (p.found_inf != nullptr) *p.found_inf = std::isfinite(total) ? 0.0f : 1.0f;
}

}  // namespace exprbert
