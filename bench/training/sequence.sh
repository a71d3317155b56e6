#!/usr/bin/env bash
# Where the time of a transformer encoder block goes (dev.ann.kernels.SequenceBench): each layer's median
# forward and backward milliseconds, float32, batch 32 of 128 steps with padding masks.
# Usage: bench/training/sequence.sh [repetitions]   (from the repository root)
# Results are appended to bench/training/sequence-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -o -q -pl kernels -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp >/dev/null
cp="kernels/target/classes:kernels/target/test-classes:$(cat kernels/target/bench.cp)"
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  OMP_WAIT_POLICY=passive java -cp "$cp" dev.ann.kernels.SequenceBench "${1:-30}" 2>/dev/null
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/training/sequence-results.md
