#!/usr/bin/env bash
# Where a training step's time goes: StepBench (forward, loss, backward, optimiser on random data in
# preallocated buffers) for fashion_mlp and fashion_cnn under Java Flight Recorder, with the
# per-layer timer on. Writes bench/peers/profiles/<network>.md: the milliseconds per step of each
# layer's forward and backward pass and of the optimiser, and the top frames of JFR's samples
# (Java frames and native methods: ND4J's ops run in native code called from Java), each also
# attributed to the first ann frame below it (which layer or kernel called it).
#
#   bench/peers/profile.sh [seconds]     (from anywhere; default 20 s a network)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
secs="${1:-20}"
cp="$(bench/classpath.sh)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/peers/profiles
for spec in "fashion_mlp 128 1" "fashion_cnn 64 2"; do
  set -- $spec # network, batch, OpenMP threads (what ann chooses for it: docs/training.md, "Threads")
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  OMP_WAIT_POLICY=passive OMP_NUM_THREADS="$3" java -Dann.layerTimes=true \
    -XX:StartFlightRecording=filename="$tmp/$1.jfr",settings=profile -Xlog:jfr+startup=off \
    -cp "$cp" dev.ann.runtime.bench.StepBench "examples/$1.ann" "$2" "$secs" 2>/dev/null >"$tmp/$1.txt"
  jfr print --stack-depth 64 --events jdk.ExecutionSample,jdk.NativeMethodSample "$tmp/$1.jfr" >"$tmp/$1.events"
  {
    echo "# $1: where a training step's time goes"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels runtime || echo ' (with uncommitted changes)'), $(nproc) cores, OMP_NUM_THREADS=$3, batch $2; load average before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg). Made by \`bench/peers/profile.sh $secs\`."
    echo
    echo '```'
    grep -v '^WARN' "$tmp/$1.txt"
    echo '```'
    echo
    /usr/bin/python3 - "$tmp/$1.events" <<'EOF'
import collections, re, sys
events, cur = [], None
for line in open(sys.argv[1]):
    s = line.strip()
    if s.startswith("jdk.ExecutionSample") or s.startswith("jdk.NativeMethodSample"):
        cur = {"kind": s.split()[0], "frames": []}
        events.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)\s+line:", s):
        cur["frames"].append(s.split("(")[0])
    elif cur is not None and s.startswith("...") is False and re.match(r"^[\w$.<>]+\(", s):
        cur["frames"].append(s.split("(")[0])
# the training steps' samples (the training thread's and the optimiser helper's): those with a kernels frame
# (compiling the file and loading the data before the loop are left out)
steps = [e for e in events if any(f.startswith("dev.ann.kernels.") and ".init" not in f for f in e["frames"])]
# JFR's profile settings sample running Java code every 10 ms and native methods every 20 ms: a native sample counts twice
weight = lambda e: 2 if e["kind"] == "jdk.NativeMethodSample" else 1
n = sum(weight(e) for e in steps)
top = collections.Counter()
for e in steps:
    top[e["frames"][0]] += weight(e)
def owner(e):
    for f in e["frames"]:
        if f.startswith("dev.ann.kernels.") and not f.startswith("dev.ann.kernels.K."):
            return f.replace("dev.ann.kernels.", "")
    return "(outside the kernels)"
own = collections.Counter()
for e in steps:
    own[owner(e)] += weight(e)
print(f"{len(steps)} samples in the training steps (JFR's ExecutionSample, every 10 ms, and NativeMethodSample, every 20 ms and so counted twice; "
      "a native frame is time inside an ND4J op; the training thread and the optimiser's helper thread).")
print()
print("| top frame | share |")
print("|---|---|")
for f, c in top.most_common(12):
    print(f"| `{f}` | {100 * c / max(n, 1):.1f}% |")
print()
print("| the kernel method the sample is in (innermost ann frame) | share |")
print("|---|---|")
for f, c in own.most_common(15):
    print(f"| `{f}` | {100 * c / max(n, 1):.1f}% |")
EOF
  } >"bench/peers/profiles/$1.md"
  echo "wrote bench/peers/profiles/$1.md" >&2
done
