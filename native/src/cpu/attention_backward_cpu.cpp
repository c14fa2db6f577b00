// CPU twin of the attention backward (kernels.h). Per (sequence, head), for each query row i:
//   p_j   = exp(scale * <q_i, k_j> - lse_i)          (recomputed, not stored)
//   dpz_j = <dout_i, v_j>,  z_j = keep_ij / (1 - dropout_p)   (mask regenerated from (seed, offset))
//   delta = <dout_i, out_i> = sum_j p_j z_j dpz_j
//   ds_j  = p_j * (z_j * dpz_j - delta)
//   dv_j += p_j z_j dout_i;  dq_i += scale * ds_j k_j;  dk_j += scale * ds_j q_i
// One thread owns one (sequence, head), so dk and dv accumulate without races and in a fixed order
// (deterministic, independent of the thread count). Transposed K and V make the two row-times-matrix loops
// unit-stride along keys; the three accumulations are unit-stride along head_dim.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype_switch.h"
#include "attention_cpu.h"
#include "attention_cpu_rows.h"
#include "parallel.h"

namespace exprbert {
namespace {

struct BackwardScratch {
  std::vector<float> q, k, kt, vt, dout, out, dq, dk, dv, p, ds;
};

template <typename T>
void backward_item(const exprbert_attention_params& pr, int64_t item, BackwardScratch& s) {
  const SequenceGeometry g = geometry_of(pr);
  const DropoutRng rng = dropout_of(pr);
  const int64_t b = item / pr.heads, h = item % pr.heads, dim = pr.head_dim;
  const int64_t len = g.length(b);
  const float scale = static_cast<float>(pr.scale);
  const int64_t rows_to_write = pr.layout == EXPRBERT_ATTENTION_VARLEN ? len : pr.max_seqlen;
  const size_t n = static_cast<size_t>(len * dim);
  for (auto* buffer : {&s.q, &s.k, &s.kt, &s.vt, &s.dout, &s.out}) buffer->resize(n);
  for (auto* buffer : {&s.dq, &s.dk, &s.dv}) buffer->assign(n, 0.0f);
  s.p.resize(static_cast<size_t>(len));
  s.ds.resize(static_cast<size_t>(len));
  const StridedRows<const void*> q{pr.q, pr.q_batch_stride, pr.q_row_stride, pr.q_head_stride};
  const StridedRows<const void*> k{pr.k, pr.k_batch_stride, pr.k_row_stride, pr.k_head_stride};
  const StridedRows<const void*> v{pr.v, pr.v_batch_stride, pr.v_row_stride, pr.v_head_stride};
  const StridedRows<const void*> out{pr.out, pr.out_batch_stride, pr.out_row_stride, pr.out_head_stride};
  const StridedRows<const void*> dout{pr.dout, pr.dout_batch_stride, pr.dout_row_stride, pr.dout_head_stride};
  load_rows<T>(g, q, b, h, len, dim, s.q.data());
  load_rows<T>(g, k, b, h, len, dim, s.k.data());
  load_rows_transposed<T>(g, k, b, h, len, dim, s.kt.data());
  load_rows_transposed<T>(g, v, b, h, len, dim, s.vt.data());
  load_rows<T>(g, dout, b, h, len, dim, s.dout.data());
  load_rows<T>(g, out, b, h, len, dim, s.out.data());

  for (int64_t i = 0; i < len; ++i) {
    const float* qi = s.q.data() + i * dim;
    const float* doi = s.dout.data() + i * dim;
    const float* oi = s.out.data() + i * dim;
    float delta = 0.0f;
    for (int64_t d = 0; d < dim; ++d) delta += doi[d] * oi[d];
    const float lse = pr.lse[g.lse_index(b, h, i)];
    float* p = s.p.data();
    float* ds = s.ds.data();
    std::fill(p, p + len, 0.0f);
    std::fill(ds, ds + len, 0.0f);
    for (int64_t d = 0; d < dim; ++d) {
      const float qd = qi[d], dod = doi[d];
      const float* kd = s.kt.data() + d * len;
      const float* vd = s.vt.data() + d * len;
      for (int64_t j = 0; j < len; ++j) {
        p[j] += qd * kd[j];
        ds[j] += dod * vd[j];  // dpz_j for now
      }
    }
    for (int64_t j = 0; j < len; ++j) p[j] = std::exp(p[j] * scale - lse);
    if (rng.enabled()) {
      for (int64_t j0 = 0; j0 < len; j0 += 4) {
        const uint32_t bits = rng.keep_bits4(item, i, j0);
        for (int64_t j = j0; j < std::min(j0 + 4, len); ++j) {
          const float z = ((bits >> (j - j0)) & 1u) ? rng.inv_keep : 0.0f;
          const float pz = p[j] * z;
          ds[j] = p[j] * (z * ds[j] - delta);
          p[j] = pz;  // from here on p holds the dropped weight that multiplied v_j
        }
      }
    } else {
      for (int64_t j = 0; j < len; ++j) ds[j] = p[j] * (ds[j] - delta);
    }
    float* dqi = s.dq.data() + i * dim;
    for (int64_t j = 0; j < len; ++j) {
      const float pz = p[j], dsj = ds[j] * scale;
      const float* kj = s.k.data() + j * dim;
      float* dvj = s.dv.data() + j * dim;
      float* dkj = s.dk.data() + j * dim;
      for (int64_t d = 0; d < dim; ++d) {
        dvj[d] += pz * doi[d];
        dqi[d] += dsj * kj[d];
        dkj[d] += dsj * qi[d];
      }
    }
  }
  store_rows<T>(g, StridedRows<void*>{pr.dq, pr.dq_batch_stride, pr.dq_row_stride, pr.dq_head_stride}, b, h, len,
                rows_to_write, dim, s.dq.data());
  store_rows<T>(g, StridedRows<void*>{pr.dk, pr.dk_batch_stride, pr.dk_row_stride, pr.dk_head_stride}, b, h, len,
                rows_to_write, dim, s.dk.data());
  store_rows<T>(g, StridedRows<void*>{pr.dv, pr.dv_batch_stride, pr.dv_row_stride, pr.dv_head_stride}, b, h, len,
                rows_to_write, dim, s.dv.data());
}

}  // namespace

void attention_backward_cpu(const exprbert_attention_params& p) {
  dispatch_dtype(p.dtype, "attention dtype", [&](auto tag) {
    using T = typename decltype(tag)::type;
    parallel_for_items(p.batch * p.heads, p.num_threads, [&](int64_t item) {
      thread_local BackwardScratch scratch;
      backward_item<T>(p, item, scratch);
    });
  });
}

}  // namespace exprbert
