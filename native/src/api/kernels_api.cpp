// The extern "C" entry points: re-check the params, dispatch to the CPU twin or the CUDA side, and never
// let anything escape (errors.h guarded()).
#include <cstdlib>
#include <cstring>
#include <string>

#include "../cpu/cpu_kernels.h"
#include "../cuda/cuda_backend.h"
#include "errors.h"
#include "exprbert/kernels.h"
#include "validate.h"

#ifndef EXPRBERT_VERSION
#define EXPRBERT_VERSION "unknown"
#endif

namespace exprbert {
const char* last_error_c_str() noexcept;
}

using namespace exprbert;

extern "C" {

const char* exprbert_last_error(void) { return last_error_c_str(); }

const char* exprbert_build_info(void) {
  // Built once, on first use; a function-local static is thread-safe to initialise.
  static const std::string info = [] {
    try {
      return "exprbert_kernels " + std::string(EXPRBERT_VERSION) + " abi " + std::to_string(EXPRBERT_ABI_VERSION) +
             " " + cuda::version_info();
    } catch (...) {
      return std::string("exprbert_kernels (build info unavailable)");
    }
  }();
  return info.c_str();
}

int32_t exprbert_cuda_compiled(void) { return cuda::compiled() ? 1 : 0; }

int32_t exprbert_set_default_env(const char* name, const char* value) {
  if (name == nullptr || name[0] == '\0' || value == nullptr || std::strchr(name, '=') != nullptr) {
    set_last_error("exprbert_set_default_env: name must be a non-empty string without '=' and value non-NULL");
    return -static_cast<int32_t>(EXPRBERT_ERROR_INVALID_ARGUMENT);
  }
  set_last_error("");
  if (std::getenv(name) != nullptr) return 0;
  return ::setenv(name, value, 0) == 0 ? 1 : 0;
}

int32_t exprbert_call_int_getter(const void* getter) {
  if (getter == nullptr) {
    set_last_error("exprbert_call_int_getter: getter must not be NULL");
    return -static_cast<int32_t>(EXPRBERT_ERROR_INVALID_ARGUMENT);
  }
  set_last_error("");
  // a data pointer to a function pointer: how dlsym's results are used (POSIX guarantees the round trip)
  int (*call)(void) = reinterpret_cast<int (*)(void)>(const_cast<void*>(getter));
  return static_cast<int32_t>(call());
}

int32_t exprbert_cuda_device_count(void) {
  int32_t count = -EXPRBERT_ERROR_INTERNAL;
  std::string why;
  const exprbert_status status = guarded("exprbert_cuda_device_count", [&] { count = cuda::device_count(&why); });
  if (status != EXPRBERT_OK) return -static_cast<int32_t>(status);
  if (count < 0) set_last_error("exprbert_cuda_device_count: " + why);
  return count;
}

exprbert_status exprbert_cuda_stream_synchronize(int32_t device, void* stream) {
  return guarded("exprbert_cuda_stream_synchronize", [&] {
    require(device >= 0, "device must be a CUDA device index >= 0, got " + std::to_string(device));
    cuda::stream_synchronize(device, stream);
  });
}

exprbert_status exprbert_grad_norm(const exprbert_grad_norm_params* params) {
  return guarded("exprbert_grad_norm", [&] {
    validate(params);
    if (params->device < 0) {
      grad_norm_cpu(*params);
    } else {
      cuda::grad_norm(*params);
    }
  });
}

exprbert_status exprbert_adamw_step(const exprbert_adamw_params* params) {
  return guarded("exprbert_adamw_step", [&] {
    validate(params);
    if (params->device < 0) {
      adamw_step_cpu(*params);
    } else {
      cuda::adamw_step(*params);
    }
  });
}

}  // extern "C"
