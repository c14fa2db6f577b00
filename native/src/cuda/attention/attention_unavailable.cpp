// The CUDA attention of a CPU-only build: a CUDA call reports EXPRBERT_ERROR_CUDA_UNAVAILABLE with the reason.
#include <string>

#include "../../common/kernel_error.h"
#include "attention_cuda.h"

namespace exprbert {
namespace cuda {
namespace {
[[noreturn]] void unavailable(const char* what) {
  fail(EXPRBERT_ERROR_CUDA_UNAVAILABLE,
       std::string(what) + " on a CUDA device needs CUDA, but this libexprbert_kernels was built without it (no nvcc "
                           "at build time, or -Dexprbert.cuda=OFF); rebuild on a machine with the CUDA toolkit");
}
}  // namespace

void attention_forward(const exprbert_attention_params&) { unavailable("exprbert_attention_forward"); }
void attention_backward(const exprbert_attention_params&) { unavailable("exprbert_attention_backward"); }

}  // namespace cuda
}  // namespace exprbert
