// CUDA attention backward (kernels.h), three deterministic launches (no atomics); aligned bf16/f16 calls take
// the two tensor-core launches of attention_backward_mma.cu instead:
//   1. delta_i = <dout_i, out_i> into params.delta (fp32, shaped like lse);
//   2. dq: one thread per query row walks key tiles (K, V in shared memory) and accumulates dq_i;
//   3. dk, dv: one thread per key row walks query tiles (Q, dout, lse, delta in shared memory).
// Both 2 and 3 recompute p_ij = exp(scale <q_i, k_j> - lse_i) and regenerate the dropout mask; the formulas are
// those of the CPU twin (attention_backward_cpu.cpp).
#include "attention_cuda.h"
#include "attention_mma_common.cuh"

namespace exprbert {
namespace cuda {
namespace {

constexpr int kRowsPerBlock = 64;
constexpr int kTile = 32;

template <typename T, int D>
__global__ void __launch_bounds__(kRowsPerBlock) attention_delta_kernel(const AttentionArgs args) {
  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x;
  if (i >= clamped_length(g, b)) return;
  const StridedRows<const void*> out = tensors_of(p).out_in;
  const StridedRows<const void*> dout = tensors_of(p).dout;
  const T* o = static_cast<const T*>(out.base) + g.offset(out, b, i, h);
  const T* dO = static_cast<const T*>(dout.base) + g.offset(dout, b, i, h);
  float delta = 0.0f;
  for (int d = 0; d < D; ++d) delta += to_float(dO[d]) * to_float(o[d]);
  p.delta[g.lse_index(b, h, i)] = delta;
}

template <typename T, int D>
__device__ __forceinline__ void store_row(void* base, const StridedRows<void*>& t, const SequenceGeometry& g, int64_t b,
                                          int64_t i, int64_t h, const float* values) {
  T* row = static_cast<T*>(base) + g.offset(t, b, i, h);
  for (int d = 0; d < D; ++d) row[d] = from_float<T>(values == nullptr ? 0.0f : values[d]);
}

template <typename T, int D>
__global__ void __launch_bounds__(kRowsPerBlock) attention_dq_kernel(const AttentionArgs args) {
  __shared__ float k_tile[kTile * D];
  __shared__ float v_tile[kTile * D];
  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t first_row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock;
  const int64_t i = first_row + threadIdx.x;
  const StridedRows<void*> dq = tensors_of(p).dq;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  if (first_row >= len) {
    if (padded && i < g.max_seqlen) store_row<T, D>(dq.base, dq, g, b, i, h, nullptr);
    return;
  }
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const StridedRows<const void*> dout = tensors_of(p).dout;
  const bool active = i < len;
  float qr[D], dor[D], acc[D];
  float lse = 0.0f, delta = 0.0f;
  if (active) {
    const T* qs = static_cast<const T*>(q.base) + g.offset(q, b, i, h);
    const T* ds = static_cast<const T*>(dout.base) + g.offset(dout, b, i, h);
    for (int d = 0; d < D; ++d) {
      qr[d] = to_float(qs[d]);
      dor[d] = to_float(ds[d]);
      acc[d] = 0.0f;
    }
    lse = p.lse[g.lse_index(b, h, i)];
    delta = p.delta[g.lse_index(b, h, i)];
  }
  const int64_t keys_begin = window_align_down(args.window.key_begin(first_row));  // [note: window ranges]
  const int64_t keys_end = args.window.key_end(last_real_row(first_row, kRowsPerBlock, len), len);
  for (int64_t j0 = keys_begin; j0 < keys_end; j0 += kTile) {
    const int cols = static_cast<int>(keys_end - j0 < kTile ? keys_end - j0 : kTile);
    __syncthreads();
    load_tile<T, D>(k_tile, g, k, b, h, j0, kTile, len);
    load_tile<T, D>(v_tile, g, v, b, h, j0, kTile, len);
    __syncthreads();
    if (!active) continue;
#pragma unroll 1
    for (int c0 = 0; c0 < cols; c0 += 4) {
      const uint32_t bits = args.rng.enabled() ? args.rng.keep_bits4(bh, i, j0 + c0) : 0xfu;
      for (int c = c0; c < c0 + 4 && c < cols; ++c) {
        if (!args.window.sees(i, j0 + c)) continue;
        float s = 0.0f, dpz = 0.0f;
        for (int d = 0; d < D; ++d) {
          s += qr[d] * k_tile[c * D + d];
          dpz += dor[d] * v_tile[c * D + d];
        }
        const float pr = expf(s * args.scale - lse);
        const float z = ((bits >> (c - c0)) & 1u) ? args.rng.inv_keep : 0.0f;
        const float ds = pr * (z * dpz - delta) * args.scale;
        for (int d = 0; d < D; ++d) acc[d] += ds * k_tile[c * D + d];
      }
    }
  }
  if (active) {
    store_row<T, D>(dq.base, dq, g, b, i, h, acc);
  } else if (padded && i < g.max_seqlen) {
    store_row<T, D>(dq.base, dq, g, b, i, h, nullptr);
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kRowsPerBlock) attention_dkdv_kernel(const AttentionArgs args) {
  __shared__ float q_tile[kTile * D];
  __shared__ float do_tile[kTile * D];
  __shared__ float lse_tile[kTile];
  __shared__ float delta_tile[kTile];
  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t first_row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock;
  const int64_t j = first_row + threadIdx.x;
  const StridedRows<void*> dk = tensors_of(p).dk;
  const StridedRows<void*> dv = tensors_of(p).dv;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  if (first_row >= len) {
    if (padded && j < g.max_seqlen) {
      store_row<T, D>(dk.base, dk, g, b, j, h, nullptr);
      store_row<T, D>(dv.base, dv, g, b, j, h, nullptr);
    }
    return;
  }
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const StridedRows<const void*> dout = tensors_of(p).dout;
  const bool active = j < len;
  float kr[D], vr[D], dk_acc[D], dv_acc[D];
  if (active) {
    const T* ks = static_cast<const T*>(k.base) + g.offset(k, b, j, h);
    const T* vs = static_cast<const T*>(v.base) + g.offset(v, b, j, h);
    for (int d = 0; d < D; ++d) {
      kr[d] = to_float(ks[d]);
      vr[d] = to_float(vs[d]);
      dk_acc[d] = 0.0f;
      dv_acc[d] = 0.0f;
    }
  }
  const int64_t j_group = j & ~int64_t{3};
  const int j_bit = static_cast<int>(j & 3);
  const int64_t queries_begin = window_align_down(args.window.query_begin(first_row));  // [note: window ranges]
  const int64_t queries_end = args.window.query_end(last_real_row(first_row, kRowsPerBlock, len), len);
  for (int64_t i0 = queries_begin; i0 < queries_end; i0 += kTile) {
    const int rows = static_cast<int>(queries_end - i0 < kTile ? queries_end - i0 : kTile);
    __syncthreads();
    load_tile<T, D>(q_tile, g, q, b, h, i0, kTile, len);
    load_tile<T, D>(do_tile, g, dout, b, h, i0, kTile, len);
    if (threadIdx.x < kTile) {
      const int64_t i = i0 + threadIdx.x;
      lse_tile[threadIdx.x] = i < len ? p.lse[g.lse_index(b, h, i)] : 0.0f;
      delta_tile[threadIdx.x] = i < len ? p.delta[g.lse_index(b, h, i)] : 0.0f;
    }
    __syncthreads();
    if (!active) continue;
#pragma unroll 1
    for (int r = 0; r < rows; ++r) {
      if (!args.window.sees(i0 + r, j)) continue;
      float s = 0.0f, dpz = 0.0f;
      for (int d = 0; d < D; ++d) {
        s += q_tile[r * D + d] * kr[d];
        dpz += do_tile[r * D + d] * vr[d];
      }
      const float pr = expf(s * args.scale - lse_tile[r]);
      float z = 1.0f;
      if (args.rng.enabled()) {
        z = ((args.rng.keep_bits4(bh, i0 + r, j_group) >> j_bit) & 1u) ? args.rng.inv_keep : 0.0f;
      }
      const float pz = pr * z;
      const float ds = pr * (z * dpz - delta_tile[r]) * args.scale;
      for (int d = 0; d < D; ++d) {
        dv_acc[d] += pz * do_tile[r * D + d];
        dk_acc[d] += ds * q_tile[r * D + d];
      }
    }
  }
  if (active) {
    store_row<T, D>(dk.base, dk, g, b, j, h, dk_acc);
    store_row<T, D>(dv.base, dv, g, b, j, h, dv_acc);
  } else if (padded && j < g.max_seqlen) {
    store_row<T, D>(dk.base, dk, g, b, j, h, nullptr);
    store_row<T, D>(dv.base, dv, g, b, j, h, nullptr);
  }
}

}  // namespace

void attention_backward(const exprbert_attention_params& p) {
  DeviceGuard guard(p.device);
  const AttentionArgs args = attention_args(p);
  const dim3 grid = row_block_grid(p, kRowsPerBlock);
  if (mma_path_applies(p, true)) {  // two tensor-core launches, delta included
    attention_backward_mma(p);
    return;
  }
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  dispatch_attention(p, "exprbert_attention_backward", [&](auto type_tag, auto dim_tag) {
    using T = typename decltype(type_tag)::type;
    constexpr int D = decltype(dim_tag)::value;
    attention_delta_kernel<T, D><<<grid, kRowsPerBlock, 0, stream>>>(args);
    check_launch("attention_delta_kernel launch");
    attention_dq_kernel<T, D><<<grid, kRowsPerBlock, 0, stream>>>(args);
    check_launch("attention_dq_kernel launch");
    attention_dkdv_kernel<T, D><<<grid, kRowsPerBlock, 0, stream>>>(args);
    check_launch("attention_dkdv_kernel launch");
  });
}

}  // namespace cuda
}  // namespace exprbert
