// Warp-level tensor-core primitives for the 16-bit attention kernels (sm_80+): mma.sync m16n8k16 with fp32
// accumulators, ldmatrix fragment loads from shared memory, and the packing of fp32 accumulators into 16-bit
// A operands.
//
// [note: fragment layout] With g = lane / 4 and t = lane % 4 (PTX ISA, "mma.m16n8k16"):
//   A 16x16 (row-major)   a[0] = (g, 2t..2t+1)  a[1] = (g+8, 2t..)  a[2] = (g, 2t+8..)  a[3] = (g+8, 2t+8..)
//   B 16x8  (k x n)       b[0] = (k 2t..2t+1, n g)                  b[1] = (k 2t+8.., n g)
//   C 16x8  (fp32)        c[0], c[1] = (g, 2t), (g, 2t+1)           c[2], c[3] = (g+8, 2t), (g+8, 2t+1)
// So the C tiles of two neighbouring n8 column blocks are exactly the A fragment of a k16 block: a score tile
// computed by one mma becomes the left operand of the next without leaving registers (FlashAttention-2).
//
// Shared-memory tiles are [rows][D + kSmemPad] 16-bit elements: the 16-byte pad makes the eight row addresses of
// every ldmatrix phase fall into distinct banks for D = 32, 64 and 128.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "../../common/dtype.h"

namespace exprbert {
namespace cuda {
namespace mma {

constexpr int kSmemPad = 8;  // elements (16 bytes) added to every shared-memory row

__device__ __forceinline__ uint32_t smem_address(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// Four 8x8 matrices; lane l supplies the row address of matrix l / 8, row l % 8.
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(row)));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(row)));
}

// 16 bytes global -> shared without passing through registers (sm_80 cp.async); `valid` false writes zeros and
// reads nothing, so rows past a sequence's end need no branch around the copy.
__device__ __forceinline__ void cp_async_16(void* smem, const void* gmem, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_address(smem)), "l"(gmem),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
// Waits until at most N of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

template <typename T> struct MmaInstruction;
template <> struct MmaInstruction<BFloat16> {
  __device__ __forceinline__ static void run(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};
template <> struct MmaInstruction<Half> {
  __device__ __forceinline__ static void run(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};

// Two floats rounded to nearest-even into one 32-bit register of 16-bit T (low half = first).
template <typename T> __device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <> __device__ __forceinline__ uint32_t pack2<BFloat16>(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&v);
}
template <> __device__ __forceinline__ uint32_t pack2<Half>(float lo, float hi) {
  const __half2 v = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&v);
}

// acc[16 x 8 * NT] += A[16 x 16*KT] * B, where A is rows [m0, m0+16) of a tile with rows = M and B is given as a
// tile whose rows are the N dimension (e.g. K for S = Q K^T): b_rows[n][k].
template <typename T, int KT, int NT>
__device__ __forceinline__ void gemm_a_smem_b_nk(float (&acc)[NT][4], const T* a_tile, int a_stride, int m0,
                                                 const T* b_tile, int b_stride, int lane) {
  static_assert(NT % 2 == 0, "B fragments are loaded for two n8 blocks at a time");
#pragma unroll
  for (int kk = 0; kk < KT; ++kk) {
    uint32_t a[4];
    ldmatrix_x4(a, a_tile + (m0 + (lane & 15)) * a_stride + kk * 16 + (lane >> 4) * 8);
#pragma unroll
    for (int np = 0; np < NT / 2; ++np) {
      uint32_t b[4];
      ldmatrix_x4(b, b_tile + (np * 16 + (lane & 7) + ((lane >> 4) << 3)) * b_stride + kk * 16 + ((lane >> 3) & 1) * 8);
      MmaInstruction<T>::run(acc[2 * np], a, b[0], b[1]);
      MmaInstruction<T>::run(acc[2 * np + 1], a, b[2], b[3]);
    }
  }
}

// acc[16 x 8 * NT] += A * B for one k16 block whose A fragment is already in registers, with B given as a
// tile whose rows are the K dimension (e.g. V for O += P V): b_rows[k][n], rows [k0, k0+16).
template <typename T, int NT>
__device__ __forceinline__ void gemm_a_regs_b_kn(float (&acc)[NT][4], const uint32_t (&a)[4], const T* b_tile,
                                                 int b_stride, int k0, int lane) {
  static_assert(NT % 2 == 0, "B fragments are loaded for two n8 blocks at a time");
#pragma unroll
  for (int np = 0; np < NT / 2; ++np) {
    uint32_t b[4];
    ldmatrix_x4_trans(b, b_tile + (k0 + (lane & 7) + (((lane >> 3) & 1) << 3)) * b_stride + np * 16 + ((lane >> 4) << 3));
    MmaInstruction<T>::run(acc[2 * np], a, b[0], b[1]);
    MmaInstruction<T>::run(acc[2 * np + 1], a, b[2], b[3]);
  }
}

// The A fragment of k16 block kk built from two C tiles (columns 16 kk .. 16 kk + 15) of a score-like matrix.
template <typename T, int NT>
__device__ __forceinline__ void a_fragment_from_c(uint32_t (&a)[4], const float (&c)[NT][4], int kk) {
  a[0] = pack2<T>(c[2 * kk][0], c[2 * kk][1]);
  a[1] = pack2<T>(c[2 * kk][2], c[2 * kk][3]);
  a[2] = pack2<T>(c[2 * kk + 1][0], c[2 * kk + 1][1]);
  a[3] = pack2<T>(c[2 * kk + 1][2], c[2 * kk + 1][3]);
}

// acc[16 x 8 * NT] += C * B where C [16 x 8 * CT] is a previous product's accumulators, rounded to T as the left
// operand (the FlashAttention-2 register hand-off), and B a tile whose rows k0 .. k0 + 8 * CT are the K dimension.
template <typename T, int CT, int NT>
__device__ __forceinline__ void gemm_c_b_kn(float (&acc)[NT][4], const float (&c)[CT][4], const T* b_tile, int b_stride,
                                            int k0, int lane) {
#pragma unroll
  for (int kk = 0; kk < CT / 2; ++kk) {
    uint32_t a[4];
    a_fragment_from_c<T, CT>(a, c, kk);
    gemm_a_regs_b_kn<T, NT>(acc, a, b_tile, b_stride, k0 + kk * 16, lane);
  }
}

template <int NT>
__device__ __forceinline__ void zero(float (&acc)[NT][4]) {
#pragma unroll
  for (int n = 0; n < NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;
}

// Reduction over the four lanes (t = 0..3) that share the rows g and g + 8 of a C tile.
__device__ __forceinline__ float quad_max(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}
__device__ __forceinline__ float quad_sum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

}  // namespace mma
}  // namespace cuda
}  // namespace exprbert
