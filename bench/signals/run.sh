#!/usr/bin/env bash
# How fast `ann train` stops: SIGTERM / SIGINT after the first epoch (the time
# from the signal to the "interrupted at" line, which follows the checkpoint,
# and from that line to the exit), and how long a relaunched training JVM
# outlives its parent's kill -9. Needs cli/target/ann-cli.jar
# (mvn -B -pl cli -am package -DskipTests). Usage: bench/signals/run.sh [RUNS]
set -euo pipefail
set -m # job control: background jobs get their own process group and do not ignore SIGINT
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/cli/target/ann-cli.jar"
runs="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/examples/iris.ann" "$root/examples/iris.csv" "$work/"
now() { date +%s.%N; }

# starts ann train in the background, its stdout lines stamped into $work/log; sets pid
start() {
  rm -rf "$work/run" "$work/log"
  ( env -u OMP_WAIT_POLICY -u OMP_NUM_THREADS "$@" java -jar "$jar" train "$work/iris.ann" \
      --epochs 100000 --out "$work/run" 2>"$work/err" | while IFS= read -r l; do echo "$(now) $l"; done >"$work/log" ) &
  sleep 0.2
  pid=$(pgrep -f -o "ann-cli.jar train $work/iris.ann" || true) # the oldest: ann itself, not the JVM it relaunches
  for _ in $(seq 600); do grep -q " epoch 2/" "$work/log" 2>/dev/null && return; sleep 0.05; done
  echo "no second epoch after 30 s" >&2; exit 1
}

echo "# $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for sig in TERM INT; do
  for i in $(seq "$runs"); do
    start ANN_NO_RELAUNCH=1
    t0=$(now); kill -"$sig" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
    t2=$(now); wait || true
    t1=$(grep " interrupted at" "$work/log" | cut -d' ' -f1)
    files=$(cd "$work/run" && ls checkpoints/last.ckpt metrics.csv curves.png summary.json report.md 2>/dev/null | wc -l)
    printf 'SIG%s run %d: signal -> "interrupted at" %.3f s, -> exit %.3f s; %d of 5 files\n' "$sig" "$i" \
      "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$files"
  done
done
for i in $(seq "$runs"); do
  start
  child=$(pgrep -P "$pid" java || true)
  [ -n "$child" ] || { echo "ann did not relaunch itself" >&2; exit 1; }
  t0=$(now); kill -9 "$pid"
  while kill -0 "$child" 2>/dev/null; do sleep 0.01; done
  t1=$(now); wait || true
  printf 'kill -9 of the parent, run %d: the child ended %.3f s later; last.ckpt %s\n' "$i" "$(echo "$t1 - $t0" | bc)" \
    "$([ -f "$work/run/checkpoints/last.ckpt" ] && echo written || echo missing)"
done
