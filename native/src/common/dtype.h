// Storage types (fp32, fp16, bf16) and their conversions to and from float, shared by CPU and CUDA.
//
// Invariant: every kernel computes in float whatever the storage type; a 16-bit value is widened on load
// and rounded to nearest-even once on store. The conversions are written as bit manipulation (no F16C, no
// cuda_fp16.h) so that the CPU twin and the CUDA kernels round identically and the CPU build needs no
// special instructions.
#pragma once

#include <cstdint>
#include <cstring>

#include "exprbert/kernels.h"
#include "host_device.h"

namespace exprbert {

enum class DType : int32_t {
  kF32 = EXPRBERT_DTYPE_F32,
  kF16 = EXPRBERT_DTYPE_F16,
  kBF16 = EXPRBERT_DTYPE_BF16,
};

inline bool is_known_dtype(int32_t value) {
  return value == EXPRBERT_DTYPE_F32 || value == EXPRBERT_DTYPE_F16 || value == EXPRBERT_DTYPE_BF16;
}

inline const char* dtype_name(int32_t value) {
  switch (value) {
    case EXPRBERT_DTYPE_F32: return "f32";
    case EXPRBERT_DTYPE_F16: return "f16";
    case EXPRBERT_DTYPE_BF16: return "bf16";
    default: return "unknown";
  }
}

// 16-bit storage wrappers: distinct types so a bf16 buffer can never be read as fp16 by accident.
struct BFloat16 { uint16_t bits; };
struct Half { uint16_t bits; };

EXPRBERT_HD uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

EXPRBERT_HD float bits_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

EXPRBERT_HD float to_float(float x) { return x; }
EXPRBERT_HD float to_float(BFloat16 x) { return bits_float(static_cast<uint32_t>(x.bits) << 16); }

// IEEE binary16 -> binary32, exact (subnormals, inf and nan included).
EXPRBERT_HD float to_float(Half x) {
  const uint32_t sign = static_cast<uint32_t>(x.bits & 0x8000u) << 16;
  const uint32_t exponent = (x.bits >> 10) & 0x1fu;
  uint32_t mantissa = x.bits & 0x3ffu;
  if (exponent == 0x1fu) return bits_float(sign | 0x7f800000u | (mantissa << 13));  // inf / nan
  if (exponent != 0) return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return bits_float(sign);  // signed zero
  // Subnormal half: value = mantissa * 2^-24, exactly representable as a normal float.
  int shift = 0;
  while ((mantissa & 0x400u) == 0) { mantissa <<= 1; ++shift; }
  mantissa &= 0x3ffu;
  return bits_float(sign | (static_cast<uint32_t>(113 - shift) << 23) | (mantissa << 13));
}

template <typename T> EXPRBERT_HD T from_float(float x);

template <> EXPRBERT_HD float from_float<float>(float x) { return x; }

// Round to nearest even; nan stays a (quiet) nan.
template <> EXPRBERT_HD BFloat16 from_float<BFloat16>(float x) {
  const uint32_t u = float_bits(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return BFloat16{static_cast<uint16_t>((u >> 16) | 0x40u)};
  const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return BFloat16{static_cast<uint16_t>((u + rounding) >> 16)};
}

// binary32 -> binary16, round to nearest even, overflow to inf, gradual underflow.
template <> EXPRBERT_HD Half from_float<Half>(float x) {
  const uint32_t u = float_bits(x);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return Half{static_cast<uint16_t>(sign | 0x7e00u)};  // nan
  if (abs >= 0x477ff000u) return Half{static_cast<uint16_t>(sign | 0x7c00u)}; // rounds to >= 65520: inf
  if (abs >= 0x38800000u) {  // normal half range (>= 2^-14)
    const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
    return Half{static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13))};
  }
  if (abs < 0x33000000u) return Half{sign};  // below half the smallest subnormal (2^-25): zero
  // Subnormal half: shift the full 24-bit significand right and round to nearest even.
  const uint32_t exponent = abs >> 23;
  const uint32_t significand = (abs & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - exponent;  // in [14, 24] here
  const uint32_t halfway = 1u << (shift - 1);
  const uint32_t remainder = significand & ((1u << shift) - 1u);
  uint32_t result = significand >> shift;
  if (remainder > halfway || (remainder == halfway && (result & 1u))) ++result;
  return Half{static_cast<uint16_t>(sign | result)};
}

}  // namespace exprbert
