#!/usr/bin/env bash
# bench/native-load-race/run.sh [RUNS]: how often the JVM crashed when oneDNN's library loaded on one thread
# while another used ND4J's buffers, before and after K.loadLibraries (runtime's test class LoadRace; its doc
# says what one run does). RUNS JVMs of each mode, alternating, with one busy process beside them (as in the
# suite's forks, which is where the crash was met); prints the crashes of each and appends them to RESULTS.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-40}"
cp="$("$here/../classpath.sh")"
yes > /dev/null & busy=$!
trap 'kill $busy 2>/dev/null || true' EXIT
lazy=0; atstart=0
work="$(mktemp -d)"
for i in $(seq 1 "$runs"); do
  (cd "$work" && java -cp "$cp" dev.ann.runtime.bench.LoadRace lazy >/dev/null 2>&1) || lazy=$((lazy + 1))
  (cd "$work" && java -cp "$cp" dev.ann.runtime.bench.LoadRace at-start >/dev/null 2>&1) || atstart=$((atstart + 1))
done
rm -rf "$work"
line="$(date -u +%Y-%m-%dT%H:%MZ) commit $(git -C "$here" rev-parse --short HEAD), $runs runs each: lazy $lazy crashed, at-start $atstart crashed (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$line"
echo "- $line" >> "$here/RESULTS.md"
