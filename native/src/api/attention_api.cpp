// extern "C" entry points of the fused attention: re-check the params (every message names the field, the
// rule and what was found), then dispatch to the CPU twin or the CUDA kernels. Never lets anything escape.
#include <cmath>
#include <string>

#include "../common/attention_math.h"
#include "../common/dtype.h"
#include "../cpu/attention_cpu.h"
#include "../cuda/attention/attention_cuda.h"
#include "errors.h"
#include "exprbert/kernels.h"

using namespace exprbert;

namespace {

constexpr int64_t kMaxHeadDim = 256;

std::string str(int64_t value) { return std::to_string(value); }

void require_strides(const char* name, int64_t batch_stride, int64_t row_stride, int64_t head_stride) {
  require(batch_stride >= 0 && row_stride >= 0 && head_stride >= 0,
          std::string(name) + " strides must be >= 0 (element strides of batch, row, head), got " + str(batch_stride) +
              ", " + str(row_stride) + ", " + str(head_stride));
}

// Checks the lengths of one call against the host copy of the offsets / lengths it gives.
void check_lengths(const exprbert_attention_params& p, const int32_t* cu, const int32_t* lens) {
  if (p.layout == EXPRBERT_ATTENTION_VARLEN) {
    require(cu[0] == 0, "cu_seqlens[0] must be 0, got " + str(cu[0]));
    for (int64_t b = 0; b < p.batch; ++b) {
      const int64_t len = static_cast<int64_t>(cu[b + 1]) - cu[b];
      require(len >= 0, "cu_seqlens must be non-decreasing, but cu_seqlens[" + str(b + 1) + "] = " + str(cu[b + 1]) +
                            " < cu_seqlens[" + str(b) + "] = " + str(cu[b]));
      require(len <= p.max_seqlen, "sequence " + str(b) + " has length " + str(len) + " > max_seqlen " +
                                       str(p.max_seqlen));
    }
    require(cu[p.batch] == p.total_tokens, "cu_seqlens[batch] must equal total_tokens " + str(p.total_tokens) +
                                               ", got " + str(cu[p.batch]));
  } else if (lens != nullptr) {
    for (int64_t b = 0; b < p.batch; ++b) {
      require(lens[b] >= 0 && lens[b] <= p.max_seqlen, "seqlens[" + str(b) + "] must be in [0, max_seqlen = " +
                                                           str(p.max_seqlen) + "], got " + str(lens[b]));
    }
  }
}

void validate_common(const exprbert_attention_params* params, bool backward) {
  require(params != nullptr, "params must not be NULL");
  const exprbert_attention_params& p = *params;
  require(p.layout == EXPRBERT_ATTENTION_PADDED || p.layout == EXPRBERT_ATTENTION_VARLEN,
          "layout must be 0 (padded) or 1 (varlen), got " + str(p.layout));
  require(is_known_dtype(p.dtype), "dtype must be an exprbert_dtype (0 = f32, 1 = f16, 2 = bf16), got " + str(p.dtype));
  require(p.batch >= 0, "batch must be >= 0, got " + str(p.batch));
  require(p.max_seqlen >= 0, "max_seqlen must be >= 0, got " + str(p.max_seqlen));
  require(p.heads >= 1, "heads must be >= 1, got " + str(p.heads));
  require(p.head_dim >= 1, "head_dim must be >= 1, got " + str(p.head_dim));
  if (p.head_dim > kMaxHeadDim) {
    fail(EXPRBERT_ERROR_UNSUPPORTED, "head_dim " + str(p.head_dim) + " is not supported (at most " + str(kMaxHeadDim) + ")");
  }
  require(std::isfinite(p.scale) && p.scale > 0.0, "scale must be finite and > 0, got " + std::to_string(p.scale));
  require(p.dropout_p >= 0.0 && p.dropout_p < 1.0, "dropout_p must be in [0, 1), got " + std::to_string(p.dropout_p));
  require(p.device >= -1, "device must be -1 (CPU) or a CUDA device index >= 0, got " + str(p.device));
  require(p.num_threads >= 0, "num_threads must be >= 0 (0 = all cores), got " + str(p.num_threads));
  require(p.window == EXPRBERT_ATTENTION_WINDOW_NONE || p.window == EXPRBERT_ATTENTION_WINDOW_SLIDING,
          "window must be 0 (none) or 1 (sliding), got " + str(p.window));
  if (p.window == EXPRBERT_ATTENTION_WINDOW_NONE) {
    // A caller that sets the sizes but not the switch would silently get full attention.
    require(p.window_left == 0 && p.window_right == 0,
            "window_left and window_right apply only with window = 1 (sliding); window is 0 (none) but they are " +
                str(p.window_left) + ", " + str(p.window_right));
  } else {
    require(p.window_left >= -1 && p.window_right >= -1,
            "window_left and window_right must be >= 0 or -1 (unlimited), got " + str(p.window_left) + ", " +
                str(p.window_right));
  }
  if (p.layout == EXPRBERT_ATTENTION_VARLEN) {
    require(p.cu_seqlens != nullptr, "cu_seqlens must not be NULL for the varlen layout");
    require(p.total_tokens >= 0, "total_tokens must be >= 0, got " + str(p.total_tokens));
    if (p.device >= 0) {
      require(p.host_cu_seqlens != nullptr, "host_cu_seqlens (a host copy of cu_seqlens) must be given for varlen on CUDA");
      check_lengths(p, p.host_cu_seqlens, nullptr);
    } else {
      check_lengths(p, p.cu_seqlens, nullptr);
    }
  } else if (p.device < 0) {
    check_lengths(p, nullptr, p.seqlens);
  }
  const bool empty = p.batch == 0 || p.max_seqlen == 0 || (p.layout == EXPRBERT_ATTENTION_VARLEN && p.total_tokens == 0);
  if (empty) return;
  require(p.q != nullptr && p.k != nullptr && p.v != nullptr, "q, k and v must not be NULL");
  require(p.out != nullptr, "out must not be NULL");
  require(p.lse != nullptr, "lse must not be NULL");
  require_strides("q", p.q_batch_stride, p.q_row_stride, p.q_head_stride);
  require_strides("k", p.k_batch_stride, p.k_row_stride, p.k_head_stride);
  require_strides("v", p.v_batch_stride, p.v_row_stride, p.v_head_stride);
  require_strides("out", p.out_batch_stride, p.out_row_stride, p.out_head_stride);
  if (!backward) return;
  require(p.dout != nullptr, "dout must not be NULL");
  require(p.dq != nullptr && p.dk != nullptr && p.dv != nullptr, "dq, dk and dv must not be NULL");
  require_strides("dout", p.dout_batch_stride, p.dout_row_stride, p.dout_head_stride);
  require_strides("dq", p.dq_batch_stride, p.dq_row_stride, p.dq_head_stride);
  require_strides("dk", p.dk_batch_stride, p.dk_row_stride, p.dk_head_stride);
  require_strides("dv", p.dv_batch_stride, p.dv_row_stride, p.dv_head_stride);
  if (p.device >= 0) require(p.delta != nullptr, "delta (fp32 scratch shaped like lse) must be given for a CUDA backward");
}

bool is_empty(const exprbert_attention_params& p) {
  return p.batch == 0 || p.max_seqlen == 0 || (p.layout == EXPRBERT_ATTENTION_VARLEN && p.total_tokens == 0);
}

}  // namespace

extern "C" {

exprbert_status exprbert_attention_forward(const exprbert_attention_params* params) {
  return guarded("exprbert_attention_forward", [&] {
    validate_common(params, false);
    if (is_empty(*params)) return;
    if (params->device < 0) {
      attention_forward_cpu(*params);
    } else {
      cuda::attention_forward(*params);
    }
  });
}

exprbert_status exprbert_attention_backward(const exprbert_attention_params* params) {
  return guarded("exprbert_attention_backward", [&] {
    validate_common(params, true);
    if (is_empty(*params)) return;
    if (params->device < 0) {
      attention_backward_cpu(*params);
    } else {
      cuda::attention_backward(*params);
    }
  });
}

exprbert_status exprbert_attention_dropout_mask(const exprbert_attention_params* params, uint8_t* keep) {
  return guarded("exprbert_attention_dropout_mask", [&] {
    require(params != nullptr, "params must not be NULL");
    const exprbert_attention_params& p = *params;
    require(p.batch >= 0 && p.heads >= 1 && p.max_seqlen >= 0, "batch >= 0, heads >= 1 and max_seqlen >= 0 required, got " +
                                                                   str(p.batch) + ", " + str(p.heads) + ", " + str(p.max_seqlen));
    require(p.dropout_p >= 0.0 && p.dropout_p < 1.0, "dropout_p must be in [0, 1), got " + std::to_string(p.dropout_p));
    require(keep != nullptr || p.batch * p.max_seqlen == 0, "keep must not be NULL");
    const DropoutRng rng = dropout_of(p);
    const int64_t n = p.max_seqlen;
    for (int64_t bh = 0; bh < p.batch * p.heads; ++bh) {
      for (int64_t i = 0; i < n; ++i) {
        uint8_t* row = keep + (bh * n + i) * n;
        for (int64_t j = 0; j < n; ++j) row[j] = (!rng.enabled() || rng.keep(bh, i, j)) ? 1 : 0;
      }
    }
  });
}

}  // extern "C"
