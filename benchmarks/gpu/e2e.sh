#!/usr/bin/env bash
# The end-to-end anchor on one GPU in one run: the Hugging Face Trainer (the image's transformers + torch: sdpa,
# adamw_torch_fused, bf16) against `exprbert train` (fused attention, --padding_free, fused AdamW; bf16 when the
# trainer has --bf16, else fp32, and the summary says which), both fine-tuning a randomly initialised BERT token
# classifier (all-MiniLM-L6-v2 and bert-base shapes, stage/model_configs.py) on OpeNER_en train, at per-device
# batch 32 and 8, group_by_length off and on; HF also with DataCollatorWithFlattening where an attention that keeps
# packed sentences apart exists on the image (stage/e2e_hf.py checks it). Reports real (non-padding) tokens per
# second over the last STEPS optimizer steps after STEPS warm-up steps, the CUDA caching allocator's peak memory
# on both sides, and each ExprBERT / HF ratio.
#
# Usage: benchmarks/gpu/e2e.sh RESULTS_DIR [--device cpu] [--budget-s S] [--steps N]
#   Needs the unpacked stage java-check.sh left (EXPRBERT_STAGE_DIR), or the parts to unpack it.
#   --budget-s (default 240): the whole e2e stays within it; entries are run in priority order (batch 32 before 8,
#   MiniLM before bert-base) and whatever no longer fits is reported as not run. Step counts: STEPS=20 warm-up +
#   20 measured per entry (bert-base at batch 32 on OpeNER lengths is about 40-60 ms a step on an H100, so one
#   entry is seconds of GPU time; JVM and Python start-up dominate).
#   --device cpu: the smoke test for a machine without a GPU (MiniLM, batch 8, 2 + 2 steps, fp32, stub libcuda).
# Output: RESULTS_DIR/e2e.json (one summary, also the last output line), hf.jsonl, java-*.log.
set -uo pipefail
started=$(date +%s.%N)
here=$(cd "$(dirname "$0")" && pwd)
GS_ROOT=$(cd "$here/../.." && pwd)
results="" device=cuda budget=240 steps=""
while [ $# -gt 0 ]; do
  case $1 in
    --device) device=$2; shift ;;
    --budget-s) budget=$2; shift ;;
    --steps) steps=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    -*) echo "e2e: unknown option '$1'" >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done
[ -n "$results" ] || { echo "e2e: give a RESULTS_DIR (see --help)" >&2; exit 2; }
case $device in cuda|cpu) ;; *) echo "e2e: --device must be cuda or cpu" >&2; exit 2 ;; esac
GS_CPU_SMOKE=0; [ "$device" = cpu ] && GS_CPU_SMOKE=1
# shellcheck source=stage/common.sh
. "$here/stage/common.sh"
gs_results_init e2e "$results"
rm -f "$R/hf.jsonl" "$R/java.jsonl"
trap 'python3 "$here/stage/report.py" "$R" e2e "$started" comparison' EXIT

elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN{printf "%d", b-a}'; }
gs_unpack
gs_find_python || gs_fail "no Python with torch (set EXPRBERT_PYTHON)"
"$GS_PY" -c 'import transformers' 2>/dev/null || gs_fail "$GS_PY has torch but no transformers"
[ "$device" = cpu ] && export EXPRBERT_JAVA_XMX=${EXPRBERT_JAVA_XMX:-4g}
gs_env
data=$GS_STAGE/shared/data/semeval22-opener_en/expression/train.conll
tok=$GS_STAGE/app/tokenizer

if [ "$device" = cuda ]; then
  steps=${steps:-20}
  grid='[{"model":"minilm","batch":32,"group_by_length":false},{"model":"bert-base","batch":32,"group_by_length":false},
         {"model":"minilm","batch":32,"group_by_length":true},{"model":"bert-base","batch":32,"group_by_length":true},
         {"model":"minilm","batch":8,"group_by_length":false},{"model":"bert-base","batch":8,"group_by_length":false},
         {"model":"minilm","batch":8,"group_by_length":true},{"model":"bert-base","batch":8,"group_by_length":true}]'
  hf_bf16=""
else
  steps=${steps:-2}
  grid='[{"model":"minilm","batch":8,"group_by_length":false},{"model":"minilm","batch":8,"group_by_length":true}]'
  hf_bf16="--no-bf16"   # bf16 autocast on a CPU without AMX is 10x slower than fp32: the smoke test checks plumbing
fi
# HF: padded at every entry, flatten at batch 32 (the goal's comparison), in one Python process
python3 - "$grid" "$R/hf-grid.json" <<'PY'
import json, sys
grid = json.loads(sys.argv[1])
out = []
for g in grid:
    out.append({**g, "collator": "padded"})
    if g["batch"] == 32 or len(grid) <= 2:
        out.append({**g, "collator": "flatten"})
json.dump(out, open(sys.argv[2], "w"))
PY
hf_budget=$((budget * 45 / 100))
t0=$(date +%s.%N)
timeout $((hf_budget + 60)) "$GS_PY" "$here/stage/e2e_hf.py" --data "$data" --tokenizer "$tok/tokenizer.json" \
  --grid "$R/hf-grid.json" --out "$R/hf.jsonl" --device "$device" --warmup "$steps" --measure "$steps" $hf_bf16 \
  --budget-s "$hf_budget" >"$R/hf.log" 2>&1
hf_rc=$?
[ "$hf_rc" = 0 ] || { tail -n 20 "$R/hf.log" >&2; not_run "hf (part)" "e2e_hf.py exited with $hf_rc (124: its time budget; see hf.log)"; }
[ -s "$R/hf.jsonl" ] || gs_fail "the Hugging Face side produced no result (see $R/hf.log)"

# ExprBERT: one `exprbert train` per entry, in the same order, while the budget lasts
set -f
# shellcheck disable=SC2086
train_help=$($GS_JAVA GpuProbe "$GS_MAIN" train --help 2>&1)
set +f
precision=fp32; bf16_flag=""
if echo "$train_help" | grep -q -- '--bf16' && [ "$device" = cuda ]; then precision=bf16; bf16_flag=--bf16; fi
echo "$grid" | python3 -c 'import json,sys; [print(g["model"], g["batch"], str(g["group_by_length"]).lower()) for g in json.load(sys.stdin)]' \
  >"$R/java-grid.txt"
java_seconds=""
run_limit=120; [ "$device" = cpu ] && run_limit=900   # one run; a hang must not eat the budget
while read -r model batch gbl; do
  name=java-$model-b$batch-gbl$gbl
  per_run=${java_seconds:-30}
  if [ "$(elapsed)" -gt $((budget - per_run)) ]; then
    python3 -c 'import json,sys; print(json.dumps({"kind": "java", "model": sys.argv[1], "batch": int(sys.argv[2]), "group_by_length": sys.argv[3] == "true", "not_run": "time budget spent"}))' \
      "$model" "$batch" "$gbl" >>"$R/java.jsonl"
    continue
  fi
  "$GS_PY" "$here/stage/model_configs.py" "$model" >"$R/$model-config.json"
  t1=$(date +%s.%N)
  set -f
  # shellcheck disable=SC2086
  timeout "$run_limit" $GS_JAVA -Dgpuprobe.report="$R/$name.memory.json" GpuProbe "$GS_MAIN" train \
    --config_name "$R/$model-config.json" --tokenizer_name "$tok" --train_file "$data" --output_dir "$GS_STAGE/e2e-out/$name" \
    --overwrite_output_dir --max_steps $((2 * steps)) --per_device_train_batch_size "$batch" --group_by_length "$gbl" \
    --logging_steps "$steps" --eval_strategy no --save_strategy no --seed 42 --disable_tqdm --device "$device" \
    --attention fused --padding_free --optim adamw_torch_fused $bf16_flag >"$R/$name.log" 2>&1
  rc=$?
  set +f
  java_seconds=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN{printf "%d", b-a+1}')
  rm -rf "$GS_STAGE/e2e-out/$name"
  python3 - "$R/$name.log" "$R/$name.memory.json" "$model" "$batch" "$gbl" "$rc" "$steps" "$precision" "$java_seconds" \
    >>"$R/java.jsonl" <<'PY'
import json, os, re, sys
log, mem, model, batch, gbl, rc, steps, precision, seconds = sys.argv[1:10]
entry = {"kind": "java", "model": model, "batch": int(batch), "group_by_length": gbl == "true",
         "attention": "fused", "padding_free": True, "precision": precision, "seconds_total": int(seconds)}
rates = [float(m.group(2)) for m in re.finditer(r"step (\d+)/\d+: loss .*?, (\d+) tokens/s", open(log, errors="replace").read())]
if rc != "0":
    entry["error"] = f"exprbert train exited with {rc} (see {os.path.basename(log)})"
elif len(rates) < 2:
    entry["error"] = f"expected 2 'step N/M: ... tokens/s' log lines, found {len(rates)}"
else:
    entry.update(steps_measured=int(steps), warmup_steps=int(steps), real_tokens_per_s=rates[-1])
if os.path.exists(mem):
    m = json.load(open(mem))
    if "error" in m:
        entry["memory_error"] = m["error"]  # a CPU run has no CUDA allocator
    else:
        entry.update(peak_reserved_bytes=m["peak_reserved_bytes"], peak_allocated_bytes=m["peak_allocated_bytes"])
print(json.dumps(entry))
PY
  echo "java: $(tail -n 1 "$R/java.jsonl")"
done <"$R/java-grid.txt"

python3 - "$R" "$device" >"$R/records/comparison.json" <<'PY'
import json, os, sys
R, device = sys.argv[1:3]
hf = [json.loads(l) for l in open(os.path.join(R, "hf.jsonl")) if l.strip()]
java = [json.loads(l) for l in open(os.path.join(R, "java.jsonl")) if l.strip()] if os.path.exists(os.path.join(R, "java.jsonl")) else []
env = next((h for h in hf if h.get("kind") == "environment"), {})
key = lambda e: (e["model"], e["batch"], bool(e["group_by_length"]))
rows, errors = [], []
for j in java:
    row = {"model": j["model"], "batch": j["batch"], "group_by_length": j["group_by_length"], "java": j}
    for h in hf:
        if h.get("kind") == "hf" and key(h) == key(j):
            row["hf_" + h["collator"]] = h
    for side in ("hf_padded", "hf_flatten"):
        h = row.get(side)
        if h and "real_tokens_per_s" in h and "real_tokens_per_s" in j:
            row["ratio_tokens_per_s_vs_" + side] = round(j["real_tokens_per_s"] / h["real_tokens_per_s"], 3)
            if h.get("peak_reserved_bytes") and j.get("peak_reserved_bytes"):
                row["ratio_peak_reserved_vs_" + side] = round(j["peak_reserved_bytes"] / h["peak_reserved_bytes"], 3)
    for side in ("java", "hf_padded"):
        if side in row and "error" in row[side]:
            errors.append(f"{side} {key(j)}: {row[side]['error']}")
    rows.append(row)
measured = [r for r in rows if "ratio_tokens_per_s_vs_hf_padded" in r]
goal = [r for r in measured if r["batch"] == 32]
out = {"device": device, "environment": env, "rows": rows, "errors": errors,
       "java_precision": (java[0].get("precision") if java else None),
       "hf_precision": "bf16" if any(h.get("bf16") for h in hf if h.get("kind") == "hf") else "fp32",
       "goal": ">= 2x HF padded tokens/s at batch 32; >= 1.3x HF flatten where it runs",
       "batch32_ratio_vs_hf_padded": [r["ratio_tokens_per_s_vs_hf_padded"] for r in goal],
       "batch32_ratio_vs_hf_flatten": [r["ratio_tokens_per_s_vs_hf_flatten"] for r in goal if "ratio_tokens_per_s_vs_hf_flatten" in r],
       "ok": bool(measured) and not errors}
print(json.dumps(out))
PY
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("e2e (%s, java %s, hf %s):" % (d["device"], d["java_precision"], d["hf_precision"]))
for r in d["rows"]:
    j, h, f = r["java"], r.get("hf_padded", {}), r.get("hf_flatten", {})
    print("  %-9s b%-2d gbl=%-5s java %9s tok/s  hf %9s  hf-flat %9s  ratio %s / %s" % (r["model"], r["batch"], r["group_by_length"],
          j.get("real_tokens_per_s", j.get("not_run", j.get("error"))), h.get("real_tokens_per_s", h.get("not_run", h.get("error"))),
          f.get("real_tokens_per_s", "-"), r.get("ratio_tokens_per_s_vs_hf_padded"), r.get("ratio_tokens_per_s_vs_hf_flatten")))
' "$R/records/comparison.json"
for f in "$R"/hf.jsonl; do grep -q '"not_run"' "$f" && grep '"not_run"' "$f" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l); print(json.dumps({"what": "hf %s b%s gbl=%s %s" % (e["model"], e["batch"], e["group_by_length"], e["collator"]), "why": e["not_run"]}))' >>"$R/records/not_run.jsonl"; done
[ -f "$R/java.jsonl" ] && grep '"not_run"' "$R/java.jsonl" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l); print(json.dumps({"what": "java %s b%s gbl=%s" % (e["model"], e["batch"], e["group_by_length"]), "why": e["not_run"]}))' >>"$R/records/not_run.jsonl"
exit 0
