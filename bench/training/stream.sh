#!/usr/bin/env bash
# Streaming data from disk vs holding it in memory (docs/training.md, "Data larger than memory").
#  1. fashion_mlp, 2 epochs, in memory and with --data-memory 0 (streamed): samples/s per epoch and peak RSS.
#  2. A synthetic IDX dataset whose float32 samples are larger than the heap (N pictures of 28x28, default
#     300000 = 0.9 GiB as float32) trained for one epoch under -Xmx512m: it streams (the default budget is a
#     quarter of the heap) and completes; forced into memory (--data-memory 4g) it runs out of heap.
# Usage: [REPS=2] bench/training/stream.sh [N]   (from the repository root; part 1 needs the Fashion-MNIST package)
# Appends to bench/training/stream-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-300000}"
out="$root/bench/training/stream-results.md"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/ann" --version >/dev/null   # builds the jar when needed
export OMP_WAIT_POLICY=passive      # what ann would relaunch with; measure one JVM
peak() { grep -o 'peak_rss_kb=[0-9]*' "$1" | cut -d= -f2 | awk '{printf "%.0f MiB", $1/1024}'; }
sps() { grep -o 'epoch [0-9]*/[0-9]* .*samples/s' "$1" | sed 's/.*  \([0-9,]*\) samples\/s/\1/' | paste -sd' ' -; }
run() { # label log args...
  local label="$1" log="$2"; shift 2
  set +e
  (cd "$work" && /usr/bin/time -f 'peak_rss_kb=%M wall_s=%e' "$root/ann" "$@") >"$log" 2>&1
  local rc=$?
  set -e
  printf -- '- %s: exit %s; %s; samples/s per epoch: %s; peak RSS %s; wall %s s\n' "$label" "$rc" \
    "$(grep -m1 '^data:' "$log" || grep -m1 -o 'error: .*' "$log" | cut -c1-120)" "$(sps "$log")" "$(peak "$log")" \
    "$(grep -o 'wall_s=[0-9.]*' "$log" | cut -d= -f2)"
}
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    echo "fashion_mlp, 2 epochs (\`ann train examples/fashion_mlp.ann --epochs 2 [--data-memory 0]\`, default heap):"
    # in the order A B B A (twice by default) so that a change of the machine's load hits both alike
    for rep in $(seq 1 "${REPS:-2}"); do
      run "in memory" "$work/mem.log" train "$root/examples/fashion_mlp.ann" --epochs 2 --out "$work/run-mem-$rep"
      run "streamed " "$work/str.log" train "$root/examples/fashion_mlp.ann" --epochs 2 --out "$work/run-str-$rep" --data-memory 0
      run "streamed " "$work/str.log" train "$root/examples/fashion_mlp.ann" --epochs 2 --out "$work/run-str2-$rep" --data-memory 0
      run "in memory" "$work/mem.log" train "$root/examples/fashion_mlp.ann" --epochs 2 --out "$work/run-mem2-$rep"
    done
    if diff <(grep -o 'epoch [0-9]*/[0-9]*  train_loss [0-9.]*  train_accuracy [0-9.%]*  val_loss [0-9.]*' "$work/mem.log") \
            <(grep -o 'epoch [0-9]*/[0-9]*  train_loss [0-9.]*  train_accuracy [0-9.%]*  val_loss [0-9.]*' "$work/str.log") >/dev/null; then
      echo "- same losses and accuracies every epoch: yes"
    else
      echo "- same losses and accuracies every epoch: NO"
    fi
  fi
  echo
  python3 - "$work" "$n" <<'PY'
import os, random, struct, sys
work, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
def write(name, count):
    labels = bytes(r.randrange(10) for _ in range(count))
    with open(os.path.join(work, name + "-images.idx"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, 28, 28))
        block = 10000
        for s in range(0, count, block):
            f.write(r.randbytes(min(block, count - s) * 784))
    with open(os.path.join(work, name + "-labels.idx"), "wb") as f:
        f.write(struct.pack(">II", 0x801, count))
        f.write(labels)
write("big", n)
write("small", 2000)
PY
  cat > "$work/big.ann" <<ANN
dataset Big {
    train idx("$work/big-images.idx", "$work/big-labels.idx")
    test idx("$work/small-images.idx", "$work/small-labels.idx")
    scale 1/255
    validation 5%
    classes "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"
}
network BigMLP {
    input [1, 28, 28]
    flatten
    dense(256) -> relu
    dense(10) -> softmax
}
train BigMLP on Big {
    loss cross_entropy
    optimizer adam(lr: 1e-3)
    batch 128
    epochs 1
    seed 1
}
ANN
  bytes=$(( n * 784 * 4 ))
  echo "synthetic IDX, $n pictures 28x28 ($(du -h "$work/big-images.idx" | cut -f1) on disk, $((bytes / 1048576)) MiB of training pictures as float32), 1 epoch, ANN_JAVA_OPTS=-Xmx512m:"
  ANN_JAVA_OPTS=-Xmx512m run "default budget" "$work/big.log" train "$work/big.ann" --out "$work/run-big"
  ANN_JAVA_OPTS=-Xmx512m run "forced into memory (--data-memory 4g)" "$work/big-mem.log" train "$work/big.ann" --out "$work/run-big-mem" --data-memory 4g
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a "$out"
