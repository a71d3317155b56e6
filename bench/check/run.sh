#!/usr/bin/env bash
# Cold wall time of `ann check` (a new JVM each run, as a user or an editor's
# task runner starts it). Writes bench/check/RESULTS.md.
# Needs hyperfine (apt-get install hyperfine). Run from anywhere:
#   bench/check/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
./ann --version >/dev/null            # builds the CLI if needed
out="$root/bench/check/RESULTS.md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

hyperfine --warmup 3 --runs 20 --export-markdown "$tmp/launcher.md" \
  './ann check examples/iris.ann' \
  './ann check examples/fashion_cnn.ann' \
  './ann plan examples/inception.ann' >/dev/null
hyperfine --warmup 3 --runs 20 --export-markdown "$tmp/java.md" \
  'java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar cli/target/ann-cli.jar check examples/iris.ann' \
  'java -jar cli/target/ann-cli.jar check examples/iris.ann' >/dev/null

{
  echo "# ann check: cold wall time"
  echo
  echo "Measured $(date -u +%Y-%m-%d) with \`bench/check/run.sh\` (hyperfine, 3 warm-ups, 20 runs)"
  echo "on $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "Other work on the machine at the time: $(uptime | sed 's/.*load average/load average/')."
  echo
  echo "Through the launcher (\`./ann\`, which also checks whether the build is stale):"
  echo
  cat "$tmp/launcher.md"
  echo
  echo "The JVM alone, with and without the launcher's start-up flags:"
  echo
  cat "$tmp/java.md"
} > "$out"
cat "$out"
