#!/usr/bin/env bash
# Compressor grid on a sample of the bundle: 8 slices of 16 MiB taken at even offsets of the uncompressed
# bundle tar (so zeroed GPU code, host code, JRE modules and jars are represented in proportion), each candidate
# on one thread. Speeds are per CPU second (user + sys), which other jobs on a shared machine do not distort;
# wall seconds are printed too. Prints a TSV: candidate, sample ratio, compress and decompress MB per CPU second,
# and the whole bundle's compressed size and 2-thread compress time extrapolated from the sample (the chosen
# setting's exact size is measured by the real staging run).
# Usage: measure_compressors.sh BUNDLE.tar OUT.tsv [CANDIDATE...]     candidates like "xz -6" "zstd -19 --long=27"
set -euo pipefail
tar_file=$1 out=$2; shift 2
candidates=("$@")
[ ${#candidates[@]} -gt 0 ] || candidates=("xz -3" "xz -6" "xz -9" "zstd -9 --long=27" "zstd -15 --long=27" \
  "zstd -19 --long=27" "zstd --ultra -22 --long=27")
size=$(stat -c %s "$tar_file")
sample=$(mktemp --suffix=.sample)
trap 'rm -f "$sample" "$sample.z"' EXIT
for i in 0 1 2 3 4 5 6 7; do
  dd if="$tar_file" bs=1M skip=$(( (size / 8 * i) / 1048576 )) count=16 status=none
done >"$sample"
ss=$(stat -c %s "$sample")
printf 'candidate\tsample_ratio\tcompress_MB_per_cpu_s\tdecompress_MB_per_cpu_s\tcompress_wall_s\tbundle_MiB_est\tbundle_compress_min_2threads_est\n' >"$out"
TIMEFORMAT='%U %S %R'
for cand in "${candidates[@]}"; do
  tool=${cand%% *}
  c=$( { time nice -n 10 $cand -T1 -c <"$sample" >"$sample.z" 2>/dev/null; } 2>&1 )
  if [ "$tool" = xz ]; then
    d=$( { time xz -dc -T1 <"$sample.z" >/dev/null; } 2>&1 )
  else
    d=$( { time zstd -dc --long=27 <"$sample.z" >/dev/null; } 2>&1 )
  fi
  zs=$(stat -c %s "$sample.z")
  awk -v cand="$cand" -v ss="$ss" -v zs="$zs" -v c="$c" -v d="$d" -v full="$size" 'BEGIN{
    split(c, C, " "); split(d, D, " "); cc = C[1] + C[2]; dc = D[1] + D[2];
    printf "%s\t%.4f\t%.2f\t%.1f\t%.0f\t%.1f\t%.1f\n", cand, zs/ss, ss/1e6/cc, ss/1e6/dc, C[3], full*zs/ss/1048576, full/1e6/(ss/1e6/cc)/2/60}' >>"$out"
  tail -n 1 "$out" >&2
done
