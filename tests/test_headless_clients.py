"""The clients other than a notebook server, driven as users run them: `jupyter nbconvert
--execute` (headless, reproducible tutorials), `jupyter nbconvert --to html`, and
`jupyter console` with its input piped in.

tests/run.sh registers the freshly built kernel as "gonote" in a private JUPYTER_PATH
before running this file; the commands run with /usr/bin/python3's modules.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/notebook_run.py, however this file is run
import notebook_run  # noqa: E402

TIMEOUT = 300


def run(args, stdin=None, cwd=None):
    """Runs python3 -m args and returns the CompletedProcess (text, output captured)."""
    return subprocess.run([sys.executable, "-m"] + args, input=stdin, capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=cwd)


def nbconvert_execute(src, out_dir, name):
    """Executes the notebook src headless with nbconvert into out_dir/name on the gonote
    kernel, and returns the CompletedProcess."""
    return run(["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=gonote",
                "--ExecutePreprocessor.timeout=%d" % TIMEOUT, "--output-dir", out_dir, "--output", name, src],
               cwd=os.path.dirname(src))


class NbconvertHeadless(unittest.TestCase):
    """A tutorial notebook run twice with nbconvert gives the same numbers, and the numbers
    committed in the repository."""

    PAPER = os.path.join(notebook_run.NOTEBOOKS, "prime.ipynb")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gonote-nbconvert-")
        cls.runs = []
        for i in (1, 2):
            proc = nbconvert_execute(cls.PAPER, cls.tmp, "run%d.ipynb" % i)
            if proc.returncode != 0:
                raise AssertionError("nbconvert --execute failed (%d):\n%s" % (proc.returncode, proc.stderr[-3000:]))
            cls.runs.append(nbformat.read(os.path.join(cls.tmp, "run%d.ipynb" % i), as_version=4))

    def test_two_runs_agree(self):
        first, second = (notebook_run.text_outputs(nb) for nb in self.runs)
        self.assertTrue(any(cell for cell in first), "the executed notebook has no outputs")
        self.assertEqual(notebook_run.error_outputs(self.runs[0].cells), [])
        self.assertEqual(first, second, "\n".join(notebook_run.text_differences(first, second)))

    def test_committed_outputs_reproduce(self):
        committed = notebook_run.text_outputs(nbformat.read(self.PAPER, as_version=4))
        fresh = notebook_run.text_outputs(self.runs[0])
        self.assertEqual(committed, fresh, "\n".join(notebook_run.text_differences(committed, fresh)))

    def test_execution_counts_run_in_order(self):
        counts = [c.execution_count for c in self.runs[0].cells if c.cell_type == "code"]
        self.assertEqual(counts, list(range(1, len(counts) + 1)))

    def test_html_export_embeds_the_charts(self):
        src = os.path.join(self.tmp, "run1.ipynb")
        proc = run(["nbconvert", "--to", "html", "--output-dir", self.tmp, "--output", "run1.html", src])
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        with open(os.path.join(self.tmp, "run1.html"), encoding="utf-8") as f:
            html = f.read()
        charts = [o["data"]["image/png"] for c in self.runs[0].cells for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {})]
        self.assertGreater(len(charts), 0)
        for i, png in enumerate(charts):
            self.assertIn("data:image/png;base64," + "".join(png.split()), html, "chart %d is not in the HTML" % i)
        # The kernel's language_info (pygments_lexer go) gives the export Go highlighting.
        self.assertTrue('class=" highlight hl-go"' in html, "the code cells are not highlighted as Go")


class NbconvertFailingNotebook(unittest.TestCase):
    def test_failing_cell_fails_the_run(self):
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "gonote", "display_name": "Go (gonote)",
                                                               "language": "go"}})
        nb.cells = [nbformat.v4.new_code_cell("x := 41"),
                    nbformat.v4.new_code_cell('panic(fmt.Sprint("boom at ", x+1))'),
                    nbformat.v4.new_code_cell('fmt.Println("after the failure")')]
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "failing.ipynb")
            nbformat.write(nb, src)
            proc = nbconvert_execute(src, tmp, "out.ipynb")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("boom at 42", proc.stderr)
        self.assertNotIn("after the failure", proc.stderr + proc.stdout)


class Console(unittest.TestCase):
    """jupyter console with piped input, as in a terminal session."""

    def test_session(self):
        cells = ['x := 21', 'x * 2', 'fmt.Println("hello from", "go")', 'undefinedThing + 1',
                 'for i := range 3 { fmt.Print(i) }', 'x']
        proc = run(["jupyter_console", "--kernel", "gonote", "--simple-prompt"], stdin="\n".join(cells) + "\n")
        out = proc.stdout
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertIn("gonote", out)  # the banner
        self.assertIn("Out[2]: 42", out)
        self.assertIn("hello from go", out)
        self.assertIn("undefined: undefinedThing", proc.stderr)  # tracebacks go to the terminal's stderr
        self.assertIn("012", out)
        self.assertIn("Out[6]: 21", out)  # the failed cell changed nothing


if __name__ == "__main__":
    unittest.main()
