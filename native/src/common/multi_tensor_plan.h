// Splits a list of tensors into fixed-size chunks and packs them into launches, apex/PyTorch
// multi_tensor_apply style. Host-only and pure, so CTest checks it without a GPU; the CUDA launchers
// turn each Launch into one kernel's argument struct.
//
// Invariants: tensors with 0 elements get no chunk; every element of every tensor is covered by exactly one
// chunk; a launch holds at most max_tensors tensors and max_chunks chunks; tensor and chunk order is the
// input order (so reductions that follow the plan are deterministic).
#pragma once

#include <cstdint>
#include <vector>

namespace exprbert {

struct PlannedChunk {
  int32_t slot;       // index into Launch::tensors
  int64_t begin;      // first element of the chunk inside its tensor
  int64_t end;        // one past the last element
};

struct Launch {
  std::vector<int64_t> tensors;      // indices into the caller's tensor list
  std::vector<PlannedChunk> chunks;
};

inline std::vector<Launch> plan_multi_tensor(const int64_t* numels, int64_t num_tensors, int64_t chunk_size,
                                             int32_t max_tensors, int32_t max_chunks) {
  std::vector<Launch> launches;
  Launch current;
  auto flush = [&]() {
    if (!current.chunks.empty()) launches.push_back(current);
    current = Launch{};
  };
  for (int64_t t = 0; t < num_tensors; ++t) {
    const int64_t n = numels[t];
    if (n <= 0) continue;
    for (int64_t begin = 0; begin < n; begin += chunk_size) {
      const bool tensor_already_in = !current.tensors.empty() && current.tensors.back() == t;
      if (!tensor_already_in) {
        if (static_cast<int32_t>(current.tensors.size()) == max_tensors) flush();
        current.tensors.push_back(t);
      }
      const int64_t end = (n - begin > chunk_size) ? begin + chunk_size : n;
      current.chunks.push_back({static_cast<int32_t>(current.tensors.size() - 1), begin, end});
      if (static_cast<int32_t>(current.chunks.size()) == max_chunks) flush();
    }
  }
  flush();
  return launches;
}

}  // namespace exprbert
