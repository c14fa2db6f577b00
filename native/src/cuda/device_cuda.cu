// Device discovery and build facts for the CUDA build. The CUDA runtime is linked statically, so this
// library loads on machines without CUDA; with no driver cudaGetDeviceCount fails and we report that.
#include <cuda_runtime.h>

#include <string>

#include "../common/kernel_error.h"
#include "common/cuda_check.cuh"
#include "cuda_backend.h"

#ifndef EXPRBERT_CUDA_ARCHS
#define EXPRBERT_CUDA_ARCHS "unknown"
#endif

namespace exprbert {
namespace cuda {

bool compiled() { return true; }

std::string version_info() {
  return "cuda " + std::to_string(CUDART_VERSION / 1000) + "." + std::to_string((CUDART_VERSION % 1000) / 10) +
         " archs " + EXPRBERT_CUDA_ARCHS;
}

int32_t device_count(std::string* why) {
  int count = 0;
  const cudaError_t result = cudaGetDeviceCount(&count);
  if (result == cudaErrorNoDevice) {  // a driver but no GPU: simply none
    cudaGetLastError();
    return 0;
  }
  if (result != cudaSuccess) {
    cudaGetLastError();
    *why = std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(result) + " (" + cudaGetErrorString(result) +
           ")";
    return -static_cast<int32_t>(result);
  }
  return count;
}

void stream_synchronize(int32_t device, void* stream) {
  DeviceGuard guard(device);
  check_cuda(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "cudaStreamSynchronize");
}

}  // namespace cuda
}  // namespace exprbert
