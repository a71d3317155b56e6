#!/usr/bin/env bash
# ann against PyTorch and DL4J on the examples' own networks, alternating in one run.
#
#   bench/peers/run.sh [rounds]        (from anywhere; default 3 rounds; appends to bench/peers/RESULTS.md)
#
# Each round trains every network with each contender in turn, the order rotating from round to round
# so that the machine's load hits all alike:
#   ann      `ann train FILE [--train NAME] --epochs 4` as a user runs it: the median of the samples/s ann
#            reports for epochs 2 to 4 (metrics.csv; epoch 1 carries the JIT's warm-up, and the corn and CO2
#            epochs last 0.1-0.7 s, so that one epoch alone scatters by a third from run to run); epoch 2
#            alone is reported beside it, as the blocks before 2026-12-02 14:00Z took it; inference: `ann eval` on the test
#            split (10,000 pictures; 604 stories; 290 windows), end to end (JVM start, data, forward passes, metrics);
#   PyTorch  bench/peers/torch_twins.py (Debian's python3-torch) with 1 and with 2 threads, the better
#            counts; STEPS timed steps after WARM untimed ones; inference: forward passes over the test set,
#            and a whole process that loads the test set and runs them, timed as `ann eval` is. Its OpenMP
#            threads wait passively (OMP_WAIT_POLICY=passive, as ann's relaunch and the DL4J twin set it):
#            spinning, the 2-thread run fought OpenBLAS's own pool of two and lost (fashion_mlp 5.4-7.8k samples/s
#            against 13.9-16.0k passive; blocks before commit b60d9fe ran it spinning, the first passive one is 2026-12-05 03:36Z); its products run on
#            OpenBLAS's pool either way (docs/training.md, "Against PyTorch and DL4J");
#   DL4J     bench/peers/java (a bench-only Maven project, not a module of the root pom) Dl4jTwins,
#            MultiLayerNetwork (the transformer: ComputationGraph) on the ND4J that ann uses, with 1 and with 2
#            OpenMP threads, the better counts.
# The sequence examples' twins (reuters_corn conv and BagOfWords, co2 lstm, transformer) train on the data ann
# itself prepares: bench/peers/prepare/PeersData.java (ann's compiler and runtime Pipeline: the tokenizer fitted
# on the training split, the validation hold-out, the windows by time, relative and normalised) writes it once
# as raw float32/int32 files that both twins read, so all three see the same samples. Where DL4J differs:
# its transformer's layernorm is a SameDiffLayer (DL4J 1.0.0-M2.1 has no layernorm layer), its learned position
# code a second EmbeddingSequenceLayer over the ids 0..T-1, dropout an identity ActivationLayer with dropOut
# (its DropoutLayer fails on masked [n, F, T] input), and its attention projections have no biases; its LSTM has
# one bias vector where ann and PyTorch have two that add up (see SeqTwins and RESULTS.md).
# Then the peak: square GEMMs through ND4J (bench/peers/java Peak) with 1 and 2 threads; every
# training figure is also given as a share of the better of the two, with the FLOPs per sample to train
# that `ann plan` prints.
# Needs Debian's dataset-fashion-mnist and python3-torch (and libopenblas0-pthread); Maven resolves
# DL4J for the bench project on its first run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
rounds="${1:-3}"
py=/usr/bin/python3
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# The networks: name | ann file | ann train options | twin name (torch_twins.py MODELS or SEQ, Dl4jTwins) | timed
# steps | warm steps | prepared data: the train block PeersData writes for the twins (- the file's only one;
# empty: the twin reads its data itself) | DL4J's timed and warm steps where they differ from PyTorch's (its
# fashion_cnn step takes 1.5-2.5 s). An epoch of the corn stories is 44 batches, of the CO2 windows 49.
# fashion_cnn: since 2026-12-04 ann trains 10% of the samples (profile steady: 85 steps an epoch, epochs 2-4 are
# steps 86-340) and PyTorch times 60 steps after 5; the blocks before took 2% (profile bench: 17 steps an epoch,
# epochs 2-4 steps 18-68, still in the JIT's warm-up) and 20 steps after 3, and their ratio scattered from
# 1.08 to 2.03 by round.
MODELS=(
  "fashion_mlp|examples/fashion_mlp.ann||mlp|300|20|"
  "fashion_cnn|bench/peers/fashion_cnn_short.ann|--profile steady|cnn|60|5||20|3"
  "corn_conv|examples/reuters_corn.ann|--train conv|conv|44|10|conv"
  "corn_bag|examples/reuters_corn.ann|--train BagOfWords|bag|88|10|BagOfWords"
  "co2_lstm|examples/co2.ann|--train lstm|lstm|44|10|lstm"
  "transformer|examples/transformer.ann||transformer|16|3|-"
)
# PEERS_ONLY=prefix: the lines whose name starts with it, a grep pattern ('corn_\|co2_' for several: each
# alternative a prefix of a name); a line is kept whole, its options hold spaces
[ -n "${PEERS_ONLY:-}" ] && mapfile -t MODELS < <(printf '%s\n' "${MODELS[@]}" | grep "^\(${PEERS_ONLY}\)[^|]*|")

[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { echo "run.sh: needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)" >&2; exit 2; }
"$py" -c 'import torch' 2>/dev/null || { echo "run.sh: needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }

echo "building ann and the bench project..." >&2
./ann check examples/fashion_mlp.ann >/dev/null
(cd bench/peers/java && mvn -B -q package dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null)
jcp="bench/peers/java/target/ann-bench-peers-0.1.0-SNAPSHOT.jar:$(cat bench/peers/java/target/cp.txt)"
# ann runs as users run it, through the ./ann launcher (its JVM options and class-data archive, made on its first
# train here from examples/iris.ann), from a copy of the launcher and the built command line, so that edits to the
# sources during the run change nothing (the copy has no sources, so the launcher never rebuilds it). Until
# 2026-12-04 16:00Z the blocks ran `java -jar ann-cli.jar` without the archive (epochs 2-4 of reuters_corn's
# BagOfWords about 13% slower than through ./ann).
mkdir -p "$out/ann/cli/target" "$out/ann/examples"
cp -r cli/target/ann-cli.jar cli/target/lib "$out/ann/cli/target/"
cp ann "$out/ann/" && cp examples/iris.ann examples/iris.csv "$out/ann/examples/"
ann() { "$out/ann/ann" "$@"; }
# the sequence twins' data, prepared once by ann's own code
for m in "${MODELS[@]}"; do
  IFS='|' read -r name file _ _ _ _ block _ <<<"$m"
  [ -z "$block" ] && continue
  java -cp "$out/ann/cli/target/ann-cli.jar" bench/peers/prepare/PeersData.java "$file" "$block" "$out/data-$name" >/dev/null \
    || { echo "run.sh: could not prepare the data of $name" >&2; exit 1; }
done
data() { [ -d "$out/data-$1" ] && echo "$out/data-$1" || true; } # name: the prepared data's folder, or nothing

log="$out/log.txt"
ann_run() { # name file options round
  local dir="$out/$1-$4"
  # shellcheck disable=SC2086
  ann train "$2" $3 --epochs 4 --out "$dir" >"$dir.log" 2>&1 || { tail -5 "$dir.log" >&2; return 1; }
  local sps sps2; sps="$(awk -F, 'NR > 2 {print $NF}' "$dir/metrics.csv" | sort -g | sed -n 2p)" # the median of epochs 2-4
  sps2="$(awk -F, 'NR == 3 {print $NF}' "$dir/metrics.csv")"
  echo "$1 ann train_loss by epoch: $(awk -F, 'NR > 1 {printf "%s ", $3}' "$dir/metrics.csv")" >>"$out/twins.txt"
  local t0 t1; t0="$(date +%s.%N)"
  # shellcheck disable=SC2046
  ann eval "${2/bench\/peers\/fashion_cnn_short.ann/examples/fashion_cnn.ann}" $(grep -o -- '--train [^ ]*' <<<"$3" || true) \
    --checkpoint "$dir/model.ckpt" --json >"$dir.eval" 2>&1
  t1="$(date +%s.%N)"
  echo "$1 ann train $sps infer $(echo "$(jq -r .n "$dir.eval") / ($t1 - $t0)" | bc -l)" | tee -a "$log"
  echo "$1 annep2 train $sps2 infer 0" | tee -a "$log"
}
torch_run() { # name twin steps warm threads
  local d=(); [ -n "$(data "$1")" ] && d=(--data "$(data "$1")")
  local j; j="$(OMP_WAIT_POLICY=passive "$py" bench/peers/torch_twins.py "$2" "${d[@]}" --threads "$5" --steps "$3" --warm "$4")"
  echo "$1 torch$5 $j" >>"$out/twins.txt"
  local t0 t1 e; t0="$(date +%s.%N)"
  e="$(OMP_WAIT_POLICY=passive "$py" bench/peers/torch_twins.py "$2" "${d[@]}" --threads "$5" --eval-only)"
  t1="$(date +%s.%N)"
  echo "$1 torch$5 train $(jq -r .train_samples_per_s <<<"$j") infer $(jq -r .infer_samples_per_s <<<"$j") e2e $(echo "$(jq -r .samples <<<"$e") / ($t1 - $t0)" | bc -l)" | tee -a "$log"
}
dl4j_run() { # name twin steps warm threads
  local j; j="$(OMP_NUM_THREADS="$5" OMP_WAIT_POLICY=passive java -cp "$jcp" dev.ann.bench.peers.Dl4jTwins "$2" "$3" "$4" $(data "$1") 2>/dev/null | tail -1)"
  echo "$1 dl4j$5 $j" >>"$out/twins.txt"
  echo "$1 dl4j$5 train $(jq -r .train_samples_per_s <<<"$j") infer $(jq -r .infer_samples_per_s <<<"$j")" | tee -a "$log"
}

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
for r in $(seq "$rounds"); do
  for m in "${MODELS[@]}"; do
    IFS='|' read -r name file opts twin steps warm _ dsteps dwarm <<<"$m"
    dsteps="${dsteps:-$steps}" dwarm="${dwarm:-$warm}"
    runs=("ann_run $name $file '$opts' $r" "torch_run $name $twin $steps $warm 1" "torch_run $name $twin $steps $warm 2"
          "dl4j_run $name $twin $dsteps $dwarm 1" "dl4j_run $name $twin $dsteps $dwarm 2")
    k=${#runs[@]}
    for i in $(seq 0 $((k - 1))); do # round r starts with contender r-1: none always runs first
      eval "${runs[$(((i + r - 1) % k))]}"
    done
  done
done
peak1="$(OMP_NUM_THREADS=1 java -cp "$jcp" dev.ann.bench.peers.Peak 2>/dev/null | tail -1)"
peak2="$(OMP_NUM_THREADS=2 java -cp "$jcp" dev.ann.bench.peers.Peak 2>/dev/null | tail -1)"
flops=""
for m in "${MODELS[@]}"; do
  IFS='|' read -r name file opts _ <<<"$m"
  # shellcheck disable=SC2086
  flops="$flops $name=$(ann plan "$file" $opts | sed -n 's/.*about \([0-9,]*\) to train.*/\1/p' | tr -d ,)"
done

{
  echo "## $started, commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels runtime || echo ' (with uncommitted changes)'), $(nproc) cores, $rounds rounds"
  echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  mhz="$(grep -m1 'cpu MHz' /proc/cpuinfo | awk '{print $4}')"
  # float32 FLOP a cycle with two FMA pipes: 32 with AVX2's 8 lanes, 64 with AVX-512's 16 (a single thread measured
  # 130 GFLOP/s at 2.3 GHz on an AVX-512 machine, more than 32 a cycle allow)
  if grep -qw avx512f /proc/cpuinfo; then fpc=64 isa=AVX-512; else fpc=32 isa=AVX2; fi
  echo "peak (ND4J GEMM, GFLOP/s): 1 thread $peak1; 2 threads $peak2. Nominal: $(nproc) cores x $mhz MHz x $fpc FLOP a cycle ($isa, two FMA pipes) = $(echo "$(nproc) * $mhz * $fpc / 1000" | bc) GFLOP/s"
  echo
  "$py" - "$log" "$peak1" "$peak2" "$flops" <<'EOF'
import json, statistics, sys
log, flops = sys.argv[1], dict(f.split("=") for f in sys.argv[4].split())
peak = max(json.loads(sys.argv[2])["peak_gflops"], json.loads(sys.argv[3])["peak_gflops"])
runs = {}
for line in open(log):
    f = line.split()
    name, who, train, infer = f[0], f[1], f[3], f[5]
    runs.setdefault(name, {}).setdefault(who, []).append((float(train), float(infer)))
    if len(f) > 7:
        runs[name].setdefault(who + "e2e", []).append((0.0, float(f[7])))
med = lambda v: statistics.median(v)
print("| network | ann samples/s (epochs 2-4) | ann, epoch 2 alone | PyTorch (best of 1, 2 threads) | DL4J (best of 1, 2 threads) | ann/PyTorch | ann/DL4J | share of the peak: ann, PyTorch, DL4J | inference samples/s, end to end (process start, data, forward passes): `ann eval`, PyTorch | inference, forward passes only: PyTorch, DL4J |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, w in runs.items():
    tr = {k: med([t for t, _ in v]) for k, v in w.items()}
    inf = {k: med([i for _, i in v]) for k, v in w.items()}
    torch = max(("torch1", "torch2"), key=lambda k: tr.get(k, 0))
    dl4j = max(("dl4j1", "dl4j2"), key=lambda k: tr.get(k, 0))
    share = lambda sps: f"{100 * sps * int(flops[name]) / (peak * 1e9):.1f}%"
    print(f"| {name} | {tr['ann']:,.0f} | {tr['annep2']:,.0f} | {tr[torch]:,.0f} ({torch[-1]} thr) | {tr[dl4j]:,.0f} ({dl4j[-1]} thr) "
          f"| {tr['ann'] / tr[torch]:.2f} | {tr['ann'] / tr[dl4j]:.2f} | {share(tr['ann'])}, {share(tr[torch])}, {share(tr[dl4j])} "
          f"| {inf['ann']:,.0f}, {inf[torch + 'e2e']:,.0f} | {inf[torch]:,.0f}, {inf[dl4j]:,.0f} |")
print()
print(f"medians over the rounds; shares of the measured GEMM peak, {peak:.1f} GFLOP/s (the better thread count); FLOPs per sample to train (ann plan): " + ", ".join(f"{k} {int(v):,}" for k, v in flops.items()))
EOF
  echo
  echo '<details><summary>every run</summary>'
  echo
  echo '```'
  cat "$log"
  echo '```'
  echo '</details>'
  echo
  echo '<details><summary>what each learned: ann'"'"'s training loss by epoch; each twin'"'"'s JSON line (mean loss over its first and last steps, the test figure after them)</summary>'
  echo
  echo '```'
  cat "$out/twins.txt"
  echo '```'
  echo '</details>'
  echo
} | tee -a bench/peers/RESULTS.md
