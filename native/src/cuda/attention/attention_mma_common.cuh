// Shared pieces of the tensor-core (mma) attention kernels for bf16/fp16: when they apply, the tile loader into
// padded shared-memory rows, the fragment row/column bookkeeping and the 16-bit pair store.
//
// [note: mma path] The SIMT kernels (attention_forward_cuda.cu, attention_backward_cuda.cu) remain the path for
// fp32 and for any 16-bit call whose pointers or strides do not allow 16-byte vector loads; the mma kernels take
// every other 16-bit call. Both must match the double reference within the same 16-bit bounds
// (test_attention_cuda runs each problem through both paths). EXPRBERT_ATTENTION_SIMT=1 forces the SIMT path.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <cstdlib>

#include "attention_kernel_common.cuh"
#include "mma_warp.cuh"

namespace exprbert {
namespace cuda {

constexpr int kMmaWarps = 4;
constexpr int kMmaThreads = kMmaWarps * 32;
constexpr int kMmaRows = kMmaWarps * 16;  // rows of the block's own side: 16 per warp
constexpr int kMmaCols = 64;              // rows of the other side per step of the inner loop
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

template <int D> __host__ __device__ constexpr int mma_stride() { return D + mma::kSmemPad; }

// Shared memory holding `tiles` [rows][D + pad] tiles of 16-bit elements plus `floats` extra floats.
template <int D> constexpr size_t mma_smem_bytes(int tiles, int rows, int floats) {
  return static_cast<size_t>(tiles) * rows * mma_stride<D>() * 2 + static_cast<size_t>(floats) * 4;
}

// Cooperatively starts copying rows [r0, r0 + rows) of (b, h) into tile with cp.async (16-byte chunks); rows >= len
// become 0. The caller commits the group and waits for it (double buffering: the next tile loads during the
// current tile's products).
template <typename T, int D>
__device__ __forceinline__ void load_tile_async(T* tile, const SequenceGeometry& g, const StridedRows<const void*>& t,
                                                int64_t b, int64_t h, int64_t r0, int rows, int64_t len) {
  constexpr int kChunks = D / 8;  // 16-byte chunks per row
  const T* base = static_cast<const T*>(t.base);
  for (int e = threadIdx.x; e < rows * kChunks; e += blockDim.x) {
    const int r = e / kChunks, c = e % kChunks;
    const int64_t row = r0 + r;
    const bool valid = row < len;
    mma::cp_async_16(tile + r * mma_stride<D>() + c * 8, valid ? base + g.offset(t, b, row, h) + c * 8 : base, valid);
  }
}

// Two shared-memory stages, each a pair of [kMmaCols][D + pad] tiles (K and V, or Q and dO), through which the
// inner loop of every mma kernel streams the other side of attention: the next pair loads (cp.async) while the
// current one is multiplied.
template <typename T, int D>
struct TilePairStages {
  T* base;
  const StridedRows<const void*>* first_tensor;
  const StridedRows<const void*>* second_tensor;

  __device__ __forceinline__ T* first(int stage) const { return base + stage * 2 * kMmaCols * mma_stride<D>(); }
  __device__ __forceinline__ T* second(int stage) const { return first(stage) + kMmaCols * mma_stride<D>(); }

  // Starts copying rows [r0, r0 + kMmaCols) of both tensors into `stage`; the caller commits the group.
  __device__ __forceinline__ void load(int stage, const SequenceGeometry& g, int64_t b, int64_t h, int64_t r0,
                                       int64_t len) const {
    load_tile_async<T, D>(first(stage), g, *first_tensor, b, h, r0, kMmaCols, len);
    load_tile_async<T, D>(second(stage), g, *second_tensor, b, h, r0, kMmaCols, len);
  }

  // Top of the loop for the tiles at r0 in `stage`, of a walk that stops before row `end` (<= len): starts the
  // next pair into the other stage (and runs also_next(other stage, next r0) for plain loads that go with it),
  // waits for this stage's group only, and ends with a barrier. The loop body must end with a barrier too: the
  // stage is refilled two tiles later.
  template <typename AlsoNext>
  __device__ __forceinline__ void advance(int stage, const SequenceGeometry& g, int64_t b, int64_t h, int64_t r0,
                                          int64_t end, int64_t len, AlsoNext also_next) const {
    if (r0 + kMmaCols < end) {
      load(stage ^ 1, g, b, h, r0 + kMmaCols, len);
      mma::cp_async_commit();
      also_next(stage ^ 1, r0 + kMmaCols);
      mma::cp_async_wait<1>();
    } else {
      mma::cp_async_wait<0>();
    }
    __syncthreads();
  }
};

// Stores the two accumulator columns (2t, 2t+1) of every n8 block of one fragment row into a D-wide row.
template <typename T, int D>
__device__ __forceinline__ void store_fragment_row(T* row, const float (&acc)[D / 8][4], int half, float factor, int lane) {
  const int t = lane & 3;
#pragma unroll
  for (int n = 0; n < D / 8; ++n) {
    *reinterpret_cast<uint32_t*>(row + n * 8 + 2 * t) =
        mma::pack2<T>(acc[n][2 * half] * factor, acc[n][2 * half + 1] * factor);
  }
}

// Zeroes rows [r0, r1) of (b, h), D elements each (padding rows of the padded layout).
template <typename T, int D>
__device__ __forceinline__ void zero_rows(void* base, const SequenceGeometry& g, const StridedRows<void*>& t, int64_t b,
                                          int64_t h, int64_t r0, int64_t r1) {
  constexpr int kChunks = D / 8;
  const int rows = static_cast<int>(r1 - r0);
  for (int e = threadIdx.x; e < rows * kChunks; e += blockDim.x) {
    const int r = e / kChunks, c = e % kChunks;
    *reinterpret_cast<uint4*>(static_cast<T*>(base) + g.offset(t, b, r0 + r, h) + c * 8) = make_uint4(0u, 0u, 0u, 0u);
  }
}

// [note: dropout bits per warp] A warp's 16 x 8 accumulator block holds 128 dropout decisions, i.e. 32 groups of
// four consecutive key columns of one query row, which is exactly one DropoutRng::keep_bits4 (one Philox) per
// lane. Each lane draws one group and the bits reach the lanes holding those elements by shuffles: a quarter of
// the Philox calls of drawing per element (the backward's dkdv layout) and half of drawing per (row, n8 block).
// The mask returned has bit e set iff accumulator element e of this lane's block is kept.

// Rows of the block are queries (row_base .. +15), columns keys (col_base .. +7, col_base a multiple of 8).
__device__ __forceinline__ uint32_t keep_mask_query_rows(const DropoutRng& rng, int64_t bh, int64_t row_base,
                                                         int64_t col_base, int lane) {
  const uint32_t drawn = rng.keep_bits4(bh, row_base + (lane >> 1), col_base + 4 * (lane & 1));
  const int g = lane >> 2, t = lane & 3;
  uint32_t mask = 0;
#pragma unroll
  for (int r = 0; r < 2; ++r) {  // both columns 2t, 2t+1 of row g + 8r come from the same lane
    const uint32_t bits = __shfl_sync(0xffffffffu, drawn, ((g + 8 * r) << 1) | (t >> 1)) >> ((t & 1) * 2);
    mask |= (bits & 3u) << (2 * r);
  }
  return mask;
}

// Rows of the block are keys (row_base .. +15, a multiple of 4), columns queries (col_base .. +7).
__device__ __forceinline__ uint32_t keep_mask_key_rows(const DropoutRng& rng, int64_t bh, int64_t row_base,
                                                       int64_t col_base, int lane) {
  const uint32_t drawn = rng.keep_bits4(bh, col_base + (lane & 7), row_base + 4 * (lane >> 3));
  const int g = lane >> 2, t = lane & 3;
  uint32_t mask = 0;
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    const int key = g + 8 * (e >> 1), query = 2 * t + (e & 1);
    const uint32_t bits = __shfl_sync(0xffffffffu, drawn, query | ((key >> 2) << 3));
    mask |= ((bits >> (key & 3)) & 1u) << e;
  }
  return mask;
}

inline bool aligned_16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }
inline bool strides_of_8(int64_t batch, int64_t row, int64_t head) { return batch % 8 == 0 && row % 8 == 0 && head % 8 == 0; }

// Whether the mma kernels take this call: 16-bit storage and 16-byte aligned rows everywhere they read or write.
inline bool mma_path_applies(const exprbert_attention_params& p, bool backward) {
  static const bool forced_simt = [] {
    const char* v = std::getenv("EXPRBERT_ATTENTION_SIMT");
    return v != nullptr && v[0] != '\0' && v[0] != '0';
  }();
  if (forced_simt) return false;
  if (p.dtype != EXPRBERT_DTYPE_BF16 && p.dtype != EXPRBERT_DTYPE_F16) return false;
  bool ok = aligned_16(p.q) && aligned_16(p.k) && aligned_16(p.v) && aligned_16(p.out) &&
            strides_of_8(p.q_batch_stride, p.q_row_stride, p.q_head_stride) &&
            strides_of_8(p.k_batch_stride, p.k_row_stride, p.k_head_stride) &&
            strides_of_8(p.v_batch_stride, p.v_row_stride, p.v_head_stride) &&
            strides_of_8(p.out_batch_stride, p.out_row_stride, p.out_head_stride);
  if (backward) {
    ok = ok && aligned_16(p.dout) && aligned_16(p.dq) && aligned_16(p.dk) && aligned_16(p.dv) &&
         strides_of_8(p.dout_batch_stride, p.dout_row_stride, p.dout_head_stride) &&
         strides_of_8(p.dq_batch_stride, p.dq_row_stride, p.dq_head_stride) &&
         strides_of_8(p.dk_batch_stride, p.dk_row_stride, p.dk_head_stride) &&
         strides_of_8(p.dv_batch_stride, p.dv_row_stride, p.dv_head_stride);
  }
  return ok;
}

// Opts a kernel into more than 48 KiB of dynamic shared memory. Per call rather than once: the attribute
// belongs to the current device, and the call costs about a microsecond.
template <typename Kernel>
void allow_dynamic_smem(Kernel kernel, size_t bytes) {
  if (bytes <= 48 * 1024) return;
  check_cuda(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)),
             "cudaFuncSetAttribute(MaxDynamicSharedMemorySize)");
}

}  // namespace cuda
}  // namespace exprbert
