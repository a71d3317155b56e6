#!/usr/bin/python3
"""PyTorch twins of examples/fashion_mlp.ann and examples/fashion_cnn.ann, and of the sequence examples
(reuters_corn.ann's conv and BagOfWords, co2.ann's lstm, transformer.ann), for bench/peers/run.sh.

Same data as ann: Debian's dataset-fashion-mnist, pixels scaled by 1/255, 10% of the training
file held out for validation with ann's own split (Seeds.permutation over java.util.Random(seed + 1),
the last 10% of the permutation), the same batch, optimiser (Adam, ann's lr, betas 0.9/0.999, eps 1e-8),
the same cosine schedule per batch, He-normal weights and zero biases, batchnorm momentum 0.9 in
ann's convention (0.1 in PyTorch's), dropout as in the file. Samples are shuffled each epoch.

The sequence twins read the data ann prepared (bench/peers/prepare/PeersData.java: ann's own tokenizer,
hold-out and windows) from --data DIR, and take ann's init (`ann plan --json`: embeddings and LSTM/attention
weights Xavier-normal, std sqrt(2 / (fan_in + fan_out)), convolutions and dense layers He-normal, the learned
position code normal(0.02), zero biases, layernorm 1/0 with eps 1e-5), constant lr, and ann's padding rules:
id 0 pads; the global pools and attention's keys ignore padded steps (a sample without a real step: pools give
0, attention masks nothing).

Prints one JSON line: training samples/s over the timed epochs (the first WARM steps are left out
of the timing), and inference samples/s over the test set in eval mode (batch 1000, no_grad).

    /usr/bin/python3 bench/peers/torch_twins.py mlp|cnn [--threads N] [--steps S] [--warm W]
    /usr/bin/python3 bench/peers/torch_twins.py conv|bag|lstm|transformer --data DIR [--threads N] [--steps S] [--warm W]
"""
import argparse
import gzip
import itertools
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

def normal_(w, std):
    nn.init.normal_(w, 0.0, std)


def xavier(w, fan_in, fan_out):
    normal_(w, math.sqrt(2.0 / (fan_in + fan_out)))


def he(m, fan_in):
    normal_(m.weight, math.sqrt(2.0 / fan_in))
    nn.init.zeros_(m.bias)


def masked_max(h, m):
    """ann's globalmaxpool over time: h [n, C, T], m [n, T] real steps; 0 for a sample without a real step."""
    h = h.masked_fill(~m.unsqueeze(1), -3.4e38).amax(2)
    return torch.where(m.any(1, keepdim=True), h, torch.zeros_like(h))


def masked_mean(h, m):
    """ann's globalavgpool over time: h [n, T, F]; the mean over real steps, 0 for a sample without one."""
    w = m.float()
    w = w / w.sum(1, keepdim=True).clamp(min=1.0)
    return (h * w.unsqueeze(2)).sum(1)


class WordConv(nn.Module):
    """reuters_corn.ann WordConv: embedding(32) -> conv1d(64, kernel 5) -> relu -> globalmaxpool -> dropout(0.5) -> dense(2)."""

    def __init__(self, vocab, length):
        super().__init__()
        self.emb, self.conv = nn.Embedding(vocab, 32), nn.Conv1d(32, 64, 5)
        self.drop, self.out = nn.Dropout(0.5), nn.Linear(64, 2)
        xavier(self.emb.weight, vocab, 32)
        he(self.conv, 32 * 5)
        he(self.out, 64)

    def forward(self, ids):
        m = ids != 0
        h = F.relu(self.conv(self.emb(ids).transpose(1, 2)))  # [n, 64, T - 4]
        # a valid window is real when it holds a real step; padding is at the end, so when its first step is real
        return self.out(self.drop(masked_max(h, m[:, :h.shape[2]])))


class BagOfWords(nn.Module):
    """reuters_corn.ann BagOfWords: dense(64) -> relu -> dropout(0.5) -> dense(2) on 5,000 counts."""

    def __init__(self, width, _length):
        super().__init__()
        self.hid, self.drop, self.out = nn.Linear(width, 64), nn.Dropout(0.5), nn.Linear(64, 2)
        he(self.hid, width)
        he(self.out, 64)

    def forward(self, x):
        return self.out(self.drop(F.relu(self.hid(x))))


class Recurrent(nn.Module):
    """co2.ann Recurrent: lstm(32) over [52, 1], its last state -> dense(1)."""

    def __init__(self, _v, _t):
        super().__init__()
        self.lstm, self.out = nn.LSTM(1, 32, batch_first=True), nn.Linear(32, 1)
        xavier(self.lstm.weight_ih_l0, 1, 128)
        xavier(self.lstm.weight_hh_l0, 32, 128)
        nn.init.zeros_(self.lstm.bias_ih_l0)
        nn.init.zeros_(self.lstm.bias_hh_l0)
        he(self.out, 32)

    def forward(self, x):
        return self.out(self.lstm(x)[0][:, -1])


class Encoder(nn.Module):
    """transformer.ann's Encoder block (post-norm): residual(attention(4), dropout) -> layernorm ->
    residual(dense(128) relu, dense(64), dropout) -> layernorm."""

    def __init__(self, width=64, heads=4, hidden=128, rate=0.1):
        super().__init__()
        self.att = nn.MultiheadAttention(width, heads, dropout=0.0, batch_first=True)
        xavier(self.att.in_proj_weight, width, 3 * width)
        nn.init.zeros_(self.att.in_proj_bias)
        xavier(self.att.out_proj.weight, width, width)
        nn.init.zeros_(self.att.out_proj.bias)
        self.d1, self.ln1 = nn.Dropout(rate), nn.LayerNorm(width, eps=1e-5)
        self.ff1, self.ff2 = nn.Linear(width, hidden), nn.Linear(hidden, width)
        he(self.ff1, width)
        he(self.ff2, hidden)
        self.d2, self.ln2 = nn.Dropout(rate), nn.LayerNorm(width, eps=1e-5)

    def forward(self, x, pad):
        a = self.att(x, x, x, key_padding_mask=pad, need_weights=False)[0]
        x = self.ln1(x + self.d1(a))
        return self.ln2(x + self.d2(self.ff2(F.relu(self.ff1(x)))))


class Transformer(nn.Module):
    """transformer.ann: embedding(64) + learned positions -> 2 Encoders -> globalavgpool -> dense(2)."""

    def __init__(self, vocab, length):
        super().__init__()
        self.emb = nn.Embedding(vocab, 64)
        xavier(self.emb.weight, vocab, 64)
        self.pos = nn.Parameter(torch.empty(length, 64))
        normal_(self.pos, 0.02)
        self.enc = nn.ModuleList([Encoder(), Encoder()])
        self.out = nn.Linear(64, 2)
        he(self.out, 64)

    def forward(self, ids):
        m = ids != 0
        pad = ~m & m.any(1, keepdim=True)  # padded keys masked; a sample without a real step masks none
        h = self.emb(ids) + self.pos
        for e in self.enc:
            h = e(h, pad)
        return self.out(masked_mean(h, m))


# name -> (network, batch, lr, cosine warm-up epochs, epochs (None: constant lr), loss, inputs as token ids)
SEQ = {"conv": (WordConv, 32, 1e-3, 0, None, "ce", True), "bag": (BagOfWords, 32, 1e-3, 0, None, "ce", False),
       "lstm": (Recurrent, 32, 3e-3, 0, None, "mse", False), "transformer": (Transformer, 32, 1e-3, 0, None, "ce", True)}


def prepared(d, part, ids):
    """PeersData's files: x [n, *shape] (long for token ids), y (int64 classes or float32 targets [n, width])."""
    meta = json.load(open(os.path.join(d, "meta.json")))
    n = meta[part == "train" and "n" or "test_n"]
    x = np.fromfile(os.path.join(d, part + "_x.f32"), dtype="<f4").reshape([n] + meta["shape"])
    x = torch.from_numpy(x.astype(np.int64)) if ids else torch.from_numpy(x.copy())
    if meta["classes"]:
        y = torch.from_numpy(np.fromfile(os.path.join(d, part + "_y.i32"), dtype="<i4").astype(np.int64))
    else:
        y = torch.from_numpy(np.fromfile(os.path.join(d, part + "_y.f32"), dtype="<f4").reshape(n, meta["target_width"]).copy())
    return x, y, meta



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
    ap.add_argument("model", choices=list(MODELS) + list(SEQ))
    ap.add_argument("--data", help="the prepared data (bench/peers/prepare/PeersData.java) of a sequence twin")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=400, help="timed training steps")
    ap.add_argument("--warm", type=int, default=30, help="untimed steps first")
    ap.add_argument("--eval-only", action="store_true",
                    help="only the test set's forward passes (an untrained net): run.sh times the whole process, "
                         "start and data loading included, as it times `ann eval`")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    if a.model in SEQ:
        make, batch, lr0, warmup, epochs, kind, ids = SEQ[a.model]
        if not a.data or not os.path.isfile(os.path.join(a.data, "meta.json")):
            ap.error(a.model + " reads ann's prepared data: give --data DIR, a folder that bench/peers/prepare/PeersData.java wrote"
                     + (f" ({a.data} has no meta.json)" if a.data else ""))
        xt, yt, meta = prepared(a.data, "test", ids)
        build = lambda: make(meta["vocabulary"] or meta["shape"][0], meta["shape"][0])
        init = lambda net: None  # each twin's own init, in its constructor
        loss_of = (lambda o, t: F.cross_entropy(o, t)) if kind == "ce" else (lambda o, t: F.mse_loss(o, t))
    else:
        make, batch, lr0, warmup, epochs = MODELS[a.model]
        build, kind, loss_of = make, "ce", lambda o, t: F.cross_entropy(o, t)
        init = globals()["init"]
    if a.eval_only:
        if a.model not in SEQ:
            xt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
            yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
        net = build()
        init(net)
        net.eval()
        with torch.no_grad():
            correct = sum((net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item() for i in range(0, len(xt), 1000))
        print(json.dumps({"model": a.model, "eval_only": True, "samples": len(xt), "correct": correct}))
        return
    if a.model in SEQ:
        x, y, _ = prepared(a.data, "train", ids)
    else:
        x, y, xt, yt = load()
    net = build()
    init(net)
    opt = torch.optim.Adam(net.parameters(), lr=lr0, betas=(0.9, 0.999), eps=1e-8)
    n = len(x)
    nb = n // batch + (1 if n % batch else 0)
    net.train()
    step, t0, timed = 0, None, 0
    losses = []
    done = False
    for e in itertools.count():
        order = torch.randperm(n)
        for b in range(nb):
            if step == a.warm:
                t0, timed = time.perf_counter(), 0
            ib = order[b * batch: (b + 1) * batch]
            xb, yb = x[ib], y[ib]
            if epochs is not None:
                for g in opt.param_groups:
                    g["lr"] = cosine(lr0, e + b / nb, warmup, epochs)
            opt.zero_grad(set_to_none=True)
            loss = loss_of(net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
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
        outs = [net(xt[i:i + 1000]) for i in range(0, len(xt), 1000)]
        infer_sps = len(xt) / (time.perf_counter() - t1)
        o = torch.cat(outs)
        test = {"test_accuracy_after_timed_steps": (o.argmax(1) == yt).float().mean().item()} if kind == "ce" else \
            {"test_mse_after_timed_steps": round(F.mse_loss(o, yt).item(), 6)}
    k = min(10, max(1, len(losses) // 4))
    print(json.dumps({"model": a.model, "threads": a.threads, "batch": batch, "train_samples_per_s": round(train_sps, 1),
                      "timed_steps": a.steps, "infer_samples_per_s": round(infer_sps, 1), **test,
                      "loss": round(loss.item(), 4), "loss_first_steps": round(sum(losses[:k]) / k, 6),
                      "loss_last_steps": round(sum(losses[-k:]) / k, 6), "steps": len(losses)}))


if __name__ == "__main__":
    main()
