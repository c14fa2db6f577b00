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
// Packs each thread loads before computing (memory-level parallelism); 1 = the first measured version.
// -DEXPRBERT_ADAMW_UNROLL=N (CMake cache variable of the same name) builds a variant for A/B runs.
#ifndef EXPRBERT_ADAMW_UNROLL
#define EXPRBERT_ADAMW_UNROLL 2
#endif
constexpr int kUnroll = EXPRBERT_ADAMW_UNROLL;

}  // namespace cuda
}  // namespace exprbert
