"""Reference numbers for the experiments tests (stickyAssignment, sequentialTest, populationStability).

Run: python src/delivery/experiments/generate_reference.py   (numpy only). The tests copy the printed values.
PSI follows Evidently's get_binned_data (stattests/utils.py) + psi_stat_test (stattests/psi.py) with numpy.
"""
import math

import numpy as np


def fnv1a32(text):
    h = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):  # UTF-16 code units, like JavaScript's charCodeAt
        h ^= int.from_bytes(data[i : i + 2], "little")
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def bucket(seed, key, sep=":"):
    return (fnv1a32(str(fnv1a32(seed + sep + key))) % 10000) / 10000


print("fnv1a32")
for s in ["", "a", "foobar", "user-42", "héllo", "😀"]:
    print(" ", repr(s), fnv1a32(s))
print("bucketOf")
for seed, key in [("exp-1", "user-1"), ("exp-1", "user-2"), ("checkout", "42"), ("ab", "c"), ("a", "bc")]:
    print(" ", seed, key, bucket(seed, key))

print("mSPRT")
# Equal arms of n: V = per-pair variance, paper form; and the unequal-arm v form.
for n, V, tau2, delta in [(100, 0.5, 0.01, 0.2), (400, 2.0, 0.04, -0.1), (50, 0.02, 0.0001, 0.03)]:
    lam = math.sqrt(V / (V + n * tau2)) * math.exp(n * n * tau2 * delta**2 / (2 * V * (V + n * tau2)))
    print("  n=%d V=%g tau2=%g delta=%g -> Lambda=%.15g" % (n, V, tau2, delta, lam))
# Two proportions: control 30/1000, treatment 60/1000, tau = 0.01
pc, pt = 30 / 1000, 60 / 1000
v = pc * (1 - pc) / 1000 + pt * (1 - pt) / 1000
d = pt - pc
tau2 = 0.01**2
print("  proportions v=%.15g Lambda=%.15g" % (v, math.sqrt(v / (v + tau2)) * math.exp(tau2 * d * d / (2 * v * (v + tau2)))))
# Two means: control [1,2,3,4,5,6,7,8,9,10], treatment [3..12], tau = 1
c = np.arange(1, 11, dtype=float)
t = np.arange(3, 13, dtype=float)
v = c.var(ddof=1) / 10 + t.var(ddof=1) / 10
d = t.mean() - c.mean()
print("  means v=%.15g Lambda=%.15g" % (v, math.sqrt(v / (v + 1)) * math.exp(d * d / (2 * v * (v + 1)))))

print("Wald")
a, b, p0, p1 = 0.05, 0.2, 0.01, 0.02
up, lo = math.log((1 - b) / a), math.log(b / (1 - a))
print("  bounds", up, lo)
step = lambda p: p * math.log(p1 / p0) + (1 - p) * math.log((1 - p1) / (1 - p0))
print("  ASN p1", (b * lo + (1 - b) * up) / step(p1), "ASN p0", ((1 - a) * lo + a * up) / step(p0))


def evidently_psi(ref, cur):
    ref, cur = np.asarray(ref), np.asarray(cur)
    if ref.dtype.kind in "fi" and len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(list(ref) + list(cur), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(dict.fromkeys(list(cur) + list(ref)))
        rp = np.array([np.sum(ref == k) for k in keys]) / len(ref)
        cp = np.array([np.sum(cur == k) for k in keys]) / len(cur)
    for p in (rp, cp):
        m = min(p[p != 0])
        np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return float(np.sum((rp - cp) * np.log(rp / cp))), len(rp)


print("PSI")
ref = [((i * 37) % 101) / 10 for i in range(200)]
cur = [((i * 53) % 97) / 10 + 1.5 for i in range(150)]
print("  numeric", evidently_psi(ref, cur), list(np.histogram_bin_edges(ref + cur, bins="sturges")))
print("  categorical", evidently_psi(["a"] * 50 + ["b"] * 30 + ["c"] * 20, ["a"] * 40 + ["b"] * 40 + ["d"] * 20))
print("  few values", evidently_psi([0, 1, 1, 2, 2, 2], [1, 2, 2, 3]))
