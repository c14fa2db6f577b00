#!/usr/bin/env bash
# ExprBERT GPU check: the one prepared script for a GPU host with an NVIDIA driver for CUDA 13,
# nvcc, CMake and Python + PyTorch; no Java, no Maven, no network needed. Under 5 minutes:
#   1. builds native/ with CMake for this GPU's arch only (-j16), CUDA required;
#   2. runs the C++ kernel tests (CTest), whose CUDA cases compare the device with the CPU twin bit for bit;
#   3. runs harness.py (AdamW vs torch fused, then ms/step at 110M params beside a same-bytes device copy),
#      attention_harness.py (fused attention vs SDPA: correctness, TFLOP/s, and the real OpeNER length mix);
# The last line of output is ONE JSON summary ("ok": true|false, "errors", "not_run" say what could not run).
# Usage: benchmarks/gpu/check.sh            (env: EXPRBERT_GPU_BUILD=build dir, default /tmp/exprbert-gpu-build)
set -u
started=$(date +%s.%N)
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${EXPRBERT_GPU_BUILD:-/tmp/exprbert-gpu-build}
log=$build-logs
mkdir -p "$log"

# One arch, the host's: nvidia-smi (driver >= 510 knows compute_cap), else torch, else 90 (H100/H200).
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .\r')
if ! [[ "$arch" =~ ^[0-9]+$ ]]; then
  arch=$(python3 -c 'import torch; print("%d%d" % torch.cuda.get_device_capability())' 2>/dev/null)
fi
if ! [[ "$arch" =~ ^[0-9]+$ ]]; then arch=90; fi
echo "== arch sm_$arch, build dir $build"

nvcc_hint=""
if ! command -v nvcc >/dev/null 2>&1; then
  for candidate in /usr/local/cuda/bin/nvcc /usr/local/cuda-13*/bin/nvcc; do
    if [ -x "$candidate" ]; then nvcc_hint=$candidate; break; fi
  done
fi

build_status="failed"
if ! command -v cmake >/dev/null 2>&1; then
  build_status="skipped: cmake not on PATH"
elif timeout 200 cmake -S "$root/native" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEXPRBERT_CUDA=ON \
      -DEXPRBERT_REQUIRE_CUDA=ON -DEXPRBERT_CUDA_ARCHS="${arch}-real" ${nvcc_hint:+-DEXPRBERT_NVCC=$nvcc_hint} \
      >"$log/configure.log" 2>&1 \
    && timeout 200 cmake --build "$build" --parallel 16 >"$log/build.log" 2>&1; then
  build_status="ok"
else
  echo "== build failed; last lines:"; tail -n 30 "$log/configure.log" "$log/build.log" 2>/dev/null
  build_status="failed (see $log/configure.log, $log/build.log)"
fi
echo "== build: $build_status"

ctest_status="skipped: no build"
ctest_summary=""
if [ "$build_status" = "ok" ]; then
  if timeout 150 ctest --test-dir "$build" --output-on-failure >"$log/ctest.log" 2>&1; then
    ctest_status="ok"
  else
    ctest_status="failed (see $log/ctest.log)"
    tail -n 40 "$log/ctest.log"
  fi
  # A skipped CUDA test means the device was not usable from our library: not ok for a GPU check.
  if grep -q "Skipped" "$log/ctest.log"; then
    ctest_status="not ok: CUDA tests skipped ($(grep -h 'SKIPPED' "$build"/Testing/Temporary/LastTest.log 2>/dev/null | head -n 1))"
  fi
  ctest_summary=$(grep -E "tests passed|tests failed" "$log/ctest.log" | tail -n 1)
  grep -E "^ *[0-9]+/[0-9]+ Test" "$log/ctest.log"
fi
echo "== ctest: $ctest_status"

lib="$build/lib/libexprbert_kernels.so"
results=$log/results
mkdir -p "$results"
rm -f "$results"/*.json
# Each harness prints one JSON line last; they are merged into the one summary printed at the end.
run_harness() {  # name timeout script args...
  local name=$1 limit=$2; shift 2
  timeout "$limit" python3 "$@" >"$log/$name.out" 2>&1
  local rc=$?
  tail -n 1 "$log/$name.out" >"$results/$name.json"
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$results/$name.json" 2>/dev/null; then
    printf '{"error": "%s exited with %d (timeout %s s gives 124); see %s"}\n' "$name" "$rc" "$limit" "$log/$name.out" \
      >"$results/$name.json"
    tail -n 20 "$log/$name.out"
  fi
}
if command -v python3 >/dev/null 2>&1; then
  run_harness adamw 240 "$root/benchmarks/gpu/harness.py" --lib "$lib" --build-status "$build_status" \
    --ctest-status "$ctest_status" --ctest-summary "$ctest_summary" --arch "sm_$arch" --started "$started"
  run_harness attention 300 "$root/benchmarks/gpu/attention_harness.py" "$lib"
  python3 - "$results" "$started" <<'PY'
import glob, json, os, sys, time
merged = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    with open(path) as f:
        try:
            merged[os.path.basename(path)[:-5]] = json.load(f)
        except ValueError as e:
            merged[os.path.basename(path)[:-5]] = {"error": str(e)}
adamw = merged.get("adamw", {})
attention = merged.get("attention", {})
summary = {"check": "exprbert-gpu", "seconds_total": round(time.time() - float(sys.argv[2]), 1),
           "ok": bool(adamw.get("ok")) and not attention.get("errors") and "error" not in attention,
           "parts": merged}
print(json.dumps(summary, sort_keys=True))
PY
else
  printf '{"check": "exprbert-gpu", "ok": false, "build": "%s", "ctest": "%s", "not_run": ["harnesses (no python3)"]}\n' \
    "$build_status" "$ctest_status"
fi
