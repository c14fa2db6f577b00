// The float-tile interface between the CPU attention drivers and the SIMD kernels.
//
// The drivers (attention_{forward,backward}_cpu.cpp) own everything about storage: strides, layouts, dtypes,
// threads and scratch. They hand one (sequence, head) to a kernel as dense, zero-padded float tiles; the
// kernels (attention_cpu_{generic,avx2,avx512}.cpp, one build of attention_cpu_kernels.inc per instruction
// set) only do arithmetic. Padding rules, which let the kernels run without remainder loops:
//   - query rows are padded to a multiple of kAttentionRowAlign, keys to a multiple of kAttentionKeyAlign,
//     head_dim to the kernel's vector width (AttentionCpuKernels::width), all with zeros;
//   - keys at or beyond `len` are masked inside the kernel (weight exactly 0);
//   - padded query rows get lse = +inf in the backward, so their weights are exactly 0;
//   - with a sliding window, keys outside a row's window are masked the same way, and whole key blocks outside
//     a query block's window (or query blocks outside a key block's) are skipped.
#pragma once

#include <cstdint>

#include "../common/attention_math.h"

namespace exprbert {

constexpr int64_t kAttentionRowAlign = 8;    // a multiple of every micro-kernel's row count
constexpr int64_t kAttentionKeyAlign = 16;   // a multiple of every vector width and micro-kernel row count
constexpr int64_t kAttentionQueryBlock = 32; // query rows per block (a multiple of kAttentionRowAlign)
constexpr int64_t kAttentionKeyBlock = 64;   // keys per block (a multiple of kAttentionKeyAlign)
// Floats of AttentionForwardTiles::work / AttentionBackwardTiles::work: the forward keeps one score tile,
// the row maxima and lane-wise row sums (at most kAttentionKeyBlock lanes each); the backward two score tiles.
constexpr int64_t kAttentionWorkFloats = 2 * kAttentionQueryBlock * kAttentionKeyBlock + 2 * kAttentionQueryBlock;

inline int64_t round_up(int64_t x, int64_t multiple) { return (x + multiple - 1) / multiple * multiple; }
// Leading dimension of the transposed tiles: one 64-byte line more than keys_pad, so that their rows (read
// one after another by the score micro-kernel) do not all fall into the same few L1 sets when keys_pad is a
// power of two.
inline int64_t transposed_ld(int64_t keys_pad) { return keys_pad + kAttentionKeyAlign; }

// One (sequence, head) of the forward. Shapes in floats, row-major.
struct AttentionForwardTiles {
  int64_t len;       // real rows and keys (>= 1)
  int64_t dim;       // head_dim
  int64_t dim_pad;   // head_dim rounded up to the vector width
  int64_t rows_pad;  // round_up(len, kAttentionRowAlign)
  int64_t keys_pad;  // round_up(len, kAttentionKeyAlign)
  int64_t keys_ld;   // transposed_ld(keys_pad): the leading dimension of kt
  const float* q;    // [rows_pad][dim_pad] scale * q
  const float* kt;   // [dim][keys_ld]   K transposed: score vectors run along keys
  const float* v;    // [keys_pad][dim_pad]
  float* out;        // [rows_pad][dim_pad] written: softmax(scale q k^T) (dropped) v
  float* lse;        // [rows_pad] written: log-sum-exp of the scaled scores of each row
  float* work;       // [kAttentionWorkFloats]
  DropoutRng rng;
  int64_t item;      // sequence * heads + head: the dropout stream
  AttentionWindow window;  // unlimited on both sides when the call has no window
};

// One (sequence, head) of the backward; dq, dk and dv are accumulated, so the driver zeroes them.
struct AttentionBackwardTiles {
  int64_t len, dim, dim_pad, rows_pad, keys_pad, keys_ld;
  float scale;         // the softmax scale, applied to dq at the end
  const float* q;      // [rows_pad][dim_pad] scale * q, exactly as the forward had it
  const float* k;      // [keys_pad][dim_pad]
  const float* kt;     // [dim][keys_ld]
  const float* vt;     // [dim][keys_ld]
  const float* dout;   // [rows_pad][dim_pad]
  const float* lse;    // [rows_pad], +inf on padded rows
  const float* out;    // [rows_pad][dim_pad] the forward's output
  float* delta;        // [rows_pad] scratch: the kernel writes <dout_i, out_i> (0 on padded rows)
  float* dq;           // [rows_pad][dim_pad]
  float* dk;           // [keys_pad][dim_pad]
  float* dv;           // [keys_pad][dim_pad]
  float* work;         // [kAttentionWorkFloats]
  DropoutRng rng;
  int64_t item;
  AttentionWindow window;
};

// The padded extents of one (sequence, head) item, the same for the forward and the backward tiles.
template <typename Tiles>
inline void size_tiles(Tiles& t, int64_t len, int64_t dim, int64_t vector_width) {
  t.len = len;
  t.dim = dim;
  t.dim_pad = round_up(dim, vector_width);
  t.rows_pad = round_up(len, kAttentionRowAlign);
  t.keys_pad = round_up(len, kAttentionKeyAlign);
  t.keys_ld = transposed_ld(t.keys_pad);
}

// One instruction-set build of the kernels. Builds round differently (FMA or not, how many lanes a sum is
// split over), so results are the same bits for any thread count on one machine, and agree across machines
// with different builds only within the attention tests' bounds.
struct AttentionCpuKernels {
  const char* name;  // "generic", "avx2" or "avx512"
  int64_t width;     // floats per vector: dim_pad is a multiple of it
  void (*forward)(const AttentionForwardTiles&);
  void (*backward)(const AttentionBackwardTiles&);
};

// The best build this CPU runs, capped by the environment variable EXPRBERT_ATTENTION_CPU_ISA
// (generic | avx2 | avx512) so that tests and A/B benchmarks can force a slower path. Read on every call.
const AttentionCpuKernels& attention_cpu_kernels();

namespace cpu_generic {
void attention_forward_tiles(const AttentionForwardTiles& t);
void attention_backward_tiles(const AttentionBackwardTiles& t);
}  // namespace cpu_generic
namespace cpu_avx2 {
void attention_forward_tiles(const AttentionForwardTiles& t);
void attention_backward_tiles(const AttentionBackwardTiles& t);
}  // namespace cpu_avx2
namespace cpu_avx512 {
void attention_forward_tiles(const AttentionForwardTiles& t);
void attention_backward_tiles(const AttentionBackwardTiles& t);
}  // namespace cpu_avx512

}  // namespace exprbert
