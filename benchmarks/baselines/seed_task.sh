#!/usr/bin/env bash
# The full seed task on both sides, same start, same data, same evaluator: the Hugging Face Trainer (hf_side.py seed:
# sdpa, adamw_torch, linear schedule, seed 42, padded batches) and `exprbert train` with default flags fine-tune the
# same model directory (run.sh's all-MiniLM-L6-v2 + OpeNER_en head, made by transformers) on OpeNER_en train for
# 5 epochs at lr 2e-5, batch 8; then `exprbert evaluate` (seqeval-exact) scores both saved models on dev and test.
# Wall time is each training command's, start to exit (interpreter/JVM start-up, loading, tokenisation, training,
# saving); the sides run one after the other, ExprBERT first, so nothing else of ours shares the cores.
# Goal (issue 18): ExprBERT's wall time <= 0.5x the Trainer's, F1 within +-0.02.
#
# Usage: benchmarks/baselines/seed_task.sh [--venv DIR] [--scratch DIR] [--lr 2e-5] [--epochs 5] [--hf-threads N]
#   --hf-threads 0 (default) leaves torch its own thread count, as a user running the Trainer gets it.
#   Build first, as for run.sh (see its --help); the model directory is run.sh's, made here if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/benchmarks/baselines"
venv="" scratch=/tmp/exprbert-baselines lr=2e-5 epochs=5 hf_threads=0
while [ $# -gt 0 ]; do
  case $1 in
    --venv) venv=$2; shift ;;
    --scratch) scratch=$2; shift ;;
    --lr) lr=$2; shift ;;
    --epochs) epochs=$2; shift ;;
    --hf-threads) hf_threads=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "seed_task.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
data=$root/../shared/data/semeval22-opener_en/expression
jar=$root/target/exprbert.jar
[ -f "$data/train.conll" ] || { echo "seed_task.sh: no OpeNER_en at $data" >&2; exit 2; }
[ -f "$jar" ] && [ -f "$root/target/classpath.txt" ] || { echo "seed_task.sh: build first (see --help)" >&2; exit 2; }
venv=${venv:-$scratch/venv}
py=$venv/bin/python
"$py" -c 'import torch, transformers' || { echo "seed_task.sh: $venv lacks torch/transformers (run.sh --help)" >&2; exit 2; }
mkdir -p "$scratch"
. "$here/model_dir.sh"
model=$(ensure_model_dir "$scratch" "$py" "$data/train.conll" "$root/target/classes:$(cat "$root/target/classpath.txt")")
ours=$scratch/seed-exprbert hf=$scratch/seed-hf
rm -rf "$ours" "$hf"
now() { date +%s.%N; }
echo "machine: $(nproc) cores, load at start $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(now)
java -jar "$jar" train --model_name_or_path "$model" --train_file "$data/train.conll" --output_dir "$ours" \
  --learning_rate "$lr" --per_device_train_batch_size 8 --num_train_epochs "$epochs" --seed 42 \
  --lr_scheduler_type linear --eval_strategy no --save_strategy no --logging_steps 100 --disable_tqdm \
  >"$scratch/seed-exprbert.log" 2>&1 || { tail -5 "$scratch/seed-exprbert.log" >&2; exit 1; }
t1=$(now)
"$py" "$here/hf_side.py" seed --model "$model" --data "$data/train.conll" --out "$hf" --lr "$lr" --epochs "$epochs" \
  --threads "$hf_threads" >"$scratch/seed-hf.log" 2>&1 || { tail -5 "$scratch/seed-hf.log" >&2; exit 1; }
t2=$(now)
for side in exprbert hf; do
  dir=$scratch/seed-$side
  for split in dev test; do
    java -jar "$jar" evaluate --model "$dir" --validation_file "$data/$split.conll" --output "$scratch/seed-$side-$split.json" \
      >/dev/null 2>>"$scratch/seed-eval.log"
  done
done
"$py" - "$scratch" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$lr" "$epochs" <<'PY'
import json, sys
scratch, ours_s, hf_s, lr, epochs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
hf_run = [json.loads(l) for l in open(f"{scratch}/seed-hf.log") if l.startswith("{\"side\"")][-1]
def f1(side, split):
    m = json.load(open(f"{scratch}/seed-{side}-{split}.json"))
    return next(m[k] for k in ("eval_f1", "overall_f1", "f1") if k in m)
print(f"seed task: lr {lr}, {epochs} epochs, batch 8, seed 42; HF Trainer threads {hf_run['threads']}, "
      f"torch {hf_run['torch']}, transformers {hf_run['transformers']}")
print("| side | wall s | dev F1 | test F1 |")
print("|---|---|---|---|")
print(f"| ExprBERT (default flags) | {ours_s:.1f} | {f1('exprbert', 'dev'):.4f} | {f1('exprbert', 'test'):.4f} |")
print(f"| HF Trainer (sdpa, padded) | {hf_s:.1f} | {f1('hf', 'dev'):.4f} | {f1('hf', 'test'):.4f} |")
print(f"wall time ExprBERT / HF Trainer: {ours_s / hf_s:.3f} (goal <= 0.5); F1 difference dev "
      f"{f1('exprbert', 'dev') - f1('hf', 'dev'):+.4f}, test {f1('exprbert', 'test') - f1('hf', 'test'):+.4f} (goal within 0.02)")
PY
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
