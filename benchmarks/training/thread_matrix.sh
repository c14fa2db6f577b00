#!/usr/bin/env bash
# The thread matrix: one training step (TrainingStepBenchmark) in a fresh JVM per pool setting, settings interleaved
# A B C D A B C D, so load from other processes hits them alike; per round, each setting's median ms/step and its
# ratio to the default (nothing set: ExprBERT's one compute pool) of the same round, then min/median/max per setting.
#
# Usage: benchmarks/training/thread_matrix.sh [ROUNDS] [BATCH:STEPS] [CASES]
#   default 3 rounds, "8:8" (several: "8:8 32:4"), "packed fused,padded sdpa"; build and compile the benchmark first (benchmarks/README.md).
# Settings: "default" (nothing set), and OMP_NUM_THREADS (LibTorch intra-op) x OPENBLAS_NUM_THREADS in {1, cores};
#   SETTINGS="name|VAR=value ...;name|..." replaces the list after "default" (e.g. to try OPENBLAS_THREAD_TIMEOUT).
# LOAD=N runs N busy loops beside the benchmark (a machine shared with other work), stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
spec=${2:-8:8}
cases=${3:-packed fused,padded sdpa}
cores=$(nproc)
# EXPRBERT_CLASSES: a copy of target/classes (and bench-classes beside it) so that a rebuild during the run cannot
# change the classes under it
classes=${EXPRBERT_CLASSES:-$root/target/classes}
cp="$(dirname "$classes")/bench-classes:$classes:$(cat "$root/target/classpath.txt")"
settings=("default|" "intra1-blas1|OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1" "intra$cores-blas1|OMP_NUM_THREADS=$cores OPENBLAS_NUM_THREADS=1"
  "intra1-blas$cores|OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=$cores" "intra$cores-blas$cores|OMP_NUM_THREADS=$cores OPENBLAS_NUM_THREADS=$cores")
if [ -n "${SETTINGS:-}" ]; then
  IFS=';' read -r -a extra <<< "$SETTINGS"
  settings=("default|" "${extra[@]}")
fi
busy=()
for _ in $(seq 1 "${LOAD:-0}"); do (while :; do :; done) & busy+=($!); done
trap '[ ${#busy[@]} -eq 0 ] || kill "${busy[@]}" 2>/dev/null' EXIT
out=$(mktemp -d)
cd "$root"
for r in $(seq 1 "$rounds"); do
  for s in "${settings[@]}"; do
    name=${s%%|*}
    vars=${s#*|}
    # shellcheck disable=SC2086
    env -u OMP_NUM_THREADS -u OPENBLAS_NUM_THREADS -u EXPRBERT_NUM_THREADS $vars java -Xmx3g -Dbench.cases="$cases" \
      -cp "$cp" benchmarks.training.TrainingStepBenchmark $spec >"$out/$r-$name.log" 2>&1
    grep '^| B=' "$out/$r-$name.log" | sed "s/^/$r $name /"
  done
done | tee "$out/all.txt"
python3 - "$out/all.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(dict)  # (round, case) -> setting -> ms
for line in open(sys.argv[1]):
    parts = line.split("|")
    head = parts[0].split()
    rnd, setting = head[0], head[1]
    case = parts[1].strip()
    rows[(rnd, case)][setting] = float(parts[2])
ratios = collections.defaultdict(list)
print("\n| round | case | " + " | ".join(next(iter(rows.values())).keys()) + " |")
for (rnd, case), ms in sorted(rows.items()):
    base = ms["default"]
    print(f"| {rnd} | {case} | " + " | ".join(f"{v:.0f} ms ({base / v:.2f}x)" for v in ms.values()) + " |")
    for k, v in ms.items():
        ratios[(case, k)].append(v / base)
print("\nstep time relative to the default's in the same round (min / median / max; > 1 = slower than the default):")
for (case, k), rs in sorted(ratios.items()):
    print(f"  {case:22s} {k:14s} {min(rs):.2f} / {statistics.median(rs):.2f} / {max(rs):.2f}")
PY
echo "logs: $out"
