// CPU twins of the optimizer kernels: the semantic reference that the CUDA kernels must match bit for bit.
#pragma once

#include "exprbert/kernels.h"

namespace exprbert {

void grad_norm_cpu(const exprbert_grad_norm_params& p);
void adamw_step_cpu(const exprbert_adamw_params& p);

// Elements per work item: large enough to amortise scheduling, small enough to balance 2-64 threads.
constexpr int64_t kCpuChunkElements = 1 << 16;

}  // namespace exprbert
