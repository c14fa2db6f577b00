#!/usr/bin/env bash
# The Java training path on a lent GPU machine, from the parts stage-java.sh wrote (.gpustage/pN, carried one per
# device call). The last call runs it without options; earlier calls check what they can while the rest travels.
#
# Usage: benchmarks/gpu/java-check.sh RESULTS_DIR [--cpu-smoke] [--steps N]     the full check (last call)
#        benchmarks/gpu/java-check.sh --preflight RESULTS_DIR [--cpu-smoke]       first call: the machine and part 0
#        benchmarks/gpu/java-check.sh --part K RESULTS_DIR                         a middle call: part K arrived whole
# Environment: EXPRBERT_STAGE_DIR (default /tmp/exprbert-gpustage: where the stage unpacks; kept while the machine
#   stays warm, so e2e.sh reuses it), EXPRBERT_GPUSTAGE_PARTS (default <repo>/.gpustage), EXPRBERT_PYTHON,
#   EXPRBERT_TORCH_LIB (reuse-torch mode: the LibTorch folder, default the image torch/lib), EXPRBERT_NVIDIA_SITE
#   (a folder holding nvidia/*/lib when the wheels are not beside torch: the CPU smoke test).
#
# The full check, in order, stopping at the first failure (fails fast and loudly: a missing library, no GPU,
# a checksum mismatch, a failing run):
#   1. joins the parts, verifies every sha256, unpacks (JRE, trimmed -gpu natives, jars, app, data);
#   2. preflight: GPU and driver, the pip CUDA libraries every staged native needs (ldd), fonts, ABI canary;
#   3. the Java tests tagged "gpu" (JUnit console launcher);
#   4. `exprbert train` on OpeNER_en, STEPS steps, fp32, attention eager / sdpa / fused / fused + --padding_free,
#      each run's losses against the CPU reference computed at staging time (stage/losses.py has the tolerances);
#      the same with --bf16 when `train --help` lists it;
#   5. host synchronisations per optimizer step (LibTorch's sync debug mode, through stage/GpuProbe.java);
#   6. `evaluate` and `predict` on the GPU, each compared with the same command on the CPU.
# --cpu-smoke runs the same sequence on a CPU machine (device cpu, a stub libcuda.so.1): the script's own test.
# Output: RESULTS_DIR/java-check.json (one summary; its last line is also the script's last line) and logs.
set -uo pipefail
started=$(date +%s.%N)
here=$(cd "$(dirname "$0")" && pwd)
GS_ROOT=$(cd "$here/../.." && pwd)
action=check part="" results="" steps="" GS_CPU_SMOKE=0
while [ $# -gt 0 ]; do
  case $1 in
    --preflight) action=preflight ;;
    --part) action=part; part=$2; shift ;;
    --cpu-smoke) GS_CPU_SMOKE=1 ;;
    --steps) steps=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    -*) echo "java-check: unknown option '$1'" >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done
[ -n "$results" ] || { echo "java-check: give a RESULTS_DIR (see --help)" >&2; exit 2; }
# shellcheck source=stage/common.sh
. "$here/stage/common.sh"
gs_results_init java-check "$results"
L=$R/logs
rec_timing() { printf '%s\t%s\n' "$1" "$2" >>"$R/records/timings.tsv"; }
required=()
finish() {
  if [ -f "$R/records/timings.tsv" ]; then
    python3 -c 'import json,sys; print(json.dumps({k: float(v) for k, v in (l.rstrip("\n").split("\t") for l in open(sys.argv[1]))}))' \
      "$R/records/timings.tsv" >"$R/records/timings.json"
  fi
  python3 "$here/stage/report.py" "$R" java-check "$started" "${required[@]}"
}
trap finish EXIT

# ----------------------------------------------------------------------------------------------- preflight
stage_info() {  # KEY: from part 0's preflight/stage.json, else from the unpacked stage's meta.json
  local f=$GS_PARTS/p0/preflight/stage.json
  [ -f "$f" ] || f=$GS_STAGE/app/meta.json
  [ -f "$f" ] || gs_fail "neither $GS_PARTS/p0/preflight/stage.json nor $GS_STAGE/app/meta.json: was part 0 carried?"
  gs_json "$f" "d[\"$1\"]"
}
preflight() {  # the machine: GPU, driver, python/torch, pip CUDA libraries, tools, fonts, canary
  local gpu="" driver="" cap=""
  if [ "$GS_CPU_SMOKE" = 1 ]; then
    not_run "gpu" "--cpu-smoke: no GPU expected"
  else
    command -v nvidia-smi >/dev/null 2>&1 || gs_fail "nvidia-smi not found: no NVIDIA driver on this machine"
    gpu=$(nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv,noheader 2>&1 | head -n 1)
    [ -n "$gpu" ] && ! echo "$gpu" | grep -qi 'fail\|error\|no devices' || gs_fail "nvidia-smi sees no GPU: $gpu"
    driver=$(echo "$gpu" | cut -d, -f2 | tr -d ' ') cap=$(echo "$gpu" | cut -d, -f3 | tr -d ' ')
    [ "${driver%%.*}" -ge 580 ] 2>/dev/null || gs_fail "driver $driver is older than R580: CUDA 13 (LibTorch cu13.1 natives) needs R580+"
    local keep; keep=$(stage_info keep_arch) || exit 1
    [ "${cap//./}" = "$keep" ] || gs_fail "compute capability $cap: the stage keeps only sm_$keep GPU code; restage with EXPRBERT_KEEP_ARCH=${cap//./}"
  fi
  gs_find_python || gs_fail "no Python with torch (tried python3, /opt/torch/.venv/bin/python; set EXPRBERT_PYTHON)"
  local torch_info
  torch_info=$("$GS_PY" -c 'import json, torch; print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available()}))' 2>/dev/null)
  local libdirs; libdirs=$(gs_nvidia_libdirs)
  if [ "$(stage_info mode)" = reuse-torch ]; then
    libdirs=${EXPRBERT_TORCH_LIB:-$GS_SP/torch/lib}${libdirs:+:$libdirs}
  fi
  [ -n "$libdirs" ] || [ "$GS_CPU_SMOKE" = 1 ] || gs_fail "no pip nvidia wheels under $GS_SP/nvidia: the CUDA libraries the natives need are missing"
  # every soname the staged natives need from outside the stage, found in the wheels or by ldconfig
  local needed_file missing=() so
  needed_file=$GS_PARTS/p0/preflight/needed.txt
  if [ -f "$needed_file" ]; then
    while read -r so; do
      [ -n "$so" ] || continue
      [ "$so" = libcuda.so.1 ] && [ "$GS_CPU_SMOKE" = 1 ] && continue
      if ! (IFS=:; for d in $libdirs; do [ -e "$d/$so" ] && exit 0; done; exit 1); then
        ldconfig -p 2>/dev/null | grep -q " $so " || missing+=("$so")
      fi
    done <"$needed_file"
  fi
  local fonts_sys
  fonts_sys=$(printf '{"freetype": %s, "harfbuzz": %s, "fontconfig": %s}' \
    "$(ldconfig -p 2>/dev/null | grep -c 'libfreetype.so.6 ')" "$(ldconfig -p 2>/dev/null | grep -c 'libharfbuzz.so.0 ')" \
    "$(ldconfig -p 2>/dev/null | grep -c 'libfontconfig.so.1 ')")
  local canary='"not run"' canary_rc=0 fp=$GS_PARTS/p0/preflight/fingerprint.json.xz
  if [ -f "$fp" ]; then
    python3 -c 'import lzma,sys; open(sys.argv[2],"wb").write(lzma.open(sys.argv[1]).read())' "$fp" "$L/fingerprint.json"
  elif [ -f "$GS_STAGE/app/abi/fingerprint.json" ]; then
    cp "$GS_STAGE/app/abi/fingerprint.json" "$L/fingerprint.json"
  fi
  if [ -f "$L/fingerprint.json" ] && [ -d "${EXPRBERT_TORCH_LIB:-$GS_SP/torch/lib}" ]; then
    canary=$(python3 "$here/stage/elfabi.py" check "$L/fingerprint.json" "${EXPRBERT_TORCH_LIB:-$GS_SP/torch/lib}") || canary_rc=$?
  fi
  local tools
  tools=$(printf '{"xz": "%s", "zstd": "%s", "gcc": %s}' "$(xz --version 2>/dev/null | head -n 1)" \
    "$(zstd --version 2>/dev/null | head -n 1)" "$(command -v gcc >/dev/null && echo true || echo false)")
  rec preflight "$(python3 - "$gpu" "$torch_info" "$libdirs" "$fonts_sys" "$canary" "$tools" "$GS_PY" "${missing[*]:-}" <<'PY'
import json, sys
gpu, torch_info, libdirs, fonts, canary, tools, py, missing = sys.argv[1:9]
print(json.dumps({"ok": not missing.strip(), "gpu": gpu, "python": py, "torch": json.loads(torch_info or "{}"),
                  "nvidia_lib_dirs": [d for d in libdirs.split(":") if d], "missing_sonames": missing.split(),
                  "system_fonts": json.loads(fonts), "abi_canary_image_torch": json.loads(canary), "tools": json.loads(tools)}))
PY
)"
  [ ${#missing[@]} -eq 0 ] || gs_fail "the image lacks libraries the staged natives need: ${missing[*]}"
  [ "$canary_rc" = 0 ] || ABI_CANARY_FAILED=1
}

if [ "$action" = part ]; then
  required=(part)
  gs_verify_part "$part"
  rec part "{\"ok\": true, \"part\": $part, \"bytes\": $(stat -c %s "$GS_PARTS/p$part/bundle.part")}"
  exit 0
fi
if [ "$action" = preflight ]; then
  required=(part preflight)
  gs_verify_part 0
  rec part "{\"ok\": true, \"part\": 0, \"bytes\": $(stat -c %s "$GS_PARTS/p0/bundle.part")}"
  preflight
  exit 0
fi

# ---------------------------------------------------------------------------------------------- full check
required=(unpack preflight environment parity)
t0=$(gs_now)
gs_unpack
rec_timing unpack "$(gs_secs "$t0")"
rec unpack "{\"ok\": true, \"stage_dir\": \"$GS_STAGE\", \"seconds\": $(gs_secs "$t0")}"
steps=${steps:-$(gs_json "$GS_STAGE/app/meta.json" 'd["steps"]')}
ABI_CANARY_FAILED=0
t0=$(gs_now)
preflight
gs_env
if [ "$GS_MODE" = reuse-torch ] && [ "$ABI_CANARY_FAILED" = 1 ]; then
  gs_fail "ABI canary: the image's LibTorch does not match the 2.10 JNI libraries (see preflight.abi_canary_image_torch); restage with --mode full"
fi
unresolved=$(gs_unresolved)
[ -z "$unresolved" ] || gs_fail "staged natives with unresolved libraries (LD_LIBRARY_PATH=$GS_LDPATH): $(echo "$unresolved" | paste -sd';')"
java_version=$("$GS_STAGE/jre/bin/java" -version 2>&1 | head -n 1)
[ -n "$java_version" ] || gs_fail "the staged JRE does not start"
rec environment "$(python3 -c 'import json,sys; print(json.dumps({"ok": True, "mode": sys.argv[1], "java": sys.argv[2], "ld_library_path": sys.argv[3].split(":"), "fonts": json.loads(sys.argv[4]), "cpu_smoke": sys.argv[5] == "1"}))' \
  "$GS_MODE" "$java_version" "$GS_LDPATH" "$GS_FONTS" "$GS_CPU_SMOKE")"
rec_timing preflight "$(gs_secs "$t0")"

device=cuda
[ "$GS_CPU_SMOKE" = 1 ] && device=cpu && export EXPRBERT_JAVA_XMX=${EXPRBERT_JAVA_XMX:-4g} && gs_env
JAVA_APP="$GS_JAVA GpuProbe $GS_MAIN"
# Time limits sized for the GPU, so that a hang cannot eat the call (and e2e.sh after it); the CPU smoke run is slower.
lim() { if [ "$device" = cuda ]; then echo "$1"; else echo $(($1 * 6)); fi; }
data=$GS_STAGE/shared/data/semeval22-opener_en/expression
tok=$GS_STAGE/app/tokenizer
config=$GS_STAGE/app/parity-config.json
mkdir -p "$GS_STAGE/proj"   # tests read ../shared from the project folder

# --------------------------------------------------------------------------------- JUnit tests tagged gpu
t0=$(gs_now)
set -f
# shellcheck disable=SC2086
(cd "$GS_STAGE/proj" && timeout "$(lim 150)" ${GS_JAVA%% -cp *} -cp "$GS_STAGE/app/classes:$GS_STAGE/app/test-classes:$GS_STAGE/natives:$GS_STAGE/lib/*:$GS_STAGE/lib-test/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --scan-classpath "$GS_STAGE/app/test-classes" --reports-dir "$R/junit") >"$L/junit-gpu.log" 2>&1
junit_rc=$?
set +f
rec_timing junit_gpu "$(gs_secs "$t0")"
junit=$(python3 - "$L/junit-gpu.log" "$junit_rc" <<'PY'
import json, re, sys
text = open(sys.argv[1], errors="replace").read()
def count(what):
    m = re.search(r"\[\s*(\d+) tests " + what, text)
    return int(m.group(1)) if m else None
found, ok, failed = count("found"), count("successful"), count("failed")
print(json.dumps({"ok": int(sys.argv[2]) == 0 or found == 0, "exit_code": int(sys.argv[2]), "tests_found": found,
                  "tests_successful": ok, "tests_failed": failed, "tests_skipped": count("skipped"),
                  "tests_aborted": count("aborted")}))
PY
)
rec junit_gpu "$junit"
case $(gs_json "$R/records/junit_gpu.json" 'd["tests_found"]') in
  None) gs_fail "the JUnit console launcher did not run (see $L/junit-gpu.log)" ;;
  0) not_run "junit_gpu" "no test class carries @Tag(\"gpu\") yet (the launcher ran and found none)" ;;
  *) [ "$junit_rc" = 0 ] || gs_fail "JUnit tests tagged gpu failed (see $L/junit-gpu.log, $R/junit)"
     # on a GPU a skipped or aborted (assumption) GPU test means the device was not usable from Java
     [ "$device" = cpu ] || [ "$(gs_json "$R/records/junit_gpu.json" '(d["tests_skipped"] or 0) + (d["tests_aborted"] or 0)')" = 0 ] \
       || gs_fail "JUnit tests tagged gpu were skipped or aborted on a GPU machine (see $L/junit-gpu.log)" ;;
esac

# ---------------------------------------------------------------------------------- training loss parity
ref=$GS_STAGE/app/expected/cpu-reference.json
t0=$(gs_now)
if [ ! -f "$ref" ]; then
  # no reference shipped (stage-java.sh --no-cpu-reference): compute it here on the device's CPU
  EXPRBERT_JAVA="$JAVA_APP" bash "$here/stage/parity_runs.sh" cpu "$steps" "$config" "$tok" "$data" "$R/parity-cpu" \
    >"$L/parity-cpu.log" 2>&1 || gs_fail "the CPU reference runs failed on this machine (see $L/parity-cpu.log)"
  python3 "$here/stage/losses.py" collect "$R/parity-cpu" "$steps" >"$R/cpu-reference.json" || gs_fail "no CPU reference losses"
  ref=$R/cpu-reference.json
  rec_timing parity_cpu_reference "$(gs_secs "$t0")"
  t0=$(gs_now)
fi
EXPRBERT_JAVA="$JAVA_APP" EXPRBERT_RUN_TIMEOUT=$(lim 75) bash "$here/stage/parity_runs.sh" "$device" "$steps" "$config" "$tok" "$data" "$R/parity" \
  >"$L/parity.log" 2>&1 || { tail -n 30 "$L/parity.log" >&2; gs_fail "a parity training run failed on $device (see $L/parity.log and $R/parity/*.log)"; }
rec_timing parity_fp32 "$(gs_secs "$t0")"
python3 "$here/stage/losses.py" compare "$ref" "$R/parity" "$steps" >"$R/records/parity.json"
parity_rc=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("parity: ok=%s max_rel_diff_loss=%s" % (d["ok"], d["max_rel_diff_loss"]))' "$R/records/parity.json"
[ "$parity_rc" = 0 ] || gs_fail "fp32 losses on $device differ from the CPU reference beyond tolerance (see parity in the summary)"

# bf16: only once the trainer has the flag (mixed precision lands separately)
set -f
# shellcheck disable=SC2086
train_help=$($JAVA_APP train --help 2>&1)
set +f
if echo "$train_help" | grep -q -- '--bf16'; then
  t0=$(gs_now)
  if [ "$device" = cpu ] || nvidia-smi --query-gpu=compute_cap --format=csv,noheader | grep -q '^[89]\|^1[0-9]'; then
    EXPRBERT_JAVA="$JAVA_APP" EXPRBERT_RUN_TIMEOUT=$(lim 75) bash "$here/stage/parity_runs.sh" "$device" "$steps" "$config" "$tok" "$data" "$R/parity-bf16" \
      eager-bf16 sdpa-bf16 fused-bf16 fused-packed-bf16 >"$L/parity-bf16.log" 2>&1 \
      || gs_fail "a bf16 training run failed on $device (see $L/parity-bf16.log)"
    python3 "$here/stage/losses.py" compare "$ref" "$R/parity-bf16" "$steps" >"$R/records/parity_bf16.json" \
      || gs_fail "bf16 losses differ from the fp32 CPU reference beyond the bf16 tolerance (see parity_bf16)"
    rec_timing parity_bf16 "$(gs_secs "$t0")"
  fi
else
  not_run "parity_bf16" "this build's train --help lists no --bf16 (mixed precision not merged yet)"
fi

# ------------------------------------------------------------------------------ host syncs per optimizer step
if [ "$device" = cuda ]; then
  t0=$(gs_now)
  set -f
  # shellcheck disable=SC2086
  timeout 120 ${GS_JAVA} -Dgpuprobe.syncDebug=true GpuProbe "$GS_MAIN" train --config_name "$config" --tokenizer_name "$tok" \
    --train_file "$data/train.conll" --output_dir "$R/syncs" --overwrite_output_dir --max_steps 15 \
    --per_device_train_batch_size 8 --logging_steps 5 --eval_strategy no --save_strategy no --seed 42 --disable_tqdm \
    --device cuda --attention fused --padding_free >"$L/syncs.log" 2>&1
  sync_rc=$?
  set +f
  rec_timing host_syncs "$(gs_secs "$t0")"
  [ "$sync_rc" = 0 ] || gs_fail "the host-sync counting run failed (see $L/syncs.log)"
  python3 - "$L/syncs.log" "$R/syncs" >"$R/records/host_syncs.json" <<'PY'
import json, os, re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
WARN = "synchronizing CUDA operation"
def between(a, b):
    return sum(1 for l in lines[a + 1:b] if WARN in l)
begin = next((i for i, l in enumerate(lines) if "GPUPROBE calibration begin" in l), None)
end = next((i for i, l in enumerate(lines) if "GPUPROBE calibration end" in l), None)
calibration = between(begin, end) if begin is not None and end is not None else None
step_lines = [(int(m.group(1)), i) for i, l in enumerate(lines) for m in [re.search(r"step (\d+)/\d+: loss", l)] if m]
out = {"calibration_syncs": calibration, "logging_steps": 5, "windows": []}
for (s0, i0), (s1, i1) in zip(step_lines, step_lines[1:]):
    out["windows"].append({"after_step": s0, "to_step": s1, "syncs": between(i0, i1)})
logged = {}
state = os.path.join(sys.argv[2], "trainer_state.json")
if os.path.exists(state):
    for e in json.load(open(state)).get("log_history", []):
        for k, v in e.items():
            if "sync" in k or "host_read" in k:
                logged.setdefault(k, []).append(v)
out["trainer_logged"] = logged or None
if not calibration:
    out.update(ok=False, error="the calibration sync printed no warning: the counts below cannot be trusted")
elif not out["windows"]:
    out.update(ok=False, error="no 'step N/M: loss' log lines found to delimit optimizer steps")
else:
    per = [w["syncs"] / (w["to_step"] - w["after_step"]) for w in out["windows"]]
    out.update(ok=True, syncs_per_step=max(per),
               note="each window spans logging_steps optimizer steps, one of which logs (reads loss and grad norm)")
print(json.dumps(out))
PY
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("host syncs: %s" % {k: d.get(k) for k in ("ok", "calibration_syncs", "syncs_per_step", "windows")})' "$R/records/host_syncs.json"
else
  not_run "host_syncs" "CPU run: LibTorch's CUDA sync debug mode needs a GPU"
fi

# ------------------------------------------------------------------------------- evaluate and predict
model=$R/parity/fused-packed
[ -f "$model/config.json" ] || gs_fail "the fused --padding_free run left no model in $model"
t0=$(gs_now)
run_app() {  # NAME ARGS...: the app through the probe, output to $L/NAME.out
  local name=$1; shift
  set -f
  # shellcheck disable=SC2086
  timeout "$(lim 120)" $JAVA_APP "$@" >"$L/$name.out" 2>"$L/$name.err"
  local rc=$?
  set +f
  [ "$rc" = 0 ] || { tail -n 20 "$L/$name.err" >&2; gs_fail "$name exited with $rc (see $L/$name.err)"; }
}
run_app evaluate-$device evaluate --model "$model" --validation_file "$data/dev.conll" --attention fused --device "$device" \
  --output "$R/evaluate-$device.json"
run_app predict-$device predict --model "$model" --input "$data/dev.conll" --input-format conll --output-format jsonl \
  --attention fused --device "$device"
rec_timing evaluate_predict "$(gs_secs "$t0")"
if [ "$device" = cuda ]; then
  t0=$(gs_now)
  run_app evaluate-cpu evaluate --model "$model" --validation_file "$data/dev.conll" --attention fused --device cpu \
    --output "$R/evaluate-cpu.json"
  run_app predict-cpu predict --model "$model" --input "$data/dev.conll" --input-format conll --output-format jsonl \
    --attention fused --device cpu
  rec_timing evaluate_predict_cpu "$(gs_secs "$t0")"
fi
python3 - "$R" "$L" "$device" >"$R/records/evaluate_predict.json" <<'PY'
import json, os, sys
R, L, device = sys.argv[1:4]
ev = json.load(open(os.path.join(R, f"evaluate-{device}.json")))
out = {"device": device, "eval_loss": ev.get("eval_loss"), "overall_f1": ev.get("overall_f1")}
pred = [json.loads(l) for l in open(os.path.join(L, f"predict-{device}.out")) if l.strip()]
out["predicted_sentences"] = len(pred)
ok = len(pred) > 0 and ev.get("eval_loss") is not None
if device == "cuda":
    cpu = json.load(open(os.path.join(R, "evaluate-cpu.json")))
    d = abs(ev["eval_loss"] - cpu["eval_loss"]) / max(abs(cpu["eval_loss"]), 1e-12)
    out["eval_loss_cpu"] = cpu["eval_loss"]
    out["eval_loss_rel_diff"] = d
    cpu_pred = [json.loads(l) for l in open(os.path.join(L, "predict-cpu.out")) if l.strip()]
    same = sum(1 for a, b in zip(pred, cpu_pred) if a.get("tags") == b.get("tags"))
    out["predict_same_tags_as_cpu"] = f"{same}/{len(cpu_pred)}"
    # a token whose two best logits are within rounding may flip; more than 1% of sentences is not rounding
    ok = ok and d <= 1e-4 and len(pred) == len(cpu_pred) and same >= 0.99 * len(cpu_pred)
out["ok"] = ok
print(json.dumps(out))
PY
python3 -c 'import json,sys; print("evaluate/predict: %s" % json.load(open(sys.argv[1])))' "$R/records/evaluate_predict.json"
required+=(evaluate_predict junit_gpu)
