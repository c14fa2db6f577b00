// CUDA attention forward (kernels.h): online softmax over key tiles staged in shared memory, one thread per
// query row, float math for every storage dtype. Grid: (query tiles of max_seqlen, batch * heads). With a sliding
// window a block walks only the key tiles its rows see ([note: window ranges]).
// Must match the CPU twin (attention_forward_cpu.cpp) within the bounds of test_attention_cuda.
#include "attention_cuda.h"
#include "attention_kernel_common.cuh"

namespace exprbert {
namespace cuda {
namespace {

constexpr int kRowsPerBlock = 64;  // query rows per block = threads per block
constexpr int kKeyTile = 32;       // keys staged per shared-memory tile (K and V: 2 * 32 * 128 * 4 B = 32 KiB at D=128)

template <typename T, int D>
__global__ void __launch_bounds__(kRowsPerBlock) attention_forward_kernel(const AttentionArgs args) {
  __shared__ float k_tile[kKeyTile * D];
  __shared__ float v_tile[kKeyTile * D];
  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x;
  const int64_t first_row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock;
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const StridedRows<void*> out = tensors_of(p).out;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  if (first_row >= len) {  // the whole block is padding: zero it (padded layout) and leave
    if (padded && i < g.max_seqlen) {
      T* o = static_cast<T*>(out.base) + g.offset(out, b, i, h);
      for (int d = 0; d < D; ++d) o[d] = from_float<T>(0.0f);
      p.lse[g.lse_index(b, h, i)] = 0.0f;
    }
    return;
  }
  const bool active = i < len;
  float qr[D], acc[D];
  float row_max = -INFINITY, row_sum = 0.0f;
  if (active) {
    const T* src = static_cast<const T*>(q.base) + g.offset(q, b, i, h);
    for (int d = 0; d < D; ++d) {
      qr[d] = to_float(src[d]);
      acc[d] = 0.0f;
    }
  }
  // Only the keys some row of this block sees ([note: window ranges]); [0, len) without a window.
  const int64_t keys_begin = window_align_down(args.window.key_begin(first_row));
  const int64_t keys_end = args.window.key_end(last_real_row(first_row, kRowsPerBlock, len), len);
  for (int64_t j0 = keys_begin; j0 < keys_end; j0 += kKeyTile) {
    const int cols = static_cast<int>(keys_end - j0 < kKeyTile ? keys_end - j0 : kKeyTile);
    __syncthreads();
    load_tile<T, D>(k_tile, g, k, b, h, j0, kKeyTile, len);
    load_tile<T, D>(v_tile, g, v, b, h, j0, kKeyTile, len);
    __syncthreads();
    if (!active) continue;
    float s[kKeyTile];
    float tile_max = -INFINITY;
#pragma unroll 1
    for (int c = 0; c < kKeyTile; ++c) {
      float dot = 0.0f;
      for (int d = 0; d < D; ++d) dot += qr[d] * k_tile[c * D + d];
      s[c] = c < cols && args.window.sees(i, j0 + c) ? dot * args.scale : -INFINITY;
      tile_max = fmaxf(tile_max, s[c]);
    }
    const float new_max = fmaxf(row_max, tile_max);
    // A row whose window starts beyond this tile has seen no key yet: its weights stay exp(-inf) = 0, not nan.
    const float shift = new_max == -INFINITY ? 0.0f : new_max;
    const float correction = expf(row_max - shift);
    float tile_sum = 0.0f;
#pragma unroll 1
    for (int c = 0; c < kKeyTile; ++c) {
      s[c] = c < cols ? expf(s[c] - shift) : 0.0f;
      tile_sum += s[c];
    }
    row_sum = row_sum * correction + tile_sum;
    row_max = new_max;
    if (args.rng.enabled()) {
#pragma unroll 1
      for (int c0 = 0; c0 < kKeyTile; c0 += 4) {
        const uint32_t bits = args.rng.keep_bits4(bh, i, j0 + c0);
#pragma unroll 1
        for (int c = c0; c < c0 + 4; ++c) s[c] = ((bits >> (c - c0)) & 1u) ? s[c] * args.rng.inv_keep : 0.0f;
      }
    }
    for (int d = 0; d < D; ++d) acc[d] *= correction;
#pragma unroll 1
    for (int c = 0; c < kKeyTile; ++c) {
      const float w = s[c];
      for (int d = 0; d < D; ++d) acc[d] += w * v_tile[c * D + d];
    }
  }
  if (active) {
    const float inv_sum = 1.0f / row_sum;  // >= 1: a real row always sees itself
    T* o = static_cast<T*>(out.base) + g.offset(out, b, i, h);
    for (int d = 0; d < D; ++d) o[d] = from_float<T>(acc[d] * inv_sum);
    p.lse[g.lse_index(b, h, i)] = row_max + logf(row_sum);
  } else if (padded && i < g.max_seqlen) {
    T* o = static_cast<T*>(out.base) + g.offset(out, b, i, h);
    for (int d = 0; d < D; ++d) o[d] = from_float<T>(0.0f);
    p.lse[g.lse_index(b, h, i)] = 0.0f;
  }
}

}  // namespace

void attention_forward(const exprbert_attention_params& p) {
  DeviceGuard guard(p.device);
  if (attention_forward_mma(p)) return;
  const AttentionArgs args = attention_args(p);
  const dim3 grid = row_block_grid(p, kRowsPerBlock);
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  dispatch_attention(p, "exprbert_attention_forward", [&](auto type_tag, auto dim_tag) {
    using T = typename decltype(type_tag)::type;
    constexpr int D = decltype(dim_tag)::value;
    attention_forward_kernel<T, D><<<grid, kRowsPerBlock, 0, stream>>>(args);
    check_launch("attention_forward_kernel launch");
  });
}

}  // namespace cuda
}  // namespace exprbert
