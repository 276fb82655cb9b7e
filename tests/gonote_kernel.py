"""Shared by tests/test_kernel_client.py and bench/kernel_latency.py: registers
the gonote kernel (kernelspec "gonote") in a private Jupyter data directory for
the calling process.
"""

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def install_private_kernel(tmp):
    """Installs the kernelspec "gonote" under tmp/jupyter and points
    JUPYTER_DATA_DIR there (the caller restores it if it must). The kernel is
    $GONOTE_BIN (a built gonote with gonote-runner beside it) or, without that
    variable, gonote and gonote-runner built with `go build` into tmp: gonote
    starts its runner from its own directory. Returns the gonote binary's path."""
    binary = os.environ.get("GONOTE_BIN")
    if not binary:
        binary = os.path.join(tmp, "gonote")
        subprocess.run(["go", "build", "-o", os.path.join(tmp, ""), "./cmd/gonote", "./cmd/gonote-runner"],
                       cwd=REPO, check=True)
    os.environ["JUPYTER_DATA_DIR"] = os.path.join(tmp, "jupyter")
    subprocess.run([binary, "install", "--user"], check=True, stdout=subprocess.DEVNULL)
    return binary
