#!/usr/bin/python3
"""PyTorch twin of bench/sequences/lstm.ann for lstm_vs_torch.sh: the same
network (nn.Embedding(20000, 64) -> nn.LSTM(64, 64), last step -> nn.Linear(64, 2),
softmax cross-entropy), batch 32 of random token ids 1..19999 of length 200,
Adam(lr=1e-3), float32, on the CPU. Prints the steady-state training samples/s
(forward, loss, backward, optimiser step) after a warm-up, like ann's StepBench.
With "flush" PyTorch flushes subnormal floats to zero (torch.set_flush_denormal):
going back through 200 steps the LSTM's gradients fade into subnormals, which the
BLAS multiplies about a hundred times slower; ann writes them as 0.

    /usr/bin/python3 bench/sequences/lstm_torch.py THREADS [seconds] [batch] [flush]
"""
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
flush = len(sys.argv) > 4 and sys.argv[4] == "flush"
vocabulary, length, dim, units, classes = 20000, 200, 64, 64, 2
torch.set_num_threads(threads)
torch.manual_seed(1)
if flush and not torch.set_flush_denormal(True):
    sys.exit("this CPU cannot flush subnormals (torch.set_flush_denormal)")


class Lstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, dim)
        self.lstm = nn.LSTM(dim, units, batch_first=True)
        self.dense = nn.Linear(units, classes)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.dense(out[:, -1, :])


net = Lstm()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
x = torch.randint(1, vocabulary, (batch, length))
y = torch.arange(batch) % classes
warm = min(3.0, seconds / 3)
steps, t0, start = 0, None, time.perf_counter()
while True:
    now = time.perf_counter()
    if t0 is None and now - start > warm:
        t0, steps = now, 0
    if t0 is not None and now - t0 > seconds:
        break
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()
    steps += 1
secs = time.perf_counter() - t0
print(f"pytorch {torch.__version__} batch {batch}: {steps * batch / secs:.0f} samples/s "
      f"({steps} steps in {secs:.1f} s; torch threads {threads}{', subnormals flushed' if flush else ''})")
