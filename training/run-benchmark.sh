#!/usr/bin/env bash
# Training-set throughput vs DuckDB's ASOF JOIN over the same Parquet files (docs/benchmarks.md).
#   training/run-benchmark.sh [--spine-rows 1000000] [--history-rows 10000000] [--runs 3] [--dir DIR]
# Generates the data once under training/target/training-bench (reused by later runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -B -q -o -pl training -am install -DskipTests -Dspotless.check.skip=true
./mvnw -B -q -o -pl training test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath -Dspotless.check.skip=true
cd training
exec java -Xmx${BENCH_HEAP:-8g} -XX:+UseParallelGC -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.freshet.training.bench.TrainingSetBenchmark "$@"
