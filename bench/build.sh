# Sourced by the bench scripts: sets root, classes, cp_file and java_bin, and builds the bench
# module (and what it needs) when its classes or its classpath file are missing, or when
# FRESHET_BENCH_BUILD=1 (after changing the code under test).
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
cp_file="$bench_dir/target/runtime-classpath.txt"
classes="$bench_dir/target/classes"
if [[ "${FRESHET_BENCH_BUILD:-0}" == "1" || ! -f "$cp_file" \
      || ! -f "$classes/io/freshet/bench/FreshnessBench.class" ]]; then
  echo "building freshet-bench ..." >&2
  (cd "$root" && ./mvnw -B -q -o -pl bench -am install -Dmaven.test.skip=true -Dspotless.check.skip=true)
  (cd "$root" && ./mvnw -B -q -o -pl bench dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file")
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
