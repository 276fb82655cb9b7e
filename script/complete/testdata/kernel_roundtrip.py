"""Round-trip latency of complete_request and inspect_request through the real
gonote kernel (supervisor + runner), measured while another cell is running.

Usage: JUPYTER_PATH=<prefix>/share/jupyter /usr/bin/python3 kernel_roundtrip.py
(after `gonote install --prefix <prefix>`). Prints the median and max round
trip per request over N requests, and the first reply of each.
"""
import statistics
import time

from jupyter_client import KernelManager

N = 50
km = KernelManager(kernel_name="gonote")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)


def shell_reply(msg_id):
    while True:
        r = kc.get_shell_msg(timeout=30)
        if r["parent_header"].get("msg_id") == msg_id:
            return r["content"]


assert shell_reply(kc.execute("p := plot.New()\nd := mat.NewDense(2, 2, nil)"))["status"] == "ok"
busy = kc.execute("time.Sleep(20 * time.Second)")  # keeps the runner busy
time.sleep(0.5)

cases = [
    ("complete", "strings.ToU"),
    ("complete", "p.Title.Te"),
    ("complete", 's := "héllo🙂"; strings.ToU'),
    ("complete", "d.Mu"),
    ("inspect", "mat.NewDense"),
]
for kind, code in cases:
    times, first = [], None
    for _ in range(N):
        t0 = time.perf_counter()
        if kind == "complete":
            c = shell_reply(kc.complete(code, len(code)))
        else:
            c = shell_reply(kc.inspect(code, len(code)))
        times.append((time.perf_counter() - t0) * 1000)
        first = first or c
    summary = first.get("matches", first.get("found"))
    extra = (first.get("cursor_start"), first.get("cursor_end")) if kind == "complete" else ""
    print(f"{kind:8} {code!r:34} median {statistics.median(times):6.2f} ms  max {max(times):6.2f} ms  {summary} {extra}")

kc.stop_channels()
km.shutdown_kernel(now=True)
