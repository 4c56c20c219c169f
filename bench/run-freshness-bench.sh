#!/usr/bin/env bash
# Issue 14's freshness benchmark: event time to visible in Cassandra through the serving client,
# with the production job (bin/freshet run, flink-conf/) on a fresh topic per rate, and whether the
# job keeps up (backpressure, records behind). See io.freshet.bench.FreshnessBench and
# docs/benchmarks.md. Needs the local services (bin/freshet services start). Don't time anything
# while other builds run on the machine.
#
#   bench/run-freshness-bench.sh [--rates 500,1000,2000,4000] [--seconds 60] [--customers 10000]
#                                [--partitions 2] [--set 'flink.key=value;freshet.key=value']
#
# The benchmark's own JVM runs with the JIT's first tier only (FRESHET_BENCH_JAVA_OPTS replaces
# that): C2 compiling the producer took cores from the job in its first measured seconds. The job's
# JVM takes FRESHET_JAVA_OPTS, as bin/freshet does.
set -euo pipefail
# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"
exec "$java_bin" -Xmx512m -XX:+UseSerialGC ${FRESHET_BENCH_JAVA_OPTS:--XX:TieredStopAtLevel=1} -cp "$classes:$(cat "$cp_file")" \
  io.freshet.bench.FreshnessBench --root "$root" "$@"
