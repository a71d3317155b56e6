#!/usr/bin/python3
"""Makes the ONNX test fixtures that ann did not make: a small MLP and a small CNN
with random weights (and random batch-norm statistics; the CNN takes rows of
64 values, as ann predict reads a CSV file, and views them as 1x8x8 pictures), and
three small text models on int64 token ids (nn.Embedding -> nn.LSTM, last step ->
nn.Linear -> softmax; nn.Embedding -> bidirectional nn.GRU, both directions'
final states -> nn.Linear -> softmax; nn.Embedding -> bidirectional nn.LSTM ->
nn.GRU, its final state -> nn.Linear -> softmax) and, for a refusal, an
nn.LSTM of num_layers=2 (layers2.onnx, no CSV files), exported by PyTorch's
torch.onnx.export, with inputs and PyTorch's outputs as CSV.

    apt-get install python3-torch       # Debian's PyTorch (1.13)
    /usr/bin/python3 scripts/onnx_torch_fixtures.py onnx/src/test/resources/torch

Writes, for NAME in mlp, cnn: NAME.onnx, NAME_inputs.csv (header, features,
then a label column: the argmax, so that a dataset can read the file) and
NAME_outputs.csv (PyTorch's probabilities, one row per input); for NAME in
lstm, gru, stack the inputs are texts of token ids as decimal words ("5 17 3 ...",
ids 1..V-1: PyTorch's models have no padding, ann's embedding reads id 0 as
padding, so no input holds 0) and the label.
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


V, T = 30, 10   # vocabulary, ids per text


class TextLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 16)
        self.lstm = nn.LSTM(16, 24, batch_first=True)
        self.fc = nn.Linear(24, 3)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        return torch.softmax(self.fc(y[:, -1, :]), dim=1)     # the last step


class TextGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 16)
        self.gru = nn.GRU(16, 12, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(24, 4)

    def forward(self, ids):
        _, h = self.gru(self.embed(ids))                     # h: [2, batch, 12]
        return torch.softmax(self.fc(torch.cat((h[0], h[1]), dim=1)), dim=1)


class TextStack(nn.Module):
    """Two recurrent layers: torch.onnx.export fuses the Transposes between them (the GRU reads the LSTM's time-major Y)."""
    def __init__(self, layers=1):
        super().__init__()
        self.embed = nn.Embedding(V, 16)
        self.lstm = nn.LSTM(16, 8, batch_first=True, bidirectional=True, num_layers=layers)
        self.gru = nn.GRU(16, 10, batch_first=True)
        self.fc = nn.Linear(10, 3)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        _, h = self.gru(y)
        return torch.softmax(self.fc(h[-1]), dim=1)


class TextLayers(nn.Module):
    """nn.LSTM with num_layers=2: its h_n joins the layers' Y_h (a Concat), which ann import refuses."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 8)
        self.lstm = nn.LSTM(8, 6, batch_first=True, num_layers=2)
        self.fc = nn.Linear(6, 3)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embed(ids))
        return torch.softmax(self.fc(h[-1]), dim=1)


def text_fixture(name, model, n, data=True):
    model.eval()
    with torch.no_grad():
        for p in model.parameters():          # biases too, so that a wrong gate order or a lost bias shows
            p.uniform_(-0.6, 0.6)
        ids = torch.randint(1, V, (n, T), dtype=torch.int64)
        y = model(ids)
    torch.onnx.export(model, ids, os.path.join(out, name + ".onnx"), opset_version=17,
                      input_names=["ids"], output_names=["probabilities"],
                      dynamic_axes={"ids": {0: "batch"}, "probabilities": {0: "batch"}})
    if not data:
        print("wrote", name, "(the model only)")
        return
    with open(os.path.join(out, name + "_inputs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for row, p in zip(ids.tolist(), y.tolist()):
            w.writerow([" ".join(str(v) for v in row), max(range(len(p)), key=p.__getitem__)])
    with open(os.path.join(out, name + "_outputs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p%d" % i for i in range(y.shape[1])])
        for p in y.tolist():
            w.writerow([repr(v) for v in p])
    print("wrote", name, tuple(ids.shape), "->", tuple(y.shape))


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
text_fixture("lstm", TextLSTM(), 32)
text_fixture("gru", TextGRU(), 32)
text_fixture("stack", TextStack(), 32)
text_fixture("layers2", TextLayers(), 4, data=False)
print("torch", torch.__version__)
