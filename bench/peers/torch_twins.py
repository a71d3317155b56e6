#!/usr/bin/python3
"""PyTorch twins of examples/fashion_mlp.ann and examples/fashion_cnn.ann, for bench/peers/run.sh.

Same data as ann: Debian's dataset-fashion-mnist, pixels scaled by 1/255, 10% of the training
file held out for validation with ann's own split (Seeds.permutation over java.util.Random(seed + 1),
the last 10% of the permutation), the same batch, optimiser (Adam, ann's lr, betas 0.9/0.999, eps 1e-8),
the same cosine schedule per batch, He-normal weights and zero biases, batchnorm momentum 0.9 in
ann's convention (0.1 in PyTorch's), dropout as in the file. Samples are shuffled each epoch.

Prints one JSON line: training samples/s over the timed epochs (the first WARM steps are left out
of the timing), and inference samples/s over the test set in eval mode (batch 1000, no_grad).

    /usr/bin/python3 bench/peers/torch_twins.py mlp|cnn [--threads N] [--steps S] [--warm W]
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


class JavaRandom:
    """java.util.Random, enough of it for Seeds.permutation (nextInt(bound))."""

    def __init__(self, seed):
        self.s = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.s = (self.s * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        r = self.s >> (48 - bits)
        return r - (1 << bits) if r >= 1 << (bits - 1) else r  # as a signed int

    def next_int(self, bound):
        if bound & (-bound) == bound:
            return (bound * (self.next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self.next(31) & 0x7FFFFFFF
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def permutation(n, rnd):
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rnd.next_int(i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(seed=7, validation=0.1):
    x = idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    n = len(x)
    nv = round(n * validation)
    perm = permutation(n, JavaRandom(seed + 1))
    train = sorted(perm[: n - nv])
    xt = idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    yt = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return t(x[train]).unsqueeze(1), t(y[train]), t(xt).unsqueeze(1), t(yt)


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o, eps=1e-5, momentum=0.1), nn.ReLU()]
    return nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 7 * 7, 10))


# name -> (network, batch, lr, cosine warm-up epochs, epochs)
MODELS = {"mlp": (mlp, 128, 1e-3, 0, 20), "cnn": (cnn, 64, 2e-3, 1, 12)}


def init(net):
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")  # std sqrt(2 / fan_in)
            nn.init.zeros_(m.bias)


def cosine(lr0, t, warmup, epochs):  # kernels/Schedule.java's cosine
    if t < warmup:
        return lr0 * (t + 1e-3) / warmup
    span = max(1e-9, epochs - warmup)
    return lr0 * 0.5 * (1 + math.cos(math.pi * min(1.0, (t - warmup) / span)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=MODELS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=400, help="timed training steps")
    ap.add_argument("--warm", type=int, default=30, help="untimed steps first")
    ap.add_argument("--eval-only", action="store_true",
                    help="only the test set's forward passes (an untrained net): run.sh times the whole process, "
                         "start and data loading included, as it times `ann eval`")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    make, batch, lr0, warmup, epochs = MODELS[a.model]
    if a.eval_only:
        xt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
        yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
        net = make()
        init(net)
        net.eval()
        with torch.no_grad():
            correct = sum((net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item() for i in range(0, len(xt), 1000))
        print(json.dumps({"model": a.model, "eval_only": True, "samples": len(xt), "correct": correct}))
        return
    x, y, xt, yt = load()
    net = make()
    init(net)
    opt = torch.optim.Adam(net.parameters(), lr=lr0, betas=(0.9, 0.999), eps=1e-8)
    n = len(x)
    nb = n // batch + (1 if n % batch else 0)
    net.train()
    step, t0, timed = 0, None, 0
    done = False
    for e in range(epochs):
        order = torch.randperm(n)
        for b in range(nb):
            if step == a.warm:
                t0, timed = time.perf_counter(), 0
            ib = order[b * batch: (b + 1) * batch]
            xb, yb = x[ib], y[ib]
            for g in opt.param_groups:
                g["lr"] = cosine(lr0, e + b / nb, warmup, epochs)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            timed += len(ib)
            step += 1
            if step == a.warm + a.steps:
                done = True
                break
        if done:
            break
    train_sps = timed / (time.perf_counter() - t0)
    net.eval()
    with torch.no_grad():
        net(xt[:1000])
        t1 = time.perf_counter()
        correct = 0
        for i in range(0, len(xt), 1000):
            correct += (net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
        infer_sps = len(xt) / (time.perf_counter() - t1)
    print(json.dumps({"model": a.model, "threads": a.threads, "batch": batch, "train_samples_per_s": round(train_sps, 1),
                      "timed_steps": a.steps, "infer_samples_per_s": round(infer_sps, 1),
                      "test_accuracy_after_timed_steps": correct / len(xt), "loss": round(loss.item(), 4)}))


if __name__ == "__main__":
    main()
