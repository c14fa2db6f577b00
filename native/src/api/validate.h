// Re-checks a params struct at the native boundary (the Java facade checks first; this guards every other
// caller, e.g. the ctypes harness). Each message names the field, the rule and what was found.
#pragma once

#include "exprbert/kernels.h"

namespace exprbert {

void validate(const exprbert_grad_norm_params* p);
void validate(const exprbert_adamw_params* p);

}  // namespace exprbert
