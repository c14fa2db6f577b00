// Four-element vector loads and stores (16 bytes of fp32, 8 bytes of 16-bit types) when the address allows.
#pragma once

#include <cstdint>

namespace exprbert {
namespace cuda {

constexpr int kVec = 4;

template <typename T>
struct alignas(kVec * sizeof(T)) Pack {
  T v[kVec];
};

template <typename T>
__device__ __forceinline__ bool is_pack_aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % (kVec * sizeof(T)) == 0;
}

template <typename T>
__device__ __forceinline__ Pack<T> load_pack(const T* p) {
  return *reinterpret_cast<const Pack<T>*>(p);
}

template <typename T>
__device__ __forceinline__ void store_pack(T* p, const Pack<T>& pack) {
  *reinterpret_cast<Pack<T>*>(p) = pack;
}

}  // namespace cuda
}  // namespace exprbert
