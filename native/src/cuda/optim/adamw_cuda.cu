// Fused multi-tensor AdamW on CUDA: one block per 64K-element chunk, four elements per thread per step with
// vector loads when every operand is aligned, float math from common/adamw_math.h whatever the storage type.
// Step count, lr and clip factor are read from device memory by the kernel, so the host never synchronises.
// A last one-thread kernel advances *step after every chunk has read it (stream order), unless found_inf.
#include <cuda_runtime.h>

#include <vector>

#include "../../common/adamw_element.h"
#include "../../common/dtype_switch.h"
#include "../../common/multi_tensor_plan.h"
#include "../common/cuda_check.cuh"
#include "../common/vec_load.cuh"
#include "../cuda_backend.h"
#include "multi_tensor.cuh"

namespace exprbert {
namespace cuda {
namespace {

struct AdamwScalars {
  double lr;
  const float* lr_device;  // optional
  double beta1, beta2, eps;
  const int64_t* step;     // updates applied before this one
  const float* clip_coef;  // optional
  const float* found_inf;  // optional
};

// One launch's tables: tensor slots (pointers and group scalars), then chunks (slot + element range).
struct AdamwLaunchArgs {
  void* params[kMaxTensorsPerLaunch];
  float* master[kMaxTensorsPerLaunch];
  const void* grads[kMaxTensorsPerLaunch];
  float* exp_avg[kMaxTensorsPerLaunch];
  float* exp_avg_sq[kMaxTensorsPerLaunch];
  double lr_scale[kMaxTensorsPerLaunch];
  double weight_decay[kMaxTensorsPerLaunch];
  int32_t chunk_slot[kMaxChunksPerLaunch];
  int32_t chunk_length[kMaxChunksPerLaunch];
  int64_t chunk_begin[kMaxChunksPerLaunch];
  AdamwScalars scalars;
};

template <typename P, typename G, bool kHasMaster>
__global__ void __launch_bounds__(kBlockThreads) adamw_kernel(const AdamwLaunchArgs args) {
  __shared__ AdamwCoefficients coefficients;
  __shared__ float clip;
  __shared__ int skip;
  const int chunk = blockIdx.x;
  const int slot = args.chunk_slot[chunk];
  const AdamwScalars& s = args.scalars;
  if (threadIdx.x == 0) {
    skip = (s.found_inf != nullptr && *s.found_inf != 0.0f) ? 1 : 0;
    const double lr = s.lr_device != nullptr ? static_cast<double>(*s.lr_device) : s.lr;
    coefficients = adamw_coefficients(lr * args.lr_scale[slot], args.weight_decay[slot], s.beta1, s.beta2, s.eps,
                                      *s.step + 1);
    clip = s.clip_coef != nullptr ? *s.clip_coef : 1.0f;
  }
  __syncthreads();
  if (skip) return;
  const AdamwCoefficients c = coefficients;
  const float k = clip;
  const int64_t begin = args.chunk_begin[chunk];
  const int64_t n = args.chunk_length[chunk];
  P* param = static_cast<P*>(args.params[slot]) + begin;
  float* master = kHasMaster ? args.master[slot] + begin : nullptr;
  const G* grad = static_cast<const G*>(args.grads[slot]) + begin;
  float* exp_avg = args.exp_avg[slot] + begin;
  float* exp_avg_sq = args.exp_avg_sq[slot] + begin;

  const bool aligned = is_pack_aligned<P>(param) && is_pack_aligned<G>(grad) && is_pack_aligned<float>(exp_avg) &&
                       is_pack_aligned<float>(exp_avg_sq) && (!kHasMaster || is_pack_aligned<float>(master));
  int64_t vector_end = 0;
  if (aligned) {
    vector_end = n - n % kVec;
    constexpr int kPacks = kUnroll<kHasMaster>;
    // [note: bytes in flight] each thread issues the loads of kPacks packs before any math, so
    // more memory requests are outstanding per SM; see benchmarks/NOTES.md for the measurements.
    const int64_t stride = static_cast<int64_t>(blockDim.x) * kVec;
    for (int64_t base = static_cast<int64_t>(threadIdx.x) * kVec; base < vector_end; base += stride * kPacks) {
      Pack<P> p4[kPacks];
      Pack<G> g4[kPacks];
      Pack<float> m4[kPacks];
      Pack<float> v4[kPacks];
      Pack<float> w4[kPacks];
#pragma unroll
      for (int u = 0; u < kPacks; ++u) {
        const int64_t i = base + u * stride;
        if (i < vector_end) {
          p4[u] = load_pack(param + i);
          g4[u] = load_pack(grad + i);
          m4[u] = load_pack(exp_avg + i);
          v4[u] = load_pack(exp_avg_sq + i);
          if (kHasMaster) w4[u] = load_pack(master + i);
        }
      }
#pragma unroll
      for (int u = 0; u < kPacks; ++u) {
        const int64_t i = base + u * stride;
        if (i < vector_end) {
#pragma unroll
          for (int j = 0; j < kVec; ++j) {
            float weight = kHasMaster ? w4[u].v[j] : to_float(p4[u].v[j]);
            adamw_update(weight, m4[u].v[j], v4[u].v[j], to_float(g4[u].v[j]) * k, c);
            w4[u].v[j] = weight;
            p4[u].v[j] = from_float<P>(weight);
          }
          store_pack(param + i, p4[u]);
          store_pack(exp_avg + i, m4[u]);
          store_pack(exp_avg_sq + i, v4[u]);
          if (kHasMaster) store_pack(master + i, w4[u]);
        }
      }
    }
  }
  for (int64_t i = vector_end + threadIdx.x; i < n; i += blockDim.x) {
    adamw_update_element<P, G, kHasMaster>(param, master, grad, exp_avg, exp_avg_sq, i, c, k);
  }
}

__global__ void advance_step_kernel(int64_t* step, const float* found_inf) {
  if (found_inf == nullptr || *found_inf == 0.0f) *step += 1;
}

template <typename P, typename G, bool kHasMaster>
void launch_all(const exprbert_adamw_params& p, const std::vector<Launch>& plan, cudaStream_t stream) {
  AdamwLaunchArgs args;
  args.scalars = AdamwScalars{p.lr, p.lr_device, p.beta1, p.beta2, p.eps, p.step, p.clip_coef, p.found_inf};
  for (const Launch& launch : plan) {
    for (size_t s = 0; s < launch.tensors.size(); ++s) {
      const int64_t t = launch.tensors[s];
      args.params[s] = p.params[t];
      args.master[s] = kHasMaster ? p.master[t] : nullptr;
      args.grads[s] = p.grads[t];
      args.exp_avg[s] = p.exp_avg[t];
      args.exp_avg_sq[s] = p.exp_avg_sq[t];
      args.lr_scale[s] = p.group_lr_scale[p.group_index[t]];
      args.weight_decay[s] = p.group_weight_decay[p.group_index[t]];
    }
    for (size_t c = 0; c < launch.chunks.size(); ++c) {
      args.chunk_slot[c] = launch.chunks[c].slot;
      args.chunk_begin[c] = launch.chunks[c].begin;
      args.chunk_length[c] = static_cast<int32_t>(launch.chunks[c].end - launch.chunks[c].begin);
    }
    adamw_kernel<P, G, kHasMaster><<<static_cast<unsigned>(launch.chunks.size()), kBlockThreads, 0, stream>>>(args);
    check_launch("adamw_kernel launch");
  }
}

}  // namespace

void adamw_step(const exprbert_adamw_params& p) {
  DeviceGuard guard(p.device);
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  const std::vector<Launch> plan =
      plan_multi_tensor(p.numels, p.num_tensors, kChunkElements, kMaxTensorsPerLaunch, kMaxChunksPerLaunch);
  if (!plan.empty()) {
    dispatch_dtype(p.param_dtype, "params", [&](auto param_tag) {
      using P = typename decltype(param_tag)::type;
      dispatch_dtype(p.grad_dtype, "grads", [&](auto grad_tag) {
        using G = typename decltype(grad_tag)::type;
        if (p.master != nullptr) {
          launch_all<P, G, true>(p, plan, stream);
        } else {
          launch_all<P, G, false>(p, plan, stream);
        }
      });
    });
  }
  advance_step_kernel<<<1, 1, 0, stream>>>(p.step, p.found_inf);
  check_launch("advance_step_kernel launch");
}

}  // namespace cuda
}  // namespace exprbert
