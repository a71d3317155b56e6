#!/usr/bin/env bash
# A change to kernels/.../Recurrent.java, measured: StepBench's samples/s of bench/sequences/lstm.ann
# with the Recurrent.java of BEFORE_REV (compiled alone with javac, ahead of the classpath) and with the
# working tree's, alternating in one run, on THREADS threads (default 1).
# Usage: bench/sequences/recurrent_before_after.sh BEFORE_REV [rounds] [seconds-per-run] [threads]
# Results are appended to bench/sequences/RESULTS.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
before="${1:?usage: recurrent_before_after.sh BEFORE_REV [rounds] [seconds] [threads]}"
rounds="${2:-3}"
secs="${3:-20}"
threads="${4:-1}"
cp="$(bench/classpath.sh)"
old="$(mktemp -d)"
trap 'rm -rf "$old"' EXIT
mkdir -p "$old/classes"
git show "$before:kernels/src/main/java/dev/ann/kernels/Recurrent.java" >"$old/Recurrent.java"
javac -nowarn -cp "$cp" -d "$old/classes" "$old/Recurrent.java"

run() { # classpath -> StepBench's line
  OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=passive ANN_NO_RELAUNCH=1 java -Dann.ompThreads="$threads" \
    -Dann.blasThreads="$threads" -cp "$1" dev.ann.runtime.bench.StepBench bench/sequences/lstm.ann 32 "$secs" 2>/dev/null | tail -1
}
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), Recurrent.java of $before (before) against $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels || echo ' + uncommitted changes') (after), $threads thread(s), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  for r in $(seq "$rounds"); do
    # odd rounds run the old kernel first, even rounds the new one
    if [ $((r % 2)) -eq 1 ]; then
      echo "round $r before: $(run "$old/classes:$cp")"
      echo "round $r after:  $(run "$cp")"
    else
      echo "round $r after:  $(run "$cp")"
      echo "round $r before: $(run "$old/classes:$cp")"
    fi
  done
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/sequences/RESULTS.md
