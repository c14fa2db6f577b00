// Tensor-core attention forward for bf16/fp16 (FlashAttention-2 style): a block of 4 warps owns 64 query rows
// (16 per warp) of one (sequence, head); it walks the keys in tiles of 64 staged in shared memory (cp.async,
// two stages: the next tile loads while the current one is multiplied), computes
// S = Q K^T with mma.sync, keeps the online softmax in registers (per-row max and sum, exp2 domain), and
// feeds P straight from the score accumulators into O += P V (see [note: fragment layout] in mma_warp.cuh).
// Semantics are the CPU twin's (attention_forward_cpu.cpp): the softmax sum counts every weight, dropout zeroes
// and rescales only what reaches V, padded query rows get zeros and lse 0. P is rounded to T before P V, as in
// FlashAttention; test_attention_cuda holds it to the 16-bit bounds of the double reference. With a sliding
// window a block walks only the key tiles its rows see ([note: window ranges]).
#include "attention_cuda.h"
#include "attention_mma_common.cuh"

namespace exprbert {
namespace cuda {
namespace {

template <typename T, int D>
__global__ void __launch_bounds__(kMmaThreads) attention_forward_mma_kernel(const AttentionArgs args) {
  constexpr int S = mma_stride<D>();
  constexpr int KT = D / 16;         // k16 steps over head_dim
  constexpr int NT = kMmaCols / 8;   // n8 blocks of scores per key tile
  constexpr int DT = D / 8;          // n8 blocks of the output
  extern __shared__ __align__(16) unsigned char smem_raw[];

  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kMmaRows;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  const StridedRows<void*> out = tensors_of(p).out;
  if (row0 >= len) {  // only padding here: zero it (padded layout) and leave
    if (padded && row0 < g.max_seqlen) {
      const int64_t row1 = row0 + kMmaRows < g.max_seqlen ? row0 + kMmaRows : g.max_seqlen;
      zero_rows<T, D>(p.out, g, out, b, h, row0, row1);
      for (int64_t i = row0 + threadIdx.x; i < row1; i += blockDim.x) p.lse[g.lse_index(b, h, i)] = 0.0f;
    }
    return;
  }
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g4 = lane >> 2, t4 = lane & 3;

  // Two K/V stages; Q is staged once in stage 1, moved to registers, and its space reused.
  const TilePairStages<T, D> kv{reinterpret_cast<T*>(smem_raw), &k, &v};
  T* q_tile = kv.first(1);
  // The keys some row of this block sees ([note: window ranges]); [0, len) without a window.
  const int64_t keys_begin = window_align_down(args.window.key_begin(row0));
  const int64_t keys_end = args.window.key_end(last_real_row(row0, kMmaRows, len), len);
  load_tile_async<T, D>(q_tile, g, q, b, h, row0, kMmaRows, len);
  mma::cp_async_commit();
  kv.load(0, g, b, h, keys_begin, len);
  mma::cp_async_commit();
  mma::cp_async_wait<1>();  // Q has landed; the first K/V tile may still be in flight
  __syncthreads();
  uint32_t qf[KT][4];
#pragma unroll
  for (int kk = 0; kk < KT; ++kk) mma::ldmatrix_x4(qf[kk], q_tile + (warp * 16 + (lane & 15)) * S + kk * 16 + (lane >> 4) * 8);
  __syncthreads();  // stage 1 is free for the second K/V tile

  const float scale_log2 = args.scale * kLog2e;
  float o[DT][4];
  mma::zero(o);
  float row_max[2] = {-INFINITY, -INFINITY};  // of scale * log2(e) * s, for rows g4 and g4 + 8
  float row_sum[2] = {0.0f, 0.0f};            // this lane's share; reduced over the quad at the end
  const int64_t my_rows[2] = {row0 + warp * 16 + g4, row0 + warp * 16 + g4 + 8};

  for (int64_t j0 = keys_begin; j0 < keys_end; j0 += kMmaCols) {
    const int stage = static_cast<int>(((j0 - keys_begin) / kMmaCols) & 1);
    kv.advance(stage, g, b, h, j0, keys_end, len, [](int, int64_t) {});
    const T* k_tile = kv.first(stage);
    const T* v_tile = kv.second(stage);

    float s[NT][4];
    mma::zero(s);
#pragma unroll
    for (int kk = 0; kk < KT; ++kk) {
#pragma unroll
      for (int np = 0; np < NT / 2; ++np) {
        uint32_t bf[4];
        mma::ldmatrix_x4(bf, k_tile + (np * 16 + (lane & 7) + ((lane >> 4) << 3)) * S + kk * 16 + ((lane >> 3) & 1) * 8);
        mma::MmaInstruction<T>::run(s[2 * np], qf[kk], bf[0], bf[1]);
        mma::MmaInstruction<T>::run(s[2 * np + 1], qf[kk], bf[2], bf[3]);
      }
    }

    // Scale into the exp2 domain, mask keys past the end or outside the row's window, and update the running max
    // of both rows.
    float tile_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < NT; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int64_t col = j0 + n * 8 + 2 * t4 + (e & 1);
        s[n][e] = col < len && args.window.sees(my_rows[e >> 1], col) ? s[n][e] * scale_log2 : -INFINITY;
        tile_max[e >> 1] = fmaxf(tile_max[e >> 1], s[n][e]);
      }
    }
    float correction[2], shift[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float new_max = fmaxf(row_max[r], mma::quad_max(tile_max[r]));
      // -inf only for a row that has seen no key yet (a window starting beyond this tile, or a padding row whose
      // window holds no real key): its weights stay exp2(-inf) = 0 instead of nan.
      shift[r] = new_max == -INFINITY ? 0.0f : new_max;
      correction[r] = exp2f(row_max[r] - shift[r]);  // 0 on the first tile
      row_max[r] = new_max;
      row_sum[r] *= correction[r];
    }
#pragma unroll
    for (int n = 0; n < NT; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        s[n][e] = exp2f(s[n][e] - shift[e >> 1]);
        row_sum[e >> 1] += s[n][e];
      }
    }
    if (args.rng.enabled()) {  // the sum above counted every weight; only what reaches V is dropped
#pragma unroll
      for (int n = 0; n < NT; ++n) {
        const uint32_t keep = keep_mask_query_rows(args.rng, bh, row0 + warp * 16, j0 + n * 8, lane);
#pragma unroll
        for (int e = 0; e < 4; ++e) s[n][e] = ((keep >> e) & 1u) ? s[n][e] * args.rng.inv_keep : 0.0f;
      }
    }
#pragma unroll
    for (int n = 0; n < DT; ++n) {
      o[n][0] *= correction[0];
      o[n][1] *= correction[0];
      o[n][2] *= correction[1];
      o[n][3] *= correction[1];
    }
    mma::gemm_c_b_kn<T, NT, DT>(o, s, v_tile, S, 0, lane);
    __syncthreads();  // this stage is refilled two tiles from now
  }

#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int64_t i = my_rows[r];
    const float sum = mma::quad_sum(row_sum[r]);
    if (i < len) {
      store_fragment_row<T, D>(static_cast<T*>(p.out) + g.offset(out, b, i, h), o, r, 1.0f / sum, lane);
      if (t4 == 0) p.lse[g.lse_index(b, h, i)] = row_max[r] * kLn2 + logf(sum);
    } else if (padded && i < g.max_seqlen) {
      store_fragment_row<T, D>(static_cast<T*>(p.out) + g.offset(out, b, i, h), o, r, 0.0f, lane);
      if (t4 == 0) p.lse[g.lse_index(b, h, i)] = 0.0f;
    }
  }
}

}  // namespace

bool attention_forward_mma(const exprbert_attention_params& p) {
  if (!mma_path_applies(p, false)) return false;
  const AttentionArgs args = attention_args(p);
  const dim3 grid = row_block_grid(p, kMmaRows);
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  dispatch_attention(p, "exprbert_attention_forward", [&](auto type_tag, auto dim_tag) {
    using T = typename decltype(type_tag)::type;
    constexpr int D = decltype(dim_tag)::value;
    if constexpr (!std::is_same_v<T, float>) {
      constexpr size_t smem = mma_smem_bytes<D>(4, kMmaCols, 0);
      static_assert(kMmaRows <= 2 * kMmaCols, "the Q tile reuses the second K/V stage");
      allow_dynamic_smem(attention_forward_mma_kernel<T, D>, smem);
      attention_forward_mma_kernel<T, D><<<grid, kMmaThreads, smem, stream>>>(args);
      check_launch("attention_forward_mma_kernel launch");
    }
  });
  return true;
}

}  // namespace cuda
}  // namespace exprbert
