// Picks the instruction-set build of the CPU attention kernels at run time: the library is compiled for the
// baseline x86-64 (it ships in a jar), so AVX2 and AVX-512 code is only reached after asking the CPU.
// EXPRBERT_ATTENTION_CPU_ISA (generic | avx2 | avx512) caps the choice, so the tests run every build this
// machine can run and a benchmark can compare them; it never selects a build the CPU lacks.
#include <cstdlib>
#include <cstring>

#include "attention_cpu_tiles.h"

namespace exprbert {
namespace {

enum Level { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

Level cpu_level() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // Each test matches the target pragma of the build it unlocks (libgcc also checks that the OS saves the
  // ymm / zmm state).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kGeneric;
}

Level requested_level() {
  const char* env = std::getenv("EXPRBERT_ATTENTION_CPU_ISA");
  if (env == nullptr) return kAvx512;
  if (std::strcmp(env, "generic") == 0) return kGeneric;
  if (std::strcmp(env, "avx2") == 0) return kAvx2;
  return kAvx512;  // "avx512", empty or unknown: no cap
}

}  // namespace

const AttentionCpuKernels& attention_cpu_kernels() {
  static const Level available = cpu_level();
  static const AttentionCpuKernels builds[] = {
      {"generic", 4, &cpu_generic::attention_forward_tiles, &cpu_generic::attention_backward_tiles},
#if defined(__x86_64__) || defined(__i386__)
      {"avx2", 8, &cpu_avx2::attention_forward_tiles, &cpu_avx2::attention_backward_tiles},
      {"avx512", 16, &cpu_avx512::attention_forward_tiles, &cpu_avx512::attention_backward_tiles},
#endif
  };
  const Level requested = requested_level();
  return builds[requested < available ? requested : available];
}

}  // namespace exprbert
