#!/usr/bin/env python3
"""The time model of docs/cluster.md, filled with the figures measured on this machine.

    T_epoch(W, k) = nb / (W k) rounds x (k t_batch + t_round + 2 W B / bandwidth),  k at most nb / W

nb: batches per epoch (54,000 training samples of Fashion-MNIST / batch); t_batch: one step here (measured);
t_round: Spark's fixed cost of a round (a job: broadcast, two tasks, collect; measured); B: bytes one task
moves each way per round (parameters + Adam's two state arrays, float32: 12 bytes a parameter); the
driver's link carries the broadcast and the collect of all W tasks (2 W B). Synchronous gradient
averaging is the same with k = 1 and B = 4 bytes a parameter (the gradient alone), every step.

Usage: python3 bench/cluster/scaling.py T_ROUND_SECONDS  (prints the markdown tables)
"""
import sys

t_round = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
models = [
    # name, parameters, batch, t_batch seconds (measured, see RESULTS.md)
    ("fashion_mlp", 235_146, 128, 128 / 16_800),
    ("fashion_cnn", 96_746 + 384, 64, 64 / 295),
    ("25M MLP", 24_925_082, 128, None),
]
if len(sys.argv) > 2:
    models[2] = (models[2][0], models[2][1], models[2][2], float(sys.argv[2]))
train = 54_000
workers = [1, 2, 4, 8, 16, 32, 64]
links = [("1 Gbit/s", 125e6), ("10 Gbit/s", 1.25e9)]


def epoch(p, batch, tb, w, k, bw, per_param=12, tr=t_round):
    nb = -(-train // batch)
    k = min(k, -(-nb // w))          # a task never has more than its share of the epoch's batches
    rounds = -(-nb // (w * k))
    b = per_param * p
    return rounds * (k * tb + tr + 2 * w * b / bw)


def fmt(s):
    return f"{s:,.0f} s" if s >= 10 else f"{s:.1f} s"


for name, p, batch, tb in models:
    if tb is None:
        continue
    local = -(-train // batch) * tb
    print(f"\n**{name}** ({p:,} parameters, batch {batch}, t_batch {tb * 1000:.1f} ms, "
          f"{12 * p / 1e6:.2f} MB each way per task and round; one machine without Spark: {fmt(local)} an epoch)\n")
    print("| workers | " + " | ".join(f"k={k}, {l}" for k in (1, 8, 64) for l, _ in links) + " |")
    print("|---|" + "---|" * 6)
    for w in workers:
        cells = [fmt(epoch(p, batch, tb, w, k, bw)) for k in (1, 8, 64) for _, bw in links]
        print(f"| {w} | " + " | ".join(cells) + " |")
    g = [fmt(epoch(p, batch, tb, w, 1, bw, per_param=4)) for w in (2, 8, 64) for _, bw in links]
    print(f"\nsynchronous gradient averaging (every step, 4 bytes a parameter), W = 2, 8, 64 on 1 / 10 Gbit/s: "
          + ", ".join(g))
