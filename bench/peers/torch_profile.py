#!/usr/bin/python3
"""Where PyTorch's step goes: the twin of examples/fashion_mlp.ann or fashion_cnn.ann (bench/peers/torch_twins.py)
trained on one random batch, its steady ms a step, then torch.profiler's table of the ops' own CPU time over
ten steps (with the profiler's overhead), to set beside ann's layer timer (StepBench -Dann.layerTimes=true).

    /usr/bin/python3 bench/peers/torch_profile.py mlp|cnn [--threads N] [--steps S]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_twins as twins  # noqa: E402  (the twins themselves, not a copy)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=list(twins.MODELS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=40, help="timed steps for the steady figure")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    make, batch, lr0, _, _ = twins.MODELS[a.model]
    net = make()
    twins.init(net)
    opt = torch.optim.Adam(net.parameters(), lr=lr0, betas=(0.9, 0.999), eps=1e-8)
    x, y = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    for _ in range(10):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t) / a.steps * 1e3
    print(f"{a.model}, batch {batch}, {a.threads} threads: {ms:.2f} ms a step ({batch / ms * 1e3:.0f} samples/s)")
    with profile(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(10):
            step()
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


if __name__ == "__main__":
    main()
