// Sizes shared by the multi-tensor launchers (apex/PyTorch multi_tensor_apply style): each launch's tensor
// and chunk tables travel in the kernel's parameter struct. [note: kernel parameter size] The structs are
// about 11 KB, above the classic 4 KB limit: CUDA 12.1+ allows 32764 bytes of parameters on Volta and newer,
// and we build with CUDA >= 12.1 for sm_80+ only. Planning is host code in common/multi_tensor_plan.h.
#pragma once

#include <cstdint>

namespace exprbert {
namespace cuda {

constexpr int64_t kChunkElements = 65536;  // elements of one tensor handled by one block
constexpr int kMaxTensorsPerLaunch = 64;
constexpr int kMaxChunksPerLaunch = 640;
constexpr int kBlockThreads = 512;
// Packs each thread loads before computing (memory-level parallelism). Measured on an H200 in one run
// (benchmarks/NOTES.md): fp32 params 2 packs 88.1% of copy bandwidth vs 1 pack 85.4%; bf16 params with
// fp32 master 1 pack 90.1% vs 2 packs 89.4%. So the default is per variant.
// -DEXPRBERT_ADAMW_UNROLL=N (CMake cache variable of the same name) forces N for A/B runs.
#ifdef EXPRBERT_ADAMW_UNROLL
template <bool kHasMaster> constexpr int kUnroll = EXPRBERT_ADAMW_UNROLL;
#else
template <bool kHasMaster> constexpr int kUnroll = kHasMaster ? 1 : 2;
#endif

}  // namespace cuda
}  // namespace exprbert
