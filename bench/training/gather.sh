#!/usr/bin/env bash
# Gathering shuffled batches of 128 samples, in memory vs streamed, per kind of source (no training: the
# prefetch thread's work alone). Best of 3 passes. Usage: bench/training/gather.sh (from the repository root).
# Appends to bench/training/stream-results.md with the machine's load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -o -q -pl runtime -am compile
cp="runtime/target/classes:kernels/target/classes:plan/target/classes:compiler/target/classes:grammar/target/classes"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo "## gather.sh $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  java -cp "$cp" bench/training/GatherBench.java "$work"
  echo '```'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} | tee -a bench/training/stream-results.md
