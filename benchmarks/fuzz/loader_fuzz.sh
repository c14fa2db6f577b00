#!/usr/bin/env bash
# Longer run of the loader fuzz test (src/test/java/dev/exprbert/io/LoaderFuzzTest.java) than CI's
# budget: mutated model.safetensors, pytorch_model.bin, config.json and tokenizer.json files, each of
# which must load completely (strict) or fail with a clear error naming the file.
#
#   benchmarks/fuzz/loader_fuzz.sh [SECONDS_PER_LOADER] [SEED]      (defaults: 600 s, a seed from the clock)
#
# Findings fail the test and keep their inputs under target/fuzz-failures/; a JVM crash shows as
# "The forked VM terminated" and leaves the last input in the test's temporary folder (/tmp/junit*/<loader>-<i>).
# Each run prints one line per loader: iterations, loaded, refused clearly, findings, seconds, seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
seed="${2:-$(date +%s)}"
mvn -B -q test -Dtest=LoaderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dexprbert.fuzz.iterations=100000000 -Dexprbert.fuzz.seconds="$seconds" -Dexprbert.fuzz.seed="$seed" \
  || { echo "loader fuzz: findings or a crash with seed $seed (see above and target/fuzz-failures/)" >&2; exit 1; }
grep '^fuzz ' target/surefire-reports/dev.exprbert.io.LoaderFuzzTest-output.txt
