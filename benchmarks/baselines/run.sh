#!/usr/bin/env bash
# ExprBERT next to what users actually run, on the same model and the same OpeNER_en batches, in one run:
#   training: the Hugging Face Trainer (transformers + torch CPU, attn_implementation sdpa, optim adamw_torch, padded
#             batches) against ExprBERT with default flags (fused attention, packed batches, fused AdamW, one compute
#             pool) and ExprBERT pinned to padded sdpa (equal padding);
#   inference: ONNX Runtime (CPU, the export-onnx graph, padded batches) against ExprBERT's default predict path, over
#             the dev set, tokenisation included on both sides, at each batch size of --infer-batches: per batch, and
#             ONNX Runtime at its best batch and thread count against ExprBERT's default (predict's --batch-size 32).
# Model: all-MiniLM-L6-v2 converted from the copy on Maven Central, plus a token-classification head for OpeNER_en's
# labels made once by transformers (seed 42); both sides load that directory. Batches: the train sentences shuffled
# with seed 42 (hf_side.py order), the same on both sides. Every round runs each side at each thread count in turn
# (A B A B), so load from other processes hits them alike; a side's result in a round is its best thread count's;
# ratios are per round (HF or ORT median ms / ExprBERT median ms; > 1 = ExprBERT faster), then min/median/max.
# Never part of CI: it installs nothing into the project and needs the network only to fill the venv.
#
# Usage: benchmarks/baselines/run.sh [--venv DIR] [--scratch DIR] [--rounds N] [--batches "8 32"] [--steps N]
#                                    [--threads "1 2"] [--passes N] [--infer-batches "8 32"]
#   --venv: an existing venv with torch, transformers and onnxruntime (default: SCRATCH/venv, created with
#   `python3 -m venv` and filled by pip from the machine's configured index).
#   Build first: mvn -B -q package -DskipTests && mvn -B -q dependency:build-classpath
#   -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/benchmarks/baselines"
venv="" scratch=/tmp/exprbert-baselines rounds=3 batches="8 32" steps=10 threads="1 $(nproc)" passes=3 warmup=2
infer_batches="8 32"
while [ $# -gt 0 ]; do
  case $1 in
    --venv) venv=$2; shift ;;
    --scratch) scratch=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --batches) batches=$2; shift ;;
    --steps) steps=$2; shift ;;
    --threads) threads=$2; shift ;;
    --passes) passes=$2; shift ;;
    --infer-batches) infer_batches=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
data=$root/../shared/data/semeval22-opener_en/expression
[ -f "$data/train.conll" ] || { echo "run.sh: no OpeNER_en at $data" >&2; exit 2; }
[ -f "$root/target/classpath.txt" ] || { echo "run.sh: build first (see --help)" >&2; exit 2; }
mkdir -p "$scratch"
if [ -z "$venv" ]; then
  venv=$scratch/venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch transformers onnxruntime
  fi
fi
py=$venv/bin/python
"$py" -c 'import torch, transformers, onnxruntime' || { echo "run.sh: $venv lacks torch/transformers/onnxruntime" >&2; exit 2; }

# a copy of the classes, so a rebuild during the run cannot change them
rm -rf "$scratch/classes" "$scratch/bench"
cp -r "$root/target/classes" "$scratch/classes"
cp="$scratch/classes:$(cat "$root/target/classpath.txt")"
. "$here/model_dir.sh"
compile_exprbert_side "$scratch" "$cp"
java_side() { java -Xmx4g -cp "$scratch/bench:$cp" benchmarks.baselines.ExprbertSide "$@" 2>"$scratch/java.err" | tail -n 1; }

model=$(ensure_model_dir "$scratch" "$py" "$data/train.conll" "$cp")
[ -f "$scratch/model.onnx" ] || java -cp "$cp" dev.exprbert.cli.ExprbertCommand export-onnx --model "$model" \
  --out "$scratch/model.onnx" --dynamic-axes >/dev/null
for b in $batches; do
  "$py" "$here/hf_side.py" order --data "$data/train.conll" --batch "$b" --steps $((steps + warmup)) --out "$scratch/order-$b.json"
done

results=$scratch/results.jsonl
: >"$results"
echo "machine: $(nproc) cores, load at start $(cut -d' ' -f1-3 /proc/loadavg); $("$py" -c 'import torch, transformers, onnxruntime as o; print("torch", torch.__version__, "transformers", transformers.__version__, "onnxruntime", o.__version__)')"
for r in $(seq 1 "$rounds"); do
  for b in $batches; do
    for t in $threads; do
      "$py" "$here/hf_side.py" train --model "$model" --data "$data/train.conll" --order "$scratch/order-$b.json" \
        --warmup "$warmup" --threads "$t" 2>"$scratch/hf.err" | tail -n 1 | sed "s/^{/{\"round\": $r, \"task\": \"train\", /" >>"$results"
      EXPRBERT_NUM_THREADS=$t java_side train "$model" "$data/train.conll" "$scratch/order-$b.json" "$warmup" \
        | sed "s/^{/{\"round\": $r, \"task\": \"train\", /" >>"$results"
      EXPRBERT_NUM_THREADS=$t java_side train "$model" "$data/train.conll" "$scratch/order-$b.json" "$warmup" sdpa \
        | sed "s/^{/{\"round\": $r, \"task\": \"train\", /" >>"$results"
    done
  done
  for b in $infer_batches; do
    for t in $threads; do
      "$py" "$here/hf_side.py" infer --onnx "$scratch/model.onnx" --model "$model" --data "$data/dev.conll" --batch "$b" \
        --passes "$passes" --threads "$t" 2>"$scratch/ort.err" | tail -n 1 | sed "s/^{/{\"round\": $r, \"task\": \"infer\", /" >>"$results"
      EXPRBERT_NUM_THREADS=$t java_side infer "$model" "$data/dev.conll" "$b" "$passes" \
        | sed "s/^{/{\"round\": $r, \"task\": \"infer\", /" >>"$results"
    done
  done
  tail -n +1 "$results" | grep "\"round\": $r," || true
done
"$py" "$here/summarize.py" "$results"
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg); results: $results"
