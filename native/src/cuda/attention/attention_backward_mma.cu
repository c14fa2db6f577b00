// Tensor-core attention backward for bf16/fp16: the same deterministic split as the SIMT backward (no atomics),
// in two launches:
//   dq kernel:   a block owns 64 query rows; it first writes delta_i = <dout_i, out_i> of its rows, then per key
//                tile of 64 it recomputes S = Q K^T and dP = dO V^T
//                (mma), forms dS = P (Z dP - delta) in registers and accumulates dQ += dS K;
//   dkdv kernel: a block owns 64 key rows; per query tile of 64 it computes S^T = K Q^T and dP^T = V dO^T,
//                forms P^T Z and dS^T in registers and accumulates dV += (P Z)^T dO and dK += dS^T Q.
// Tiles of the other side stream through two cp.async stages. Every product is an m16n8k16 mma whose left operand is either a shared-memory tile or the previous product's
// accumulators (mma_warp.cuh). Z is the dropout factor (0 or 1/(1-p)) regenerated from the counter-based RNG,
// so the formulas are exactly those of the CPU twin (attention_backward_cpu.cpp) up to the rounding of P and dS
// to T before the second product. With a sliding window each block walks only the tiles of the other side that
// its rows meet, and pairs outside the window count as padding ([note: window ranges]).
#include "attention_cuda.h"
#include "attention_mma_common.cuh"

namespace exprbert {
namespace cuda {
namespace {

// Score tiles of one warp: recompute P = exp(scale s - lse) (exp2 domain) and dS = P (Z dP - delta) in place,
// where row/column roles are given by `query_of` / `key_of` (n8 block n, element e) and `keep_of(n)` is the
// dropout mask of block n ([note: dropout bits per warp]).
template <int NT, typename QueryOf, typename KeyOf, typename LseOf, typename DeltaOf, typename KeepOf>
__device__ __forceinline__ void scores_to_gradients(float (&s)[NT][4], float (&dp)[NT][4], const AttentionArgs& args,
                                                    int64_t len, float scale_log2, QueryOf query_of, KeyOf key_of,
                                                    LseOf lse_log2_of, DeltaOf delta_of, KeepOf keep_of) {
#pragma unroll
  for (int n = 0; n < NT; ++n) {
    const uint32_t keep = args.rng.enabled() ? keep_of(n) : 0xfu;
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int64_t i = query_of(n, e), j = key_of(n, e);
      const bool real = i < len && j < len && args.window.sees(i, j);
      const float pr = real ? exp2f(s[n][e] * scale_log2 - lse_log2_of(n, e)) : 0.0f;
      const float z = ((keep >> e) & 1u) ? args.rng.inv_keep : 0.0f;
      s[n][e] = pr * z;                                 // what reached V: the left operand of dV
      dp[n][e] = pr * (z * dp[n][e] - delta_of(n, e));  // dS without the softmax scale (applied once at the end)
    }
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kMmaThreads) attention_dq_mma_kernel(const AttentionArgs args) {
  constexpr int S = mma_stride<D>();
  constexpr int KT = D / 16, NT = kMmaCols / 8, DT = D / 8;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* q_tile = reinterpret_cast<T*>(smem_raw);
  T* do_tile = q_tile + kMmaRows * S;
  T* const stage_base = do_tile + kMmaRows * S;  // two K/V stages
  float* delta_rows = reinterpret_cast<float*>(stage_base + 4 * kMmaCols * S);

  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kMmaRows;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  const StridedRows<void*> dq = tensors_of(p).dq;
  if (row0 >= len) {
    if (padded && row0 < g.max_seqlen) {
      zero_rows<T, D>(p.dq, g, dq, b, h, row0, row0 + kMmaRows < g.max_seqlen ? row0 + kMmaRows : g.max_seqlen);
    }
    return;
  }
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const StridedRows<const void*> dout = tensors_of(p).dout;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g4 = lane >> 2, t4 = lane & 3;
  const int64_t my_rows[2] = {row0 + warp * 16 + g4, row0 + warp * 16 + g4 + 8};
  const TilePairStages<T, D> kv{stage_base, &k, &v};
  const int64_t keys_begin = window_align_down(args.window.key_begin(row0));  // [note: window ranges]
  const int64_t keys_end = args.window.key_end(last_real_row(row0, kMmaRows, len), len);
  load_tile_async<T, D>(q_tile, g, q, b, h, row0, kMmaRows, len);
  load_tile_async<T, D>(do_tile, g, dout, b, h, row0, kMmaRows, len);
  kv.load(0, g, b, h, keys_begin, len);
  mma::cp_async_commit();
  // delta_i = <dout_i, out_i> of this block's rows (this kernel replaces the SIMT delta launch on the mma path):
  // one warp per row, coalesced along head_dim; written to params.delta for the dkdv kernel that follows.
  {
    const StridedRows<const void*> out = tensors_of(p).out_in;
    for (int rr = 0; rr < 16; ++rr) {
      const int64_t i = row0 + warp * 16 + rr;
      float partial = 0.0f;
      if (i < len) {
        const T* o = static_cast<const T*>(out.base) + g.offset(out, b, i, h);
        const T* d = static_cast<const T*>(dout.base) + g.offset(dout, b, i, h);
        for (int c = lane; c < D; c += 32) partial += to_float(o[c]) * to_float(d[c]);
      }
#pragma unroll
      for (int m = 16; m > 0; m >>= 1) partial += __shfl_xor_sync(0xffffffffu, partial, m);
      if (lane == 0) {
        delta_rows[warp * 16 + rr] = partial;
        if (i < len) p.delta[g.lse_index(b, h, i)] = partial;
      }
    }
  }
  __syncwarp();
  float lse_log2[2], delta[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const bool real = my_rows[r] < len;
    lse_log2[r] = real ? p.lse[g.lse_index(b, h, my_rows[r])] * kLog2e : 0.0f;
    delta[r] = delta_rows[warp * 16 + g4 + 8 * r];
  }
  const float scale_log2 = args.scale * kLog2e;
  float acc[DT][4];
  mma::zero(acc);

  for (int64_t j0 = keys_begin; j0 < keys_end; j0 += kMmaCols) {
    const int stage = static_cast<int>(((j0 - keys_begin) / kMmaCols) & 1);
    kv.advance(stage, g, b, h, j0, keys_end, len, [](int, int64_t) {});
    const T* k_tile = kv.first(stage);
    const T* v_tile = kv.second(stage);
    float s[NT][4], dp[NT][4];
    mma::zero(s);
    mma::zero(dp);
    mma::gemm_a_smem_b_nk<T, KT, NT>(s, q_tile, S, warp * 16, k_tile, S, lane);
    mma::gemm_a_smem_b_nk<T, KT, NT>(dp, do_tile, S, warp * 16, v_tile, S, lane);
    scores_to_gradients<NT>(
        s, dp, args, len, scale_log2, [&](int, int e) { return my_rows[e >> 1]; },
        [&](int n, int e) { return j0 + n * 8 + 2 * t4 + (e & 1); }, [&](int, int e) { return lse_log2[e >> 1]; },
        [&](int, int e) { return delta[e >> 1]; },
        [&](int n) { return keep_mask_query_rows(args.rng, bh, row0 + warp * 16, j0 + n * 8, lane); });
    mma::gemm_c_b_kn<T, NT, DT>(acc, dp, k_tile, S, 0, lane);
    __syncthreads();  // this stage is refilled two tiles from now
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int64_t i = my_rows[r];
    if (i < len || (padded && i < g.max_seqlen)) {
      store_fragment_row<T, D>(static_cast<T*>(p.dq) + g.offset(dq, b, i, h), acc, r, i < len ? args.scale : 0.0f, lane);
    }
  }
}

constexpr int kDkdvSub = 32;  // queries per score pass in the dkdv kernel

template <typename T, int D>
__global__ void __launch_bounds__(kMmaThreads) attention_dkdv_mma_kernel(const AttentionArgs args) {
  constexpr int S = mma_stride<D>();
  constexpr int KT = D / 16, SNT = kDkdvSub / 8, DT = D / 8;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* k_tile = reinterpret_cast<T*>(smem_raw);
  T* v_tile = k_tile + kMmaRows * S;
  T* const stage_base = v_tile + kMmaRows * S;  // two Q/dO stages, then two lse/delta stages
  float* const stats_base = reinterpret_cast<float*>(stage_base + 4 * kMmaCols * S);
  const auto lse_stage = [&](int stage) { return stats_base + stage * 2 * kMmaCols; };
  const auto delta_stage = [&](int stage) { return stats_base + (stage * 2 + 1) * kMmaCols; };

  const exprbert_attention_params& p = args.p;
  const SequenceGeometry& g = args.g;
  const int64_t bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int64_t len = clamped_length(g, b);
  const int64_t key0 = static_cast<int64_t>(blockIdx.x) * kMmaRows;
  const bool padded = p.layout == EXPRBERT_ATTENTION_PADDED;
  const StridedRows<void*> dk = tensors_of(p).dk;
  const StridedRows<void*> dv = tensors_of(p).dv;
  if (key0 >= len) {
    if (padded && key0 < g.max_seqlen) {
      const int64_t key1 = key0 + kMmaRows < g.max_seqlen ? key0 + kMmaRows : g.max_seqlen;
      zero_rows<T, D>(p.dk, g, dk, b, h, key0, key1);
      zero_rows<T, D>(p.dv, g, dv, b, h, key0, key1);
    }
    return;
  }
  const StridedRows<const void*> q = tensors_of(p).q;
  const StridedRows<const void*> k = tensors_of(p).k;
  const StridedRows<const void*> v = tensors_of(p).v;
  const StridedRows<const void*> dout = tensors_of(p).dout;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g4 = lane >> 2, t4 = lane & 3;
  const int64_t my_keys[2] = {key0 + warp * 16 + g4, key0 + warp * 16 + g4 + 8};
  // Per-row statistics of a query tile, written with plain stores: the stage is free (see the loop's last barrier).
  const auto load_stats = [&](int stage, int64_t i0) {
    for (int c = threadIdx.x; c < kMmaCols; c += blockDim.x) {
      const int64_t i = i0 + c;
      lse_stage(stage)[c] = i < len ? p.lse[g.lse_index(b, h, i)] * kLog2e : 0.0f;
      delta_stage(stage)[c] = i < len ? p.delta[g.lse_index(b, h, i)] : 0.0f;
    }
  };
  const int64_t queries_begin = window_align_down(args.window.query_begin(key0));  // [note: window ranges]
  const int64_t queries_end = args.window.query_end(last_real_row(key0, kMmaRows, len), len);
  load_tile_async<T, D>(k_tile, g, k, b, h, key0, kMmaRows, len);
  load_tile_async<T, D>(v_tile, g, v, b, h, key0, kMmaRows, len);
  const TilePairStages<T, D> qdo{stage_base, &q, &dout};
  qdo.load(0, g, b, h, queries_begin, len);
  mma::cp_async_commit();
  load_stats(0, queries_begin);
  const float scale_log2 = args.scale * kLog2e;
  float dk_acc[DT][4], dv_acc[DT][4];
  mma::zero(dk_acc);
  mma::zero(dv_acc);

  for (int64_t i0 = queries_begin; i0 < queries_end; i0 += kMmaCols) {
    const int stage = static_cast<int>(((i0 - queries_begin) / kMmaCols) & 1);
    qdo.advance(stage, g, b, h, i0, queries_end, len, load_stats);
    const T* q_tile = qdo.first(stage);
    const T* do_tile = qdo.second(stage);
    const float* lse_log2_tile = lse_stage(stage);
    const float* delta_tile = delta_stage(stage);
    // Two halves of 32 queries each: half the score registers of a 64-wide pass, which keeps the kernel (two
    // D-wide accumulators besides) under the register count that allows two blocks per SM at head_dim 64.
#pragma unroll 1
    for (int half = 0; half < kMmaCols / kDkdvSub; ++half) {
      const int c0 = half * kDkdvSub;
      float st[SNT][4], dpt[SNT][4];  // rows: this warp's 16 keys; columns: queries c0 .. c0 + 31 of the tile
      mma::zero(st);
      mma::zero(dpt);
      mma::gemm_a_smem_b_nk<T, KT, SNT>(st, k_tile, S, warp * 16, q_tile + c0 * S, S, lane);
      mma::gemm_a_smem_b_nk<T, KT, SNT>(dpt, v_tile, S, warp * 16, do_tile + c0 * S, S, lane);
      const auto column = [&](int n, int e) { return c0 + n * 8 + 2 * t4 + (e & 1); };
      scores_to_gradients<SNT>(
          st, dpt, args, len, scale_log2, [&](int n, int e) { return i0 + column(n, e); },
          [&](int, int e) { return my_keys[e >> 1]; }, [&](int n, int e) { return lse_log2_tile[column(n, e)]; },
          [&](int n, int e) { return delta_tile[column(n, e)]; },
          [&](int n) { return keep_mask_key_rows(args.rng, bh, key0 + warp * 16, i0 + c0 + n * 8, lane); });
      mma::gemm_c_b_kn<T, SNT, DT>(dv_acc, st, do_tile, S, c0, lane);
      mma::gemm_c_b_kn<T, SNT, DT>(dk_acc, dpt, q_tile, S, c0, lane);
    }
    __syncthreads();  // this stage is refilled two tiles from now
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int64_t j = my_keys[r];
    if (j < len || (padded && j < g.max_seqlen)) {
      const bool real = j < len;
      store_fragment_row<T, D>(static_cast<T*>(p.dk) + g.offset(dk, b, j, h), dk_acc, r, real ? args.scale : 0.0f, lane);
      store_fragment_row<T, D>(static_cast<T*>(p.dv) + g.offset(dv, b, j, h), dv_acc, r, real ? 1.0f : 0.0f, lane);
    }
  }
}

}  // namespace

void attention_backward_mma(const exprbert_attention_params& p) {
  const AttentionArgs args = attention_args(p);
  const dim3 grid = row_block_grid(p, kMmaRows);
  cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
  dispatch_attention(p, "exprbert_attention_backward", [&](auto type_tag, auto dim_tag) {
    using T = typename decltype(type_tag)::type;
    constexpr int D = decltype(dim_tag)::value;
    if constexpr (!std::is_same_v<T, float>) {
      constexpr size_t dq_smem = mma_smem_bytes<D>(6, kMmaCols, kMmaRows);
      allow_dynamic_smem(attention_dq_mma_kernel<T, D>, dq_smem);
      attention_dq_mma_kernel<T, D><<<grid, kMmaThreads, dq_smem, stream>>>(args);
      check_launch("attention_dq_mma_kernel launch");
      constexpr size_t dkdv_smem = mma_smem_bytes<D>(6, kMmaCols, 4 * kMmaCols);
      allow_dynamic_smem(attention_dkdv_mma_kernel<T, D>, dkdv_smem);
      attention_dkdv_mma_kernel<T, D><<<grid, kMmaThreads, dkdv_smem, stream>>>(args);
      check_launch("attention_dkdv_mma_kernel launch");
    }
  });
}

}  // namespace cuda
}  // namespace exprbert
