// Shared pieces of the CUDA attention kernels: the kernel argument (the params struct plus what the host
// derives from it once), the tile loader, and the visible dispatch over (dtype, head_dim).
//
// [note: SIMT first] The SIMT kernels are the fp32-math path for every storage dtype: one thread owns one row
// (a query row in the forward and dq kernels, a key row in the dk/dv kernel) and walks tiles of the other side
// staged in shared memory as float. They serve fp32 and unaligned 16-bit calls; aligned bf16/f16 calls take the
// tensor-core kernels (attention_mma_common.cuh, [note: mma path]).
#pragma once

#include <cuda_runtime.h>

#include <string>
#include <type_traits>

#include "../../common/kernel_error.h"
#include "../../common/attention_math.h"
#include "../../common/dtype.h"
#include "../../common/dtype_switch.h"
#include "../common/cuda_check.cuh"

namespace exprbert {
namespace cuda {

struct AttentionArgs {
  exprbert_attention_params p;
  SequenceGeometry g;
  DropoutRng rng;
  float scale;
  AttentionWindow window;  // unlimited on both sides when the call has no window
};

inline AttentionArgs attention_args(const exprbert_attention_params& p) {
  return AttentionArgs{p, geometry_of(p), dropout_of(p), static_cast<float>(p.scale), window_of(p)};
}

// [note: window ranges] With a sliding window every kernel walks only the tiles of the other side that some row
// of its own block can see: keys [key_begin(first), key_end(last)) for a block of query rows, queries
// [query_begin(first), query_end(last)) for a block of key rows (AttentionWindow, attention_math.h), the start
// rounded down to a multiple of kWindowAlign (so the dropout groups of four and the n8 fragments stay aligned).
// Inside those tiles, pairs outside the window are masked like padded keys. Without a window the ranges are
// [0, len): the same tiles as before the option existed.
constexpr int64_t kWindowAlign = 16;
__host__ __device__ __forceinline__ int64_t window_align_down(int64_t x) { return x / kWindowAlign * kWindowAlign; }

// The last real row of the block of `rows` rows starting at first (first < len).
__device__ __forceinline__ int64_t last_real_row(int64_t first, int rows, int64_t len) {
  return (first + rows < len ? first + rows : len) - 1;
}


// Length of sequence b, clamped to [0, max_seqlen] so a bad device-side length can never index out of bounds.
__device__ __forceinline__ int64_t clamped_length(const SequenceGeometry& g, int64_t b) {
  const int64_t len = g.length(b);
  return len < 0 ? 0 : (len > g.max_seqlen ? g.max_seqlen : len);
}

// Cooperatively stages rows [r0, r0 + rows_in_tile) of (b, h) as float into tile[r * D + d]; rows >= len are 0.
template <typename T, int D>
__device__ __forceinline__ void load_tile(float* tile, const SequenceGeometry& g, const StridedRows<const void*>& t,
                                          int64_t b, int64_t h, int64_t r0, int rows_in_tile, int64_t len) {
  const T* base = static_cast<const T*>(t.base);
  for (int e = threadIdx.x; e < rows_in_tile * D; e += blockDim.x) {
    const int r = e / D, d = e % D;
    const int64_t row = r0 + r;
    tile[e] = row < len ? to_float(base[g.offset(t, b, row, h) + d]) : 0.0f;
  }
}

// Grid of the row-block kernels: (blocks of `rows` rows over max_seqlen, batch * heads), checked against
// CUDA's 65535 limit on grid.y.
inline dim3 row_block_grid(const exprbert_attention_params& p, int rows) {
  const dim3 grid(static_cast<unsigned>((p.max_seqlen + rows - 1) / rows), static_cast<unsigned>(p.batch * p.heads));
  require(grid.y <= 65535u, "batch * heads must be <= 65535 on CUDA, got " + std::to_string(p.batch * p.heads));
  return grid;
}

template <int D> struct HeadDim { static constexpr int value = D; };

// The dispatch table: runtime (dtype, head_dim) -> template parameters. Anything else is named in the status.
template <typename Visitor>
void dispatch_attention(const exprbert_attention_params& p, const char* what, Visitor&& visitor) {
  auto by_dim = [&](auto type_tag) {
    switch (p.head_dim) {
      case 32: visitor(type_tag, HeadDim<32>{}); return;
      case 64: visitor(type_tag, HeadDim<64>{}); return;
      case 128: visitor(type_tag, HeadDim<128>{}); return;
      default:
        fail(EXPRBERT_ERROR_UNSUPPORTED, std::string(what) + ": head_dim " + std::to_string(p.head_dim) +
                                             " is not supported on CUDA (32, 64 or 128; the CPU twin takes any up to 256)");
    }
  };
  switch (p.dtype) {
    case EXPRBERT_DTYPE_F32: by_dim(TypeTag<float>{}); return;
    case EXPRBERT_DTYPE_F16: by_dim(TypeTag<Half>{}); return;
    case EXPRBERT_DTYPE_BF16: by_dim(TypeTag<BFloat16>{}); return;
    default: fail(EXPRBERT_ERROR_UNSUPPORTED, std::string(what) + ": dtype " + std::to_string(p.dtype) + " is not supported");
  }
}

}  // namespace cuda
}  // namespace exprbert
