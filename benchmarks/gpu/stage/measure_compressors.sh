#!/usr/bin/env bash
# Compressor grid on a sample of the bundle: 8 slices of 16 MiB taken at even offsets of the uncompressed
# bundle tar (so zeroed GPU code, host code, JRE modules and jars are represented in proportion), each candidate
# single-threaded. Prints a TSV: candidate, sample ratio, compress MB/s, decompress MB/s, and the full bundle's
# size extrapolated from the ratio (the exact size of the chosen one is measured by the real staging run).
# Usage: measure_compressors.sh BUNDLE.tar OUT.tsv
set -euo pipefail
tar_file=$1 out=$2
size=$(stat -c %s "$tar_file")
sample=$(mktemp --suffix=.sample)
slice=$((16 * 1024 * 1024))
for i in 0 1 2 3 4 5 6 7; do
  dd if="$tar_file" bs=1M skip=$(( (size / 8 * i) / 1048576 )) count=16 status=none
done >"$sample"
ss=$(stat -c %s "$sample")
printf 'candidate\tsample_ratio\tcompress_MBps_1thread\tdecompress_MBps_1thread\tbundle_MiB_extrapolated\n' >"$out"
for cand in "xz -3" "xz -6" "xz -9" "zstd -9 --long=27" "zstd -15 --long=27" "zstd -19 --long=27" "zstd --ultra -22 --long=27"; do
  tool=${cand%% *}
  t0=$(date +%s.%N)
  nice -n 10 $cand -T1 -c <"$sample" >"$sample.z" 2>/dev/null
  t1=$(date +%s.%N)
  if [ "$tool" = xz ]; then xz -dc -T1 <"$sample.z" >/dev/null; else zstd -dc --long=27 <"$sample.z" >/dev/null; fi
  t2=$(date +%s.%N)
  zs=$(stat -c %s "$sample.z")
  awk -v c="$cand" -v ss="$ss" -v zs="$zs" -v a="$t0" -v b="$t1" -v d="$t2" -v full="$size" \
    'BEGIN{printf "%s\t%.4f\t%.2f\t%.1f\t%.1f\n", c, zs/ss, ss/1e6/(b-a), ss/1e6/(d-b), full*zs/ss/1048576}' >>"$out"
  tail -n 1 "$out" >&2
done
rm -f "$sample" "$sample.z"
