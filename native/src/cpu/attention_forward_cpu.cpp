// CPU twin of the attention forward: flash-style online softmax over key tiles, one work item per
// (sequence, head) on std::threads. Deterministic: each item is computed by one thread in a fixed order, so
// the result does not depend on the thread count.
//
// Per item: K is held transposed (kt[d][j]) so the score loop runs along keys, V row-major so the output
// loop runs along head_dim; both inner loops are unit-stride with no reduction, which -O3 vectorises without
// reassociating anything.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype_switch.h"
#include "attention_cpu.h"
#include "attention_cpu_rows.h"
#include "parallel.h"

namespace exprbert {
namespace {

constexpr int64_t kQueryTile = 16;  // query rows sharing one pass over a key tile
constexpr int64_t kKeyTile = 64;    // keys per online-softmax update

struct ForwardScratch {
  std::vector<float> kt, v, q, scores, acc, row_max, row_sum;
};

template <typename T>
void forward_item(const exprbert_attention_params& p, int64_t item, ForwardScratch& s) {
  const SequenceGeometry g = geometry_of(p);
  const DropoutRng rng = dropout_of(p);
  const int64_t b = item / p.heads, h = item % p.heads, dim = p.head_dim;
  const int64_t len = g.length(b);
  const float scale = static_cast<float>(p.scale);
  const StridedRows<const void*> q{p.q, p.q_batch_stride, p.q_row_stride, p.q_head_stride};
  const StridedRows<const void*> k{p.k, p.k_batch_stride, p.k_row_stride, p.k_head_stride};
  const StridedRows<const void*> v{p.v, p.v_batch_stride, p.v_row_stride, p.v_head_stride};
  const StridedRows<void*> out{p.out, p.out_batch_stride, p.out_row_stride, p.out_head_stride};
  const int64_t rows_to_write = p.layout == EXPRBERT_ATTENTION_VARLEN ? len : p.max_seqlen;

  s.kt.resize(static_cast<size_t>(dim * len));
  s.v.resize(static_cast<size_t>(len * dim));
  s.q.resize(static_cast<size_t>(kQueryTile * dim));
  s.scores.resize(static_cast<size_t>(kQueryTile * kKeyTile));
  s.acc.resize(static_cast<size_t>(kQueryTile * dim));
  s.row_max.resize(kQueryTile);
  s.row_sum.resize(kQueryTile);
  load_rows_transposed<T>(g, k, b, h, len, dim, s.kt.data());
  load_rows<T>(g, v, b, h, len, dim, s.v.data());

  std::vector<float> result(static_cast<size_t>(len * dim));
  for (int64_t i0 = 0; i0 < len; i0 += kQueryTile) {
    const int64_t rows = std::min(kQueryTile, len - i0);
    for (int64_t r = 0; r < rows; ++r) {
      const T* src = static_cast<const T*>(q.base) + g.offset(q, b, i0 + r, h);
      for (int64_t d = 0; d < dim; ++d) s.q[r * dim + d] = to_float(src[d]);
    }
    std::fill(s.acc.begin(), s.acc.end(), 0.0f);
    std::fill(s.row_max.begin(), s.row_max.end(), -std::numeric_limits<float>::infinity());
    std::fill(s.row_sum.begin(), s.row_sum.end(), 0.0f);
    for (int64_t j0 = 0; j0 < len; j0 += kKeyTile) {
      const int64_t cols = std::min(kKeyTile, len - j0);
      for (int64_t r = 0; r < rows; ++r) {
        float* score = s.scores.data() + r * kKeyTile;
        std::fill(score, score + cols, 0.0f);
        const float* qr = s.q.data() + r * dim;
        for (int64_t d = 0; d < dim; ++d) {
          const float qd = qr[d];
          const float* kd = s.kt.data() + d * len + j0;
          for (int64_t c = 0; c < cols; ++c) score[c] += qd * kd[c];
        }
        float tile_max = -std::numeric_limits<float>::infinity();
        for (int64_t c = 0; c < cols; ++c) {
          score[c] *= scale;
          tile_max = std::max(tile_max, score[c]);
        }
        const float new_max = std::max(s.row_max[r], tile_max);
        const float correction = std::exp(s.row_max[r] - new_max);  // exp(-inf) = 0 on the first tile
        float tile_sum = 0.0f;
        for (int64_t c = 0; c < cols; ++c) {
          score[c] = std::exp(score[c] - new_max);
          tile_sum += score[c];
        }
        s.row_sum[r] = s.row_sum[r] * correction + tile_sum;
        s.row_max[r] = new_max;
        if (rng.enabled()) {
          // The softmax denominator counts every weight; dropout zeroes and rescales only what reaches V.
          for (int64_t c0 = 0; c0 < cols; c0 += 4) {
            const uint32_t bits = rng.keep_bits4(item, i0 + r, j0 + c0);
            for (int64_t c = c0; c < std::min(c0 + 4, cols); ++c) {
              score[c] = ((bits >> (c - c0)) & 1u) ? score[c] * rng.inv_keep : 0.0f;
            }
          }
        }
        float* acc = s.acc.data() + r * dim;
        for (int64_t d = 0; d < dim; ++d) acc[d] *= correction;
        for (int64_t c = 0; c < cols; ++c) {
          const float weight = score[c];
          const float* vr = s.v.data() + (j0 + c) * dim;
          for (int64_t d = 0; d < dim; ++d) acc[d] += weight * vr[d];
        }
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      const float inv_sum = 1.0f / s.row_sum[r];
      for (int64_t d = 0; d < dim; ++d) result[(i0 + r) * dim + d] = s.acc[r * dim + d] * inv_sum;
      p.lse[g.lse_index(b, h, i0 + r)] = s.row_max[r] + std::log(s.row_sum[r]);
    }
  }
  for (int64_t i = len; i < rows_to_write; ++i) p.lse[g.lse_index(b, h, i)] = 0.0f;
  store_rows<T>(g, out, b, h, len, rows_to_write, dim, result.data());
}

}  // namespace

void attention_forward_cpu(const exprbert_attention_params& p) {
  dispatch_dtype(p.dtype, "attention dtype", [&](auto tag) {
    using T = typename decltype(tag)::type;
    parallel_for_items(p.batch * p.heads, p.num_threads, [&](int64_t item) {
      thread_local ForwardScratch scratch;
      forward_item<T>(p, item, scratch);
    });
  });
}

}  // namespace exprbert
