#!/usr/bin/env bash
# The README's promise, tested: on a fresh clone, without the system packages
# that some tests use, the README's two commands work.
#
#   scripts/fresh-clone-test.sh        (as root: it needs `unshare -m`)
#
# Clones the committed HEAD of this repository into a temporary folder, then,
# in a mount namespace of its own where
#   - /usr/share/datasets is an empty folder (Debian's dataset-fashion-mnist
#     and the other dataset packages are not there),
#   - nvim and chromium are not executable (Neovim's and VS Code's end-to-end
#     tests skip; ANN_VSCODE_E2E is unset as well),
# runs the README's commands in the clone:
#   ./ann train examples/iris.ann      (builds ann first; its output must hold no ANSI escapes)
#   mvn -B verify                      (offline, -o: Maven reads ~/.m2 and downloads nothing)
# The rest of the machine is as it was; nothing of the namespace outlives it.
# Maven's local repository must hold what the build needs: run it after a
# build (.ci/run runs it after the full suite). Uncommitted changes are not
# part of the clone: commit first.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
say() { echo "[fresh-clone-test] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "needs root for its mount namespace (unshare -m); run it as root, or with sudo"
  exit 2
fi
for tool in git mvn unshare mount java; do
  command -v "$tool" >/dev/null || { say "needs $tool on PATH"; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/ann-fresh-clone.XXXXXX")"
# A JVM that crashes writes hs_err_pid*.log into its working folder, inside the clone: keep those, and the
# first command's output, before the clone goes (two such crashes on 2026-12-05 left nothing to read).
keep_crashes() {
  local found
  found="$(find "$work" -name 'hs_err_pid*.log' 2>/dev/null)"
  if [ -n "$found" ]; then
    mkdir -p /tmp/ann-fresh-clone-crashes
    cp $found "$work"/train.out "$work"/train.err /tmp/ann-fresh-clone-crashes/ 2>/dev/null || true
    echo "[fresh-clone-test] a JVM crashed: its hs_err files are in /tmp/ann-fresh-clone-crashes" >&2
  fi
  rm -rf "$work"
}
trap keep_crashes EXIT
head="$(git -C "$repo" rev-parse HEAD)"
say "cloning $head into $work/ann"
git clone -q --no-checkout "$repo" "$work/ann"
git -C "$work/ann" checkout -q --detach "$head"

# Runs in the namespace: its mounts are private to it (unshare makes them so)
# and vanish when it ends.
cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
say() { echo "[fresh-clone-test] $*" >&2; }
clone="$1"; logs="$2"
# No-op where the folder does not exist: there is nothing to hide then, and
# creating it would change the machine.
if [ -d /usr/share/datasets ]; then mount -t tmpfs -o size=1m,mode=0755 ann-no-datasets /usr/share/datasets; fi
for tool in nvim chromium; do
  while p="$(command -v "$tool")" && [ -x "$p" ]; do
    mount --bind /dev/null "$(readlink -f "$p")"
    hash -r
  done
done
say "hidden: /usr/share/datasets has $(ls -A /usr/share/datasets 2>/dev/null | wc -l) entries, nvim and chromium are not executable"
unset ANN_VSCODE_E2E
cd "$clone"
say "./ann train examples/iris.ann"
rc=0
./ann train examples/iris.ann --out "$logs/runs" >"$logs/train.out" 2>"$logs/train.err" || rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$logs/train.err" >&2
  say "FAILED: ./ann train examples/iris.ann exited with $rc"
  exit 1
fi
esc="$(printf '\033')"
if grep -q "$esc" "$logs/train.out" "$logs/train.err"; then
  grep -n "$esc" "$logs/train.out" "$logs/train.err" | cat -v | head -n 5 >&2
  say "FAILED: ./ann printed ANSI escape codes"
  exit 1
fi
if [ -z "$(find "$logs/runs" -name summary.json 2>/dev/null)" ]; then
  tail -n 20 "$logs/train.out" >&2
  say "FAILED: ./ann train wrote no summary.json under --out"
  exit 1
fi
say "mvn -B -o verify"
mvn -B -o verify
INSIDE
start=$(date +%s)
unshare -m --propagation private bash "$work/inside.sh" "$work/ann" "$work"
say "passed in $(( $(date +%s) - start )) s: a fresh clone trains iris and passes mvn -B verify without /usr/share/datasets, nvim and chromium"
