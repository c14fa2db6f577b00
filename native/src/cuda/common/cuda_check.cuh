// Every CUDA runtime call and every launch is checked at once; a failure becomes a
// KernelError(EXPRBERT_ERROR_CUDA) that the API boundary turns into a status. Never exit().
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "../../common/kernel_error.h"

namespace exprbert {
namespace cuda {

inline void check_cuda(cudaError_t result, const char* what) {
  if (result != cudaSuccess) {
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    const bool no_gpu = result == cudaErrorInsufficientDriver || result == cudaErrorNoDevice;
    fail(no_gpu ? EXPRBERT_ERROR_CUDA_UNAVAILABLE : EXPRBERT_ERROR_CUDA, std::string(what) + " failed: " + cudaGetErrorName(result) + " (" +
                                  cudaGetErrorString(result) + ")");
  }
}

inline void check_launch(const char* kernel) { check_cuda(cudaGetLastError(), kernel); }

// Makes `device` current for the scope of a call and restores the caller's device afterwards.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    check_cuda(cudaGetDevice(&previous_), "cudaGetDevice");
    if (previous_ != device) check_cuda(cudaSetDevice(device), "cudaSetDevice");
  }
  ~DeviceGuard() {
    int now = previous_;
    if (cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace cuda
}  // namespace exprbert
