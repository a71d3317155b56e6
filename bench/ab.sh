#!/usr/bin/env bash
# bench/ab.sh REV ROUNDS FILE BATCH SECONDS [JAVA_OPTION ...]: StepBench on FILE, alternating the kernels and plan
# of commit REV (side A) with this checkout's (side B), ROUNDS times each, in one run; prints each run's line
# (samples/s, and the layer times with -Dann.layerTimes=true). Both sides run this checkout's StepBench and
# runtime, so only what the kernels and the plan do differs (a change to either module, or to a rule of the plan
# such as the threads or the halves).
#
#   bench/ab.sh HEAD~1 3 examples/reuters_corn.ann 32 8 -Dann.train=BagOfWords -Dann.realBatch=true
#
# REV is built in a git worktree, ${TMPDIR:-/tmp}/ann-ab-SHA (kept for the next call; `git worktree prune` after
# removing it). The classpath is
# bench/classpath.sh's, with every entry of this checkout's kernels/ and plan/ classes replaced by REV's:
# StepBench prints which kernels folder it ran, as a check that the sides differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 5 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
rev="$1" rounds="$2" file="$3" batch="$4" secs="$5"
shift 5
sha="$(git -C "$root" rev-parse --short "$rev")"
base="${TMPDIR:-/tmp}/ann-ab-$sha"
[ -d "$base" ] || git -C "$root" worktree add -q --detach "$base" "$sha"
(cd "$base" && mvn -B -o -q -pl kernels,plan -am compile >/dev/null)
cp_b="$("$root/bench/classpath.sh")"
cp_a="${cp_b//$root\/kernels\/target\/classes/$base/kernels/target/classes}"
cp_a="${cp_a//$root\/plan\/target\/classes/$base/plan/target/classes}"
[ "$cp_a" != "$cp_b" ] || { echo "ab.sh: the two classpaths are the same" >&2; exit 1; }
for r in $(seq "$rounds"); do
  for side in A B; do
    if [ "$side" = A ]; then cp="$cp_a"; label="$sha"; else cp="$cp_b"; label="this checkout"; fi
    echo "$side ($label):"
    OMP_WAIT_POLICY=passive ANN_NO_RELAUNCH=1 java -Dann.benchKernels=true "$@" -cp "$cp" \
      dev.ann.runtime.bench.StepBench "$root/$file" "$batch" "$secs" 2>&1 | grep -v '^WARN\|SLF4J\|^\s*$'
  done
done
