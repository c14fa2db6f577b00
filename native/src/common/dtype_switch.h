// The visible dispatch table: a runtime dtype becomes a template type parameter here and
// nowhere else. An unsupported value throws EXPRBERT_ERROR_UNSUPPORTED naming it.
#pragma once

#include <string>

#include "kernel_error.h"
#include "dtype.h"

namespace exprbert {

template <typename T> struct TypeTag { using type = T; };

template <typename Visitor>
decltype(auto) dispatch_dtype(int32_t dtype, const char* what, Visitor&& visitor) {
  switch (dtype) {
    case EXPRBERT_DTYPE_F32: return visitor(TypeTag<float>{});
    case EXPRBERT_DTYPE_F16: return visitor(TypeTag<Half>{});
    case EXPRBERT_DTYPE_BF16: return visitor(TypeTag<BFloat16>{});
    default:
      fail(EXPRBERT_ERROR_UNSUPPORTED, std::string(what) + " has unsupported dtype " + std::to_string(dtype));
  }
}

}  // namespace exprbert
