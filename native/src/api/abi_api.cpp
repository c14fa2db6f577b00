// The ABI self-description: the version and struct sizes this library was compiled with (callers compare them with
// the header they were built against when they load the library), and the one zero-initialiser per params struct.
#include <cstring>

#include "exprbert/kernels.h"

extern "C" {

int32_t exprbert_abi_version(void) { return EXPRBERT_ABI_VERSION; }

int64_t exprbert_params_size(int32_t kind) {
  switch (kind) {
    case EXPRBERT_PARAMS_GRAD_NORM: return static_cast<int64_t>(sizeof(exprbert_grad_norm_params));
    case EXPRBERT_PARAMS_ADAMW: return static_cast<int64_t>(sizeof(exprbert_adamw_params));
    case EXPRBERT_PARAMS_ATTENTION: return static_cast<int64_t>(sizeof(exprbert_attention_params));
    default: return -1;
  }
}

void exprbert_grad_norm_params_init(exprbert_grad_norm_params* params) {
  if (params != nullptr) std::memset(params, 0, sizeof *params);
}

void exprbert_adamw_params_init(exprbert_adamw_params* params) {
  if (params != nullptr) std::memset(params, 0, sizeof *params);
}

void exprbert_attention_params_init(exprbert_attention_params* params) {
  if (params != nullptr) std::memset(params, 0, sizeof *params);
}

}  // extern "C"
