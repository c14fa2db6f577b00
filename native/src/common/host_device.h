// Lets one inline function serve the CPU twin (g++) and the CUDA kernels (nvcc).
#pragma once

#if defined(__CUDACC__)
#define EXPRBERT_HD __host__ __device__ __forceinline__
#else
#define EXPRBERT_HD inline
#endif
