#!/usr/bin/env bash
# HTTP feature server benchmark: POST /v1/features at 1, 10 and 100 entities per request against
# the Java client on the same schedule, then rising request rates until p99 passes 20 ms. Needs a
# running Cassandra (bin/freshet services start). Usage:
#   serving-http/run-server-bench.sh [host:port] [seconds per phase]
# Time it only on a quiet machine: it refuses to start while builds or tests run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${1:-127.0.0.1:29042}"
seconds="${2:-20}"

if [[ "${FRESHET_BENCH_IGNORE_LOAD:-}" != 1 ]] && pgrep -fa 'maven|surefire|failsafe' | grep -v pgrep >/dev/null; then
  echo "run-server-bench: other builds or tests are running (pgrep -fa 'maven|surefire|failsafe');" \
    "wait for a quiet machine or set FRESHET_BENCH_IGNORE_LOAD=1" >&2
  exit 1
fi
./mvnw -B -q -o -pl serving-http -am install -DskipTests -Dspotless.check.skip=true >&2
./mvnw -B -q -o -pl serving-http test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/serving-http/target/bench.classpath" >&2
uptime
java -version 2>&1 | head -1
java -Xmx1g ${FRESHET_BENCH_JAVA_OPTS:-} --add-opens=java.base/java.util=ALL-UNNAMED \
  -cp "serving-http/target/test-classes:serving-http/target/classes:$(cat serving-http/target/bench.classpath)" \
  io.freshet.serving.http.ServerBench "$target" "$seconds"
