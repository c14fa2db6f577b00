// What the API layer needs from the CUDA attention kernels. Implemented by attention_*_cuda.cu when CUDA is
// compiled in and by attention_unavailable.cpp otherwise.
#pragma once

#include "exprbert/kernels.h"

namespace exprbert {
namespace cuda {

void attention_forward(const exprbert_attention_params& p);
void attention_backward(const exprbert_attention_params& p);

// Tensor-core kernels for aligned bf16/f16 calls (attention_*_mma.cu). The forward returns false, launching
// nothing, when the call is not for them; the backward expects mma_path_applies(p, true).
bool attention_forward_mma(const exprbert_attention_params& p);
void attention_backward_mma(const exprbert_attention_params& p);

}  // namespace cuda
}  // namespace exprbert
