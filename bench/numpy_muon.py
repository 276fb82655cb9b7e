#!/usr/bin/python3
"""NumPy baseline for the Muon-step benchmarks of stdlib/assocmem.

Times the same operations as stdlib/assocmem/bench_test.go at d = 256,
N = 2048, alpha = 1.5 (population gradient): forming G_0, the polar factor by
SVD, five Newton-Schulz iterations, a full Muon step (G_0 + polar / NS5) and
the recovery evaluation of the top 1024 items against all 2048 outputs.
Unless --no-go is given it first runs the Go benchmarks in the same process
tree (go test -bench) and prints both columns with the ratio Go/NumPy.

Usage (from the repository root):
    /usr/bin/python3 bench/numpy_muon.py [--reps 10] [--benchtime 10x] [--no-go]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

D, N, KQ, ALPHA = 256, 2048, 1024, 1.5
KJ = (3.4445, -4.7750, 2.0315)


def task(rng):
    x = rng.standard_normal((D, N)) / np.sqrt(D)
    y = rng.standard_normal((D, N)) / np.sqrt(D)
    p = np.arange(1, N + 1, dtype=float) ** -ALPHA
    return x, y, p / p.sum()


def g0(x, y, p):
    yc = y - y.mean(axis=1, keepdims=True)
    return (yc * p) @ x.T


def polar(g):
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    return u @ vt


def ns5(g, steps=5):
    a, b, c = KJ
    t = g.shape[0] > g.shape[1]
    x = g.T if t else g
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(steps):
        A = x @ x.T
        x = a * x + (b * A + c * A @ A) @ x
    return x.T if t else x


def recovered(w, x, y, kq=KQ):
    z = x[:, :kq].T @ (w.T @ y)  # kq x N logits
    own = z[np.arange(kq), np.arange(kq)].copy()
    z[np.arange(kq), np.arange(kq)] = -np.inf
    return own > z.max(axis=1)


def median_ns(fn, reps):
    fn()  # warm-up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        ts.append(time.perf_counter_ns() - t0)
    return statistics.median(ts)


def numpy_timings(reps):
    rng = np.random.default_rng(1)
    x, y, p = task(rng)
    g = g0(x, y, p)
    w1 = polar(g)
    return {
        "G0": median_ns(lambda: g0(x, y, p), reps),
        "PolarSVD": median_ns(lambda: polar(g), reps),
        "NS5": median_ns(lambda: ns5(g), reps),
        "MuonStepSVD": median_ns(lambda: polar(g0(x, y, p)), reps),
        "MuonStepNS5": median_ns(lambda: ns5(g0(x, y, p)), reps),
        "Recovered": median_ns(lambda: recovered(w1, x, y), reps),
    }


def go_timings(benchtime):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", ".", "-benchtime", benchtime, "-count", "1",
         "./stdlib/assocmem"],
        cwd=root, check=True, capture_output=True, text=True).stdout
    res = {}
    for m in re.finditer(r"^Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", out, re.M):
        res[m.group(1)] = float(m.group(2))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=10, help="NumPy repetitions per operation (median reported)")
    ap.add_argument("--benchtime", default="10x", help="go test -benchtime")
    ap.add_argument("--no-go", action="store_true", help="time NumPy only")
    args = ap.parse_args()
    if args.reps < 1:
        sys.exit("--reps must be >= 1")
    go = {} if args.no_go else go_timings(args.benchtime)
    py = numpy_timings(args.reps)
    print(f"numpy {np.__version__}, d={D}, N={N}, kq={KQ}, alpha={ALPHA}, cpus={os.cpu_count()}")
    print(f"{'operation':<16}{'Go ms':>10}{'NumPy ms':>10}{'Go/NumPy':>10}")
    for name, ns in py.items():
        g = go.get(name)
        gs = f"{g / 1e6:10.1f}" if g else f"{'-':>10}"
        rs = f"{g / ns:10.1f}" if g else f"{'-':>10}"
        print(f"{name:<16}{gs}{ns / 1e6:10.1f}{rs}")
    if "RecoveredFloat64" in go:
        print(f"{'RecoveredFloat64':<16}{go['RecoveredFloat64'] / 1e6:10.1f}{'-':>10}{'-':>10}")


if __name__ == "__main__":
    main()
