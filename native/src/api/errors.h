// The catch-all boundary: internal code throws KernelError (common/kernel_error.h); every extern "C" entry point
// runs its body through guarded(), which turns any exception into a status and the thread-local last error, so no
// exception, exit or abort ever reaches the JVM.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "../common/kernel_error.h"
#include "exprbert/kernels.h"

namespace exprbert {

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
