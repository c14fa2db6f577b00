# CUDA targets, chosen BEFORE enable_language(CUDA): CMake caches its default arch at that point
# (docs/build-notes.md, "CUDA architectures and the static runtime").
#
# Default: SASS for sm_80 (A100) and sm_90 (H100/H200), plus compute_90 PTX so newer GPUs can JIT.
# -DEXPRBERT_CUDA_ARCHS=90 (as benchmarks/gpu/check.sh passes) builds one arch only, for a quick host build.
set(EXPRBERT_CUDA_ARCHS "80-real;90" CACHE STRING "CMAKE_CUDA_ARCHITECTURES for the kernels (default sm_80 + sm_90 + PTX 90)")
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "${EXPRBERT_CUDA_ARCHS}")
endif()
