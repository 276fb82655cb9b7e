"""Shared by the notebook tests (tests/test_notebook_*.py, tests/test_display_notebook.py):
executes a notebook from notebooks/ on the gonote kernel with nbclient, keeps every iopub
message per cell, and reads text, HTML and PNG outputs back out of the executed cells.

The kernelspec "gonote" must be installed (tests/run.sh registers a freshly built one in a
private JUPYTER_PATH).
"""

import os
import re
import time

import nbformat
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "notebooks")


class RecordingClient(NotebookClient):
    """A NotebookClient that also keeps every iopub message per cell index, so a test sees
    update_display_data and clear_output messages, which nbclient folds into the final
    outputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages = {}

    def process_message(self, msg, cell, cell_index):
        self.messages.setdefault(cell_index, []).append(msg)
        return super().process_message(msg, cell, cell_index)


class Executed:
    """A notebook after execution: nb (all cells with their outputs), code (its code cells
    in order), messages (cell index -> iopub messages) and seconds (wall time of the run)."""

    def __init__(self, nb, messages, seconds):
        self.nb = nb
        self.code = [c for c in nb.cells if c.cell_type == "code"]
        self.messages = messages
        self.seconds = seconds

    def index_of(self, marker):
        """Index in nb.cells of the first code cell whose source contains marker; fails the
        test (AssertionError) when there is none."""
        for i, c in enumerate(self.nb.cells):
            if c.cell_type == "code" and marker in c.source:
                return i
        raise AssertionError("no code cell contains %r" % marker)

    def cell(self, marker):
        """The first code cell whose source contains marker (see index_of)."""
        return self.nb.cells[self.index_of(marker)]


def execute(filename, timeout, allow_errors=False):
    """Executes notebooks/<filename> on the gonote kernel, with the notebooks folder as the
    working directory. Unless allow_errors, a failing cell raises nbclient's
    CellExecutionError."""
    nb = nbformat.read(os.path.join(NOTEBOOKS, filename), as_version=4)
    client = RecordingClient(nb, kernel_name="gonote", timeout=timeout, allow_errors=allow_errors,
                             resources={"metadata": {"path": NOTEBOOKS}})
    start = time.monotonic()
    client.execute()
    return Executed(nb, client.messages, time.monotonic() - start)


def error_outputs(cells):
    """One line per error output of the cells: 'code cell N (1-based): ename: evalue'.
    Empty when every cell ran cleanly."""
    return ["code cell %d: %s: %s" % (i, o.get("ename"), o.get("evalue"))
            for i, c in enumerate(cells, 1) for o in c.get("outputs", []) if o.get("output_type") == "error"]


def stream_text(cell):
    """All stream output of a code cell."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def cell_text(cell):
    """All stream and text/plain output of a code cell, in order."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def html_of(outputs):
    """The text/html of a list of outputs, joined."""
    return "".join(o.get("data", {}).get("text/html", "") for o in outputs)


def png_count(cells):
    """How many outputs of the cells carry an image/png."""
    return sum(1 for c in cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


# Wall-clock figures in outputs (progress bars' rate and elapsed time, timing columns):
# the only parts of a seeded notebook's output that may differ between runs.
_WALL_CLOCK = [
    (re.compile(r"\d+(?:\.\d+)?/s\b"), "<rate>"),
    (re.compile(r"\b\d+:\d\d(?::\d\d)?\b"), "<clock>"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)\b"), "<duration>"),
]
_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex")


def _without_wall_clock(text):
    for pattern, repl in _WALL_CLOCK:
        text = pattern.sub(repl, text)
    return text


def text_outputs(nb):
    """The text of every code cell's outputs (streams, errors and the text MIME types of
    results and displays), one list per code cell, with wall-clock figures replaced by
    placeholders: what two runs of a seeded notebook must agree on."""
    cells = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        outs = []
        for o in c.get("outputs", []):
            kind = o.get("output_type")
            if kind == "stream":
                outs.append((kind, o.get("name"), _without_wall_clock(o.get("text", ""))))
            elif kind == "error":
                outs.append((kind, o.get("ename"), o.get("evalue")))
            else:
                data = o.get("data", {})
                outs.append((kind, tuple(sorted(data)),
                             tuple(_without_wall_clock(_joined(data[m])) for m in _TEXT_MIMES if m in data)))
        cells.append(outs)
    return cells


def _joined(value):
    return "".join(value) if isinstance(value, list) else value


def text_differences(a, b, limit=3):
    """Up to limit lines naming the code cells whose text_outputs differ between a and b."""
    out = []
    for i, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            out.append("code cell %d:\n  %r\n  %r" % (i, x, y))
    if len(a) != len(b):
        out.append("%d code cells against %d" % (len(a), len(b)))
    return out[:limit]
