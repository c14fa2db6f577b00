#include "errors.h"

namespace exprbert {
namespace {
thread_local std::string last_error;
}

void set_last_error(const std::string& message) noexcept {
  try {
    last_error = message;
  } catch (...) {
    // Out of memory while recording an error: keep whatever was there rather than throw across the ABI.
  }
}

void clear_last_error() noexcept { last_error.clear(); }

const char* last_error_c_str() noexcept { return last_error.c_str(); }

}  // namespace exprbert
