// A tiny test harness for the kernel tests: named cases, checks that report file:line and both values,
// a skip exit code that CTest understands (77), deterministic random inputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace exprbert_test {

constexpr int kSkipExitCode = 77;  // CTest SKIP_RETURN_CODE

struct Registry {
  std::vector<std::pair<std::string, std::function<void()>>> cases;
  int failures = 0;
  static Registry& get() {
    static Registry registry;
    return registry;
  }
};

struct Register {
  Register(const char* name, std::function<void()> body) { Registry::get().cases.emplace_back(name, std::move(body)); }
};

#define EXPRBERT_TEST(name)                                          \
  static void name();                                                \
  static ::exprbert_test::Register register_##name(#name, &name);    \
  static void name()

inline void report_failure(const char* file, int line, const std::string& message) {
  ++Registry::get().failures;
  std::fprintf(stderr, "FAILED %s:%d: %s\n", file, line, message.c_str());
}

#define CHECK(condition)                                                                   \
  do {                                                                                     \
    if (!(condition)) ::exprbert_test::report_failure(__FILE__, __LINE__, #condition);    \
  } while (0)

#define CHECK_EQ(actual, expected)                                                                       \
  do {                                                                                                   \
    const auto actual_value = (actual);                                                                  \
    const auto expected_value = (expected);                                                              \
    if (!(actual_value == expected_value)) {                                                             \
      ::exprbert_test::report_failure(__FILE__, __LINE__,                                                \
                                      std::string(#actual " == " #expected ": got ") +                   \
                                          std::to_string(actual_value) + ", expected " +                 \
                                          std::to_string(expected_value));                               \
    }                                                                                                    \
  } while (0)

inline int run_all(const char* suite) {
  for (auto& [name, body] : Registry::get().cases) {
    const int before = Registry::get().failures;
    body();
    std::printf("%s %s.%s\n", Registry::get().failures == before ? "ok  " : "FAIL", suite, name.c_str());
  }
  std::printf("%s: %zu cases, %d failed checks\n", suite, Registry::get().cases.size(), Registry::get().failures);
  return Registry::get().failures == 0 ? 0 : 1;
}

// Normal(0, scale) values: positive AND negative, like real gradients.
inline std::vector<float> random_normal(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> out(n);
  for (auto& x : out) x = normal(rng);
  return out;
}

inline std::vector<float> random_uniform(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> out(n);
  for (auto& x : out) x = uniform(rng);
  return out;
}

// Compares with |a - ref| <= atol + rtol * |ref|; prints the first few mismatches and the worst one.
inline bool all_close(const char* what, const float* actual, const double* reference, size_t n, double atol,
                      double rtol) {
  size_t bad = 0;
  double worst = 0.0;
  size_t worst_at = 0;
  for (size_t i = 0; i < n; ++i) {
    const double err = std::fabs(static_cast<double>(actual[i]) - reference[i]);
    const double allowed = atol + rtol * std::fabs(reference[i]);
    if (!(err <= allowed)) {
      if (bad < 5) std::fprintf(stderr, "  %s[%zu]: got %.9g, reference %.9g\n", what, i, actual[i], reference[i]);
      ++bad;
    }
    if (err > worst || std::isnan(err)) {
      worst = err;
      worst_at = i;
    }
  }
  if (bad > 0) {
    std::fprintf(stderr, "  %s: %zu of %zu outside atol %g + rtol %g; max error %.3g at %zu\n", what, bad, n, atol,
                 rtol, worst, worst_at);
  }
  return bad == 0;
}

}  // namespace exprbert_test
