"""The cell corpus of script/testdata/corpus, run through the real kernel.

script's Go tests run every corpus file through the runner engine directly;
this test sends the same cells over the Jupyter protocol (jupyter_client, a
kernel started from the "gonote" kernelspec) and checks what a notebook
receives: stream text, execute_result text/plain and MIME types, error
name/value/traceback, display messages. One fresh kernel per corpus file,
cells in file order, as in a notebook.
"""

import glob
import os
import unittest
from queue import Empty

from jupyter_client.manager import start_new_kernel

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "script", "testdata", "corpus")
TIMEOUT = 60


def parse_corpus(path):
    """Cases of a corpus file, in the format documented in script/corpus_test.go."""
    cases, cur, section, buf = [], None, None, []

    def flush():
        if cur is None:
            return
        cur[section] = list(buf)
        buf.clear()

    with open(path, encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    for number, line in enumerate(lines, 1):
        if line.startswith("### "):
            flush()
            cur = {"name": line[4:], "line": number}
            cases.append(cur)
            section = "code"
        elif line.startswith(">>> "):
            flush()
            section = line[4:]
        else:
            buf.append(line)
    flush()
    return cases


class Outputs:
    def __init__(self):
        self.stdout = ""
        self.stderr = ""
        self.result = None
        self.mimes = []
        self.error = None
        self.shown = []


def run_cell(kc, code):
    """Execute code and collect its iopub outputs up to status idle."""
    msg_id = kc.execute(code, allow_stdin=False)
    out = Outputs()
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        if kind == "stream":
            if content["name"] == "stdout":
                out.stdout += content["text"]
            else:
                out.stderr += content["text"]
        elif kind == "execute_result":
            out.result = content["data"].get("text/plain")
            out.mimes = sorted(content["data"])
        elif kind == "error":
            out.error = content
        elif kind in ("display_data", "update_display_data"):
            # Same rendering as script's recording sink: verb, MIME types,
            # "(id)" for a display with an id, then the text/plain.
            verb = "display" if kind == "display_data" else "update"
            line = verb + " " + ",".join(sorted(content["data"]))
            if content.get("transient", {}).get("display_id"):
                line += " (id)"
            out.shown.append(line + ": " + content["data"].get("text/plain", ""))
        elif kind == "clear_output":
            out.shown.append("clear")
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return reply["content"], out


class CorpusThroughKernel(unittest.TestCase):
    def check_file(self, path):
        km, kc = start_new_kernel(kernel_name="gonote", startup_timeout=TIMEOUT)
        try:
            for case in parse_corpus(path):
                where = f"{os.path.basename(path)}:{case['line']} {case['name']}"
                with self.subTest(case=where):
                    self.check_case(kc, case)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def check_case(self, kc, case):
        reply, out = run_cell(kc, "\n".join(case["code"]))
        want_stdout = "\n".join(case["stdout"]) + "\n" if case.get("stdout") else ""
        self.assertEqual(out.stdout, want_stdout)
        if "error" in case:
            self.assertEqual(reply["status"], "error")
            self.assertIsNotNone(out.error, "no error message on iopub")
            self.assertEqual(out.error["ename"] + ": " + out.error["evalue"], "\n".join(case["error"]))
            traceback = "\n".join(out.error["traceback"])
            rest = traceback
            for line in case.get("traceback", []):
                self.assertIn(line, rest, f"traceback lacks {line!r} (in order):\n{traceback}")
                rest = rest[rest.index(line) + len(line):]
        else:
            self.assertEqual(reply["status"], "ok", out.error)
            self.assertIsNone(out.error)
        if "result" in case:
            self.assertEqual(out.result, "\n".join(case["result"]))
        elif "mimes" not in case:
            self.assertIsNone(out.result, "a cell with no expected value produced one")
        if "mimes" in case:
            self.assertEqual(",".join(out.mimes), "\n".join(case["mimes"]))
        self.assertEqual(out.shown, case.get("display", []))
        if "stderr" in case:
            self.assertIn("\n".join(case["stderr"]), out.stderr)
        else:
            self.assertEqual(out.stderr, "")


def _make_test(path):
    return lambda self: self.check_file(path)


for _path in sorted(glob.glob(os.path.join(CORPUS, "*.txt"))):
    _name = "test_" + os.path.splitext(os.path.basename(_path))[0]
    setattr(CorpusThroughKernel, _name, _make_test(_path))


if __name__ == "__main__":
    unittest.main()
