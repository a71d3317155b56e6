#!/usr/bin/env bash
# Training speed before and after a change, alternating in one run: the steady-state
# samples/s of StepBench (forward, loss, backward, optimiser step on random data in
# preallocated buffers) for the examples' networks, built from two commits: fashion_mlp,
# fashion_cnn and the sequence examples (reuters_corn's bag of words and conv, co2's lstm,
# the transformer). Both builds run today's StepBench (copied into the old tree), which picks
# a train block by name (-Dann.train).
# Usage: bench/redesign/speed.sh BEFORE_REV [rounds] [seconds-per-run] [model...]   (from the repository root)
#   model: a name of the MODELS list below (default: all)
# Needs Debian's dataset-fashion-mnist, weka and python3-statsmodels (the examples name their files).
# Results are appended to bench/redesign/speed-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
before="${1:?usage: speed.sh BEFORE_REV [rounds] [seconds]}"
rounds="${2:-3}"
secs="${3:-20}"
old="$(mktemp -d)"
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"' EXIT
git worktree add -q --detach "$old" "$before"
cp runtime/src/test/java/dev/ann/runtime/bench/StepBench.java "$old/runtime/src/test/java/dev/ann/runtime/bench/StepBench.java"
shift $(( $# < 3 ? $# : 3 ))
# name | file | batch | train block (empty: the file's first)
MODELS=(
  "fashion_mlp|examples/fashion_mlp.ann|128|"
  "fashion_cnn|examples/fashion_cnn.ann|64|"
  "corn_bag|examples/reuters_corn.ann|32|"
  "corn_conv|examples/reuters_corn.ann|32|conv"
  "co2_lstm|examples/co2.ann|32|lstm"
  "transformer|examples/transformer.ann|32|"
)
if [ $# -gt 0 ]; then
  wanted=("$@"); MODELS=($(for m in "${MODELS[@]}"; do for w in "${wanted[@]}"; do if [ "${m%%|*}" = "$w" ]; then echo "$m"; fi; done; done))
fi

cp_old="$(bench/classpath.sh "$old")"
cp_new="$(bench/classpath.sh "$root")"
main_old=dev.ann.runtime.bench.StepBench
main_new=dev.ann.runtime.bench.StepBench

run() { # classpath main file batch train -> samples/s
  OMP_WAIT_POLICY=passive ANN_NO_RELAUNCH=1 java ${5:+-Dann.train=$5} -cp "$1" "$2" "$root/$3" "$4" "$secs" 2>/dev/null | tail -1
}
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ): $before (before) against $(git rev-parse --short HEAD) (after), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  for model in "${MODELS[@]}"; do
    IFS='|' read -r name file batch train <<<"$model"
    for r in $(seq "$rounds"); do
      # odd rounds run the old build first, even rounds the new one: neither always gets the first slot
      if [ $((r % 2)) -eq 1 ]; then
        echo "$name round $r before: $(run "$cp_old" "$main_old" "$file" "$batch" "$train")"
        echo "$name round $r after:  $(run "$cp_new" "$main_new" "$file" "$batch" "$train")"
      else
        echo "$name round $r after:  $(run "$cp_new" "$main_new" "$file" "$batch" "$train")"
        echo "$name round $r before: $(run "$cp_old" "$main_old" "$file" "$batch" "$train")"
      fi
    done
  done
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/redesign/speed-results.md
