#!/usr/bin/env bash
# Issue 3's engine benchmark: Freshet's FeatureJob vs a Flink SQL OVER-window baseline on the same
# generated payments, heap and RocksDB state, in-process MiniCluster. See docs/benchmarks.md.
#
#   bench/run-engine-bench.sh [--events 2000000] [--entities 50000] [--days 7] [--seed 42]
#                             [--which freshet-heap,freshet-rocksdb,sql-heap,sql-rocksdb] ...
#   bench/run-engine-bench.sh --help
#
# Builds the bench module (and what it needs) when its classes or classpath are missing, or when
# FRESHET_BENCH_BUILD=1. JVM options: BENCH_JVM_OPTS (default below: a fixed, pre-touched 8 GB heap,
# as the SQL baseline keeps every event of its 7-day window in state, and the TaskManager collector
# of flink-conf/config.yaml, the parallel one with huge pages; both engines run in this one JVM).
# Don't time anything while other builds run on the machine.
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"
# shellcheck disable=SC2086
default_opts="-Xms8g -Xmx8g -Xmn3g -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:+UseTransparentHugePages"
exec "$java_bin" ${BENCH_JVM_OPTS:-$default_opts} \
  --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/java.util=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED \
  -cp "$classes:$(cat "$cp_file")" \
  io.freshet.bench.EngineBench "$@"
