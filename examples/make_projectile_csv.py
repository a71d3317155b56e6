#!/usr/bin/env python3
"""Writes projectile.csv: how far a ball thrown from a height travels.

A generated regression set (no licence question): speed v (m/s), launch angle
(degrees) and launch height h (m) in, horizontal distance (m) out, from
d = v cos(a) / g * (v sin(a) + sqrt((v sin(a))^2 + 2 g h)), plus 1% noise for
measurement error. Deterministic: the same file every run.
"""
import math
import random

rng = random.Random(20261128)
g = 9.81
with open("projectile.csv", "w") as f:
    f.write("speed,angle,height,distance\n")
    for _ in range(600):
        v = rng.uniform(2.0, 20.0)
        a = rng.uniform(5.0, 80.0)
        h = rng.uniform(0.0, 10.0)
        r = math.radians(a)
        vy = v * math.sin(r)
        d = v * math.cos(r) / g * (vy + math.sqrt(vy * vy + 2 * g * h))
        d *= 1 + rng.gauss(0, 0.01)
        f.write(f"{v:.3f},{a:.2f},{h:.3f},{d:.3f}\n")
