#!/usr/bin/env bash
# Issue 17's fuzz benchmark: N seeded mutations of the examples through `ann check`, `ann fmt --check` and
# one language server over bytes (every eighth with a broken Content-Length). Writes bench/fuzz/last-run.txt
# (updated every 250 mutations); copy its line into RESULTS.md. Usage: bench/fuzz/run.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
SEED="${2:-20261202}"
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}"
mvn -B -q ${MVN_FLAGS:-} -pl cli -am verify -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dann.fuzz.mutations="$N" -Dann.fuzz.seed="$SEED" -Dann.fuzz.report="$PWD/bench/fuzz/last-run.txt"
cat bench/fuzz/last-run.txt
