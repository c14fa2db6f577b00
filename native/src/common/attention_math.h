// Indexing and dropout shared by the attention CPU twin and the CUDA kernels (one definition of where an
// element lives, which sequence rows exist, and which attention weights dropout keeps).
//
// Invariants: every index is int64; rows and columns count within a sequence (0 .. len-1) for both layouts,
// so a padded and a varlen batch address the same logical elements and draw the same dropout mask.
#pragma once

#include <cstdint>

#include "exprbert/kernels.h"
#include "host_device.h"
#include "philox.h"

namespace exprbert {

// Where one tensor's elements live: base pointer plus element strides (head_dim stride is 1).
template <typename Ptr>
struct StridedRows {
  Ptr base;
  int64_t batch_stride, row_stride, head_stride;
};

// Every tensor of a call as base pointer + strides (read-only inputs, writable outputs).
struct AttentionTensors {
  StridedRows<const void*> q, k, v, out_in, dout;
  StridedRows<void*> out, dq, dk, dv;
};

EXPRBERT_HD AttentionTensors tensors_of(const exprbert_attention_params& p) {
  return AttentionTensors{{p.q, p.q_batch_stride, p.q_row_stride, p.q_head_stride},
                          {p.k, p.k_batch_stride, p.k_row_stride, p.k_head_stride},
                          {p.v, p.v_batch_stride, p.v_row_stride, p.v_head_stride},
                          {p.out, p.out_batch_stride, p.out_row_stride, p.out_head_stride},
                          {p.dout, p.dout_batch_stride, p.dout_row_stride, p.dout_head_stride},
                          {p.out, p.out_batch_stride, p.out_row_stride, p.out_head_stride},
                          {p.dq, p.dq_batch_stride, p.dq_row_stride, p.dq_head_stride},
                          {p.dk, p.dk_batch_stride, p.dk_row_stride, p.dk_head_stride},
                          {p.dv, p.dv_batch_stride, p.dv_row_stride, p.dv_head_stride}};
}

// The sequence geometry of one call: the first token and the length of sequence b.
struct SequenceGeometry {
  int32_t layout;
  int64_t max_seqlen;
  int64_t total_tokens;
  int64_t heads;
  const int32_t* seqlens;     // padded, optional
  const int32_t* cu_seqlens;  // varlen

  EXPRBERT_HD int64_t length(int64_t b) const {
    if (layout == EXPRBERT_ATTENTION_VARLEN) return static_cast<int64_t>(cu_seqlens[b + 1]) - cu_seqlens[b];
    return seqlens != nullptr ? static_cast<int64_t>(seqlens[b]) : max_seqlen;
  }
  // Element offset of (b, i, h, 0).
  template <typename Ptr>
  EXPRBERT_HD int64_t offset(const StridedRows<Ptr>& t, int64_t b, int64_t i, int64_t h) const {
    if (layout == EXPRBERT_ATTENTION_VARLEN) return (cu_seqlens[b] + i) * t.row_stride + h * t.head_stride;
    return b * t.batch_stride + i * t.row_stride + h * t.head_stride;
  }
  // Index of (b, h, i) in lse / delta: padded [batch, heads, max_seqlen]; varlen [heads, total_tokens].
  EXPRBERT_HD int64_t lse_index(int64_t b, int64_t h, int64_t i) const {
    if (layout == EXPRBERT_ATTENTION_VARLEN) return h * total_tokens + cu_seqlens[b] + i;
    return (b * heads + h) * max_seqlen + i;
  }
};

inline SequenceGeometry geometry_of(const exprbert_attention_params& p) {
  return SequenceGeometry{p.layout, p.max_seqlen, p.total_tokens, p.heads, p.seqlens, p.cu_seqlens};
}

// The sliding window of one call (kernels.h): query i sees key j iff i - left <= j <= i + right. A call without a
// window, or a side given as -1, gets kUnlimited on that side, so every kernel runs one code path: with
// left = right = kUnlimited the ranges below are [0, len) and no key is masked beyond the sequence's end.
struct AttentionWindow {
  // Beyond any sequence length (int32 offsets), and small enough that i + kUnlimited cannot overflow int64.
  static constexpr int64_t kUnlimited = int64_t{1} << 40;
  int64_t left, right;  // each in [0, kUnlimited]

  EXPRBERT_HD bool limited() const { return left < kUnlimited || right < kUnlimited; }
  EXPRBERT_HD bool sees(int64_t i, int64_t j) const { return j >= i - left && j <= i + right; }
  // Keys [key_begin, key_end) hold every key that query rows [first, last] see, within [0, len).
  EXPRBERT_HD int64_t key_begin(int64_t first) const { return first - left > 0 ? first - left : 0; }
  EXPRBERT_HD int64_t key_end(int64_t last, int64_t len) const { return last + right + 1 < len ? last + right + 1 : len; }
  // Query rows [query_begin, query_end) hold every query that sees one of the keys [first, last], within [0, len).
  EXPRBERT_HD int64_t query_begin(int64_t first) const { return first - right > 0 ? first - right : 0; }
  EXPRBERT_HD int64_t query_end(int64_t last, int64_t len) const { return last + left + 1 < len ? last + left + 1 : len; }
};

inline AttentionWindow window_of(const exprbert_attention_params& p) {
  const auto side = [&](int64_t size) {
    return p.window == EXPRBERT_ATTENTION_WINDOW_NONE || size < 0 || size > AttentionWindow::kUnlimited
               ? AttentionWindow::kUnlimited
               : size;
  };
  return AttentionWindow{side(p.window_left), side(p.window_right)};
}

// The attention dropout of one call: a pure function of (sequence*heads + head, row, column).
struct DropoutRng {
  uint32_t key0, key1, offset;
  uint32_t threshold;  // keep iff (bits >> 8) >= threshold; 0 = keep everything
  float inv_keep;      // 1 / (1 - p), rounded once from double

  EXPRBERT_HD bool enabled() const { return threshold != 0; }

  // Four consecutive columns j0 .. j0+3 (j0 a multiple of 4) of row i: bit c set iff column j0 + c is kept.
  EXPRBERT_HD uint32_t keep_bits4(int64_t bh, int64_t i, int64_t j0) const {
    const Philox4 r = philox4x32_10(static_cast<uint32_t>(j0 >> 2), static_cast<uint32_t>(i),
                                    static_cast<uint32_t>(bh), offset, key0, key1);
    uint32_t bits = 0;
    for (int c = 0; c < 4; ++c) bits |= ((r.x[c] >> 8) >= threshold ? 1u : 0u) << c;
    return bits;
  }
  EXPRBERT_HD bool keep(int64_t bh, int64_t i, int64_t j) const {
    return ((keep_bits4(bh, i, j & ~int64_t{3}) >> (j & 3)) & 1u) != 0;
  }
};

inline DropoutRng dropout_of(const exprbert_attention_params& p) {
  DropoutRng rng{};
  rng.key0 = static_cast<uint32_t>(p.dropout_seed);
  rng.key1 = static_cast<uint32_t>(p.dropout_seed >> 32) ^ static_cast<uint32_t>(p.dropout_offset >> 32);
  rng.offset = static_cast<uint32_t>(p.dropout_offset);
  rng.threshold = static_cast<uint32_t>(p.dropout_p * 16777216.0);
  rng.inv_keep = rng.threshold == 0 ? 1.0f : static_cast<float>(1.0 / (1.0 - p.dropout_p));
  return rng;
}

}  // namespace exprbert
