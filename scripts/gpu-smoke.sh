#!/usr/bin/env bash
# GPU smoke test: builds ann with ND4J's CUDA 11.6 backend and the CUDA/cuDNN
# runtime (-Pcuda,cuda-natives) in a copy of the sources, prints `ann doctor`,
# then trains one epoch of examples/fashion_mlp.ann with --device gpu and with
# --device cpu and prints the device and samples/s of each (for docs/training.md#gpu).
#
#   scripts/gpu-smoke.sh            (from anywhere; needs an NVIDIA GPU, its driver,
#                                    Java 17, Maven and the Fashion-MNIST files)
#
# The first run downloads the CUDA backend and the CUDA/cuDNN runtime
# (org.bytedeco:cuda redist, about 1.8 GB) into ~/.m2; later runs are offline.
# The checkout's own (CPU) build is left alone.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-smoke: no NVIDIA GPU visible (nvidia-smi -L fails); run this on a CUDA machine" >&2
  exit 3
fi
nvidia-smi -L
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "gpu-smoke: building with -Pcuda,cuda-natives in $out/src ..." >&2
mkdir -p "$out/src"
tar -C "$root" --exclude=./.git --exclude='./*/target' --exclude='*/node_modules' --exclude=./runs -cf - . | tar -C "$out/src" -xf -
(cd "$out/src" && mvn -B -q -Pcuda,cuda-natives -DskipTests -pl cli -am package)
jar="$out/src/cli/target/ann-cli.jar"

java -jar "$jar" doctor examples/fashion_mlp.ann
for device in gpu cpu; do
  echo "--- --device $device"
  java -jar "$jar" train examples/fashion_mlp.ann --epochs 1 --device "$device" --out "$out/run-$device" \
      | grep -E '^(device|training|epoch|wall)'
  grep -E '"(device|samples_per_s|wall_s)"' "$out/run-$device/summary.json"
done
