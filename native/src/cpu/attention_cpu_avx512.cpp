// The CPU attention kernels built for AVX-512 (16 floats per zmm vector, 32 registers: 16 accumulators per
// micro-kernel tile). Only this file's functions use AVX-512: the target pragma, not a global -m flag, so the
// library still loads on any x86-64; attention_cpu_isa.cpp calls them only when the CPU has these features.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "attention_cpu_tiles.h"

#if defined(__x86_64__) || defined(__i386__)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx2,fma")
#endif

namespace exprbert {
namespace cpu_avx512 {

constexpr int kWidth = 16;
constexpr int kAccumulators = 16;

#include "attention_cpu_kernels.inc"

}  // namespace cpu_avx512
}  // namespace exprbert

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif  // x86
