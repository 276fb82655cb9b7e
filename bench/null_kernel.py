"""A kernel that does no work, the floor of bench/kernel_latency.py's round
trips: it answers kernel_info at once and every execute_request with the
messages of a trivial cell (busy, execute_input, execute_result "2",
execute_reply, idle), signed with jupyter_client's Session over blocking
pyzmq sockets. Whatever a client measures against it is the client's and
the transport's own cost.

Usage: /usr/bin/python3 bench/null_kernel.py CONNECTION_FILE
"""

import json
import os
import signal
import sys

import zmq
from jupyter_client.session import Session

KERNEL_INFO = {
    "status": "ok", "protocol_version": "5.3", "implementation": "null", "implementation_version": "1",
    "language_info": {"name": "null", "version": "1", "mimetype": "text/plain", "file_extension": ".txt"},
    "banner": "a kernel that does no work", "help_links": [],
}


def serve(conn):
    session = Session(key=conn["key"].encode(), signature_scheme=conn["signature_scheme"])
    ctx = zmq.Context()

    def bind(kind, port):
        sock = ctx.socket(kind)
        sock.bind(f"{conn['transport']}://{conn['ip']}:{port}")
        return sock

    shell, control = bind(zmq.ROUTER, conn["shell_port"]), bind(zmq.ROUTER, conn["control_port"])
    iopub, hb = bind(zmq.PUB, conn["iopub_port"]), bind(zmq.REP, conn["hb_port"])
    bind(zmq.ROUTER, conn["stdin_port"])
    poller = zmq.Poller()
    for sock in (shell, control, hb):
        poller.register(sock, zmq.POLLIN)
    count = 0
    while True:
        for sock, _ in poller.poll():
            if sock is hb:
                hb.send(hb.recv())
                continue
            idents, frames = session.feed_identities(sock.recv_multipart())
            msg = session.deserialize(frames)
            kind, parent = msg["header"]["msg_type"], msg["header"]
            session.send(iopub, "status", {"execution_state": "busy"}, parent=parent)
            if kind == "kernel_info_request":
                session.send(sock, "kernel_info_reply", KERNEL_INFO, parent=parent, ident=idents)
            elif kind == "execute_request":
                count += 1
                session.send(iopub, "execute_input", {"code": msg["content"]["code"], "execution_count": count},
                             parent=parent)
                session.send(iopub, "execute_result",
                             {"data": {"text/plain": "2"}, "metadata": {}, "execution_count": count}, parent=parent)
                session.send(sock, "execute_reply", {"status": "ok", "execution_count": count,
                                                     "user_expressions": {}, "payload": []},
                             parent=parent, ident=idents)
            elif kind == "shutdown_request":
                session.send(sock, "shutdown_reply", {"status": "ok", "restart": False}, parent=parent, ident=idents)
                session.send(iopub, "status", {"execution_state": "idle"}, parent=parent)
                return
            session.send(iopub, "status", {"execution_state": "idle"}, parent=parent)


def install(data_dir):
    """Registers this kernel as kernelspec "null" under data_dir/kernels."""
    spec = os.path.join(data_dir, "kernels", "null")
    os.makedirs(spec, exist_ok=True)
    with open(os.path.join(spec, "kernel.json"), "w") as f:
        json.dump({"argv": [sys.executable, os.path.abspath(__file__), "{connection_file}"],
                   "display_name": "null (no work)", "language": "null"}, f)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # jupyter_client interrupts before it shuts a kernel down
    with open(sys.argv[1]) as f:
        serve(json.load(f))
