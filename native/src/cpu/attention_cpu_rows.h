// Moving rows of one (sequence, head) between strided storage of any dtype and the dense, zero-padded float
// tiles of attention_cpu_tiles.h: strides and storage types are handled here and nowhere else, and 16-bit
// values are converted exactly once on the way in and rounded once on the way out.
#pragma once

#include <cstdint>
#include <cstring>

#include "../common/attention_math.h"
#include "../common/dtype.h"

namespace exprbert {

// Rows [0, rows) of (b, h) into dst[r * ld + d] (float) for d < dim; columns [dim, ld) and rows
// [rows, rows_pad) are zero.
template <typename T>
void load_rows(const SequenceGeometry& g, const StridedRows<const void*>& t, int64_t b, int64_t h, int64_t rows,
               int64_t dim, int64_t rows_pad, int64_t ld, float* dst) {
  const T* base = static_cast<const T*>(t.base);
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = base + g.offset(t, b, r, h);
    float* out = dst + r * ld;
    for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]);
    for (int64_t d = dim; d < ld; ++d) out[d] = 0.0f;
  }
  std::memset(dst + rows * ld, 0, static_cast<size_t>((rows_pad - rows) * ld) * sizeof(float));
}

// Rows [0, rows) of (b, h) transposed into dst[d * ld + r]; columns [rows, ld) are zero.
template <typename T>
void load_rows_transposed(const SequenceGeometry& g, const StridedRows<const void*>& t, int64_t b, int64_t h,
                          int64_t rows, int64_t dim, int64_t ld, float* dst) {
  const T* base = static_cast<const T*>(t.base);
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = base + g.offset(t, b, r, h);
    for (int64_t d = 0; d < dim; ++d) dst[d * ld + r] = to_float(src[d]);
  }
  for (int64_t d = 0; d < dim; ++d)
    for (int64_t r = rows; r < ld; ++r) dst[d * ld + r] = 0.0f;
}

// Rows [0, rows) of src[r * ld + d] into (b, h), rounding once to T; rows [rows, zero_until) are set to zero.
template <typename T>
void store_rows(const SequenceGeometry& g, const StridedRows<void*>& t, int64_t b, int64_t h, int64_t rows,
                int64_t zero_until, int64_t dim, int64_t ld, const float* src) {
  T* base = static_cast<T*>(t.base);
  for (int64_t r = 0; r < zero_until; ++r) {
    T* out = base + g.offset(t, b, r, h);
    for (int64_t d = 0; d < dim; ++d) out[d] = from_float<T>(r < rows ? src[r * ld + d] : 0.0f);
  }
}

}  // namespace exprbert
