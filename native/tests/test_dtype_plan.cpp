// The shared building blocks: 16-bit conversions (exact widening, round-to-nearest-even narrowing) and the
// multi-tensor chunk planner used by the CUDA launchers (checked here because it is plain host code).
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "../src/common/dtype.h"
#include "../src/common/multi_tensor_plan.h"
#include "test_support.h"

using namespace exprbert;
using namespace exprbert_test;

namespace {

// from_float<T>(x) must be the nearest 16-bit value, ties to the even bit pattern.
template <typename T>
bool rounds_to_nearest_even(float x) {
  const T r = from_float<T>(x);
  const float value = to_float(r);
  if (std::isnan(x)) return std::isnan(value);
  if (std::isinf(value)) return std::is_same<T, Half>::value && std::fabs(x) >= 65520.0f;
  const float up = to_float(T{static_cast<uint16_t>(r.bits + 1)});
  const float down = to_float(T{static_cast<uint16_t>(r.bits - 1)});
  const double err = std::fabs(static_cast<double>(x) - value);
  const double err_up = std::fabs(static_cast<double>(x) - up);
  const double err_down = std::fabs(static_cast<double>(x) - down);
  if (err > err_up || err > err_down) return false;
  if ((err == err_up || err == err_down) && (r.bits & 1u)) return false;  // a tie must pick the even pattern
  return true;
}

}  // namespace

EXPRBERT_TEST(half_round_trips_every_bit_pattern) {
  int bad = 0;
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const Half h{static_cast<uint16_t>(bits)};
    const float x = to_float(h);
    if (std::isnan(x)) continue;
    if (from_float<Half>(x).bits != h.bits) ++bad;
  }
  CHECK_EQ(bad, 0);
  CHECK_EQ(to_float(Half{0x3c00}), 1.0f);
  CHECK_EQ(to_float(Half{0x0001}), std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK_EQ(to_float(Half{0x7bff}), 65504.0f);
}

EXPRBERT_TEST(bfloat16_round_trips_every_bit_pattern) {
  int bad = 0;
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const BFloat16 b{static_cast<uint16_t>(bits)};
    const float x = to_float(b);
    if (std::isnan(x)) continue;
    if (from_float<BFloat16>(x).bits != b.bits) ++bad;
  }
  CHECK_EQ(bad, 0);
}

EXPRBERT_TEST(narrowing_rounds_to_nearest_even) {
  int bad_half = 0, bad_bf16 = 0;
  const auto values = random_normal(200000, 3, 100.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    const float x = i % 3 == 0 ? values[i] * 1e-5f : values[i];  // include half subnormals
    if (!rounds_to_nearest_even<Half>(x)) ++bad_half;
    if (!rounds_to_nearest_even<BFloat16>(x)) ++bad_bf16;
  }
  CHECK_EQ(bad_half, 0);
  CHECK_EQ(bad_bf16, 0);
  // Exact ties: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 in half: even -> 1.
  CHECK_EQ(from_float<Half>(1.0f + std::ldexp(1.0f, -11)).bits, uint16_t{0x3c00});
  CHECK_EQ(from_float<Half>(1.0f + 3 * std::ldexp(1.0f, -11)).bits, uint16_t{0x3c02});
  CHECK_EQ(from_float<BFloat16>(1.0f + std::ldexp(1.0f, -8)).bits, uint16_t{0x3f80});
  CHECK_EQ(from_float<Half>(65520.0f).bits, uint16_t{0x7c00});  // overflow -> inf
  CHECK_EQ(from_float<Half>(65519.0f).bits, uint16_t{0x7bff});
  CHECK(std::isnan(to_float(from_float<BFloat16>(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isnan(to_float(from_float<Half>(std::numeric_limits<float>::quiet_NaN()))));
}

EXPRBERT_TEST(plan_covers_every_element_once_within_limits) {
  const std::vector<int64_t> numels = {0, 1, 65536, 65537, 3, 0, 1000000, 7};
  for (int32_t max_tensors : {1, 2, 64}) {
    for (int32_t max_chunks : {1, 3, 640}) {
      const auto plan = plan_multi_tensor(numels.data(), static_cast<int64_t>(numels.size()), 65536, max_tensors,
                                          max_chunks);
      std::vector<int64_t> covered(numels.size(), 0);
      bool ok = true;
      int64_t last_tensor = -1, last_end = 0;
      for (const auto& launch : plan) {
        ok &= !launch.chunks.empty();
        ok &= static_cast<int32_t>(launch.tensors.size()) <= max_tensors;
        ok &= static_cast<int32_t>(launch.chunks.size()) <= max_chunks;
        for (const auto& chunk : launch.chunks) {
          const int64_t t = launch.tensors[chunk.slot];
          ok &= chunk.end > chunk.begin && chunk.end - chunk.begin <= 65536;
          // in order: same tensor continues where the last chunk ended, a new tensor starts at 0
          ok &= (t == last_tensor) ? chunk.begin == last_end : (t > last_tensor && chunk.begin == 0);
          covered[t] += chunk.end - chunk.begin;
          last_tensor = t;
          last_end = chunk.end;
        }
      }
      ok &= covered == numels;
      if (!ok) std::fprintf(stderr, "  plan wrong for max_tensors %d max_chunks %d\n", max_tensors, max_chunks);
      CHECK(ok);
    }
  }
  CHECK(plan_multi_tensor(nullptr, 0, 65536, 64, 640).empty());
}

int main() { return run_all("dtype_plan"); }
