// What the API layer needs from the CUDA side. Implemented by the .cu files when CUDA is compiled in and by
// cuda_unavailable.cpp otherwise, so the API layer has no #ifdefs.
#pragma once

#include <cstdint>
#include <string>

#include "exprbert/kernels.h"

namespace exprbert {
namespace cuda {

bool compiled();
std::string version_info();  // "cuda 13.0 archs 80;90" or "cuda off"
// >= 0 devices, or minus the cudaError_t / -EXPRBERT_ERROR_CUDA_UNAVAILABLE with *why filled in.
int32_t device_count(std::string* why);
void stream_synchronize(int32_t device, void* stream);
void grad_norm(const exprbert_grad_norm_params& p);
void adamw_step(const exprbert_adamw_params& p);

}  // namespace cuda
}  // namespace exprbert
