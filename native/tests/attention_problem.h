// A random attention problem in either layout and any dtype, with its params struct and its naive reference.
// Padded problems store q, k, v interleaved like one fused projection ([batch, seq, 3, heads, dim]), so the
// kernels are exercised through real strides; varlen problems are dense [total_tokens, heads, dim].
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "../src/common/dtype.h"
#include "attention_reference.h"
#include "exprbert/kernels.h"
#include "test_support.h"

namespace exprbert_test {

inline size_t attention_dtype_bytes(int32_t dtype) { return dtype == EXPRBERT_DTYPE_F32 ? 4 : 2; }

// Rounds x to dtype and returns the stored bits (in bytes at `at`) and the exactly widened value.
inline double store_value(int32_t dtype, float x, uint8_t* at) {
  using namespace exprbert;
  if (dtype == EXPRBERT_DTYPE_F32) {
    std::memcpy(at, &x, 4);
    return x;
  }
  if (dtype == EXPRBERT_DTYPE_BF16) {
    const BFloat16 h = from_float<BFloat16>(x);
    std::memcpy(at, &h.bits, 2);
    return to_float(h);
  }
  const Half h = from_float<Half>(x);
  std::memcpy(at, &h.bits, 2);
  return to_float(h);
}

inline double load_value(int32_t dtype, const uint8_t* at) {
  using namespace exprbert;
  if (dtype == EXPRBERT_DTYPE_F32) {
    float x;
    std::memcpy(&x, at, 4);
    return x;
  }
  uint16_t bits;
  std::memcpy(&bits, at, 2);
  return dtype == EXPRBERT_DTYPE_BF16 ? to_float(BFloat16{bits}) : to_float(Half{bits});
}

struct AttentionProblem {
  int32_t layout = EXPRBERT_ATTENTION_PADDED;
  int32_t dtype = EXPRBERT_DTYPE_F32;
  int64_t batch = 0, heads = 0, dim = 0, max_seqlen = 0, total = 0;
  std::vector<int32_t> lens, cu;      // lens[b]; cu = prefix sums (varlen)
  bool pass_seqlens = true;            // padded: give seqlens (else every row is real)
  double scale = 0.0, dropout_p = 0.0;
  uint64_t seed = 0, offset = 0;
  // Sliding window (kernels.h): window_kind 0 = none; 1 = sliding with the two sides (-1 = unlimited).
  int32_t window_kind = EXPRBERT_ATTENTION_WINDOW_NONE;
  int64_t window_left = 0, window_right = 0;
  // Storage (bytes). qkv holds q, k, v: padded [batch, seq, 3, heads, dim]; varlen three dense [total, heads, dim].
  std::vector<uint8_t> qkv, dout, out, dq, dk, dv;
  std::vector<float> lse, delta;
  int64_t row_elems = 0;  // elements per token row of q/k/v storage
  int64_t qkv_part = 0;   // element offset of k from q (and v from k)

  size_t bytes() const { return attention_dtype_bytes(dtype); }
  int64_t rows() const { return layout == EXPRBERT_ATTENTION_VARLEN ? total : batch * max_seqlen; }
  int64_t first_row(int64_t b) const { return layout == EXPRBERT_ATTENTION_VARLEN ? cu[b] : b * max_seqlen; }
  // Element offset of (b, i, h, 0) in a dense [rows, heads, dim] tensor (out, dout, dq, dk, dv).
  int64_t dense(int64_t b, int64_t i, int64_t h) const { return ((first_row(b) + i) * heads + h) * dim; }
  int64_t packed(int64_t which, int64_t b, int64_t i, int64_t h) const {
    return (first_row(b) + i) * row_elems + which * qkv_part + h * dim;
  }
};

inline AttentionProblem make_attention_problem(int32_t layout, int32_t dtype, const std::vector<int32_t>& lens,
                                               int64_t max_seqlen, int64_t heads, int64_t dim, uint32_t seed) {
  AttentionProblem p;
  p.layout = layout;
  p.dtype = dtype;
  p.batch = static_cast<int64_t>(lens.size());
  p.heads = heads;
  p.dim = dim;
  p.max_seqlen = max_seqlen;
  p.lens = lens;
  p.cu.assign(lens.size() + 1, 0);
  for (size_t b = 0; b < lens.size(); ++b) p.cu[b + 1] = p.cu[b] + lens[b];
  p.total = p.cu.back();
  p.scale = 1.0 / std::sqrt(static_cast<double>(dim));
  if (layout == EXPRBERT_ATTENTION_PADDED) {
    p.row_elems = 3 * heads * dim;
    p.qkv_part = heads * dim;
  } else {
    p.row_elems = heads * dim;
    p.qkv_part = p.total * heads * dim;
  }
  const size_t elems = static_cast<size_t>(p.rows() * heads * dim);
  const auto values = random_normal(3 * elems, seed, 1.5f);
  const auto grads = random_normal(elems, seed + 7, 1.0f);
  p.qkv.assign(3 * elems * p.bytes(), 0);
  p.dout.assign(elems * p.bytes(), 0);
  for (size_t i = 0; i < 3 * elems; ++i) store_value(dtype, values[i], p.qkv.data() + i * p.bytes());
  for (size_t i = 0; i < elems; ++i) store_value(dtype, grads[i], p.dout.data() + i * p.bytes());
  // Sentinels: outputs start as nan so rows the kernel forgets to write are caught.
  p.out.assign(elems * p.bytes(), 0xff);
  p.dq.assign(elems * p.bytes(), 0xff);
  p.dk.assign(elems * p.bytes(), 0xff);
  p.dv.assign(elems * p.bytes(), 0xff);
  const size_t lse_size = layout == EXPRBERT_ATTENTION_VARLEN ? heads * p.total : p.batch * heads * max_seqlen;
  p.lse.assign(lse_size, NAN);
  p.delta.assign(lse_size, 0.0f);
  return p;
}

// The params struct over the given base pointers (host or device copies of the problem's buffers).
inline exprbert_attention_params attention_params(const AttentionProblem& p, const void* qkv, void* out, float* lse,
                                                  const void* dout, void* dq, void* dk, void* dv, float* delta,
                                                  const int32_t* lens, const int32_t* cu, int32_t device) {
  exprbert_attention_params a;
  exprbert_attention_params_init(&a);
  a.layout = p.layout;
  a.dtype = p.dtype;
  a.batch = p.batch;
  a.max_seqlen = p.max_seqlen;
  a.total_tokens = p.total;
  a.heads = p.heads;
  a.head_dim = p.dim;
  a.seqlens = p.layout == EXPRBERT_ATTENTION_PADDED && p.pass_seqlens ? lens : nullptr;
  a.cu_seqlens = p.layout == EXPRBERT_ATTENTION_VARLEN ? cu : nullptr;
  a.host_cu_seqlens = p.layout == EXPRBERT_ATTENTION_VARLEN ? p.cu.data() : nullptr;
  a.scale = p.scale;
  a.dropout_p = p.dropout_p;
  a.dropout_seed = p.seed;
  a.dropout_offset = p.offset;
  a.window = p.window_kind;
  a.window_left = p.window_left;
  a.window_right = p.window_right;
  const size_t bytes = p.bytes();
  const uint8_t* base = static_cast<const uint8_t*>(qkv);
  const int64_t seq_stride_qkv = p.max_seqlen * p.row_elems;
  const int64_t seq_stride_dense = p.max_seqlen * p.heads * p.dim;
  const int64_t dense_row = p.heads * p.dim;
  a.q = base;
  a.k = base + p.qkv_part * bytes;
  a.v = base + 2 * p.qkv_part * bytes;
  a.q_batch_stride = a.k_batch_stride = a.v_batch_stride = seq_stride_qkv;
  a.q_row_stride = a.k_row_stride = a.v_row_stride = p.row_elems;
  a.q_head_stride = a.k_head_stride = a.v_head_stride = p.dim;
  a.out = out;
  a.dout = dout;
  a.dq = dq;
  a.dk = dk;
  a.dv = dv;
  a.out_batch_stride = a.dout_batch_stride = a.dq_batch_stride = a.dk_batch_stride = a.dv_batch_stride = seq_stride_dense;
  a.out_row_stride = a.dout_row_stride = a.dq_row_stride = a.dk_row_stride = a.dv_row_stride = dense_row;
  a.out_head_stride = a.dout_head_stride = a.dq_head_stride = a.dk_head_stride = a.dv_head_stride = p.dim;
  a.lse = lse;
  a.delta = delta;
  a.device = device;
  return a;
}

inline exprbert_attention_params host_attention_params(AttentionProblem& p) {
  return attention_params(p, p.qkv.data(), p.out.data(), p.lse.data(), p.dout.data(), p.dq.data(), p.dk.data(),
                          p.dv.data(), p.delta.data(), p.lens.data(), p.cu.data(), -1);
}

// The materialised keep mask of the problem's (seed, offset, p), [batch, heads, max_seqlen, max_seqlen].
// Sets a sliding window of `left` / `right` keys (-1 = unlimited) on the problem.
inline void set_window(AttentionProblem& p, int64_t left, int64_t right) {
  p.window_kind = EXPRBERT_ATTENTION_WINDOW_SLIDING;
  p.window_left = left;
  p.window_right = right;
}

inline ReferenceWindow reference_window(const AttentionProblem& p) {
  if (p.window_kind == EXPRBERT_ATTENTION_WINDOW_NONE) return ReferenceWindow{};
  return ReferenceWindow{p.window_left, p.window_right};
}

inline std::vector<uint8_t> keep_mask(const AttentionProblem& p) {
  std::vector<uint8_t> keep(static_cast<size_t>(p.batch * p.heads * p.max_seqlen * p.max_seqlen), 0);
  exprbert_attention_params a;
  exprbert_attention_params_init(&a);
  a.batch = p.batch;
  a.heads = p.heads;
  a.max_seqlen = p.max_seqlen;
  a.dropout_p = p.dropout_p;
  a.dropout_seed = p.seed;
  a.dropout_offset = p.offset;
  if (exprbert_attention_dropout_mask(&a, keep.data()) != EXPRBERT_OK) {
    std::fprintf(stderr, "exprbert_attention_dropout_mask failed: %s\n", exprbert_last_error());
  }
  return keep;
}

// Copies the real rows of q, k, v and dout of `from` into `to`, a problem of the same lengths, heads, head_dim and
// dtype in any layout: both then hold the same logical values.
inline void copy_real_rows(const AttentionProblem& from, AttentionProblem& to) {
  const size_t row_bytes = static_cast<size_t>(from.dim) * from.bytes();
  for (int64_t b = 0; b < from.batch; ++b)
    for (int64_t i = 0; i < from.lens[b]; ++i)
      for (int64_t h = 0; h < from.heads; ++h) {
        for (int64_t w = 0; w < 3; ++w)
          std::memcpy(to.qkv.data() + to.packed(w, b, i, h) * to.bytes(), from.qkv.data() + from.packed(w, b, i, h) * from.bytes(),
                      row_bytes);
        std::memcpy(to.dout.data() + to.dense(b, i, h) * to.bytes(), from.dout.data() + from.dense(b, i, h) * from.bytes(),
                    row_bytes);
      }
}

// Whether out, dq, dk and dv of the real rows of two such problems are the same bits.
inline bool same_real_rows(const AttentionProblem& a, const AttentionProblem& b) {
  const size_t row_bytes = static_cast<size_t>(a.dim) * a.bytes();
  for (int64_t s = 0; s < a.batch; ++s)
    for (int64_t i = 0; i < a.lens[s]; ++i)
      for (int64_t h = 0; h < a.heads; ++h)
        for (const auto member : {&AttentionProblem::out, &AttentionProblem::dq, &AttentionProblem::dk, &AttentionProblem::dv})
          if (std::memcmp((a.*member).data() + a.dense(s, i, h) * a.bytes(), (b.*member).data() + b.dense(s, i, h) * b.bytes(),
                          row_bytes) != 0)
            return false;
  return true;
}

// Whether two runs gave the same out, lse, dq, dk and dv, bit for bit (a value left nan by a kernel never matches).
inline bool same_outputs(const AttentionProblem& a, const AttentionProblem& b) {
  return a.out == b.out && a.lse == b.lse && a.dq == b.dq && a.dk == b.dk && a.dv == b.dv;
}

// Per-tensor errors of a run against the reference, each normalised by the tensor's max |reference|.
struct AttentionErrors {
  double out = 0, lse = 0, dq = 0, dk = 0, dv = 0;
  bool padding_ok = true;  // rows beyond each length hold zeros and lse 0 (padded layout)
  double worst() const { return std::max({out, lse, dq, dk, dv}); }
};

// Compares every real row; `backward` adds dq, dk, dv. Prints the worst element of each failing tensor.
inline AttentionErrors compare_with_reference(const AttentionProblem& p, bool backward) {
  AttentionErrors e;
  const std::vector<uint8_t> mask = p.dropout_p > 0 ? keep_mask(p) : std::vector<uint8_t>{};
  const int64_t dim = p.dim, S = p.max_seqlen;
  double max_ref[5] = {1e-30, 1e-30, 1e-30, 1e-30, 1e-30};
  double max_err[5] = {0, 0, 0, 0, 0};
  for (int64_t b = 0; b < p.batch; ++b) {
    const int64_t len = p.lens[b];
    for (int64_t h = 0; h < p.heads; ++h) {
      std::vector<double> q(len * dim), k(len * dim), v(len * dim), dout(len * dim);
      std::vector<uint8_t> keep;
      if (!mask.empty()) {
        keep.resize(len * len);
        for (int64_t i = 0; i < len; ++i)
          for (int64_t j = 0; j < len; ++j) keep[i * len + j] = mask[((b * p.heads + h) * S + i) * S + j];
      }
      for (int64_t i = 0; i < len; ++i) {
        for (int64_t d = 0; d < dim; ++d) {
          q[i * dim + d] = load_value(p.dtype, p.qkv.data() + (p.packed(0, b, i, h) + d) * p.bytes());
          k[i * dim + d] = load_value(p.dtype, p.qkv.data() + (p.packed(1, b, i, h) + d) * p.bytes());
          v[i * dim + d] = load_value(p.dtype, p.qkv.data() + (p.packed(2, b, i, h) + d) * p.bytes());
          dout[i * dim + d] = load_value(p.dtype, p.dout.data() + (p.dense(b, i, h) + d) * p.bytes());
        }
      }
      const ReferenceHead r = reference_attention(q, k, v, dout, len, dim, p.scale, p.dropout_p, keep, reference_window(p));
      const std::vector<uint8_t>* actual[5] = {&p.out, nullptr, &p.dq, &p.dk, &p.dv};
      const std::vector<double>* expected[5] = {&r.out, &r.lse, &r.dq, &r.dk, &r.dv};
      for (int t = 0; t < 5; ++t) {
        if (!backward && t >= 2) break;
        for (int64_t i = 0; i < len; ++i) {
          for (int64_t d = 0; d < (t == 1 ? 1 : dim); ++d) {
            double got;
            if (t == 1) {
              const int64_t at = p.layout == EXPRBERT_ATTENTION_VARLEN ? h * p.total + p.cu[b] + i : (b * p.heads + h) * S + i;
              got = p.lse[at];
            } else {
              got = load_value(p.dtype, actual[t]->data() + (p.dense(b, i, h) + d) * p.bytes());
            }
            const double want = (*expected[t])[t == 1 ? i : i * dim + d];
            max_ref[t] = std::max(max_ref[t], std::fabs(want));
            const double err = std::fabs(got - want);
            max_err[t] = std::isnan(err) ? INFINITY : std::max(max_err[t], err);
          }
        }
        if (p.layout == EXPRBERT_ATTENTION_PADDED && t != 1) {
          for (int64_t i = len; i < S; ++i)
            for (int64_t d = 0; d < dim; ++d)
              if (load_value(p.dtype, actual[t]->data() + (p.dense(b, i, h) + d) * p.bytes()) != 0.0) e.padding_ok = false;
        }
        if (p.layout == EXPRBERT_ATTENTION_PADDED && t == 1) {
          for (int64_t i = len; i < S; ++i)
            if (p.lse[(b * p.heads + h) * S + i] != 0.0f) e.padding_ok = false;
        }
      }
    }
  }
  e.out = max_err[0] / max_ref[0];
  e.lse = max_err[1] / max_ref[1];
  // dq and dk are dS-weighted sums with dS = P (dP - delta): for a length-1 sequence (P = 1, dP = delta) they are
  // exactly 0 in exact arithmetic, and whether a kernel's rounding cancels to 0 depends on how the compiler
  // contracts multiply-adds. Their error is therefore measured against at least a tenth of dv's scale, the size
  // of the terms that cancel, instead of against a reference of 0.
  const double cancellation_floor = 0.1 * max_ref[4];
  e.dq = max_err[2] / std::max(max_ref[2], cancellation_floor);
  e.dk = max_err[3] / std::max(max_ref[3], cancellation_floor);
  e.dv = max_err[4] / max_ref[4];
  return e;
}

// Prints the errors and checks them against one relative bound (of each tensor's max |reference|).
inline bool errors_within(const char* what, const AttentionErrors& e, double bound, bool backward) {
  const bool ok = e.out <= bound && e.lse <= bound && e.padding_ok &&
                  (!backward || (e.dq <= bound && e.dk <= bound && e.dv <= bound));
  if (!ok) {
    std::fprintf(stderr, "  %s: out %.3g lse %.3g dq %.3g dk %.3g dv %.3g (bound %.3g), padding rows zero: %s\n", what,
                 e.out, e.lse, e.dq, e.dk, e.dv, bound, e.padding_ok ? "yes" : "no");
  }
  return ok;
}

}  // namespace exprbert_test
