#!/usr/bin/env bash
# Issue 14's freshness benchmark: event time to visible in Cassandra through the serving client,
# with the production job (bin/freshet run, flink-conf/) on a fresh topic per rate, and whether the
# job keeps up (backpressure, records behind). See io.freshet.bench.FreshnessBench and
# docs/benchmarks.md. Needs the local services (bin/freshet services start). Don't time anything
# while other builds run on the machine.
#
#   bench/run-freshness-bench.sh [--rates 500,1000,2000,4000] [--seconds 60] [--customers 10000]
#                                [--partitions 2] [--set 'flink.key=value;freshet.key=value']
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cp_file="$here/target/runtime-classpath.txt"
classes="$here/target/classes"
if [[ "${FRESHET_BENCH_BUILD:-0}" == "1" || ! -f "$cp_file" || ! -f "$classes/io/freshet/bench/FreshnessBench.class" ]]; then
  echo "building freshet-bench ..." >&2
  (cd "$root" && ./mvnw -B -q -o -pl bench -am install -Dmaven.test.skip=true -Dspotless.check.skip=true)
  (cd "$root" && ./mvnw -B -q -o -pl bench dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file")
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java_bin" -Xmx512m -XX:+UseSerialGC -cp "$classes:$(cat "$cp_file")" \
  io.freshet.bench.FreshnessBench --root "$root" "$@"
