#!/usr/bin/env bash
# In-stream expectations' cost per event (issue 14): first the engine benchmark's freshet-heap
# variant without expectations (its "task CPU ... us/event" is what the engine costs per event),
# then io.freshet.bench.ExpectationsBench (the expectations operator alone in Flink's operator test
# harness: no checks, the payments example's checks, and those plus one CEL rule; then the feature
# expectations operator over one update per event, without and with feature_expectations). See
# docs/benchmarks.md. Don't time anything while other builds run on the machine.
#
#   bench/run-expectations-bench.sh [events] [passes]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
events="${1:-1000000}"
passes="${2:-7}"
# Only the engine's CPU per event is wanted here: the engine benchmark's own correctness check can
# fail by timing (docs/benchmarks.md, "In-stream expectations"), which must not stop this command.
{ FRESHET_BENCH_BUILD="${FRESHET_BENCH_BUILD:-0}" "$here/run-engine-bench.sh" --events "$events" \
  --warmup-events 500000 --runs 3 --which freshet-heap || true; } | grep -E "task CPU|3 runs"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java_bin" -Xms2g -Xmx2g -XX:+UseParallelGC \
  -cp "$here/target/classes:$(cat "$here/target/runtime-classpath.txt")" \
  io.freshet.bench.ExpectationsBench "$events" "$passes" \
  bench/src/main/resources/bench-payments-expectations.yaml
