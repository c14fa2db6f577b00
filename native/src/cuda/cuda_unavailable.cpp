// The CUDA side of a CPU-only build (no nvcc found, or -DEXPRBERT_CUDA=OFF): every device call reports
// EXPRBERT_ERROR_CUDA_UNAVAILABLE with the reason, so the JVM sees an exception, not a crash.
#include "../common/kernel_error.h"
#include "cuda_backend.h"

namespace exprbert {
namespace cuda {
namespace {
[[noreturn]] void unavailable(const char* what) {
  fail(EXPRBERT_ERROR_CUDA_UNAVAILABLE,
       std::string(what) + " needs CUDA, but this libexprbert_kernels was built without it (no nvcc at build time, "
                           "or -Dexprbert.cuda=OFF); rebuild on a machine with the CUDA toolkit");
}
}  // namespace

bool compiled() { return false; }
std::string version_info() { return "cuda off"; }
int32_t device_count(std::string* why) {
  *why = "built without CUDA";
  return -EXPRBERT_ERROR_CUDA_UNAVAILABLE;
}
void stream_synchronize(int32_t, void*) { unavailable("exprbert_cuda_stream_synchronize"); }
void grad_norm(const exprbert_grad_norm_params&) { unavailable("exprbert_grad_norm on a CUDA device"); }
void adamw_step(const exprbert_adamw_params&) { unavailable("exprbert_adamw_step on a CUDA device"); }

}  // namespace cuda
}  // namespace exprbert
