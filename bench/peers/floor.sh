#!/usr/bin/env bash
# How fast could ann train fashion_mlp on this machine at best, beside what it and PyTorch do, in one run:
# rounds of
#   ProductsFloor  the step's matrix products alone plus the optimiser's step alone (runtime's test sources):
#                  a floor on a step's time, so a ceiling on samples/s;
#   StepBench      ann's whole training step at its steady state (random data in preallocated buffers);
#   PyTorch        torch_twins.py mlp with 1 and with 2 threads (the better counts), as run.sh times it.
# Appends to bench/peers/floor.md the figures of every round and the ratios: ann/PyTorch at the steady
# state and the ceiling/PyTorch that no step with these products can pass.
#
#   bench/peers/floor.sh [rounds]       (from anywhere; default 3; needs python3-torch and dataset-fashion-mnist)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
rounds="${1:-3}"
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "floor.sh: needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { echo "floor.sh: needs Debian's dataset-fashion-mnist" >&2; exit 2; }
cp="$(bench/classpath.sh)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
run_java() { OMP_WAIT_POLICY=passive ANN_NO_RELAUNCH=1 java -cp "$cp" "$@" 2>/dev/null | grep -v '^WARN'; }
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  t1="$("$py" bench/peers/torch_twins.py mlp --threads 1 --steps 300 --warm 20 | jq -r .train_samples_per_s)"
  t2="$("$py" bench/peers/torch_twins.py mlp --threads 2 --steps 300 --warm 20 | jq -r .train_samples_per_s)"
  torch="$(printf '%s\n%s\n' "$t1" "$t2" | sort -g | tail -1)"
  run_java dev.ann.runtime.bench.ProductsFloor examples/fashion_mlp.ann 128 "$torch" >"$tmp/floor-$r.txt"
  run_java dev.ann.runtime.bench.StepBench examples/fashion_mlp.ann 128 15 >"$tmp/step-$r.txt"
  step="$(sed -n 's/.*: \([0-9]*\) samples\/s.*/\1/p' "$tmp/step-$r.txt" | head -1)"
  ceiling="$(sed -n 's/.*at most \([0-9,]*\) samples\/s.*/\1/p' "$tmp/floor-$r.txt" | tr -d ,)"
  echo "round $r: PyTorch $torch (1 thread $t1, 2 threads $t2), ann's step $step, ceiling $ceiling samples/s" | tee -a "$tmp/rounds.txt" >&2
done
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels runtime || echo ' (with uncommitted changes)'), $(nproc) cores, $rounds rounds"
  echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| round | PyTorch (best of 1, 2 threads) | ann's step, steady state | ann/PyTorch | ceiling (products and optimiser alone) | ceiling/PyTorch |"
  echo "|---|---|---|---|---|---|"
  awk '{gsub(/,/, "", $0); torch=$4; step=$13; ceil=$15; printf "| %s | %s | %s | %.2f | %s | %.2f |\n", $2, torch, step, step/torch, ceil, ceil/torch}' "$tmp/rounds.txt" | tr -d :
  echo
  echo "<details><summary>ProductsFloor, the last round</summary>"
  echo
  echo '```'
  cat "$tmp/floor-$rounds.txt"
  echo '```'
  echo "</details>"
} >>bench/peers/floor.md
tail -12 bench/peers/floor.md
