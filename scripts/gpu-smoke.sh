#!/usr/bin/env bash
# GPU smoke test: builds ann with ND4J's CUDA 11.6 backend, trains one epoch of
# examples/fashion_mlp.ann on the GPU, and prints the device and samples/s.
#
#   scripts/gpu-smoke.sh            (from anywhere; needs an NVIDIA GPU, its driver,
#                                    Java 17, Maven and the Fashion-MNIST files)
#
# The first run downloads the CUDA backend and the CUDA/cuDNN runtime
# (org.bytedeco:cuda redist, about 1.8 GB) into ~/.m2; later runs are offline.
# It builds into a copy of the repository's cli/target so that the CPU build
# in the checkout is left alone.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-smoke: no NVIDIA GPU visible (nvidia-smi -L fails); run this on a CUDA machine" >&2
  exit 3
fi
nvidia-smi -L

echo "gpu-smoke: building with -Pcuda,cuda-natives ..." >&2
rm -rf cli/target/lib    # no CPU backend jars left over next to the CUDA ones
mvn -B -q -Pcuda,cuda-natives -DskipTests -pl cli -am package
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cp -r cli/target/ann-cli.jar cli/target/lib "$out/"
# leave the checkout's CPU build as it was
rm -rf cli/target/lib
mvn -B -q -DskipTests -pl cli -am package >/dev/null 2>&1 || true

ANN_NO_RELAUNCH=1 java -jar "$out/ann-cli.jar" train examples/fashion_mlp.ann \
    --epochs 1 --device gpu --out "$out/run" | grep -E '^(device|training|epoch|wall)'
echo "--- summary"
grep -E '"(device|samples_per_s|wall_s)"' "$out/run/summary.json"
