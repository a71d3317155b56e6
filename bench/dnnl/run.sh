#!/usr/bin/env bash
# bench/dnnl/run.sh [ROUNDS] [BATCH] [REPS]: fashion_cnn's convolutions on oneDNN called directly in its blocked
# layout against ND4J's conv2d / conv2d_bp on NCHW (DirectConv's javadoc), on 2 OpenMP threads as ann trains
# fashion_cnn; appends the output with the date, commit and load average to results.md.
set -euo pipefail
cd "$(dirname "$0")"
rounds="${1:-3}" batch="${2:-64}" reps="${3:-30}"
mvn -B -q package dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null
cp="target/ann-bench-dnnl-0.1.0-SNAPSHOT.jar:$(cat target/cp.txt)"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores, $rounds rounds"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  for r in $(seq "$rounds"); do
    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive java -cp "$cp" dev.ann.bench.dnnl.DirectConv "$batch" "$reps" 2>/dev/null
  done
  echo '```'
} | tee -a results.md
