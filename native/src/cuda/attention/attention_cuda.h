// What the API layer needs from the CUDA attention kernels. Implemented by attention_*_cuda.cu when CUDA is
// compiled in and by attention_unavailable.cpp otherwise.
#pragma once

#include "exprbert/kernels.h"

namespace exprbert {
namespace cuda {

void attention_forward(const exprbert_attention_params& p);
void attention_backward(const exprbert_attention_params& p);

}  // namespace cuda
}  // namespace exprbert
