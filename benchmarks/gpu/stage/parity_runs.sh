#!/usr/bin/env bash
# The loss-parity training runs, the same on the CPU (reference, made by stage-java.sh) and on the GPU
# (java-check.sh): `exprbert train` from one seeded random initialisation (made on the CPU generator, so both
# devices start from the same weights) with dropout off, for STEPS optimizer steps, logging every step.
# Usage: EXPRBERT_JAVA="java ... MainClass" parity_runs.sh DEVICE STEPS CONFIG TOKENIZER_DIR DATA_DIR OUT_DIR [VARIANT...]
# EXPRBERT_RUN_TIMEOUT: seconds per run (default 900; exit 124 when a run hits it).
# Variants: eager sdpa fused fused-packed (default: all four); a -bf16 suffix adds --bf16.
# Each variant leaves OUT_DIR/VARIANT/ (the run's output_dir), OUT_DIR/VARIANT.log and OUT_DIR/VARIANT.seconds;
# the first failing run stops the script with its exit code and the log's last lines on stderr.
set -euo pipefail
set -f  # EXPRBERT_JAVA holds a class path with '*': no globbing when it is split into words
[ $# -ge 6 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
device=$1 steps=$2 config=$3 tokenizer=$4 data=$5 out=$6; shift 6
variants=("$@"); [ ${#variants[@]} -gt 0 ] || variants=(eager sdpa fused fused-packed)
: "${EXPRBERT_JAVA:?set EXPRBERT_JAVA to the java command line up to the main class}"
mkdir -p "$out"
for v in "${variants[@]}"; do
  flags=()
  case ${v%-bf16} in
    eager) flags+=(--attention eager) ;;
    sdpa) flags+=(--attention sdpa) ;;
    fused) flags+=(--attention fused) ;;
    fused-packed) flags+=(--attention fused --padding_free) ;;
    *) echo "parity_runs: unknown variant '$v'" >&2; exit 2 ;;
  esac
  [ "$v" != "${v%-bf16}" ] && flags+=(--bf16)
  t0=$(date +%s.%N)
  rc=0
  # shellcheck disable=SC2086
  timeout "${EXPRBERT_RUN_TIMEOUT:-900}" $EXPRBERT_JAVA train --config_name "$config" --tokenizer_name "$tokenizer" --train_file "$data/train.conll" \
    --output_dir "$out/$v" --overwrite_output_dir --max_steps "$steps" --per_device_train_batch_size 8 \
    --logging_steps 1 --eval_strategy no --save_strategy no --seed 42 --disable_tqdm --device "$device" \
    "${flags[@]}" >"$out/$v.log" 2>&1 || rc=$?
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f\n", b-a}' >"$out/$v.seconds"
  if [ "$rc" != 0 ]; then
    echo "parity_runs: train ($v, $device) exited with $rc; last lines of $out/$v.log:" >&2
    tail -n 25 "$out/$v.log" >&2
    exit "$rc"
  fi
  echo "parity_runs: $v on $device: $(cat "$out/$v.seconds") s"
done
