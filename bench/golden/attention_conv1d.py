#!/usr/bin/python3
"""PyTorch's nn.MultiheadAttention and nn.Conv1d, one forward and backward each with fixed weights, as the
golden the kernels' Sequence.Attention and Sequence.Conv1d are held to (kernels/.../SequenceGoldenTest).

Needs Debian's python3-torch (apt-get install -y python3-torch); run from the repository root:

    /usr/bin/python3 bench/golden/attention_conv1d.py

It writes kernels/src/test/resources/golden/attention_conv1d.json: per case the inputs (x, the parameters in
PyTorch's layout, which is ann's, the gradient of the loss with respect to the output, gy) and PyTorch's results
(y, and the gradients of x and of every parameter for the loss sum(y * gy)). Samples are batch first, [n, T, F];
nn.Conv1d's [n, F, T] is transposed here. Numbers are float64.
"""
import json
import os

import torch

torch.manual_seed(12)
torch.set_default_dtype(torch.float64)

OUT = os.path.join("kernels", "src", "test", "resources", "golden", "attention_conv1d.json")


def lst(t):
    return t.detach().tolist()


def attention_case(name, n, t, f, heads, lengths, causal):
    mha = torch.nn.MultiheadAttention(f, heads, batch_first=True)
    with torch.no_grad():  # weights away from PyTorch's zero biases, so that every gradient is tested
        mha.in_proj_weight.copy_(torch.randn(3 * f, f) * 0.5)
        mha.in_proj_bias.copy_(torch.randn(3 * f) * 0.2)
        mha.out_proj.weight.copy_(torch.randn(f, f) * 0.5)
        mha.out_proj.bias.copy_(torch.randn(f) * 0.2)
    x = torch.randn(n, t, f, requires_grad=True)
    kpm = None
    if lengths is not None:
        kpm = torch.tensor([[j >= l for j in range(t)] for l in lengths])  # True = padded key, ignored
    am = torch.triu(torch.ones(t, t, dtype=torch.bool), 1) if causal else None  # True = not allowed
    y, _ = mha(x, x, x, key_padding_mask=kpm, attn_mask=am, need_weights=False)
    gy = torch.randn(n, t, f)
    (y * gy).sum().backward()
    return {
        "name": name, "heads": heads, "causal": causal, "lengths": lengths,
        "x": lst(x), "gy": lst(gy), "y": lst(y), "gx": lst(x.grad),
        "params": {
            "in_weight": lst(mha.in_proj_weight), "in_bias": lst(mha.in_proj_bias),
            "out_weight": lst(mha.out_proj.weight), "out_bias": lst(mha.out_proj.bias),
        },
        "grads": {
            "in_weight": lst(mha.in_proj_weight.grad), "in_bias": lst(mha.in_proj_bias.grad),
            "out_weight": lst(mha.out_proj.weight.grad), "out_bias": lst(mha.out_proj.bias.grad),
        },
    }


def conv1d_case(name, n, t, f, filters, kernel, stride, dilation, same, bias):
    conv = torch.nn.Conv1d(f, filters, kernel, stride=stride, dilation=dilation,
                           padding="same" if same else 0, bias=bias)
    x = torch.randn(n, t, f, requires_grad=True)
    y = conv(x.transpose(1, 2)).transpose(1, 2)
    gy = torch.randn(*y.shape)
    (y * gy).sum().backward()
    case = {
        "name": name, "filters": filters, "kernel": kernel, "stride": stride, "dilation": dilation, "same": same,
        "x": lst(x), "gy": lst(gy), "y": lst(y), "gx": lst(x.grad),
        "params": {"weight": lst(conv.weight)}, "grads": {"weight": lst(conv.weight.grad)},
    }
    if bias:
        case["params"]["bias"] = lst(conv.bias)
        case["grads"]["bias"] = lst(conv.bias.grad)
    return case


golden = {
    "torch": torch.__version__,
    "attention": [
        attention_case("2 heads", 2, 4, 6, 2, None, False),
        attention_case("2 heads, key_padding_mask (lengths 5, 3, 1)", 3, 5, 6, 2, [5, 3, 1], False),
        attention_case("3 heads, causal attn_mask", 2, 5, 6, 3, None, True),
        attention_case("2 heads, causal and key_padding_mask (lengths 6, 2)", 2, 6, 4, 2, [6, 2], True),
    ],
    "conv1d": [
        conv1d_case("valid, kernel 3", 2, 7, 3, 4, 3, 1, 1, False, True),
        conv1d_case("valid, stride 2, dilation 2, no bias", 2, 9, 3, 2, 3, 2, 2, False, False),
        conv1d_case("same, kernel 4 (padding 1 before, 2 after)", 2, 6, 2, 3, 4, 1, 1, True, True),
        conv1d_case("same, kernel 3, dilation 2", 2, 7, 3, 2, 3, 1, 2, True, True),
    ],
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump(golden, fh, indent=None, separators=(",", ":"))
    fh.write("\n")
print("wrote", OUT)
