#!/usr/bin/env bash
# The single-op comparisons behind the runtime's choices (dev.ann.kernels.OpBench): ND4J's op
# against ann's way for batchnorm, maxpool, relu backward, Adam and conv1d, alternately in one JVM.
# (`java ... dev.ann.kernels.OpBench REPS conv1d` runs only the conv1d comparison.)
# Usage: bench/training/ops.sh [repetitions]   (from the repository root)
# Results are appended to bench/training/ops-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -o -q -pl runtime -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp >/dev/null
cp="runtime/target/classes:runtime/target/test-classes:kernels/target/classes:kernels/target/test-classes:plan/target/classes:compiler/target/classes:grammar/target/classes:$(cat runtime/target/bench.cp)"
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  OMP_WAIT_POLICY=passive java -cp "$cp" dev.ann.kernels.OpBench "${1:-60}" 2>/dev/null
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/training/ops-results.md
