#!/usr/bin/env bash
# The CUDA build on a machine without a GPU (CI): builds ann with -Pcuda (ND4J's
# CUDA 11.6 backend beside the CPU one, without the 1.8 GB CUDA runtime) in a
# copy of the sources, then checks that
#   1. `ann train examples/iris.ann --device auto` takes the CPU, says why in one
#      line, and trains with the same numbers as the default (CPU-only) build
#      (metrics.csv without its timing columns, summary.json without wall time);
#   2. `--device cpu` does too;
#   3. `--device gpu` exits 1 and says what is missing;
#   4. `ann eval` of one checkpoint prints the same in both builds;
#   5. `ann doctor --json` reports both backends, the CPU chosen, and why;
# and that nothing it prints holds a stack trace.
#
#   scripts/cuda-build-check.sh      (Java 17, Maven; the first run downloads the
#                                     CUDA backend, about 610 MB, into ~/.m2)
#
# The default build's jar (cli/target/ann-cli.jar, made by `mvn -B verify`) is
# used as it is, or built when missing; the checkout's target folders are not
# touched by the CUDA build.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
start=$SECONDS
fail() { echo "cuda-build-check: FAIL: $*" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cpu_jar="$root/cli/target/ann-cli.jar"
if [ ! -f "$cpu_jar" ]; then
  echo "cuda-build-check: building the default (CPU) ann ..." >&2
  mvn -B -q -DskipTests -pl cli -am package
fi
if ls "$root/cli/target/lib" | grep -q nd4j-cuda; then
  fail "cli/target/lib holds nd4j-cuda jars: the default build must stay CPU-only"
fi

echo "cuda-build-check: building ann with -Pcuda in $work/src ..." >&2
mkdir -p "$work/src"
tar -C "$root" --exclude=./.git --exclude='./*/target' --exclude='*/node_modules' --exclude=./runs -cf - . | tar -C "$work/src" -xf -
t0=$SECONDS
(cd "$work/src" && mvn -B -q -Pcuda -DskipTests -pl cli -am package)
echo "cuda-build-check: -Pcuda build took $((SECONDS - t0)) s" >&2
cuda_jar="$work/src/cli/target/ann-cli.jar"
ls "$work/src/cli/target/lib" | grep -q '^nd4j-cuda-11.6-.*linux-x86_64.jar$' || fail "-Pcuda: no nd4j-cuda-11.6 natives in cli/target/lib"
ls "$work/src/cli/target/lib" | grep -q '^nd4j-native-.*-onednn.jar$' || fail "-Pcuda: the CPU backend (nd4j-native onednn) is not beside the CUDA one"
du -sh "$work/src/cli/target/lib" | sed 's/^/cuda-build-check: -Pcuda lib folder /' >&2

no_trace() { # no Java stack trace, no ExceptionInInitializerError/UnsatisfiedLinkError
  if grep -E $'^\tat |Exception|UnsatisfiedLinkError|Error: ' "$1" >/dev/null; then
    sed -n '1,40p' "$1" >&2
    fail "$2 printed a stack trace or a Java exception"
  fi
}

train() { # jar device out
  local rc=0
  java -jar "$1" train examples/iris.ann --device "$2" --seed 7 --out "$3" >"$3.log" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { cat "$3.log" >&2; fail "train --device $2 with $1 exited $rc"; }
  no_trace "$3.log" "train --device $2"
}
same_numbers() { # run-a run-b what
  cut -d, -f1-9 "$1/metrics.csv" >"$work/a.csv"
  cut -d, -f1-9 "$2/metrics.csv" >"$work/b.csv"
  head -1 "$work/a.csv" | grep -q '^epoch,lr,train_loss' || fail "metrics.csv has other columns than expected: $(head -1 "$1/metrics.csv")"
  diff "$work/a.csv" "$work/b.csv" >&2 || fail "$3: per-epoch metrics differ from the CPU build"
  grep -v -E '"(wall_s|samples_per_s)"' "$1/summary.json" >"$work/a.json"
  grep -v -E '"(wall_s|samples_per_s)"' "$2/summary.json" >"$work/b.json"
  diff "$work/a.json" "$work/b.json" >&2 || fail "$3: summary.json differs from the CPU build"
}

t0=$SECONDS
train "$cpu_jar" auto "$work/cpu"
train "$cuda_jar" auto "$work/auto"
grep -q '^device auto: CPU, no usable GPU: ' "$work/auto.log" || { cat "$work/auto.log" >&2; fail "auto did not say in one line that it took the CPU and why"; }
grep '^device auto:' "$work/auto.log" | sed 's/^/cuda-build-check: -Pcuda says: /' >&2
grep -q 'device cpu (nd4j native linux-x86_64-onednn' "$work/auto.log" || fail "auto did not train on the oneDNN CPU backend"
same_numbers "$work/cpu" "$work/auto" "--device auto"
train "$cuda_jar" cpu "$work/cpu2"
same_numbers "$work/cpu" "$work/cpu2" "--device cpu"
echo "cuda-build-check: iris trains with the same numbers on the CPU and the -Pcuda builds ($((SECONDS - t0)) s for three runs)" >&2
for b in cpu cuda; do
  jar="$cpu_jar"; [ "$b" = cuda ] && jar="$cuda_jar"
  java -jar "$jar" eval examples/iris.ann --checkpoint "$work/cpu/model.ckpt" >"$work/eval-$b.txt" 2>&1 || {
    cat "$work/eval-$b.txt" >&2; fail "eval with the $b build failed"; }
  no_trace "$work/eval-$b.txt" "eval ($b build)"
done
diff "$work/eval-cpu.txt" "$work/eval-cuda.txt" >&2 || fail "eval of one checkpoint differs between the CPU and the -Pcuda build"

set +e
java -jar "$cuda_jar" train examples/iris.ann --device gpu --out "$work/gpu" >"$work/gpu.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$work/gpu.log" >&2; fail "--device gpu on a machine without a GPU exited $rc, not 1"; }
grep -q '^error: --device gpu: ' "$work/gpu.log" || { cat "$work/gpu.log" >&2; fail "--device gpu did not say what is missing"; }
no_trace "$work/gpu.log" "--device gpu"
[ "$(wc -l <"$work/gpu.log")" -le 3 ] || { cat "$work/gpu.log" >&2; fail "--device gpu printed more than 3 lines"; }
sed 's/^/cuda-build-check: --device gpu says: /' "$work/gpu.log" >&2

java -jar "$cuda_jar" doctor --json >"$work/doctor.json" 2>"$work/doctor.err" || { cat "$work/doctor.err" >&2; fail "doctor exited non-zero"; }
no_trace "$work/doctor.err" "doctor"
grep -q '"nd4j-cuda-11.6 (GPU)"' "$work/doctor.json" || fail "doctor does not list the CUDA backend"
grep -q '"chosen": "cpu"' "$work/doctor.json" || fail "doctor does not say the CPU was chosen"
grep -q '"cuda backend in this build": true' "$work/doctor.json" || fail "doctor says the build has no CUDA backend"
grep -q '"why not": "' "$work/doctor.json" || fail "doctor does not say why the GPU cannot be used"

java -jar "$cuda_jar" doctor 2>&1 | sed 's/^/cuda-build-check: doctor: /' >&2

echo "cuda-build-check: OK in $((SECONDS - start)) s" >&2
