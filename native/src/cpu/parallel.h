// Runs independent work items on std::threads. Items are claimed through an atomic counter, so which thread
// runs an item varies; callers keep results thread-count independent by writing per-item outputs only and
// combining them afterwards in item order.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace exprbert {

inline int resolve_threads(int32_t requested, int64_t num_items) {
  int threads = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  return static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(num_items, 1)));
}

template <typename Body>
void parallel_for_items(int64_t num_items, int32_t requested_threads, Body body) {
  const int threads = resolve_threads(requested_threads, num_items);
  if (threads <= 1) {
    for (int64_t i = 0; i < num_items; ++i) body(i);
    return;
  }
  std::atomic<int64_t> next{0};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&]() {
    try {
      for (int64_t i = next.fetch_add(1); i < num_items; i = next.fetch_add(1)) body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      next.store(num_items);  // stop the others early
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace exprbert
