#!/usr/bin/python3
"""NumPy implementation of PRIME (paper mode of stdlib/robust) and the DP mean,
for the benchmark comparison in BENCHMARKS.md.

It follows the same algorithm as stdlib/robust.PRIME with PrimePaper defaults:
DPRange with 10% of the budget (stable histograms on linspace(-R-1/2, R+1/2, 2R)
edges), l2-ball clipping at radius 1.6*sqrt(d)+4, T1 = floor(ln(B*sqrt(d))),
T2 = floor(2 ln d), matrix-exponential MMW weights with step 1/lambda_s, the
DPThreshold 1-D filter, conservative sensitivities, analytic Gaussian
calibration, and the ledger split of the build spec. Random streams differ from
the Go code, so individual runs differ; the work per inner step is the same.

Usage: /usr/bin/python3 bench/numpy_prime.py [--n 100000] [--d 20] [--reps 10] [--count 5] [--with-go]
Prints the median wall time per PRIME run and per DP-mean run, over `count`
batches of `reps` runs each (mirroring go test -benchtime Nx -count C). With
--with-go (run from anywhere; it uses the repository root) each NumPy batch is
preceded by one `go test -bench` batch of BenchmarkPRIME and BenchmarkDPMean,
so both sides see the same machine load, and a markdown ratio table is printed.
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import tempfile
import time

import numpy as np


def phi(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def gaussian_delta(s, eps):
    a, b = 1 / (2 * s), eps * s
    return phi(a - b) - math.exp(eps) * phi(-a - b)


def gaussian_sigma(sens, eps, delta):
    """Analytic Gaussian calibration (Balle & Wang 2018), bisection on log sigma."""
    lo, hi = 1e-12, 1e12
    for _ in range(400):
        mid = math.sqrt(lo * hi)
        if mid <= lo or mid >= hi:
            break
        if gaussian_delta(mid, eps) > delta:
            lo = mid
        else:
            hi = mid
    return hi * sens


def stable_histogram(rng, counts, n, eps, delta):
    h = counts / n
    nz = counts > 0
    h = h + np.where(nz, rng.laplace(0, 2 / (n * eps), size=h.shape), 0.0)
    thr = 2 * math.log(1 / delta) / (eps * n) + 1 / n
    h[(h < thr) | ~nz] = 0
    return h


def dp_range(rng, X, eps, delta, R=10):
    n, d = X.shape
    edges = np.linspace(-R - 0.5, R + 0.5, 2 * int(R))
    nb = len(edges) - 1
    lo, hi = edges[0], edges[-1]
    # all d histograms at once: bin index per entry, then one bincount
    k = np.minimum(((X - lo) / ((hi - lo) / nb)).astype(np.int64), nb - 1)
    inside = (X >= lo) & (X <= hi)
    flat = (np.arange(d)[None, :] * nb + k)[inside]
    counts = np.bincount(flat, minlength=d * nb).reshape(d, nb).astype(float)
    center = np.empty(d)
    for j in range(d):
        h = stable_histogram(rng, counts[j], n, eps / d, delta / d)
        if not h.any():
            raise RuntimeError("DP range suppressed every bin")
        a = int(np.argmax(h))
        center[j] = (edges[a] + edges[a + 1]) / 2
    return center, 4 * math.sqrt(math.log(d * n / 0.9))


def clip_ball(X, c, r):
    Y = X - c
    norms = np.linalg.norm(Y, axis=1)
    f = np.minimum(1.0, r / np.maximum(norms, 1e-300))
    return c + Y * f[:, None]


def cov_n(Xs, n):
    mu = Xs.mean(axis=0)
    Y = Xs - mu
    return (Y.T @ Y) / n, mu


def op_norm_minus_i(M):
    return float(np.max(np.abs(np.linalg.eigvalsh(M) - 1)))


def expm_weights(A, step):
    w, V = np.linalg.eigh(A)
    e = np.exp(step * w - np.max(step * w))
    U = (V * e) @ V.T
    return U / e.sum()


def dp_threshold(rng, tau_tail, n, tau_max, lap, eps2, delta2, frac=0.3):
    v = np.clip(tau_tail, 0, tau_max)
    psi = np.sum(v - 1) / n + rng.laplace(0, lap)
    edges = np.geomspace(0.25, tau_max, 2 + int(math.log(tau_max)))
    counts, _ = np.histogram(v, bins=edges)
    h = stable_histogram(rng, counts.astype(float), n, eps2, delta2)
    if psi <= 0:
        return None
    for l in range(len(h) - 1, -1, -1):
        if np.sum((edges[l + 1:] - edges[l]) * h[l:]) >= frac * psi:
            return edges[l]
    return None


def prime(rng, X, alpha, eps, delta, R=10):
    n, d = X.shape
    center, B = dp_range(rng, X, 0.1 * eps, 0.1 * delta, R)
    r = 1.6 * math.sqrt(d) + 4
    Xc = clip_ball(X, center, r)
    T1 = max(1, int(math.log(B * math.sqrt(d))))
    T2 = max(1, int(2 * math.log(d)))
    epsF, deltaF = 0.9 * eps, 0.9 * delta
    eps_out, delta_out = 0.25 * epsF, 0.2 * deltaF
    eps_lam = 0.15 * epsF / T1
    eps2 = 0.6 * epsF / (6 * T1 * T2)
    delta2 = 0.8 * deltaF / (3 * T1 * T2)
    r2 = r * r
    lap_epoch, lap_inner, lap_tail = 5 * r2 / n / eps_lam, 5 * r2 / n / eps2, 8 * r2 / n / eps2
    sig_sigma = gaussian_sigma(6 * r2 / n, eps2, delta2)
    sig_mu = gaussian_sigma(2 * r / (0.55 * n), eps2, delta2)
    sig_out = gaussian_sigma(2 * r / (0.55 * n), eps_out, delta_out)
    tau_max = 4 * r2
    stop = 2 * alpha * math.log(1 / alpha)
    m = 2 * int(alpha * n)
    S = np.arange(n)
    iters = 0
    iu = np.triu_indices(d)

    def release():
        return Xs.mean(axis=0) + rng.normal(0, sig_out, d), iters

    Xs = Xc
    M, mu = cov_n(Xs, n)  # recomputed only when S changes, as in the Go code
    for _ in range(T1):
        lam_s = op_norm_minus_i(M) + rng.laplace(0, lap_epoch)
        if len(S) < 0.55 * n:
            raise RuntimeError("too many removed")
        if lam_s < stop:
            return release()
        step = 1.0 / lam_s
        total = np.zeros((d, d))
        for _ in range(T2):
            iters += 1
            lam_t = op_norm_minus_i(M) + rng.laplace(0, lap_inner)
            if lam_t < 0.5 * lam_s:
                break
            Z = np.zeros((d, d))
            Z[iu] = rng.normal(0, sig_sigma, len(iu[0]))
            Z = Z + np.triu(Z, 1).T
            total += M + Z - np.eye(d)
            U = expm_weights(total, step)
            psi = float(np.sum((M - np.eye(d)) * U)) + rng.laplace(0, lap_inner)
            if psi <= lam_t / 5.5:
                continue
            mu_t = mu + rng.normal(0, sig_mu, d)
            Y = Xs - mu_t
            tau = np.einsum("ij,ij->i", Y @ U, Y)
            thr = np.partition(tau, len(S) - m)[len(S) - m] if m < len(S) else -np.inf
            tail = tau >= thr
            rho = dp_threshold(rng, tau[tail], n, tau_max, lap_tail, eps2, delta2)
            if rho is None:
                continue
            z = rng.random(int(tail.sum()))
            rm = np.zeros(len(S), dtype=bool)
            rm[np.flatnonzero(tail)] = tau[tail] >= z * rho
            S = S[~rm]
            Xs = Xc[S]
            M, mu = cov_n(Xs, n)
            if len(S) < 0.55 * n:
                raise RuntimeError("too many removed")
    return release()


def dp_mean(rng, X, eps, delta, R=10):
    n, d = X.shape
    center, _ = dp_range(rng, X, 0.1 * eps, 0.1 * delta, R)
    r = 1.6 * math.sqrt(d) + 4
    mu = clip_ball(X, center, r).mean(axis=0)
    return mu + rng.normal(0, gaussian_sigma(2 * r / n, 0.9 * eps, 0.9 * delta), d)


GO_BENCH = re.compile(r"^Benchmark(PRIME|DPMean)-\d+\s+\d+\s+([0-9.]+) ns/op\s+([0-9.]+) cpu-ms/op(?:\s+([0-9.]+) inner-steps/op)?")


def go_batch(reps, data_path):
    """One `go test -bench` batch of the Go benchmarks (reps iterations each) on
    the dataset stored at data_path (the same X as the NumPy side)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, GONOTE_PRIME_BENCH_DATA=data_path)
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", "^Benchmark(PRIME|DPMean)$",
                          "-benchtime", f"{reps}x", "-count", "1", "./stdlib/robust"],
                         cwd=root, env=env, check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = GO_BENCH.match(line)
        if m:
            res[m.group(1)] = (float(m.group(2)) / 1e6, float(m.group(3)), float(m.group(4) or 0))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--with-go", action="store_true",
                    help="interleave `go test -bench` batches of the Go benchmarks and print a ratio table")
    a = ap.parse_args()
    gen = np.random.default_rng(1)
    nb = int(0.05 * a.n)
    X = gen.standard_normal((a.n, a.d))
    X[a.n - nb:] += 1.5
    data_path = None
    if a.with_go:
        if (a.n, a.d) != (100000, 20):
            ap.error("--with-go needs --n 100000 --d 20 (the Go benchmark's shape)")
        fd, data_path = tempfile.mkstemp(suffix=".f64")
        os.close(fd)
        X.astype("<f8").tofile(data_path)
    fns = {"PRIME": lambda rng: prime(rng, X, 0.05, 10, 0.01),
           "DPMean": lambda rng: (dp_mean(rng, X, 10, 0.01), 0)}
    times = {k: [] for k in fns}
    cpus = {k: [] for k in fns}
    gocpus = {k: [] for k in fns}
    steps = {k: [] for k in fns}
    errs = {k: [] for k in fns}
    gotimes = {k: [] for k in fns}
    gosteps = {k: [] for k in fns}
    seed = 0
    for _ in range(a.count):
        if a.with_go:
            for k, (ms, cpu, st) in go_batch(a.reps, data_path).items():
                gotimes[k].append(ms)
                gocpus[k].append(cpu)
                gosteps[k].append(st)
        for k, fn in fns.items():
            seed = 0  # the same PRIME seeds in every batch, like the Go benchmark
            t0, c0 = time.perf_counter(), time.process_time()
            its = 0
            for _ in range(a.reps):
                seed += 1
                est, it = fn(np.random.default_rng(seed))
                its += it
                errs[k].append(float(np.linalg.norm(est)))
            times[k].append((time.perf_counter() - t0) / a.reps * 1e3)
            cpus[k].append((time.process_time() - c0) / a.reps * 1e3)
            steps[k].append(its / a.reps)
    if data_path:
        os.remove(data_path)
    med = statistics.median
    for k in fns:
        extra = f"  inner-steps/op {statistics.mean(steps[k]):.1f}" if k == "PRIME" else ""
        print(f"NumPy{k}  d={a.d} n={a.n}  wall {med(times[k]):.1f} ms/op (batches: {', '.join(f'{t:.1f}' for t in times[k])})"
              f"  cpu {med(cpus[k]):.1f} ms/op  mean l2 error {statistics.mean(errs[k]):.4f}{extra}")
    if a.with_go:
        for k in fns:
            print(f"Go{k}  wall {med(gotimes[k]):.1f} ms/op (batches: {', '.join(f'{t:.1f}' for t in gotimes[k])})"
                  f"  cpu {med(gocpus[k]):.1f} ms/op (batches: {', '.join(f'{t:.1f}' for t in gocpus[k])})")
        print()
        print("| benchmark (d = %d, n = %d), medians of %d batches of %d | Go wall ms/op | NumPy wall ms/op | NumPy/Go wall | Go CPU ms/op | NumPy CPU ms/op | NumPy/Go CPU | Go CPU ms/inner step | NumPy CPU ms/inner step | NumPy/Go per step |" % (a.d, a.n, a.count, a.reps))
        print("|---|---|---|---|---|---|---|---|---|---|")
        for k in fns:
            gw, pw, gc, pc = med(gotimes[k]), med(times[k]), med(gocpus[k]), med(cpus[k])
            row = f"| {k} | {gw:.1f} | {pw:.1f} | {pw / gw:.2f} | {gc:.1f} | {pc:.1f} | {pc / gc:.2f} |"
            if k == "PRIME":
                gs, ps = statistics.mean(gosteps[k]), statistics.mean(steps[k])
                row += f" {gc / gs:.1f} ({gs:.1f} steps) | {pc / ps:.1f} ({ps:.1f} steps) | {(pc / ps) / (gc / gs):.2f} |"
            else:
                row += " | | |"
            print(row)


if __name__ == "__main__":
    main()
