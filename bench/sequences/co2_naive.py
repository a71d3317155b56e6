#!/usr/bin/env python3
"""Naive forecasts of examples/co2.ann's test windows, in ppm, with the standard
library alone: the same series (gaps interpolated linearly in time), the same
split by time (70% / 15% / 15% of the rows, Java's Math.round) and the same
windows (52 weeks, horizon 1) as `ann train`. Also the training rows' mean and
standard deviation, which turn `ann eval`'s standardised MAE into ppm. A third
forecast, last week's value plus the change from the same week a year before to
the week after it (a seasonal naive forecast of the change, which a `relative`
window's network forecasts).

    python3 bench/sequences/co2_naive.py [co2.csv]
"""
import csv
import math
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/python3/dist-packages/statsmodels/datasets/co2/co2.csv"
with open(path) as f:
    rows = list(csv.reader(f))[1:]
v = [float(r[1]) if len(r) > 1 and r[1].strip() not in ("", "?", "NA", "NaN") else None for r in rows if any(c.strip() for c in r)]
n = len(v)
missing = sum(x is None for x in v)
known = [i for i, x in enumerate(v) if x is not None]
for i in range(n):
    if v[i] is None:
        before = max((k for k in known if k < i), default=None)
        after = min((k for k in known if k > i), default=None)
        if before is None:
            v[i] = v[after]
        elif after is None:
            v[i] = v[before]
        else:
            v[i] = v[before] + (v[after] - v[before]) * (i - before) / (after - before)


def jround(x):
    return math.floor(x + 0.5)


nt, nv = jround(n * 0.7), jround(n * 0.15)
window, horizon = 52, 1
train = v[:nt]
mean = sum(train) / nt
std = math.sqrt(max(0.0, sum(x * x for x in train) / nt - mean * mean))
start, end = nt + nv, n
count = end - start - window - horizon + 1
last = same = drift = 0.0
for i in range(count):
    t = start + i + window          # the week forecast
    last += abs(v[t] - v[t - 1])
    same += abs(v[t] - v[t - 52])
    drift += abs(v[t] - (v[t - 1] + v[t - 52] - v[t - 53]))
print(f"rows {n} ({missing} missing, interpolated); train rows 0..{nt - 1}, validation {nt}..{nt + nv - 1}, test {nt + nv}..{n - 1}")
print(f"training rows: mean {mean:.4f} ppm, std {std:.4f} ppm")
print(f"test windows: {count}")
print(f"naive last value:            MAE {last / count:.4f} ppm  ({last / count / std:.5f} standardised)")
print(f"naive same week a year ago:  MAE {same / count:.4f} ppm  ({same / count / std:.5f} standardised)")
print(f"last value + that week's change a year before:  MAE {drift / count:.4f} ppm  ({drift / count / std:.5f} standardised)")
