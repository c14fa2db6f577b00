// Device-memory helpers shared by the CUDA test binaries (never by the library: test binaries may exit).
#pragma once

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace exprbert_test {

inline void check_cuda(cudaError_t result, const char* what) {
  if (result != cudaSuccess) {
    std::fprintf(stderr, "FATAL %s: %s\n", what, cudaGetErrorString(result));
    std::exit(2);  // test binary only: the library itself never exits
  }
}

// A device copy of `host` with 16 spare bytes, so unaligned-offset cases stay in bounds.
template <typename T>
T* upload(const std::vector<T>& host) {
  void* device = nullptr;
  check_cuda(cudaMalloc(&device, host.size() * sizeof(T) + 16), "cudaMalloc");
  check_cuda(cudaMemcpy(device, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "upload");
  return static_cast<T*>(device);
}

template <typename T>
void download(std::vector<T>& host, const T* device) {
  check_cuda(cudaMemcpy(host.data(), device, host.size() * sizeof(T), cudaMemcpyDeviceToHost), "download");
}

}  // namespace exprbert_test
