// CPU twin of the attention backward (kernels.h): the driver. Per (sequence, head), with P recomputed from
// the stored log-sum-exp and the dropout mask regenerated from (seed, offset):
//   delta_i = <dout_i, out_i>,  dS = P * (z * dO V^T - delta),  dV = (P z)^T dO,  dK = scale dS^T Q,
//   dQ = scale dS K
// (the arithmetic is in attention_cpu_kernels.inc). One thread owns one (sequence, head), so dk and dv
// accumulate without races and in a fixed order: deterministic, independent of the thread count.
#include <cstring>
#include <limits>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype_switch.h"
#include "attention_cpu.h"
#include "attention_cpu_rows.h"
#include "attention_cpu_tiles.h"
#include "parallel.h"

namespace exprbert {
namespace {

struct BackwardScratch {
  std::vector<float> q, k, v, kt, vt, dout, out, lse, delta, dq, dk, dv, work;
};

template <typename T>
void backward_item(const exprbert_attention_params& pr, const AttentionCpuKernels& kernels, int64_t item,
                   BackwardScratch& s) {
  const SequenceGeometry g = geometry_of(pr);
  const int64_t b = item / pr.heads, h = item % pr.heads, dim = pr.head_dim;
  const int64_t len = g.length(b);
  const int64_t rows_to_write = pr.layout == EXPRBERT_ATTENTION_VARLEN ? len : pr.max_seqlen;
  const AttentionTensors ts = tensors_of(pr);
  AttentionBackwardTiles t{};
  size_tiles(t, len, dim, kernels.width);
  const int64_t dp = t.dim_pad;
  if (len > 0) {
    for (auto* buffer : {&s.q, &s.dout, &s.out, &s.dq}) ensure_floats(*buffer, t.rows_pad * dp);
    for (auto* buffer : {&s.k, &s.v, &s.dk, &s.dv}) ensure_floats(*buffer, t.keys_pad * dp);
    for (auto* buffer : {&s.kt, &s.vt}) ensure_floats(*buffer, dim * t.keys_ld);
    for (auto* buffer : {&s.lse, &s.delta}) ensure_floats(*buffer, t.rows_pad);
    ensure_floats(s.work, kAttentionWorkFloats);
    const float scale = static_cast<float>(pr.scale);  // folded into q (attention_cpu_kernels.inc)
    load_tiles<T>(g, b, h, len, dim, dp,
                  {TileLoad{ts.q, s.q.data(), t.rows_pad, scale}, TileLoad{ts.k, s.k.data(), t.keys_pad, 1.0f},
                   TileLoad{ts.v, s.v.data(), len, 1.0f}, TileLoad{ts.dout, s.dout.data(), t.rows_pad, 1.0f},
                   TileLoad{ts.out_in, s.out.data(), t.rows_pad, 1.0f}});
    transpose_rows(s.k.data(), dp, len, dim, t.keys_ld, s.kt.data());
    transpose_rows(s.v.data(), dp, len, dim, t.keys_ld, s.vt.data());
    for (int64_t i = 0; i < t.rows_pad; ++i) {
      s.lse[static_cast<size_t>(i)] =
          i < len ? pr.lse[g.lse_index(b, h, i)] : std::numeric_limits<float>::infinity();
    }
    std::memset(s.dq.data(), 0, static_cast<size_t>(t.rows_pad * dp) * sizeof(float));
    std::memset(s.dk.data(), 0, static_cast<size_t>(t.keys_pad * dp) * sizeof(float));
    std::memset(s.dv.data(), 0, static_cast<size_t>(t.keys_pad * dp) * sizeof(float));
    t.scale = static_cast<float>(pr.scale);
    t.q = s.q.data();
    t.k = s.k.data();
    t.kt = s.kt.data();
    t.vt = s.vt.data();
    t.dout = s.dout.data();
    t.lse = s.lse.data();
    t.out = s.out.data();
    t.delta = s.delta.data();
    t.dq = s.dq.data();
    t.dk = s.dk.data();
    t.dv = s.dv.data();
    t.work = s.work.data();
    t.rng = dropout_of(pr);
    t.window = window_of(pr);
    t.item = item;
    kernels.backward(t);
  }
  store_tiles<T>(g, b, h, len, rows_to_write, dim, dp,
                 {TileStore{ts.dq, s.dq.data()}, TileStore{ts.dk, s.dk.data()}, TileStore{ts.dv, s.dv.data()}});
}

}  // namespace

void attention_backward_cpu(const exprbert_attention_params& p) {
  const AttentionCpuKernels& kernels = attention_cpu_kernels();
  dispatch_dtype(p.dtype, "attention dtype", [&](auto tag) {
    using T = typename decltype(tag)::type;
    parallel_for_items(p.batch * p.heads, p.num_threads, [&](int64_t item) {
      thread_local BackwardScratch scratch;
      backward_item<T>(p, kernels, item, scratch);
    });
  });
}

}  // namespace exprbert
