// The CPU attention kernels built for AVX2 + FMA (8 floats per ymm vector, 16 registers: 8 accumulators per
// micro-kernel tile). Only this file's functions use AVX2: the target pragma, not a global -m flag, so the
// library still loads on any x86-64; attention_cpu_isa.cpp calls them only when the CPU has these features.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "attention_cpu_tiles.h"

#if defined(__x86_64__) || defined(__i386__)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace exprbert {
namespace cpu_avx2 {

constexpr int kWidth = 8;
constexpr int kAccumulators = 8;

#include "attention_cpu_kernels.inc"

}  // namespace cpu_avx2
}  // namespace exprbert

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif  // x86
