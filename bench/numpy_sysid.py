#!/usr/bin/python3
"""Benchmark the system-identification kernels in Go (gonum) and NumPy, side by side.

Runs `go test -bench` for BenchmarkOLS, BenchmarkSimulate, BenchmarkGram (stdlib/sysid)
and BenchmarkLyapunov (stdlib/linalg) and the same operations in NumPy on the same
sizes, interleaved (one Go run, then one NumPy run, `--count` times) so that both see
the same machine load, and prints medians and Go/NumPy ratios as a Markdown table.

Usage (from the repository root):  /usr/bin/python3 bench/numpy_sysid.py [--count 5]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

N_OLS, T_OLS, N_LYAP = 50, 100_000, 64


def go_bench(count):
    """Run the Go benchmarks; return the command and {name: [ns/op per run]}."""
    cmd = ["go", "test", "-run", "^$", "-bench", "OLS|Simulate|Gram|Lyapunov",
           "-benchtime", "3x", "-count", str(count), "./stdlib/sysid", "./stdlib/linalg"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r"^Benchmark(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            res.setdefault(m.group(1), []).append(float(m.group(3)))
    return " ".join(cmd), res


def timeit(fn):
    """Wall time of one fn() call, in ns."""
    t0 = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - t0


def simulate(a, w):
    x = np.zeros((w.shape[0] + 1, a.shape[0]))
    for t in range(w.shape[0]):
        x[t + 1] = a @ x[t] + w[t]
    return x


def ols(x):
    xp, xn = x[:-1], x[1:]
    sxx = xp.T @ xp
    syx = xn.T @ xp
    return np.linalg.solve(sxx, syx.T).T


def lyapunov(a, q):
    # Same steps as linalg.Lyapunov: stability check by eigenvalues, then doubling.
    if max(abs(np.linalg.eigvals(a))) >= 1:
        raise ValueError("A must be stable")
    g, ak = q.copy(), a.copy()
    for _ in range(60):
        if np.sum(ak * ak) < 1e-17:
            return 0.5 * (g + g.T)
        g = g + ak @ g @ ak.T
        ak = ak @ ak
    raise RuntimeError("doubling did not converge")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5, help="Go -count and NumPy repetitions")
    args = ap.parse_args()
    load0 = f"{os.getloadavg()[0]:.1f}"

    rng = np.random.default_rng(1)
    a_iso = 0.9 * np.eye(N_OLS)
    qm, _ = np.linalg.qr(rng.standard_normal((N_OLS, N_OLS)))
    a_rot = qm @ a_iso @ qm.T
    w = rng.standard_normal((T_OLS, N_OLS))
    x = simulate(a_iso, w)
    xp, xn = x[:-1], x[1:]
    a = rng.standard_normal((N_LYAP, N_LYAP))
    a *= 0.95 / max(abs(np.linalg.eigvals(a)))
    q = np.eye(N_LYAP)
    ops = {
        "OLS": lambda: ols(x),
        "Simulate/dense": lambda: simulate(a_rot, w),
        "Gram/syrk": lambda: xp.T @ xp,
        "Gram/gemm": lambda: xn.T @ xp,
        "Lyapunov": lambda: lyapunov(a, q),
    }
    for fn in ops.values():  # warm up
        fn()
    go, npy = {}, {k: [] for k in ops}
    for _ in range(args.count):
        cmd, run = go_bench(1)
        for k, v in run.items():
            go.setdefault(k, []).extend(v)
        for k, fn in ops.items():
            npy[k].append(timeit(fn))
    npy = {k: statistics.median(v) for k, v in npy.items()}
    what = {
        "OLS": f"OLS fit, n = {N_OLS}, T = {T_OLS:,}",
        "Simulate/dense": f"simulate x_(t+1) = A x_t + w_t, dense A, n = {N_OLS}, T = {T_OLS:,} (NumPy: Python loop over t, noise pre-drawn; Go draws it)",
        "Gram/syrk": "XᵀX (Go: gonum SymOuterK = syrk; NumPy: X.T @ X)",
        "Gram/gemm": "X₊ᵀX (gemm)",
        "Lyapunov": f"Lyapunov doubling, n = {N_LYAP}, ρ(A) = 0.95",
    }
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default (all cores)")
    print(f"Go command: `{cmd}` (run {args.count} times, interleaved with NumPy); "
          f"NumPy {np.__version__} (Debian, OpenBLAS pthread, threads: {threads}); medians of {args.count} runs; "
          f"load average before: {load0}, after: {os.getloadavg()[0]:.1f}\n")
    print("| operation | Go (gonum) ms | NumPy ms | Go / NumPy |")
    print("|---|---|---|---|")
    for key, label in what.items():
        g = statistics.median(go[key]) / 1e6 if key in go else float("nan")
        p = npy[key] / 1e6
        print(f"| {label} | {g:.1f} | {p:.1f} | {g / p:.2f} |")
    if "Simulate/diagonal" in go:
        print(f"| simulate, diagonal A (Go skips zeros; no NumPy counterpart) | "
              f"{statistics.median(go['Simulate/diagonal']) / 1e6:.1f} | – | – |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
