// Moving rows of one (sequence, head) between strided storage of any dtype and dense float scratch: the CPU
// attention twin computes on float tiles only, so strides and storage types are handled here and nowhere else.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype.h"

namespace exprbert {

// Rows [0, rows) of (b, h) into dst[r * dim + d] (float); `scale` multiplies every value once.
template <typename T>
void load_rows(const SequenceGeometry& g, const StridedRows<const void*>& t, int64_t b, int64_t h, int64_t rows,
               int64_t dim, float* dst) {
  const T* base = static_cast<const T*>(t.base);
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = base + g.offset(t, b, r, h);
    float* out = dst + r * dim;
    for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]);
  }
}

// Rows [0, rows) of (b, h) transposed into dst[d * rows + r], so a row-times-matrix loop runs along r.
template <typename T>
void load_rows_transposed(const SequenceGeometry& g, const StridedRows<const void*>& t, int64_t b, int64_t h,
                          int64_t rows, int64_t dim, float* dst) {
  const T* base = static_cast<const T*>(t.base);
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = base + g.offset(t, b, r, h);
    for (int64_t d = 0; d < dim; ++d) dst[d * rows + r] = to_float(src[d]);
  }
}

// Rows [0, rows) of dense src into (b, h), rounding once to T; rows [rows, zero_until) are set to zero.
template <typename T>
void store_rows(const SequenceGeometry& g, const StridedRows<void*>& t, int64_t b, int64_t h, int64_t rows,
                int64_t zero_until, int64_t dim, const float* src) {
  T* base = static_cast<T*>(t.base);
  for (int64_t r = 0; r < zero_until; ++r) {
    T* out = base + g.offset(t, b, r, h);
    for (int64_t d = 0; d < dim; ++d) out[d] = from_float<T>(r < rows ? src[r * dim + d] : 0.0f);
  }
}

}  // namespace exprbert
