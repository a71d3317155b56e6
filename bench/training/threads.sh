#!/usr/bin/env bash
# Training throughput (samples/s, steady state, random data in preallocated
# buffers) of the MLP and the CNN under each thread setting ann could choose.
# Usage: bench/training/threads.sh [seconds-per-run]   (from the repository root)
# Results are appended to bench/training/results.txt with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
secs="${1:-15}"
cp="$(bench/classpath.sh)"
out=bench/training/results.txt
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for model in "examples/fashion_mlp.ann 128" "examples/fashion_cnn.ann 64"; do
    set -- $model
    for setting in "" "OMP_WAIT_POLICY=passive" "OMP_NUM_THREADS=1" "OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive" \
                   "OMP_WAIT_POLICY=passive -Dann.blasThreads=1"; do
      envs=(); props=()
      for w in $setting; do case "$w" in -D*) props+=("$w") ;; *) envs+=("$w") ;; esac; done
      env ANN_NO_RELAUNCH=1 "${envs[@]}" java "${props[@]}" -cp "$cp" dev.ann.runtime.bench.StepBench "$1" "$2" "$secs" 2>/dev/null | tail -1
    done
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a "$out"
