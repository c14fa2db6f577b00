#!/usr/bin/env bash
# ExprBERT NCCL smoke check (data parallel, world size 1): for a GPU host with JDK 17, and the project built with the
# GPU natives (mvn -B -Pgpu package -DskipTests, which needs Maven Central once; the jar's target/lib then carries
# everything, including the all-MiniLM-L6-v2 encoder the run fine-tunes). Under 2 minutes after the build.
#   1. `exprbert launch --nproc_per_node 1 train --device cuda --ddp_backend nccl` on a generated 24-sentence file:
#      one rank, NCCL process group (plus the Gloo one for counts and gathers), bucketed gradient all-reduce of CUDA
#      tensors, sharded evaluation, rank-0 outputs; must exit 0 after 3 steps with an eval_loss;
#   2. the same rank started from torchrun's variables directly (RANK=0 WORLD_SIZE=1 ...), no launcher.
# What it cannot show (one GPU per test machine): NCCL between several GPUs or machines, the overlap on CUDA streams,
# and ranks on cuda:1+ (LOCAL_RANK > 0).
# The last line of output is ONE JSON summary ("ok": true|false).
# Usage: benchmarks/gpu/nccl_smoke.sh        (env: EXPRBERT_JAR, default target/exprbert.jar)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=${EXPRBERT_JAR:-$root/target/exprbert.jar}
work=$(mktemp -d /tmp/exprbert-nccl-XXXXXX)
port=${EXPRBERT_NCCL_PORT:-29517}

if [ ! -f "$jar" ]; then
  echo "{\"ok\": false, \"errors\": [\"no $jar: build it with mvn -B -Pgpu package -DskipTests\"]}"
  exit 1
fi

# 24 short sentences with expression and time tags (the test machines carry no ../shared data).
python3 - "$work/train.conll" <<'PY' || { for i in $(seq 1 24); do printf 'the\tO\nstaff\tB-EXPR\nwas\tI-EXPR\nnice\tI-EXPR\non\tO\nmonday\tB-TIME\n\n'; done > "$work/train.conll"; }
import sys
words = [("the", "O"), ("staff", "B-EXPR"), ("was", "I-EXPR"), ("very", "I-EXPR"), ("friendly", "I-EXPR"),
         ("last", "B-TIME"), ("night", "I-TIME"), (".", "O")]
with open(sys.argv[1], "w") as f:
    for s in range(24):
        for w in range(3 + s % 6):
            f.write("%s\t%s\n" % words[(s + w) % len(words)])
        f.write("\n")
PY

common=(--model_name_or_path all-MiniLM-L6-v2 --train_file "$work/train.conll" --validation_file "$work/train.conll"
  --device cuda --ddp_backend nccl --max_steps 3 --per_device_train_batch_size 4 --logging_steps 1
  --save_strategy no --eval_strategy no --disable_tqdm --ddp_timeout 120)

errors=()
timeout 600 java -jar "$jar" launch --nproc_per_node 1 --master_port "$port" train "${common[@]}" \
  --output_dir "$work/launched" >"$work/launched.log" 2>&1
launched=$?
grep -q "trained 3 steps" "$work/launched.log" || errors+=("launch: no 'trained 3 steps' (exit $launched)")
grep -q "eval_loss" "$work/launched.log" || errors+=("launch: no final evaluation")
[ "$launched" -eq 0 ] || errors+=("launch exited $launched")
tail -n 5 "$work/launched.log"

RANK=0 WORLD_SIZE=1 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=$((port + 1)) \
  timeout 600 java -jar "$jar" train "${common[@]}" --output_dir "$work/direct" >"$work/direct.log" 2>&1
direct=$?
[ "$direct" -eq 0 ] || errors+=("direct rank exited $direct")
grep -q "trained 3 steps" "$work/direct.log" || errors+=("direct: no 'trained 3 steps'")
tail -n 5 "$work/direct.log"

ok=true
[ ${#errors[@]} -eq 0 ] || ok=false
printf '{"ok": %s, "launch_exit": %d, "direct_exit": %d, "logs": "%s", "errors": [' "$ok" "$launched" "$direct" "$work"
sep=""
for e in "${errors[@]}"; do printf '%s"%s"' "$sep" "${e//\"/\'}"; sep=", "; done
printf ']}\n'
[ "$ok" = true ]
