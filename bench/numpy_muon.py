#!/usr/bin/python3
"""NumPy baseline for the Muon-step benchmarks of stdlib/assocmem.

Times the same operations as stdlib/assocmem/bench_test.go at d = 256,
N = 2048, alpha = 1.5 (population gradient): forming G_0, the polar factor by
SVD, five Newton-Schulz iterations, a full Muon step (G_0 + polar / NS5) and
the recovery evaluation of the top 1024 items against all 2048 outputs.
Unless --no-go is given it first runs the Go benchmarks in the same process
tree (go test -bench) and prints both columns with the ratio Go/NumPy.

Usage (from the repository root):
    /usr/bin/python3 bench/numpy_muon.py [--reps 10] [--benchtime 10x] [--count 5] [--no-go]
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
# Matrix-product flops of the GEMM-bound operations (SVD is not GEMM-bound).
FLOPS = {
    "G0": 2 * D * D * N,
    "NS5": 5 * 3 * 2 * D ** 3,
    "MuonStepNS5": 2 * D * D * N + 5 * 3 * 2 * D ** 3,
    "Recovered": 2 * KQ * D * D + 2 * KQ * N * D,
    "RecoveredFloat64": 2 * D * D * N + 2 * KQ * N * D,
}


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


def go_timings(benchtime, count):
    """Median ns/op of each Go benchmark over `count` runs of go test -bench."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", ".", "-benchtime", benchtime, "-count", str(count),
         "./stdlib/assocmem"],
        cwd=root, check=True, capture_output=True, text=True).stdout
    runs = {}
    for m in re.finditer(r"^Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", out, re.M):
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
    return {k: statistics.median(v) for k, v in runs.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=10, help="NumPy repetitions per operation (median reported)")
    ap.add_argument("--benchtime", default="10x", help="go test -benchtime")
    ap.add_argument("--count", type=int, default=5, help="go test -count (median reported)")
    ap.add_argument("--no-go", action="store_true", help="time NumPy only")
    args = ap.parse_args()
    if args.reps < 1:
        sys.exit("--reps must be >= 1")
    go = {} if args.no_go else go_timings(args.benchtime, args.count)
    py = numpy_timings(args.reps)
    print(f"numpy {np.__version__}, d={D}, N={N}, kq={KQ}, alpha={ALPHA}, cpus={os.cpu_count()}")
    print(f"medians: Go over {args.count} x go test -benchtime {args.benchtime}; NumPy over {args.reps} calls")
    print(f"{'operation':<17}{'Go ms':>9}{'NumPy ms':>10}{'Go/NumPy':>10}{'Go GF/s':>9}{'NumPy GF/s':>11}")

    def cell(v, fmt):
        return format(v, fmt) if v else "-"
    for name in list(py) + ["RecoveredFloat64"]:
        g, n, f = go.get(name), py.get(name), FLOPS.get(name)
        print(f"{name:<17}{cell(g and g / 1e6, '9.1f'):>9}{cell(n and n / 1e6, '10.1f'):>10}"
              f"{cell(g and n and g / n, '10.1f'):>10}{cell(g and f and f / g, '9.2f'):>9}"
              f"{cell(n and f and f / n, '11.2f'):>11}")


if __name__ == "__main__":
    main()
