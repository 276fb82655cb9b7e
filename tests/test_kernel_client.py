"""jupyter_client tests of the gonote kernel: interrupts, runner crashes,
forged and malformed messages, output throughput, stdin, control while a cell
runs, shutdown and restart.

Run: /usr/bin/python3 -m unittest tests/kernel_client_test.py -v
It builds gonote and gonote-runner with `go build` unless GONOTE_BIN names a
built gonote (with gonote-runner beside it), and installs the kernelspec into a
temporary JUPYTER_DATA_DIR.
"""

import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

import zmq
from jupyter_client.manager import KernelManager, start_new_kernel
from jupyter_client.session import Session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/gonote_kernel.py, however this file is run
import gonote_kernel  # noqa: E402

TIMEOUT = 60
_tmp = None
_saved_data_dir = None


def setUpModule():
    global _tmp, _saved_data_dir
    _tmp = tempfile.mkdtemp(prefix="gonote-kernel-tests-")
    _saved_data_dir = os.environ.get("JUPYTER_DATA_DIR")
    gonote_kernel.install_private_kernel(_tmp)


def tearDownModule():
    if _saved_data_dir is None:
        os.environ.pop("JUPYTER_DATA_DIR", None)
    else:
        os.environ["JUPYTER_DATA_DIR"] = _saved_data_dir
    shutil.rmtree(_tmp, ignore_errors=True)


def children_of(pid):
    """Process ids whose parent is pid, read from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


class KernelCase(unittest.TestCase):
    """One fresh gonote kernel per test."""

    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name="gonote", startup_timeout=TIMEOUT)
        self.kernel_pid = self.km.provisioner.process.pid

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def runner_pid(self):
        kids = children_of(self.kernel_pid)
        self.assertEqual(len(kids), 1, f"runner processes of the kernel: {kids}")
        return kids[0]

    def collect(self, msg_id, timeout=TIMEOUT):
        """iopub messages of msg_id up to and including status idle."""
        msgs = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            msgs.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return msgs

    def shell_reply(self, msg_id, timeout=TIMEOUT):
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def run_cell(self, code, timeout=TIMEOUT, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = self.shell_reply(msg_id, timeout)
        return reply["content"], self.collect(msg_id, timeout)

    @staticmethod
    def outputs(msgs):
        return [m for m in msgs if m["msg_type"] in
                ("stream", "error", "display_data", "execute_result", "update_display_data", "clear_output")]

    @staticmethod
    def stdout(msgs):
        return "".join(m["content"]["text"] for m in msgs
                       if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def assert_ok(self, code, expect_stdout=None):
        content, msgs = self.run_cell(code)
        self.assertEqual(content["status"], "ok", f"{code!r}: {content}")
        if expect_stdout is not None:
            self.assertEqual(self.stdout(msgs), expect_stdout)
        return msgs

    def assert_one_error(self, msgs):
        outs = self.outputs(msgs)
        errors = [m for m in outs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, f"outputs: {[(m['msg_type'], m['content']) for m in outs]}")
        return errors[0]["content"]


class InterruptTests(KernelCase):
    def interrupted(self, code, interrupt=None):
        """Runs code, interrupts it after 0.5 s (by message unless interrupt is given) and
        returns the execute_reply content and the cell's one error output."""
        msg_id = self.kc.execute(code)
        time.sleep(0.5)
        (interrupt or self.km.interrupt_kernel)()
        reply = self.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "error")
        return reply, self.assert_one_error(self.collect(msg_id))

    def interrupt_loop(self, interrupt):
        self.assert_ok('import "fmt"\nkept := 42')
        reply, _ = self.interrupted("for {}", interrupt)
        self.assertEqual(reply["ename"], "Interrupted")
        # The session kept its state (and, checked by the callers, its runner).
        self.assert_ok("fmt.Println(kept)", "42\n")

    def test_interrupt_by_message(self):
        self.assertEqual(self.km.kernel_spec.interrupt_mode, "message")
        pid = self.runner_pid()
        self.interrupt_loop(self.km.interrupt_kernel)
        self.assertEqual(self.runner_pid(), pid, "an interpreted loop should stop without a runner restart")

    def test_interrupt_by_signal(self):
        # What jupyter_client does for interrupt_mode "signal": SIGINT to the
        # kernel's process group. The runner has its own group and survives.
        pid = self.runner_pid()
        self.interrupt_loop(lambda: self.km.signal_kernel(signal.SIGINT))
        self.assertEqual(self.runner_pid(), pid)
        self.assertTrue(self.km.is_alive())

    def test_interrupt_ends_a_sleep(self):
        # time.Sleep in a cell returns on an interrupt, so a sleeping loop stops at once,
        # with the session and its runner kept, and does not go on in the background.
        self.assert_ok('import ("fmt"; "time")\nwoke := 0')
        pid = self.runner_pid()
        reply, _ = self.interrupted("for {\n\ttime.Sleep(time.Hour)\n\twoke++\n}")
        self.assertEqual(reply["ename"], "Interrupted")
        self.assertEqual(self.runner_pid(), pid)
        time.sleep(0.3)
        self.assert_ok("fmt.Println(woke)", "0\n")

    def test_interrupt_of_a_stuck_compiled_call_replaces_the_runner(self):
        # A compiled call that ignores the interrupt (WaitGroup.Wait) keeps the cell running;
        # past the grace period the runner is replaced, the declarations come back, the
        # values are named as lost and the user is told.
        self.assert_ok('import ("fmt"; "sync")\nfunc answer() int { return 42 }\nlost := 7\nvar wg sync.WaitGroup\nwg.Add(1)')
        old_runner = self.runner_pid()
        _, err = self.interrupted("wg.Wait()")
        text = "\n".join([err["evalue"]] + err["traceback"])
        self.assertIn("did not stop within", text)
        self.assertIn("A new runner was started", text)
        self.assertIn("lost", text)
        self.assertNotEqual(self.runner_pid(), old_runner)
        self.assertTrue(self.km.is_alive())
        self.assert_ok("fmt.Println(answer())", "42\n")


class CrashTests(KernelCase):
    def assert_recovered(self, crash_code, expect_in_error, kill_runner=False):
        self.assert_ok('import "fmt"\nfunc answer() int { return 42 }\nlost := 7')
        old_runner = self.runner_pid()
        msg_id = self.kc.execute(crash_code)
        if kill_runner:
            time.sleep(0.5)
            os.kill(old_runner, signal.SIGKILL)
        reply = self.shell_reply(msg_id)["content"]
        msgs = self.collect(msg_id)
        self.assertEqual(reply["status"], "error")
        err = self.assert_one_error(msgs)
        text = "\n".join([err["evalue"]] + err["traceback"])
        self.assertIn(expect_in_error, text)
        self.assertIn("A new runner was started", text)
        self.assertIn("lost", text)
        # Same kernel process, new runner, declarations restored.
        self.assertTrue(self.km.is_alive())
        self.assertEqual(self.km.provisioner.process.pid, self.kernel_pid)
        self.assertNotEqual(self.runner_pid(), old_runner)
        self.assertTrue(self.kc.hb_channel.is_beating())
        self.assert_ok("fmt.Println(answer())", "42\n")

    def test_runner_killed(self):
        self.assert_recovered('import "time"\ntime.Sleep(30 * time.Second)', "killed by signal", kill_runner=True)

    def test_concurrent_map_writes(self):
        code = ('import "time"\nm := map[int]int{}\n'
                'for i := 0; i < 4; i++ {\n\tgo func() {\n\t\tfor j := 0; ; j++ {\n\t\t\tm[j%64] = j\n\t\t}\n\t}()\n}\n'
                'time.Sleep(20 * time.Second)')
        self.assert_recovered(code, "fatal error: concurrent map")

    def test_goroutine_panic(self):
        content, msgs = self.run_cell('import "time"\ngo func() { panic("boom") }()\ntime.Sleep(time.Second)')
        self.assertEqual(content["status"], "error")
        err = self.assert_one_error(msgs)
        self.assertIn("boom", err["evalue"] + "\n".join(err["traceback"]))
        self.assert_ok('println("alive")')


class WireTests(KernelCase):
    def test_forged_and_malformed_messages_are_dropped(self):
        info = self.km.get_connection_info()
        ctx = zmq.Context.instance()
        raw = ctx.socket(zmq.DEALER)
        raw.setsockopt(zmq.LINGER, 0)
        raw.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        forger = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
        forged = forger.msg("execute_request", content={"code": 'println("FORGED")', "silent": False,
                                                        "store_history": True, "user_expressions": {},
                                                        "allow_stdin": False, "stop_on_error": True})
        forger.send(raw, forged)
        honest = Session(key=self.km.session.key, signature_scheme="hmac-sha256")
        unsigned = honest.serialize(honest.msg("execute_request", content={"code": 'println("UNSIGNED")'}))
        unsigned[1] = b""
        raw.send_multipart(unsigned)
        for frames in ([b"garbage"], [b"<IDS|MSG>", b"sig"], [b"<IDS|MSG>", b"", b"{", b"{}", b"{}", b"{}"],
                       [b"<IDS|MSG>"] + [b"\xff" * 10] * 5):
            raw.send_multipart(frames)
        time.sleep(0.5)
        raw.close()
        content, msgs = self.run_cell('println("real")')
        self.assertEqual(content["status"], "ok")
        self.assertEqual(content["execution_count"], 1, "a dropped message was executed")
        texts = "".join(m["content"].get("text", "") for m in msgs)
        self.assertNotIn("FORGED", texts)
        self.assertTrue(self.km.is_alive())
        self.assertTrue(self.kc.hb_channel.is_beating())


class IpcTransportTest(unittest.TestCase):
    def test_ipc_transport(self):
        km = KernelManager(kernel_name="gonote", transport="ipc")
        km.start_kernel()
        kc = km.client()
        try:
            kc.start_channels()
            kc.wait_for_ready(timeout=TIMEOUT)
            results = []
            reply = kc.execute_interactive("1 + 2", timeout=TIMEOUT, output_hook=lambda m: results.append(m))
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertIn({"text/plain": "3"}, [m["content"].get("data") for m in results])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)


class OutputTests(KernelCase):
    def test_hundred_thousand_lines(self):
        content, msgs = self.run_cell('import "fmt"\nfor i := 0; i < 100000; i++ {\n\tfmt.Println(i)\n}', timeout=120)
        self.assertEqual(content["status"], "ok")
        streams = [m for m in msgs if m["msg_type"] == "stream"]
        lines = self.stdout(msgs).splitlines()
        self.assertEqual(lines, [str(i) for i in range(100000)])
        self.assertLessEqual(len(streams), 100)
        # Every output precedes the reply's idle, which is the last message.
        self.assertEqual(msgs[-1]["content"]["execution_state"], "idle")


    def test_a_subscriber_that_stops_reading_does_not_stall_the_others(self):
        """A second iopub subscriber that never reads (a frozen frontend)
        must not stop this client's output: once the stuck one's queue is
        full, the kernel drops the messages meant for it, as libzmq's PUB
        does at a subscriber's high-water mark."""
        info = self.km.get_connection_info()
        stuck = zmq.Context.instance().socket(zmq.SUB)
        stuck.setsockopt(zmq.RCVHWM, 1)
        stuck.setsockopt(zmq.RCVBUF, 4096)
        stuck.setsockopt(zmq.LINGER, 0)
        stuck.setsockopt(zmq.SUBSCRIBE, b"")
        stuck.connect(f"{info['transport']}://{info['ip']}:{info['iopub_port']}")
        try:
            deadline = time.monotonic() + TIMEOUT
            while not stuck.poll(100):  # subscribed once it gets a message
                self.assertLess(time.monotonic(), deadline, "the second subscriber never got a message")
                self.assert_ok("1+1")
            stuck.recv_multipart()
            # 4 x 12 MB: far beyond the stuck subscriber's socket buffers and
            # the kernel's queue for it.
            code = 'import ("fmt"; "strings")\ns := strings.Repeat("x", 1<<20)\nfor i := 0; i < 12; i++ {\n\tfmt.Println(s)\n}'
            for _ in range(4):
                content, msgs = self.run_cell(code)
                self.assertEqual(content["status"], "ok")
                self.assertEqual(len(self.stdout(msgs)), 12 * ((1 << 20) + 1))
        finally:
            stuck.close()

    def test_prints_and_displays_keep_their_order(self):
        code = ('import "fmt"\nfor i := 0; i < 3; i++ {\n\tfmt.Println("line", i)\n'
                '\tdisplay.HTML(fmt.Sprintf("<b>%d</b>", i))\n}\nfmt.Println("end")')
        content, msgs = self.run_cell(code)
        self.assertEqual(content["status"], "ok", content)
        seen = []
        for m in self.outputs(msgs):
            if m["msg_type"] == "stream":
                seen += [("print", line) for line in m["content"]["text"].splitlines()]
            elif m["msg_type"] == "display_data":
                seen.append(("display", m["content"]["data"]["text/html"]))
        want = []
        for i in range(3):
            want += [("print", f"line {i}"), ("display", f"<b>{i}</b>")]
        want.append(("print", "end"))
        self.assertEqual(seen, want)

    def test_completion_while_a_cell_runs(self):
        msg_id = self.kc.execute('import "time"\ntime.Sleep(3 * time.Second)')
        time.sleep(0.3)
        cid = self.kc.complete("strings.ToUpp", 13)
        # The first shell reply is the completion: it did not wait for the cell.
        first = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(first["parent_header"]["msg_id"], cid)
        self.assertIn("ToUpper", first["content"]["matches"])
        self.assertEqual(self.shell_reply(msg_id)["content"]["status"], "ok")


class StdinTests(KernelCase):
    CODE = 'import "fmt"\nvar name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)'

    def test_input_round_trip(self):
        msg_id = self.kc.execute(self.CODE, allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["parent_header"]["msg_id"], msg_id)
        self.assertFalse(req["content"]["password"])
        self.kc.input("gopher")
        reply = self.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(self.stdout(self.collect(msg_id)), "hello gopher\n")

    def test_allow_stdin_false(self):
        # The read fails at once instead of waiting for an input_reply.
        code = 'import "fmt"\nvar name string\n_, err := fmt.Scanln(&name)\nfmt.Println("read failed:", err != nil)'
        msg_id = self.kc.execute(code, allow_stdin=False)
        reply = self.shell_reply(msg_id)["content"]
        msgs = self.collect(msg_id)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(self.stdout(msgs), "read failed: true\n")
        with self.assertRaises(Exception):
            self.kc.get_stdin_msg(timeout=0.5)


class ControlTests(KernelCase):
    def test_control_answers_while_a_cell_runs(self):
        msg_id = self.kc.execute('import "time"\ntime.Sleep(3 * time.Second)')
        time.sleep(0.3)
        req = self.kc.session.msg("kernel_info_request")
        self.kc.control_channel.send(req)
        reply = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["parent_header"]["msg_id"], req["header"]["msg_id"])
        # Answered while the cell still runs: its execute_reply is not there yet.
        with self.assertRaises(Exception):
            self.kc.get_shell_msg(timeout=0.05)
        self.assertTrue(self.kc.hb_channel.is_beating())
        self.assertEqual(self.shell_reply(msg_id)["content"]["status"], "ok")

    def test_restart_and_shutdown(self):
        self.assert_ok("v := 1")
        old_pid = self.kernel_pid
        old_runner = self.runner_pid()
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.kernel_pid = self.km.provisioner.process.pid
        self.assertNotEqual(self.kernel_pid, old_pid)
        self.assertFalse(os.path.exists(f"/proc/{old_runner}"), "the old runner outlived its kernel")
        content, _ = self.run_cell("v")
        self.assertEqual(content["status"], "error", "a restarted kernel starts empty")
        self.assertEqual(content["execution_count"], 1)
        # The history survives the restart, the new process is a new session.
        hid = self.kc.history(hist_access_type="tail", n=2, raw=True, output=False)
        history = self.shell_reply(hid)["content"]["history"]
        self.assertEqual([h[2] for h in history], ["v := 1", "v"])
        self.assertEqual(history[1][0], history[0][0] + 1)
        runner = self.runner_pid()
        self.km.shutdown_kernel(now=False)
        self.assertFalse(self.km.is_alive())
        deadline = time.monotonic() + 5
        while os.path.exists(f"/proc/{runner}") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(f"/proc/{runner}"), "the runner outlived shutdown")
        self.kc.stop_channels()
        self.km, self.kc = start_new_kernel(kernel_name="gonote", startup_timeout=TIMEOUT)  # for tearDown


if __name__ == "__main__":
    unittest.main()
