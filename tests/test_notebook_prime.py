"""Executes notebooks/prime.ipynb on the gonote kernel with nbclient and checks
its key numbers against the tolerances of the build spec
(papers/sketch-prime.md §6.3 and §6.4; the notebook uses 3 trials per point).

tests/run.sh registers the freshly built kernel as "gonote" in a private
JUPYTER_PATH before running this file.
"""

import math
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/notebook_run.py, however this file is run
import notebook_run  # noqa: E402


def sweep_rows(text, param):
    """Parses report() lines 'param = x | name v | name v' into {x: {name: v}}."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^%s = ([0-9.e+-]+) \| (.*)$" % re.escape(param), line.strip())
        if not m:
            continue
        vals = {}
        for part in m.group(2).split(" | "):
            name, v = part.rsplit(" ", 1)
            vals[name] = float(v)
        rows[float(m.group(1))] = vals
    return rows


class PrimeNotebook(unittest.TestCase):
    executed = nb = seconds = None

    @classmethod
    def setUpClass(cls):
        cls.executed = notebook_run.execute("prime.ipynb", timeout=300)
        cls.nb, cls.seconds = cls.executed.nb, cls.executed.seconds

    def cell(self, marker):
        return self.executed.cell(marker)

    def test_metadata_and_outputs(self):
        self.assertEqual(self.nb.metadata.kernelspec.name, "gonote")
        self.assertEqual(self.nb.metadata.kernelspec.language, "go")
        pngs = htmls = 0
        for c in self.nb.cells:
            if c.cell_type != "code":
                continue
            for out in c.outputs:
                self.assertNotEqual(out.get("output_type"), "error", "cell failed: %s" % c.source[:80])
                data = out.get("data", {})
                pngs += "image/png" in data
                htmls += "text/html" in data
        # calibration grid, dimension, direction, alpha, privacy, epsilon charts
        self.assertGreaterEqual(pngs, 6)
        self.assertGreaterEqual(htmls, 3)
        print("prime.ipynb executed in %.1f s" % self.seconds)

    def test_calibration(self):  # DP-2..DP-5
        text = notebook_run.cell_text(self.cell("dp.CompareCalibration"))
        sig = {(float(a), float(b)): float(s) for a, b, s in
               re.findall(r"eps = ([0-9.]+), delta = ([0-9.e-]+): classic sigma [0-9.]+ \(true delta [0-9.e-]+\), analytic sigma ([0-9.]+)", text)}
        self.assertAlmostEqual(sig[(1.0, 1e-5)], 3.7306, delta=3.7306e-3)
        self.assertAlmostEqual(sig[(1.0, 0.01)], 1.8779, delta=1.8779e-3)
        self.assertAlmostEqual(sig[(10.0, 0.01)], 0.3501, delta=0.3501e-3)
        m = re.search(r"KS Laplace D = ([0-9.]+), KS Gaussian D = ([0-9.]+) \(critical ([0-9.]+)\); chi2 exponential = ([0-9.]+) \(critical ([0-9.]+)\)", text)
        self.assertIsNotNone(m, text)
        lap, gau, crit, chi, chicrit = map(float, m.groups())
        self.assertAlmostEqual(crit, 1.9495 / math.sqrt(20000), places=4)
        self.assertLessEqual(lap, crit)
        self.assertLessEqual(gau, crit)
        self.assertLessEqual(chi, 27.88)

    def test_single_dataset_and_ledger(self):  # DP-9, PR-1 at d = 20
        c = self.cell("robust.Compare")
        text = notebook_run.cell_text(c)
        errs = dict((k, float(v)) for k, v in re.findall(r"^error (.+?)\s+([0-9.]+)$", text, re.M))
        self.assertLessEqual(errs["prime"], 0.10)
        self.assertLessEqual(errs["filter"], 0.10)
        self.assertTrue(0.9 * 0.075 * math.sqrt(20) <= errs["dp mean"] <= 1.1 * 0.075 * math.sqrt(20), errs)
        m = re.search(r"ledger total: epsilon = ([0-9.e-]+), delta = ([0-9.e-]+)", text)
        self.assertAlmostEqual(float(m.group(1)), 10, delta=1e-9)
        self.assertAlmostEqual(float(m.group(2)), 0.01, delta=1e-12)
        html = notebook_run.html_of(c.outputs)
        for want in ("total (basic composition)", "final release", "λ_s epoch norm", "DPRange"):
            self.assertIn(want, html)

    def test_dimension(self):  # PR-1, PR-2
        rows = sweep_rows(notebook_run.cell_text(self.cell("byDim, err :=")), "d")
        self.assertEqual(sorted(rows), [2, 5, 10, 20])
        for d in (5, 10, 20):
            r = rows[d]
            self.assertLessEqual(r["prime"], 0.10, (d, r))
            self.assertTrue(0.9 <= r["dp mean"] / (0.075 * math.sqrt(d)) <= 1.1, (d, r))
            self.assertTrue(0.9 <= r["coord median"] / (0.0562 * math.sqrt(d)) <= 1.2, (d, r))
        self.assertLessEqual(rows[20]["prime"], 2 * rows[5]["prime"])
        self.assertGreaterEqual(rows[20]["dp mean"] / rows[5]["dp mean"], 1.8)
        for d in (10, 20):  # PR-9: the reference mode reproduces the official figure
            self.assertLessEqual(rows[d]["prime reference"], 0.10)

    def test_direction(self):  # PR-3 and the element-wise-exp negative control
        rows = sweep_rows(notebook_run.cell_text(self.cell("byDir, err :=")), "d")
        for d in (5, 10, 20):
            r = rows[d]
            self.assertLessEqual(r["prime"], 0.10, (d, r))
            self.assertTrue(0.27 <= r["dp mean"] <= 0.33, (d, r))
            self.assertGreaterEqual(r["prime reference"], 0.2, (d, r))

    def test_alpha(self):  # PR-4
        rows = sweep_rows(notebook_run.cell_text(self.cell("byAlpha, err :=")), "alpha")
        for a, r in rows.items():
            bound = 1.5 * a * math.sqrt(math.log(1 / a)) + 3 * math.sqrt(10 / 1e5)
            self.assertLessEqual(r["prime"], bound, (a, r))
            self.assertLessEqual(abs(r["dp mean"] / (6 * a) - 1), 0.10, (a, r))
        self.assertGreater(rows[0.15]["prime"], rows[0.02]["prime"])

    def test_privacy_cost(self):  # PR-6 (3 trials here, 5 in the Go test)
        text = notebook_run.cell_text(self.cell("priv1, err :="))
        s1 = float(re.search(r"slope eps=1 \(n = 1e4..1e5\): ([0-9.-]+)", text).group(1))
        s10 = float(re.search(r"slope eps=10 \(n = 3e4..3e5\): ([0-9.-]+)", text).group(1))
        self.assertTrue(-1.3 <= s1 <= -0.7, s1)
        self.assertTrue(-0.75 <= s10 <= -0.3, s10)

    def test_epsilon(self):  # PR-7
        rows = sweep_rows(notebook_run.cell_text(self.cell("byEps, err :=")), "eps")
        for e, r in rows.items():
            if e >= 5:
                self.assertLessEqual(r["prime"], 0.10, (e, r))
            else:
                self.assertLessEqual(r["prime"], 0.9 * r["dp mean"], (e, r))

    def test_private_median(self):
        rows = sweep_rows(notebook_run.cell_text(self.cell("med1, err :=")), "eps")
        for e in (0.1, 1):
            self.assertLessEqual(rows[e]["private median"], 0.15, rows[e])
            self.assertGreaterEqual(rows[e]["dp mean"], 0.2, rows[e])


if __name__ == "__main__":
    unittest.main()
