// Global gradient L2 norm on CUDA, deterministic: block j of every launch adds its chunk's double sum of
// squares into workspace slot j (launches are stream-ordered, so each slot's additions happen in a fixed
// order), then one block adds the slots in a fixed tree and writes norm, clip coefficient and found-inf.
// No host round trip: the step kernel reads clip_coef / found_inf from device memory.
#include <cuda_runtime.h>

#include <vector>

#include "../../common/adamw_math.h"
#include "../../common/dtype_switch.h"
#include "../../common/multi_tensor_plan.h"
#include "../common/cuda_check.cuh"
#include "../common/reduce.cuh"
#include "../common/vec_load.cuh"
#include "../cuda_backend.h"
#include "multi_tensor.cuh"

namespace exprbert {
namespace cuda {
namespace {

static_assert(kMaxChunksPerLaunch * sizeof(double) <= EXPRBERT_GRAD_NORM_WORKSPACE_BYTES,
              "EXPRBERT_GRAD_NORM_WORKSPACE_BYTES must hold one double per chunk slot");

struct GradNormLaunchArgs {
  const void* grads[kMaxTensorsPerLaunch];
  int32_t chunk_slot[kMaxChunksPerLaunch];
  int32_t chunk_length[kMaxChunksPerLaunch];
  int64_t chunk_begin[kMaxChunksPerLaunch];
  double* partials;  // [kMaxChunksPerLaunch]
};

template <typename G>
__global__ void __launch_bounds__(kBlockThreads) sum_squares_kernel(const GradNormLaunchArgs args) {
  const int chunk = blockIdx.x;
  const G* grad = static_cast<const G*>(args.grads[args.chunk_slot[chunk]]) + args.chunk_begin[chunk];
  const int64_t n = args.chunk_length[chunk];
  double sum = 0.0;
  int64_t vector_end = 0;
  if (is_pack_aligned<G>(grad)) {
    vector_end = n - n % kVec;
    for (int64_t i = static_cast<int64_t>(threadIdx.x) * kVec; i < vector_end; i += static_cast<int64_t>(blockDim.x) * kVec) {
      const Pack<G> g4 = load_pack(grad + i);
#pragma unroll
      for (int j = 0; j < kVec; ++j) {
        const double x = to_float(g4.v[j]);
        sum += x * x;
      }
    }
  }
  for (int64_t i = vector_end + threadIdx.x; i < n; i += blockDim.x) {
    const double x = to_float(grad[i]);
    sum += x * x;
  }
  sum = block_sum(sum);
  if (threadIdx.x == 0) args.partials[chunk] += sum;
}

__global__ void __launch_bounds__(kBlockThreads)
    finish_norm_kernel(const double* partials, int num_slots, double max_norm, float* total_norm, float* clip_coef,
                       float* found_inf) {
  double sum = 0.0;
  for (int i = threadIdx.x; i < num_slots; i += blockDim.x) sum += partials[i];
  sum = block_sum(sum);
  if (threadIdx.x == 0) {
    const float norm = static_cast<float>(sqrt(sum));
    *total_norm = norm;
    if (clip_coef != nullptr) *clip_coef = clip_coefficient(norm, max_norm);
    if (found_inf != nullptr) *found_inf = isfinite(sum) ? 0.0f : 1.0f;
  }
}

}  // namespace

void grad_norm(const exprbert_grad_norm_params& p) {
  DeviceGuard guard(p.device);
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  double* partials = static_cast<double*>(p.workspace);
  check_cuda(cudaMemsetAsync(partials, 0, kMaxChunksPerLaunch * sizeof(double), stream), "cudaMemsetAsync(workspace)");
  const std::vector<Launch> plan =
      plan_multi_tensor(p.numels, p.num_tensors, kChunkElements, kMaxTensorsPerLaunch, kMaxChunksPerLaunch);
  dispatch_dtype(p.grad_dtype, "grads", [&](auto tag) {
    using G = typename decltype(tag)::type;
    GradNormLaunchArgs args;
    args.partials = partials;
    for (const Launch& launch : plan) {
      for (size_t s = 0; s < launch.tensors.size(); ++s) args.grads[s] = p.grads[launch.tensors[s]];
      for (size_t c = 0; c < launch.chunks.size(); ++c) {
        args.chunk_slot[c] = launch.chunks[c].slot;
        args.chunk_begin[c] = launch.chunks[c].begin;
        args.chunk_length[c] = static_cast<int32_t>(launch.chunks[c].end - launch.chunks[c].begin);
      }
      sum_squares_kernel<G><<<static_cast<unsigned>(launch.chunks.size()), kBlockThreads, 0, stream>>>(args);
      check_launch("sum_squares_kernel launch");
    }
  });
  finish_norm_kernel<<<1, kBlockThreads, 0, stream>>>(partials, kMaxChunksPerLaunch, p.max_norm, p.total_norm,
                                                       p.clip_coef, p.found_inf);
  check_launch("finish_norm_kernel launch");
}

}  // namespace cuda
}  // namespace exprbert
