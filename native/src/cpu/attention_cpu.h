// CPU twin of the fused attention (kernels.h): the semantic reference the CUDA kernels are tested against.
#pragma once

#include "exprbert/kernels.h"

namespace exprbert {

void attention_forward_cpu(const exprbert_attention_params& p);
void attention_backward_cpu(const exprbert_attention_params& p);

}  // namespace exprbert
