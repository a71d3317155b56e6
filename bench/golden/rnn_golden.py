#!/usr/bin/python3
"""Golden values for ann's LSTM and GRU kernels (kernels/.../Recurrent.java), computed by PyTorch.

Needs Debian's python3-torch (apt-get install -y python3-torch); run from the repository root:

    /usr/bin/python3 bench/golden/rnn_golden.py

It writes kernels/src/test/resources/golden/rnn.json, which RecurrentGoldenTest reads. For nn.LSTM and nn.GRU,
one direction and bidirectional, each on a full batch and on a padded one (lengths 4, 2, 3: PyTorch's packed
sequences, which skip the padded steps as ann's mask does), with weights from a fixed seed, in double precision:
the weights (named by ann's roles: weight_ih, weight_hh, bias_ih, bias_hh, and the same with _reverse), the
input x [n, T, F], the output of every step [n, T, D*units] (0 at padded steps) and the last output
[n, D*units] (each direction's final state, concatenated), and, for a fixed gradient of each of the two outputs,
the gradients of x and of every weight.
"""
import json
import os

import torch

N, T, F, UNITS = 3, 4, 3, 2
LENGTHS = [4, 2, 3]
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "kernels", "src", "test", "resources", "golden", "rnn.json")


def nested(t):
    return t.detach().tolist()


def roles(rnn):
    """PyTorch's parameter names (weight_ih_l0, ..._l0_reverse) as ann's roles."""
    return {name.replace("_l0", ""): p for name, p in rnn.named_parameters()}


def run(rnn, x, lengths):
    """The output of every step and each direction's last state, concatenated as ann lays them out."""
    if lengths is None:
        y, h = rnn(x)
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        y, h = rnn(packed)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=T)
    if isinstance(h, tuple):  # LSTM: (h_n, c_n)
        h = h[0]
    last = torch.cat([h[d] for d in range(h.shape[0])], dim=1)
    return y, last


def grads(rnn, x):
    g = {"x": nested(x.grad)}
    g.update({role: nested(p.grad) for role, p in roles(rnn).items()})
    return g


def case(kind, bidirectional, padded, seed):
    torch.manual_seed(seed)
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    rnn = cls(F, UNITS, batch_first=True, bidirectional=bidirectional).double()
    dirs = 2 if bidirectional else 1
    x = torch.randn(N, T, F, dtype=torch.float64, requires_grad=True)
    lengths = LENGTHS if padded else None
    grad_output = torch.randn(N, T, dirs * UNITS, dtype=torch.float64)
    grad_last = torch.randn(N, dirs * UNITS, dtype=torch.float64)

    y, last = run(rnn, x, lengths)
    y.backward(grad_output)
    grads_sequences = grads(rnn, x)

    rnn.zero_grad()
    x.grad = None
    y, last = run(rnn, x, lengths)
    last.backward(grad_last)
    grads_last = grads(rnn, x)

    return {
        "name": kind + (" bidirectional" if bidirectional else "") + (" padded" if padded else ""),
        "gru": kind == "gru",
        "bidirectional": bidirectional,
        "units": UNITS,
        "lengths": lengths,
        "x": nested(x),
        "params": {role: nested(p) for role, p in roles(rnn).items()},
        "output": nested(y),
        "last": nested(last),
        "grad_output": nested(grad_output),
        "grad_last": nested(grad_last),
        "grads_sequences": grads_sequences,
        "grads_last": grads_last,
    }


def main():
    cases = []
    seed = 100
    for kind in ("lstm", "gru"):
        for bidirectional in (False, True):
            for padded in (False, True):
                cases.append(case(kind, bidirectional, padded, seed))
                seed += 1
    doc = {
        "about": "nn.LSTM / nn.GRU forward and backward, double precision, written by bench/golden/rnn_golden.py",
        "torch": torch.__version__,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(OUT), "with", len(cases), "cases")


if __name__ == "__main__":
    main()
