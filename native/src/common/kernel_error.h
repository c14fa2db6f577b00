// KernelError and the argument checks shared by the CPU twins, the CUDA side and the C entry points: internal code
// throws; only the API boundary (src/api/errors.h, guarded()) turns an exception into a status and the last error.
// Kept in common/ so the kernels never depend on the API layer above them.
#pragma once

#include <stdexcept>
#include <string>

#include "exprbert/kernels.h"

namespace exprbert {

class KernelError : public std::runtime_error {
 public:
  KernelError(exprbert_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  exprbert_status status() const noexcept { return status_; }

 private:
  exprbert_status status_;
};

[[noreturn]] inline void fail(exprbert_status status, const std::string& message) { throw KernelError(status, message); }

inline void require(bool condition, const std::string& message) {
  if (!condition) fail(EXPRBERT_ERROR_INVALID_ARGUMENT, message);
}

}  // namespace exprbert
