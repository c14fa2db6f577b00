// Moving rows of one (sequence, head) between strided storage of any dtype and the dense, zero-padded float
// tiles of attention_cpu_tiles.h: strides and storage types are handled here and nowhere else, and 16-bit
// values are converted exactly once on the way in and rounded once on the way out.
//
// [note: row latency] Rows of one head are short (64-512 bytes) and a whole token apart in memory
// (heads * head_dim elements). Loading them one tensor after another waited on each row's first touch: about
// a third of the kernel's time before prefetching, and a sixth of it is still cache misses (an 8x128x12 batch
// against one that fits in L2). So every tensor of an item moves in one loop over rows, which prefetches
// kPrefetchRows ahead in all of them at once: more misses in flight, the same bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "../common/attention_math.h"
#include "../common/dtype.h"

namespace exprbert {

constexpr int64_t kPrefetchRows = 8;

// Grows per-thread scratch to at least `floats` (never shrinks: it is reused item after item).
inline void ensure_floats(std::vector<float>& buffer, int64_t floats) {
  if (buffer.size() < static_cast<size_t>(floats)) buffer.resize(static_cast<size_t>(floats));
}

template <int Write, typename T>
inline void prefetch_row(const T* row, int64_t dim) {
  const char* p = reinterpret_cast<const char*>(row);
  for (int64_t at = 0; at < dim * static_cast<int64_t>(sizeof(T)); at += 64) __builtin_prefetch(p + at, Write, 3);
}

// One tensor to load: rows [0, rows) of (b, h) into dst[r * ld + d] (float) for d < dim, times `multiplier`
// (one rounding); columns [dim, ld) and rows [rows, rows_pad) are zero.
struct TileLoad {
  StridedRows<const void*> src;
  float* dst;
  int64_t rows_pad;
  float multiplier;
};

template <typename T, size_t N>
void load_tiles(const SequenceGeometry& g, int64_t b, int64_t h, int64_t rows, int64_t dim, int64_t ld,
                const TileLoad (&loads)[N]) {
  for (int64_t r = 0; r < rows + kPrefetchRows; ++r) {
    for (const TileLoad& l : loads) {
      const T* base = static_cast<const T*>(l.src.base);
      if (r < rows) prefetch_row<0>(base + g.offset(l.src, b, r, h), dim);
      const int64_t at = r - kPrefetchRows;
      if (at < 0) continue;
      const T* src = base + g.offset(l.src, b, at, h);
      float* out = l.dst + at * ld;
      if (l.multiplier == 1.0f) {
        for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]);
      } else {
        for (int64_t d = 0; d < dim; ++d) out[d] = to_float(src[d]) * l.multiplier;
      }
      for (int64_t d = dim; d < ld; ++d) out[d] = 0.0f;
    }
  }
  for (const TileLoad& l : loads)
    std::memset(l.dst + rows * ld, 0, static_cast<size_t>((l.rows_pad - rows) * ld) * sizeof(float));
}

// One tensor to store: rows [0, rows) of src[r * ld + d] into (b, h), rounded once to T; rows
// [rows, zero_until) of (b, h) are set to zero.
struct TileStore {
  StridedRows<void*> dst;
  const float* src;
};

template <typename T, size_t N>
void store_tiles(const SequenceGeometry& g, int64_t b, int64_t h, int64_t rows, int64_t zero_until, int64_t dim,
                 int64_t ld, const TileStore (&stores)[N]) {
  for (int64_t r = 0; r < zero_until + kPrefetchRows; ++r) {
    for (const TileStore& s : stores) {
      T* base = static_cast<T*>(s.dst.base);
      if (r < zero_until) prefetch_row<1>(base + g.offset(s.dst, b, r, h), dim);
      const int64_t at = r - kPrefetchRows;
      if (at < 0) continue;
      T* out = base + g.offset(s.dst, b, at, h);
      if (at < rows) {
        for (int64_t d = 0; d < dim; ++d) out[d] = from_float<T>(s.src[at * ld + d]);
      } else {
        for (int64_t d = 0; d < dim; ++d) out[d] = from_float<T>(0.0f);
      }
    }
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
