#!/usr/bin/python3
"""Count Sketch and sketched-SGD timings: Go (go test -bench) beside NumPy, in one command.

    /usr/bin/python3 bench/numpy_sketch.py [--rounds 5] [--benchtime 10x] [--reps 3]

The NumPy versions do the same operations on the same sizes as stdlib/sketch/bench_test.go:
d = 1,000,000 dense float64, r = 5 rows, c = 20,000 columns, bucket and sign tables
precomputed (as in Go), k = 1000, P = 4, W = 4 workers. They use the fastest idiom we know
for each: np.bincount with weights for the scatter-add (much faster than np.add.at),
fancy indexing plus np.median for queries, np.argpartition for top-k. NumPy is
single-threaded here, so the ratio column compares against Go's serial (workers=1) run;
the parallel (GOMAXPROCS) Go figures are listed too.
Go and NumPy are interleaved round by round, so both see the same machine load; prints a
Markdown table of medians (ms) and the medians of the per-round ratios NumPy/Go.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

D, R, C, K, P, W = 1_000_000, 5, 20_000, 1000, 4, 4
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def go_bench(count, benchtime):
    cmd = ["go", "test", "-run", "^$", "-bench", ".", "-benchtime", benchtime,
           "-count", str(count), "./stdlib/sketch"]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    wall, cput = {}, {}
    for line in out.splitlines():
        m = re.match(r"Benchmark(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            wall.setdefault(m.group(1), []).append(float(m.group(2)) / 1e6)
            c = re.search(r"([\d.]+) cpu-ms/op", line)
            cput.setdefault(m.group(1), []).append(float(c.group(1)) if c else float("nan"))
    cpu = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("cpu:")), "?")
    med = lambda d: {k: statistics.median(v) for k, v in d.items()}
    return med(wall), med(cput), cpu, " ".join(cmd)


def timeit(fn, reps):
    """Median wall and CPU (process) milliseconds of fn over reps runs."""
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def numpy_bench(reps):
    rng = np.random.default_rng(1)
    buckets = rng.integers(0, C, size=(R, D))
    signs = rng.choice(np.array([-1.0, 1.0]), size=(R, D))
    rows = np.arange(R)[:, None]
    v = rng.standard_normal(D)
    table = np.zeros((R, C))

    def add(tab, vec):
        for j in range(R):
            tab[j] += np.bincount(buckets[j], weights=signs[j] * vec, minlength=C)

    def query_all(tab):
        return np.median(tab[rows, buckets] * signs, axis=0)

    def unsketch(tab, k):
        est = query_all(tab)
        idx = np.argpartition(-np.abs(est), k - 1)[:k]
        out = np.zeros(D)
        out[idx] = est[idx]
        return out

    add(table, v)
    other = table.copy()
    points = rng.integers(0, D, size=1000)

    def query_points():
        return np.median(table[rows, buckets[:, points]] * signs[:, points], axis=0)

    def merge():
        np.add(table, other, out=table)

    vs = np.empty((W, D))

    def sketched_round():
        server = np.zeros((R, C))
        for i in range(W):
            s = np.zeros((R, C))
            add(s, vs[i])
            server += s
        est = query_all(server)
        cand = np.argpartition(-np.abs(est), P * K - 1)[:P * K]
        vals = vs[:, cand].sum(axis=0)
        pick = cand[np.argpartition(-np.abs(vals), K - 1)[:K]]
        vs[:, pick] = 0

    def round_with_reset():
        vs[:] = v  # same reset as the Go benchmark (not timed there; timed separately here)
        sketched_round()

    reset_wall, reset_cpu = timeit(lambda: vs.__setitem__(slice(None), v), reps)
    res = {
        "AddDense": timeit(lambda: add(table, v), reps),
        "Merge": timeit(merge, max(reps, 50)),
        "QueryAll": timeit(lambda: query_all(table), reps),
        "Query1000": timeit(query_points, max(reps, 50)),
        "Unsketch": timeit(lambda: unsketch(table, K), reps),
    }
    rw, rc = timeit(round_with_reset, reps)
    res["SketchedRound"] = (rw - reset_wall, rc - reset_cpu)
    return res


OPS = ["AddDense", "Merge", "QueryAll", "Query1000", "Unsketch", "SketchedRound"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5,
                    help="interleaved rounds: each runs every Go benchmark once, then every NumPy operation")
    ap.add_argument("--benchtime", default="10x")
    ap.add_argument("--reps", type=int, default=3, help="NumPy repetitions per round (median)")
    args = ap.parse_args()
    rows = {op: {"np": [], "npc": [], "gs": [], "gsc": [], "gp": [], "gpc": []} for op in OPS}
    newhash, cmd, cpu = [], "", "?"
    for _ in range(args.rounds):
        go, gocpu, cpu, cmd = go_bench(1, args.benchtime)
        npy = numpy_bench(args.reps)
        for op in OPS:
            s_key = op + "/workers=1" if op + "/workers=1" in go else op
            p_key = op + "/workers=gomaxprocs" if op + "/workers=gomaxprocs" in go else s_key
            r = rows[op]
            r["np"].append(npy[op][0]); r["npc"].append(npy[op][1])
            r["gs"].append(go[s_key]); r["gsc"].append(gocpu[s_key])
            r["gp"].append(go[p_key]); r["gpc"].append(gocpu[p_key])
        if "NewHash" in go:
            newhash.append(go["NewHash"])
    med = statistics.median
    print(f"Go: `{cmd}` (cpu: {cpu}), interleaved with NumPy {np.__version__} (Python {sys.version.split()[0]}) "
          f"over {args.rounds} rounds; milliseconds per operation, wall time with process CPU time in brackets "
          f"(Go's parallel CPU time sums both cores); each ratio is the median of the per-round ratios.\n")
    print("| operation | NumPy | Go serial | Go GOMAXPROCS | NumPy / Go serial (wall, CPU) | NumPy / Go GOMAXPROCS (wall) |")
    print("|---|---|---|---|---|---|")
    for op in OPS:
        r = rows[op]
        ratio = lambda a, b: med([x / y for x, y in zip(r[a], r[b])])
        print(f"| {op} | {med(r['np']):.3f} ({med(r['npc']):.3f}) | {med(r['gs']):.3f} ({med(r['gsc']):.3f}) "
              f"| {med(r['gp']):.3f} ({med(r['gpc']):.3f}) | {ratio('np', 'gs'):.1f}×, {ratio('npc', 'gsc'):.1f}× "
              f"| {ratio('np', 'gp'):.1f}× |")
    if newhash:
        print(f"\nGo NewHash (tabulating r·d hashes once per configuration): {med(newhash):.1f} ms")


if __name__ == "__main__":
    main()
