#!/usr/bin/env bash
# The single-op comparisons behind the runtime's choices (dev.ann.kernels.OpBench): ND4J's op
# against ann's way for batchnorm, maxpool, relu backward, Adam and conv1d, alternately in one JVM.
# Usage: bench/training/ops.sh [repetitions] [conv1d | flat | conv2d | dense | sparse]   (from the repository root; conv1d: only the
# conv1d comparison; flat: the plain Java batchnorm + relu and pooling against the ND4J ops they replaced;
# conv2d: fashion_cnn's four convolutions, ND4J NCHW against Im2col (the first) and NHWC; dense: xw_plus_b
# against a gemm and the bias, inputs a multiple of 16 and not; sparse: a dense layer's products with a batch
# mostly of zeros, the BLAS against SparseBatch)
# Results are appended to bench/training/ops-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cp="$(bench/classpath.sh)"
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  OMP_WAIT_POLICY=passive java -cp "$cp" dev.ann.kernels.OpBench "${1:-60}" ${2:-} 2>/dev/null
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/training/ops-results.md
