// Deterministic block sum of doubles: a fixed shuffle tree inside each warp, then warp 0 adds the warp
// sums in a fixed tree. Same inputs and block size -> same bits, on every run and every GPU.
#pragma once

namespace exprbert {
namespace cuda {

__device__ __forceinline__ double warp_sum(double value) {
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_down_sync(0xffffffffu, value, offset);
  return value;
}

// Requires blockDim.x to be a multiple of 32 and at most 1024; the result is valid in thread 0.
__device__ __forceinline__ double block_sum(double value) {
  __shared__ double warp_sums[32];
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  value = warp_sum(value);
  if (lane == 0) warp_sums[warp] = value;
  __syncthreads();
  const int num_warps = blockDim.x / 32;
  value = (warp == 0 && lane < num_warps) ? warp_sums[lane] : 0.0;
  if (warp == 0) value = warp_sum(value);
  return value;
}

}  // namespace cuda
}  // namespace exprbert
