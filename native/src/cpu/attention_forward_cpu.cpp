// CPU twin of the attention forward (kernels.h): the driver. One work item per (sequence, head) on
// std::threads (parallel.h); each item is loaded into zero-padded float tiles, computed by the SIMD kernel
// build this CPU runs best (attention_cpu_isa.cpp, attention_cpu_kernels.inc), and stored back.
// Deterministic: one item is computed by one thread in a fixed order, so the result does not depend on the
// thread count. Scratch is thread_local and only grows, so steady-state calls do not allocate per item.
#include <cmath>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype_switch.h"
#include "attention_cpu.h"
#include "attention_cpu_rows.h"
#include "attention_cpu_tiles.h"
#include "parallel.h"

namespace exprbert {
namespace {

struct ForwardScratch {
  std::vector<float> q, k, kt, v, out, lse, work;
};

template <typename T>
void forward_item(const exprbert_attention_params& p, const AttentionCpuKernels& kernels, int64_t item,
                  ForwardScratch& s) {
  const SequenceGeometry g = geometry_of(p);
  const int64_t b = item / p.heads, h = item % p.heads, dim = p.head_dim;
  const int64_t len = g.length(b);
  const int64_t rows_to_write = p.layout == EXPRBERT_ATTENTION_VARLEN ? len : p.max_seqlen;
  const AttentionTensors ts = tensors_of(p);
  AttentionForwardTiles t{};
  size_tiles(t, len, dim, kernels.width);
  if (len > 0) {
    ensure_floats(s.q, t.rows_pad * t.dim_pad);
    ensure_floats(s.k, len * t.dim_pad);
    ensure_floats(s.kt, dim * t.keys_ld);
    ensure_floats(s.v, t.keys_pad * t.dim_pad);
    ensure_floats(s.out, t.rows_pad * t.dim_pad);
    ensure_floats(s.lse, t.rows_pad);
    ensure_floats(s.work, kAttentionWorkFloats);
    const float scale = static_cast<float>(p.scale);  // folded into q (attention_cpu_kernels.inc)
    load_tiles<T>(g, b, h, len, dim, t.dim_pad,
                  {TileLoad{ts.q, s.q.data(), t.rows_pad, scale}, TileLoad{ts.k, s.k.data(), len, 1.0f},
                   TileLoad{ts.v, s.v.data(), t.keys_pad, 1.0f}});
    transpose_rows(s.k.data(), t.dim_pad, len, dim, t.keys_ld, s.kt.data());
    t.q = s.q.data();
    t.kt = s.kt.data();
    t.v = s.v.data();
    t.out = s.out.data();
    t.lse = s.lse.data();
    t.work = s.work.data();
    t.rng = dropout_of(p);
    t.window = window_of(p);
    t.item = item;
    kernels.forward(t);
    for (int64_t i = 0; i < len; ++i) p.lse[g.lse_index(b, h, i)] = s.lse[static_cast<size_t>(i)];
  }
  for (int64_t i = len; i < rows_to_write; ++i) p.lse[g.lse_index(b, h, i)] = 0.0f;
  store_tiles<T>(g, b, h, len, rows_to_write, dim, t.dim_pad, {TileStore{ts.out, s.out.data()}});
}

}  // namespace

void attention_forward_cpu(const exprbert_attention_params& p) {
  const AttentionCpuKernels& kernels = attention_cpu_kernels();
  dispatch_dtype(p.dtype, "attention dtype", [&](auto tag) {
    using T = typename decltype(tag)::type;
    parallel_for_items(p.batch * p.heads, p.num_threads, [&](int64_t item) {
      thread_local ForwardScratch scratch;
      forward_item<T>(p, kernels, item, scratch);
    });
  });
}

}  // namespace exprbert
