#!/usr/bin/env bash
# bench/classpath.sh [TREE]: compiles a checkout's runtime module with its tests (and the modules it needs) and
# prints the classpath that the benchmarks' Java mains (StepBench, ProductsFloor, OpBench, ...) run on: each
# module's classes and test classes, then the test-scope dependencies. TREE: a checkout of ann, default this one
# (an older one may lack a module: only the folders it has are listed).
set -euo pipefail
tree="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
(cd "$tree" && mvn -B -o -q -pl runtime -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
   -Dmdep.outputFile=target/bench.cp >/dev/null)
cp=""
for m in runtime kernels plan compiler grammar; do
  for d in classes test-classes; do
    if [ -d "$tree/$m/target/$d" ]; then cp="$cp:$tree/$m/target/$d"; fi
  done
done
echo "${cp#:}:$(cat "$tree/runtime/target/bench.cp")"
