# Shared by java-check.sh and e2e.sh (sourced): find the parts, join, verify and unpack the stage, and set up the
# environment the staged JRE and natives run in on the GPU image (or, with GS_CPU_SMOKE=1, on a CPU machine).
# Every function fails through gs_fail (records the error, exits; the caller's EXIT trap writes the summary).

GS_ROOT=${GS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
GS_PARTS=${EXPRBERT_GPUSTAGE_PARTS:-$GS_ROOT/.gpustage}
GS_STAGE=${EXPRBERT_STAGE_DIR:-/tmp/exprbert-gpustage}
GS_CPU_SMOKE=${GS_CPU_SMOKE:-0}

gs_now() { date +%s.%N; }

# Results of a check script: RESULTS/records/ holds one JSON file per step, errors.txt and not_run.jsonl, which
# stage/report.py merges into RESULTS/NAME.json at exit. gs_fail records the error and stops the script.
gs_results_init() {  # NAME RESULTS_DIR
  GS_NAME=$1 R=$2
  mkdir -p "$R/records" "$R/logs"
  rm -f "$R"/records/*
}
rec() { printf '%s\n' "$2" >"$R/records/$1.json"; }
not_run() { python3 -c 'import json,sys; print(json.dumps({"what": sys.argv[1], "why": sys.argv[2]}))' "$1" "$2" >>"$R/records/not_run.jsonl"; }
gs_fail() { printf '%s\n' "$1" >>"$R/records/errors.txt"; printf '\n%s FAILED: %s\n\n' "$GS_NAME" "$1" >&2; exit 1; }
gs_secs() { awk -v a="$1" -v b="$(gs_now)" 'BEGIN{printf "%.1f", b-a}'; }

# The Python that has torch (the image: python3 or /opt/torch/.venv/bin/python); GS_PY, GS_SP (site-packages).
gs_find_python() {
  GS_PY="" GS_SP=""
  local c
  for c in ${EXPRBERT_PYTHON:-} python3 /opt/torch/.venv/bin/python python; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then
      GS_PY=$(command -v "$c")
      GS_SP=$("$GS_PY" -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))')
      return 0
    fi
  done
  return 1
}

# Folders of the pip nvidia wheels (cu13 wheels: nvidia/cu13/lib, nvidia/cudnn/lib, nvidia/nccl/lib, ...).
gs_nvidia_libdirs() {
  local sp=${EXPRBERT_NVIDIA_SITE:-$GS_SP}  # override: a CPU machine's unpacked wheels, for the smoke test
  [ -d "$sp/nvidia" ] || return 0
  find "$sp/nvidia" -mindepth 2 -maxdepth 2 -type d -name lib | sort | paste -sd:
}

gs_manifest() {  # sets GS_MANIFEST: the manifest of the parts here (the last part carries it)
  GS_MANIFEST=$(ls "$GS_PARTS"/p*/manifest.json 2>/dev/null | head -n 1)
  [ -n "$GS_MANIFEST" ] || gs_fail "no manifest.json under $GS_PARTS/p*/: the last call must carry the last part folder"
}

gs_json() {  # FILE EXPR: a value from a JSON file (python3 of the image; no jq there)
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"
}

gs_verify_part() {  # K: the part folder's checksum (fails on a truncated or missing transfer)
  local d=$GS_PARTS/p$1
  [ -f "$d/bundle.part" ] || gs_fail "part $1 missing: $d/bundle.part (was .gpustage/p$1 carried by an earlier call on this warm machine?)"
  (cd "$d" && sha256sum -c --quiet part.sha256 >/dev/null 2>&1) \
    || gs_fail "part $1 checksum mismatch: $d/bundle.part is not what stage-java.sh wrote (transfer cut short?)"
}

gs_decompress() {  # COMPRESSOR: stdin -> stdout
  case $1 in
    xz) if command -v xz >/dev/null 2>&1; then xz -dc -T0; else
          python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer, 1<<22)'; fi ;;
    zstd) if command -v zstd >/dev/null 2>&1; then zstd -dc --long=27; else
          python3 -c 'import shutil,sys,zstandard; shutil.copyfileobj(zstandard.ZstdDecompressor().stream_reader(sys.stdin.buffer, read_size=1<<22), sys.stdout.buffer, 1<<22)' \
            || gs_fail "the bundle is zstd-compressed and this machine has neither zstd nor the zstandard module"; fi ;;
    *) gs_fail "unknown compressor '$1' in the manifest" ;;
  esac
}

# Joins the parts, checks every checksum, unpacks into GS_STAGE (skipped when GS_STAGE already holds this stage).
gs_unpack() {
  local manifest n i sha comp marker want
  if [ -f "$GS_STAGE/.tree-only" ]; then return 0; fi  # a local unpacked tree (stage-java.sh --tree-only)
  gs_manifest
  manifest=$GS_MANIFEST
  want=$(gs_json "$manifest" 'd["bundle"]["sha256"] + " " + d["app"]["sha256"]')
  marker=$GS_STAGE/.complete
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then return 0; fi
  n=$(gs_json "$manifest" 'len(d["parts"])')
  comp=$(gs_json "$manifest" 'd["compressor"]')
  for ((i = 0; i < n; i++)); do gs_verify_part "$i"; done
  sha=$(for ((i = 0; i < n; i++)); do cat "$GS_PARTS/p$i/bundle.part"; done | sha256sum | cut -c1-64)
  [ "$sha" = "$(gs_json "$manifest" 'd["bundle"]["sha256"]')" ] \
    || gs_fail "the joined bundle's sha256 $sha differs from the manifest's: parts from two different stagings?"
  local last; last=$(dirname "$manifest")
  [ "$(sha256sum <"$last/app.tar.xz" | cut -c1-64)" = "$(gs_json "$manifest" 'd["app"]["sha256"]')" ] \
    || gs_fail "app.tar.xz checksum mismatch"
  rm -rf "$GS_STAGE"; mkdir -p "$GS_STAGE"
  df -Pk "$GS_STAGE" | awk 'NR==2 && $4 < 3*1024*1024 {exit 1}' \
    || gs_fail "less than 3 GiB free under $GS_STAGE (the stage unpacks to about 0.9 GB)"
  for ((i = 0; i < n; i++)); do cat "$GS_PARTS/p$i/bundle.part"; done | gs_decompress "$comp" | tar -C "$GS_STAGE" -xf - \
    || gs_fail "unpacking the bundle failed"
  xz -dc <"$last/app.tar.xz" 2>/dev/null | tar -C "$GS_STAGE" -xf - \
    || python3 -c 'import lzma,sys,tarfile; tarfile.open(fileobj=lzma.open(sys.argv[1])).extractall(sys.argv[2])' \
      "$last/app.tar.xz" "$GS_STAGE" || gs_fail "unpacking app.tar.xz failed"
  echo "$want" >"$marker"
}

# LD_LIBRARY_PATH, fonts, DJL and JavaCPP caches for the staged JRE. Sets GS_LDPATH, GS_FONTS (json), GS_MODE.
gs_env() {
  GS_MODE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mode"])' "$GS_STAGE/app/meta.json")
  local dirs
  dirs=$(gs_nvidia_libdirs)
  if [ "$GS_MODE" = reuse-torch ]; then dirs=${EXPRBERT_TORCH_LIB:-$GS_SP/torch/lib}${dirs:+:$dirs}; fi
  if [ "$GS_CPU_SMOKE" = 1 ]; then
    # No driver here: an empty libcuda.so.1 satisfies the loader (every driver call is bound lazily and none runs).
    mkdir -p "$GS_STAGE/smoke"
    [ -f "$GS_STAGE/smoke/libcuda.so.1" ] || echo 'int exprbert_stub_libcuda;' \
      | gcc -shared -fPIC -x c - -Wl,-soname,libcuda.so.1 -o "$GS_STAGE/smoke/libcuda.so.1"
    dirs=${dirs:+$dirs:}$GS_STAGE/smoke
  fi
  # Font libraries (the training chart's text): the system's when they load (dlopen through ctypes, as the JRE's
  # libfontmanager will), else the staged copies (Debian 12 builds); with no fontconfig or no font file on the
  # system, a fonts.conf that points fontconfig at the staged DejaVu Sans. Without any of this, a bare image
  # fails `train` after training (UnsatisfiedLinkError from libfontmanager, uncaught by the chart code).
  local freetype fontconfig harfbuzz fontfiles used_staged=0 staged_conf=0
  loads() { python3 -c 'import ctypes,sys; ctypes.CDLL(sys.argv[1])' "$1" >/dev/null 2>&1 && echo 1 || echo 0; }
  freetype=$(loads libfreetype.so.6) harfbuzz=$(loads libharfbuzz.so.0) fontconfig=$(loads libfontconfig.so.1)
  fontfiles=$(find /usr/share/fonts /usr/local/share/fonts -type f \( -name '*.ttf' -o -name '*.otf' \) 2>/dev/null | wc -l)
  if [ "${GS_FORCE_STAGED_FONTS:-0}" = 1 ] || [ "$freetype$harfbuzz$fontconfig" != 111 ]; then
    dirs=${dirs:+$dirs:}$GS_STAGE/fontlibs/lib
    used_staged=1
  fi
  if [ "${GS_FORCE_STAGED_FONTS:-0}" = 1 ] || [ "$fontconfig" = 0 ] || [ "$fontfiles" = 0 ]; then
    mkdir -p "$GS_STAGE/fontcache"
    printf '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
      "$GS_STAGE/fontlibs/fonts" "$GS_STAGE/fontcache" >"$GS_STAGE/fontlibs/fonts.conf"
    export FONTCONFIG_FILE=$GS_STAGE/fontlibs/fonts.conf
    staged_conf=1
  fi
  GS_FONTS="{\"system_freetype\": $freetype, \"system_harfbuzz\": $harfbuzz, \"system_fontconfig\": $fontconfig, \"system_font_files\": $fontfiles, \"staged_font_libraries_used\": $used_staged, \"staged_fonts_conf_used\": $staged_conf}"
  GS_LDPATH=$dirs
  export LD_LIBRARY_PATH=$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export DJL_CACHE_DIR=$GS_STAGE/djl ENGINE_CACHE_DIR=$GS_STAGE/djl OPT_OUT_TRACKING=true DJL_OFFLINE=true
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
  GS_MAIN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["main_class"])' "$GS_STAGE/app/meta.json")
  # The java command line up to the main class (GpuProbe wraps it; see stage/GpuProbe.java).
  GS_JAVA="$GS_STAGE/jre/bin/java -Xmx${EXPRBERT_JAVA_XMX:-16g} -Djava.awt.headless=true -DRUST_FLAVOR=cpu -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dorg.bytedeco.javacpp.cachedir=$GS_STAGE/jcache -cp $GS_STAGE/app/probe:$GS_STAGE/app/classes:$GS_STAGE/natives:$GS_STAGE/lib/*"
}

# Libraries the staged natives cannot resolve with GS_LDPATH (ldd; one "lib: soname" per line).
gs_unresolved() {
  local f own
  # the Loader maps the staged libraries by full path before their dependants, so they count as resolved
  own=$(find "$GS_STAGE/natives" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
  find "$GS_STAGE/natives" -name '*.so*' -type f | sort | while read -r f; do
    LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$own ldd "$f" 2>/dev/null | awk -v f="$(basename "$f")" '/not found/ {print f ": " $1}'
  done | grep -v ': libjvm.so$' || true
}
