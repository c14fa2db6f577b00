// The catch-all boundary (STYLE.md point 8): internal code throws KernelError; every extern "C" entry point
// runs its body through guarded(), which turns any exception into a status and the thread-local last error.
#pragma once

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

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

void set_last_error(const std::string& message) noexcept;
void clear_last_error() noexcept;

// Runs `body` (which may throw anything) and returns a status; never lets an exception escape.
template <typename Body>
exprbert_status guarded(const char* function, Body&& body) noexcept {
  try {
    clear_last_error();
    std::forward<Body>(body)();
    return EXPRBERT_OK;
  } catch (const KernelError& e) {
    set_last_error(std::string(function) + ": " + e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    set_last_error(std::string(function) + ": out of host memory");
    return EXPRBERT_ERROR_INTERNAL;
  } catch (const std::exception& e) {
    set_last_error(std::string(function) + ": unexpected error: " + e.what());
    return EXPRBERT_ERROR_INTERNAL;
  } catch (...) {
    set_last_error(std::string(function) + ": unexpected non-standard exception");
    return EXPRBERT_ERROR_INTERNAL;
  }
}

}  // namespace exprbert
