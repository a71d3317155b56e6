#!/usr/bin/python3
"""Makes the ONNX test fixtures that ann did not make: a small MLP and a small CNN
with random weights (and random batch-norm statistics; the CNN takes rows of
64 values, as ann predict reads a CSV file, and views them as 1x8x8 pictures), exported by PyTorch's
torch.onnx.export, with inputs and PyTorch's outputs as CSV.

    apt-get install python3-torch       # Debian's PyTorch (1.13)
    /usr/bin/python3 scripts/onnx_torch_fixtures.py onnx/src/test/resources/torch

Writes, for NAME in mlp, cnn: NAME.onnx, NAME_inputs.csv (header, features,
then a label column: the argmax, so that a dataset can read the file) and
NAME_outputs.csv (PyTorch's probabilities, one row per input).
"""
import csv
import os
import sys

import torch
import torch.nn as nn

out = sys.argv[1] if len(sys.argv) > 1 else "onnx/src/test/resources/torch"
os.makedirs(out, exist_ok=True)
torch.manual_seed(7)
torch.set_num_threads(1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return torch.softmax(self.out(x), dim=1)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        # flat rows in (ann predict reads CSV rows), as pictures from here on
        x = x.view(-1, 1, 8, 8)
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)   # [4, 4, 4]
        x = torch.relu(self.conv2(x))                                   # [6, 2, 2]
        x = torch.flatten(x, 1)
        return torch.softmax(self.fc(x), dim=1)


def fixture(name, model, shape, n):
    model.eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):   # statistics that are not the identity
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
        x = torch.randn(n, *shape)
        y = model(x)
    # PRESERVE keeps BatchNormalization a node of its own (EVAL would fold it into the Conv before it)
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=17,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["probabilities"],
                      dynamic_axes={"x": {0: "batch"}, "probabilities": {0: "batch"}})
    flat = x.reshape(n, -1)
    with open(os.path.join(out, name + "_inputs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x%d" % i for i in range(flat.shape[1])] + ["label"])
        for row, p in zip(flat.tolist(), y.tolist()):
            w.writerow([repr(v) for v in row] + [max(range(len(p)), key=p.__getitem__)])
    with open(os.path.join(out, name + "_outputs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p%d" % i for i in range(y.shape[1])])
        for p in y.tolist():
            w.writerow([repr(v) for v in p])
    print("wrote", name, tuple(x.shape), "->", tuple(y.shape))


fixture("mlp", MLP(), (4,), 32)
fixture("cnn", CNN(), (64,), 32)
print("torch", torch.__version__)
