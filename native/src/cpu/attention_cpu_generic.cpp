// The CPU attention kernels built for the baseline instruction set (any CPU; on x86-64, SSE2: 4 floats per
// vector, 16 registers: 8 accumulators per micro-kernel tile). The fallback where neither AVX2 + FMA nor
// AVX-512 is available, and a path the tests force (EXPRBERT_ATTENTION_CPU_ISA=generic) to keep it honest.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "attention_cpu_tiles.h"

namespace exprbert {
namespace cpu_generic {

constexpr int kWidth = 4;
constexpr int kAccumulators = 8;

#include "attention_cpu_kernels.inc"

}  // namespace cpu_generic
}  // namespace exprbert
