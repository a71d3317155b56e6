#!/usr/bin/env bash
# The LSTM's training speed against PyTorch, side by side in one run: samples/s of
# bench/sequences/lstm.ann (embedding(64) -> lstm(64) -> dense(2) on token ids of length 200,
# batch 32, Adam) in ann's StepBench (forward, loss, backward, optimiser step on random ids in
# preallocated buffers, after warm-up) and of the same network in PyTorch (lstm_torch.py), each
# on 1 and on 2 threads, alternating in several rounds; PyTorch also with subnormals flushed to 0
# (torch.set_flush_denormal, "torch-flush": the LSTM's fading gradients are subnormal floats, on which
# the BLAS is about a hundred times slower; ann writes them as 0); prints the best of each and the ratios.
# Usage: bench/sequences/lstm_vs_torch.sh [rounds] [seconds-per-run]   (from the repository root)
# Needs Debian's weka (the data set lstm.ann names; the timing uses random ids) and python3-torch
# (/usr/bin/python3). Results are appended to bench/sequences/RESULTS.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
rounds="${1:-3}"
secs="${2:-15}"
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs PyTorch: apt-get install python3-torch" >&2; exit 2; }
[ -f /usr/share/doc/weka/examples/ReutersCorn-train.arff ] || { echo "needs the Reuters data: apt-get install weka" >&2; exit 2; }
cp="$(bench/classpath.sh)"

ann() { # threads -> StepBench's line
  OMP_NUM_THREADS="$1" OMP_WAIT_POLICY=passive ANN_NO_RELAUNCH=1 java -Dann.ompThreads="$1" -Dann.blasThreads="$1" \
    -cp "$cp" dev.ann.runtime.bench.StepBench bench/sequences/lstm.ann 32 "$secs" 2>/dev/null | tail -1
}
torch() { # threads [flush] -> lstm_torch.py's line (OpenBLAS, which Debian's torch calls, gets the same count)
  OMP_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1" /usr/bin/python3 bench/sequences/lstm_torch.py "$1" "$secs" 32 ${2:-} 2>/dev/null | tail -1
}
torch-flush() { torch "$1" flush; }
rate() { sed -n 's/.*: \([0-9]*\) samples\/s.*/\1/p'; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels runtime || echo ' + uncommitted changes'), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  for r in $(seq "$rounds"); do
    # odd rounds run ann first, even rounds PyTorch: neither always gets the first slot
    if [ $((r % 2)) -eq 1 ]; then order="ann torch torch-flush"; else order="torch-flush torch ann"; fi
    for who in $order; do
      for t in 1 2; do
        line="$($who "$t")"
        echo "round $r $who threads $t: $line"
        echo "$who $t $(echo "$line" | rate)" >>"$out"
      done
    done
  done
  best() { awk -v w="$1" '$1 == w && $3 > b { b = $3; t = $2 } END { print b + 0, t }' "$out"; }
  read -r a at <<<"$(best ann)"
  read -r p pt <<<"$(best torch)"
  read -r f ft <<<"$(best torch-flush)"
  ratio() { awk -v a="$1" -v p="$2" 'BEGIN { printf "%.2f", (p > 0 ? a / p : 0) }'; }
  echo "best ann: $a samples/s ($at threads); best PyTorch: $p samples/s ($pt threads); ann / PyTorch = $(ratio "$a" "$p")"
  echo "best PyTorch with subnormals flushed: $f samples/s ($ft threads); ann / that = $(ratio "$a" "$f")"
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/sequences/RESULTS.md
