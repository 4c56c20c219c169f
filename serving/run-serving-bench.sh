#!/usr/bin/env bash
# Serving benchmark: FeatureClient vs a raw driver SELECT (1 entity x 50 features, 100 entities
# x 50 features), then Cassandra sink writes/s. Needs a running Cassandra (bin/freshet services
# start). Usage: serving/run-serving-bench.sh [host:port] [client iterations] [sink updates]
# Time it only on a quiet machine: it checks the load and refuses to start while builds run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${1:-127.0.0.1:29042}"
iterations="${2:-20000}"
sink_updates="${3:-200000}"

if [[ "${FRESHET_BENCH_IGNORE_LOAD:-}" != 1 ]] && pgrep -fa 'maven|surefire|failsafe' | grep -v pgrep >/dev/null; then
  echo "run-serving-bench: other builds or tests are running (pgrep -fa 'maven|surefire|failsafe');" \
    "wait for a quiet machine or set FRESHET_BENCH_IGNORE_LOAD=1" >&2
  exit 1
fi
./mvnw -B -q -o -pl serving,connectors -am install -DskipTests -Dspotless.check.skip=true >&2
for m in serving connectors; do
  ./mvnw -B -q -o -pl "$m" dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$root/$m/target/bench.classpath" >&2
done
uptime
java -version 2>&1 | head -1
echo "### client vs raw driver ($iterations iterations, loopback $target)"
java -Xmx1g -cp "serving/target/test-classes:serving/target/classes:$(cat serving/target/bench.classpath)" \
  io.freshet.serving.bench.ServingBench "$target" "$iterations"
echo "### sink writes/s"
java -Xmx1g --add-opens=java.base/java.util=ALL-UNNAMED \
  -cp "connectors/target/test-classes:connectors/target/classes:$(cat connectors/target/bench.classpath)" \
  io.freshet.connectors.cassandra.CassandraSinkBench "$target" "$sink_updates" 256
