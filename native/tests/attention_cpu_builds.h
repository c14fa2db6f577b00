// What the CPU attention test binaries share: the error bounds against the double reference, the largest error
// seen per bound (printed per kernel build), running forward + backward of a problem, and a main() body that runs
// every case once per SIMD build this CPU can run (generic, AVX2, AVX-512), forced through
// EXPRBERT_ATTENTION_CPU_ISA, so the fallbacks a CI machine may take are tested too.
#pragma once

#include <cstdlib>
#include <map>
#include <string>

#include "attention_problem.h"

namespace exprbert_test {

// fp32: float accumulation over at most 512 terms; 2e-5 of the tensor's max |value| leaves ~10x headroom.
constexpr double kF32Bound = 2e-5;
// 16-bit storage: the output rounding alone is 2^-9 (bf16) / 2^-12 (f16) relative; twice that plus the
// float math leaves headroom without hiding a wrong mask or a missing scale.
constexpr double kBF16Bound = 1e-2;
constexpr double kF16Bound = 2e-3;

inline double bound_for_dtype(int32_t dtype) {
  return dtype == EXPRBERT_DTYPE_F32 ? kF32Bound : dtype == EXPRBERT_DTYPE_BF16 ? kBF16Bound : kF16Bound;
}

// The largest error seen against the reference, per bound, for the summary line of each build.
inline std::map<double, double>& worst_errors() {
  static std::map<double, double> worst;
  return worst;
}

inline bool within(const std::string& what, const AttentionErrors& e, double bound) {
  double& worst = worst_errors()[bound];
  worst = std::max(worst, e.worst());
  return errors_within(what.c_str(), e, bound, true);
}

inline bool run_both(AttentionProblem& p, int32_t threads = 0) {
  exprbert_attention_params a = host_attention_params(p);
  a.num_threads = threads;
  if (exprbert_attention_forward(&a) != EXPRBERT_OK) {
    std::fprintf(stderr, "  forward failed: %s\n", exprbert_last_error());
    return false;
  }
  if (exprbert_attention_backward(&a) != EXPRBERT_OK) {
    std::fprintf(stderr, "  backward failed: %s\n", exprbert_last_error());
    return false;
  }
  return true;
}

inline bool cpu_runs(const std::string& isa) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == "avx512") {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return true;
#else
  return isa == "generic";
#endif
}

// Runs every registered case once per kernel build this CPU runs; the exit status of main().
inline int run_all_builds(const char* suite) {
  int status = 0;
  for (const char* isa : {"generic", "avx2", "avx512"}) {
    if (!cpu_runs(isa)) {
      std::printf("-- kernel build %s: not run, this CPU lacks its instructions\n", isa);
      continue;
    }
    setenv("EXPRBERT_ATTENTION_CPU_ISA", isa, 1);
    std::printf("-- kernel build %s\n", isa);
    worst_errors().clear();
    status |= run_all(suite);
    for (const auto& [bound, worst] : worst_errors())
      std::printf("   largest relative error %.3g (bound %.3g, %.0f%% of it)\n", worst, bound, 100.0 * worst / bound);
  }
  unsetenv("EXPRBERT_ATTENTION_CPU_ISA");
  return status;
}

}  // namespace exprbert_test
