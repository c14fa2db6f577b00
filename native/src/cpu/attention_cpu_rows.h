// Moving rows of one (sequence, head) between strided storage of any dtype and the dense, zero-padded float
// tiles of attention_cpu_tiles.h: strides and storage types are handled here and nowhere else, and 16-bit
// values are converted exactly once on the way in and rounded once on the way out.
#pragma once

#include <cstdint>
#include <cstring>

#include "../common/attention_math.h"
#include "../common/dtype.h"

namespace exprbert {

// Rows of one head are short (64-512 bytes) and a whole token apart in memory (heads * head_dim elements),
// which the hardware prefetchers follow poorly: loading a tile was a third of the kernel's time, nearly all
// of it waiting on the rows' first touch. Each loop asks for the row kPrefetchRows ahead of the one it reads.
constexpr int64_t kPrefetchRows = 16;

template <int Write, typename T>
inline void prefetch_row(const T* row, int64_t dim) {
  const char* p = reinterpret_cast<const char*>(row);
  for (int64_t at = 0; at < dim * static_cast<int64_t>(sizeof(T)); at += 64) __builtin_prefetch(p + at, Write, 3);
}

// Rows [0, rows) of (b, h) into dst[r * ld + d] (float) for d < dim, times `multiplier` (one rounding);
// columns [dim, ld) and rows [rows, rows_pad) are zero.
template <typename T>
void load_rows(const SequenceGeometry& g, const StridedRows<const void*>& t, int64_t b, int64_t h, int64_t rows,
               int64_t dim, int64_t rows_pad, int64_t ld, float* dst, float multiplier = 1.0f) {
  const T* base = static_cast<const T*>(t.base);
  for (int64_t r = 0; r < rows; ++r) {
    if (r + kPrefetchRows < rows) prefetch_row<0>(base + g.offset(t, b, r + kPrefetchRows, h), dim);
    const T* src = base + g.offset(t, b, r, h);
    float* out = dst + r * ld;
    if (multiplier == 1.0f) {
      for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]);
    } else {
      for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]) * multiplier;
    }
    for (int64_t d = dim; d < ld; ++d) out[d] = 0.0f;
  }
  std::memset(dst + rows * ld, 0, static_cast<size_t>((rows_pad - rows) * ld) * sizeof(float));
}

// Rows [0, rows) of src[r * ld + d] into (b, h), rounding once to T; rows [rows, zero_until) are set to zero.
template <typename T>
void store_rows(const SequenceGeometry& g, const StridedRows<void*>& t, int64_t b, int64_t h, int64_t rows,
                int64_t zero_until, int64_t dim, int64_t ld, const float* src) {
  T* base = static_cast<T*>(t.base);
  for (int64_t r = 0; r < zero_until; ++r) {
    if (r + kPrefetchRows < zero_until) prefetch_row<1>(base + g.offset(t, b, r + kPrefetchRows, h), dim);
    T* out = base + g.offset(t, b, r, h);
    for (int64_t d = 0; d < dim; ++d) out[d] = from_float<T>(r < rows ? src[r * ld + d] : 0.0f);
  }
}

// The transpose of dense src[r * ld_src + d] (r < rows, d < dim) into dst[d * ld + r]; columns [rows, ld)
// are zero. In 16 x 16 blocks, so the 16 source and 16 destination lines of a block stay in L1 (a plain
// row-by-row scatter made ~6 cycles per element of L1 set conflicts on the power-of-two strides).
inline void transpose_rows(const float* src, int64_t ld_src, int64_t rows, int64_t dim, int64_t ld, float* dst) {
  constexpr int64_t kBlock = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t r1 = r0 + kBlock < rows ? r0 + kBlock : rows;
    for (int64_t d0 = 0; d0 < dim; d0 += kBlock) {
      const int64_t d1 = d0 + kBlock < dim ? d0 + kBlock : dim;
      for (int64_t d = d0; d < d1; ++d)
        for (int64_t r = r0; r < r1; ++r) dst[d * ld + r] = src[r * ld_src + d];
    }
  }
  for (int64_t d = 0; d < dim; ++d)
    for (int64_t r = rows; r < ld; ++r) dst[d * ld + r] = 0.0f;
}

}  // namespace exprbert
