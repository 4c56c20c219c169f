#!/usr/bin/env bash
# The Kafka source's decoding cost per record: Avro's reader alone, the skip pass alone (which
# bounds every length before the read, docs/reliability.md) and EventDecoder as the job runs it.
# See docs/benchmarks.md. Don't time anything while other builds run on the machine.
#
#   bench/run-decode-bench.sh [records] [passes]
set -euo pipefail
# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"
cd "$root"
exec "$java_bin" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$classes:$(cat "$cp_file")" \
  io.freshet.bench.DecodeBench "${1:-1000000}" "${2:-7}"
