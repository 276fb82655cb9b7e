"""Kernel latency benchmark: gonote against Debian's ipykernel, same run,
same machine, both driven through jupyter_client.

Measures, per kernel: start until kernel_info_reply, trivial cell round trip
(execute_request until status idle) median and p90 over --cells cells, time
and stream-message count of 100,000 printed lines, RSS of the kernel process
plus its children (gonote's runner; also each on its own), and interrupt
latency of a busy loop.

Round trips are measured four ways: with KernelClient and with a lean client
(jupyter_client's Session over plain blocking zmq sockets, which shows more
of the kernel's own latency), each back to back (the next cell sent as soon
as the last one is idle) and paced (--pause seconds of idle before every
cell, as between cells a person types; an idle machine wakes up more slowly).
They also run against bench/null_kernel.py, a kernel that does no work, so
the table shows the floor the client and the transport set.

Every measurement alternates between the kernels, so all see the same
background load. Round trips alternate in blocks of --block consecutive
cells per kernel: alternating cell by cell left each gonote process idle for
the length of an ipykernel cell before each of its cells, but ipykernel only
for a gonote cell, which charged gonote 0.4-0.6 ms more per cell (measured
with --block 1 against --block 50 in the same session); the paced rows give
both the same idle time instead.

Usage (from the repository root):
  /usr/bin/python3 bench/kernel_latency.py [--cells 200] [--block 25] [--pause 0.02]
      [--starts 5] [--interrupts 5] [--line-runs 3]
It builds gonote and gonote-runner unless GONOTE_BIN names a gonote binary
(with gonote-runner beside it), installs the kernelspecs into a temporary
JUPYTER_DATA_DIR, and prints a Markdown table.
"""

import argparse
import os
import platform
from queue import Empty
import shutil
import statistics
import sys
import tempfile
import time

import zmq
from jupyter_client.manager import KernelManager, start_new_kernel
from jupyter_client.session import Session

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))  # tests/gonote_kernel.py
import gonote_kernel  # noqa: E402
import null_kernel  # noqa: E402  (bench/, beside this file)


WORKLOADS = {
    "gonote": {
        "trivial": "1+1",
        "lines": 'import "fmt"\nfor i := 0; i < 100000; i++ {\n\tfmt.Println(i)\n}',
        "loop": "for {}",
    },
    "python3": {
        "trivial": "1+1",
        "lines": "for i in range(100000):\n    print(i)",
        "loop": "while True:\n    pass",
    },
    "null": {"trivial": "1+1"},
}


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except OSError:
                pass
    return out


def _proc_kb(pid, path, field):
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid, own=True, kids=True):
    """Resident set size in MB of the kernel process (own) and/or its
    children (kids: gonote's runner)."""
    pids = ([pid] if own else []) + (children(pid) if kids else [])
    return sum(_proc_kb(p, "status", "VmRSS:") for p in pids) / 1024


def pss_mb(pid):
    """Proportional set size of the kernel and its children: pages they
    share (if two processes map the same file) are counted once."""
    return sum(_proc_kb(p, "smaps_rollup", "Pss:") for p in [pid] + children(pid)) / 1024


def memory(res, name, km, when):
    pid = km.provisioner.process.pid
    res[name]["rss_%s_mb" % when] = rss_mb(pid)
    res[name]["rss_own_%s_mb" % when] = rss_mb(pid, kids=False)
    res[name]["rss_kids_%s_mb" % when] = rss_mb(pid, own=False)
    res[name]["pss_%s_mb" % when] = pss_mb(pid)


def run_cell(kc, code, timeout=300):
    """Seconds from execute_request to status idle, and the stream messages."""
    start = time.perf_counter()
    msg_id = kc.execute(code)
    streams = 0
    lines = 0
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            streams += 1
            lines += msg["content"]["text"].count("\n")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            elapsed = time.perf_counter() - start
            break
    reply = kc.get_shell_msg(timeout=timeout)
    return elapsed, streams, lines, reply["content"]["status"]


class LeanClient:
    """jupyter_client's Session over plain blocking pyzmq sockets: the same
    signing and (de)serialization as KernelClient without its asyncio
    machinery, so the round trip shows the kernel's own latency."""

    def __init__(self, km):
        info = km.get_connection_info()
        self.session = Session(key=km.session.key, signature_scheme=info["signature_scheme"])
        ctx = zmq.Context.instance()
        self.shell = ctx.socket(zmq.DEALER)
        self.iopub = ctx.socket(zmq.SUB)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        for sock, port in ((self.shell, info["shell_port"]), (self.iopub, info["iopub_port"])):
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(f"{info['transport']}://{info['ip']}:{port}")
        time.sleep(0.5)  # let the subscription reach the kernel

    def run(self, code):
        msg = self.session.msg("execute_request", content={"code": code, "silent": False, "store_history": True,
                                                           "user_expressions": {}, "allow_stdin": False,
                                                           "stop_on_error": True})
        msg_id = msg["header"]["msg_id"]
        start = time.perf_counter()
        self.session.send(self.shell, msg)
        while True:
            _, m = self.session.recv(self.iopub, mode=0)
            if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                break
        elapsed = time.perf_counter() - start
        _, reply = self.session.recv(self.shell, mode=0)
        assert reply["content"]["status"] == "ok", reply["content"]
        return elapsed

    def close(self):
        self.shell.close()
        self.iopub.close()


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def measure_start(name):
    """Seconds from starting the kernel process to (first) the first
    kernel_info_reply and (ready) the end of jupyter_client's readiness
    check. The check is the loop of KernelClient.wait_for_ready, as
    start_new_kernel runs it: after the reply it waits for one iopub message
    and then for 0.2 s of quiet on iopub, so ready - first >= 0.2 s for
    every kernel."""
    t = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    first = None
    try:
        deadline = t + 120
        while True:
            kc.kernel_info()
            try:
                msg = kc.get_shell_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                if first is None:
                    first = time.perf_counter() - t
                try:
                    kc.get_iopub_msg(timeout=0.2)
                    break
                except Empty:
                    pass
            if not km.is_alive():
                raise RuntimeError(f"kernel {name} died before replying to kernel_info")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"kernel {name} did not answer kernel_info in 120 s")
        while True:
            try:
                kc.get_iopub_msg(timeout=0.2)
            except Empty:
                break
        ready = time.perf_counter() - t
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return first, ready


def measure_interrupt(km, kc, code):
    msg_id = kc.execute(code)
    time.sleep(0.5)
    t = time.perf_counter()
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t
    assert reply["content"]["status"] == "error", reply["content"]
    time.sleep(0.2)
    while True:  # drain iopub of the interrupted cell
        try:
            kc.get_iopub_msg(timeout=0.2)
        except Exception:
            break
    return elapsed


def blocks(total, size):
    """Splits total cells into blocks of at most size."""
    return [min(size, total - i) for i in range(0, total, size)]


def round_trips(runs, cells, block_size, pause):
    """Seconds per trivial cell for each kernel (name -> function that runs
    one cell), in blocks of block_size consecutive cells per kernel, the
    kernels alternating block by block. With pause > 0 every cell starts
    pause seconds after the previous one ended: the kernel has gone idle, as
    between cells a person types."""
    times = {n: [] for n in runs}
    for block in blocks(cells, block_size):
        for n, run in runs.items():
            for _ in range(block):
                if pause:
                    time.sleep(pause)
                times[n].append(run())
    return times


def trivial_runner(kc, code):
    def run():
        elapsed, _, _, status = run_cell(kc, code)
        assert status == "ok", status
        return elapsed
    return run


def bench(names, cells, starts, interrupts, line_runs, block_size, pause):
    """Every measurement alternates between the kernels, so that both see
    the same background load on a shared machine. Round trips also run
    against the no-work kernel "null" (bench/null_kernel.py)."""
    res = {n: {"start": [], "first_reply": [], "lines": [], "lines_msgs": [], "intr": []} for n in names}
    res["null"] = {}
    for _ in range(starts):
        for n in names:
            first, ready = measure_start(n)
            res[n]["first_reply"].append(first)
            res[n]["start"].append(ready)
    kernels = {n: start_new_kernel(kernel_name=n, startup_timeout=120) for n in names + ("null",)}
    try:
        for n, (km, kc) in kernels.items():
            run_cell(kc, WORKLOADS[n]["trivial"])  # warm up
        full = {n: trivial_runner(kc, WORKLOADS[n]["trivial"]) for n, (km, kc) in kernels.items()}
        lean = {n: LeanClient(km) for n, (km, kc) in kernels.items()}
        try:
            lean_runs = {n: (lambda c=c, n=n: c.run(WORKLOADS[n]["trivial"])) for n, c in lean.items()}
            for key, runs, p in (("trivial", full, 0), ("paced", full, pause),
                                 ("lean", lean_runs, 0), ("lean_paced", lean_runs, pause)):
                for n, xs in round_trips(runs, cells, block_size, p).items():
                    res[n][key] = xs
        finally:
            for client in lean.values():
                client.close()
        for n in names:
            memory(res, n, kernels[n][0], "idle")
        for _ in range(line_runs):
            for n in names:
                elapsed, streams, lines, status = run_cell(kernels[n][1], WORKLOADS[n]["lines"])
                assert status == "ok" and lines == 100000, (n, status, lines)
                res[n]["lines"].append(elapsed)
                res[n]["lines_msgs"].append(streams)
        for n in names:
            memory(res, n, kernels[n][0], "after")
        for _ in range(interrupts):
            for n in names:
                km, kc = kernels[n]
                res[n]["intr"].append(measure_interrupt(km, kc, WORKLOADS[n]["loop"]))
    finally:
        for km, kc in kernels.values():
            kc.stop_channels()
            km.shutdown_kernel(now=False)
    out = {}
    for n, r in res.items():
        out[n] = {}
        for key in ("trivial", "paced", "lean", "lean_paced"):
            out[n][key + "_ms_median"] = 1000 * statistics.median(r[key])
            out[n][key + "_ms_p90"] = 1000 * percentile(r[key], 0.9)
        if n == "null":
            continue
        out[n].update({
            "start_s": statistics.median(r["start"]),
            "first_reply_s": statistics.median(r["first_reply"]),
            "lines_s": statistics.median(r["lines"]),
            "lines_msgs": statistics.median(r["lines_msgs"]),
            **{k: v for k, v in r.items() if k.startswith(("rss_", "pss_"))},
            "interrupt_ms_median": 1000 * statistics.median(r["intr"]),
        })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", type=int, default=200)
    ap.add_argument("--block", type=int, default=25)
    ap.add_argument("--pause", type=float, default=0.02)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--interrupts", type=int, default=5)
    ap.add_argument("--line-runs", type=int, default=3)
    args = ap.parse_args()
    if min(args.cells, args.block, args.starts, args.interrupts, args.line_runs) < 1:
        ap.error("--cells, --block, --starts, --interrupts and --line-runs must be at least 1")
    if args.pause <= 0:
        ap.error("--pause must be positive (seconds)")
    tmp = tempfile.mkdtemp(prefix="gonote-bench-")
    try:
        gonote_kernel.install_private_kernel(tmp)
        null_kernel.install(os.environ["JUPYTER_DATA_DIR"])
        results = bench(("gonote", "python3"), args.cells, args.starts, args.interrupts, args.line_runs,
                        args.block, args.pause)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    g, p, z = results["gonote"], results["python3"], results["null"]
    paced = "%d ms apart" % round(1000 * args.pause)
    rows = [
        ("start to kernel_info_reply (s, median of %d)" % args.starts, "start_s", "%.3f"),
        ("start to first kernel_info_reply, without the 0.2 s iopub wait (s, median of %d)" % args.starts,
         "first_reply_s", "%.3f"),
        ("trivial cell round trip, back to back, median (ms, %d cells)" % args.cells, "trivial_ms_median", "%.2f"),
        ("trivial cell round trip, back to back, p90 (ms)", "trivial_ms_p90", "%.2f"),
        ("trivial cell round trip, %s, median (ms, %d cells)" % (paced, args.cells), "paced_ms_median", "%.2f"),
        ("trivial cell round trip, %s, p90 (ms)" % paced, "paced_ms_p90", "%.2f"),
        ("trivial cell, Session over plain zmq, back to back, median (ms)", "lean_ms_median", "%.2f"),
        ("trivial cell, Session over plain zmq, back to back, p90 (ms)", "lean_ms_p90", "%.2f"),
        ("trivial cell, Session over plain zmq, %s, median (ms)" % paced, "lean_paced_ms_median", "%.2f"),
        ("trivial cell, Session over plain zmq, %s, p90 (ms)" % paced, "lean_paced_ms_p90", "%.2f"),
        ("100,000 printed lines (s, median of %d)" % args.line_runs, "lines_s", "%.3f"),
        ("100,000 printed lines (stream messages)", "lines_msgs", "%d"),
        ("RSS kernel process (supervisor) after trivial cells (MB)", "rss_own_idle_mb", "%.1f"),
        ("RSS children (runner) after trivial cells (MB)", "rss_kids_idle_mb", "%.1f"),
        ("RSS kernel + children after trivial cells (MB)", "rss_idle_mb", "%.1f"),
        ("RSS kernel process (supervisor) after 100,000 lines (MB)", "rss_own_after_mb", "%.1f"),
        ("RSS children (runner) after 100,000 lines (MB)", "rss_kids_after_mb", "%.1f"),
        ("RSS kernel + children after 100,000 lines (MB)", "rss_after_mb", "%.1f"),
        ("PSS kernel + children after trivial cells (MB)", "pss_idle_mb", "%.1f"),
        ("PSS kernel + children after 100,000 lines (MB)", "pss_after_mb", "%.1f"),
        ("interrupt of a busy loop to execute_reply (ms, median of %d)" % args.interrupts, "interrupt_ms_median", "%.1f"),
    ]
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}")
    print()
    print("| measure | gonote | ipykernel | gonote / ipykernel | no-work kernel | no-work / ipykernel |")
    print("|---|---|---|---|---|---|")
    for label, key, fmt in rows:
        ratio = "%.2fx" % (g[key] / p[key]) if p[key] else "-"
        floor, floor_ratio = "-", "-"
        if key in z:
            floor, floor_ratio = fmt % z[key], "%.2fx" % (z[key] / p[key])
        print(f"| {label} | {fmt % g[key]} | {fmt % p[key]} | {ratio} | {floor} | {floor_ratio} |")


if __name__ == "__main__":
    main()
