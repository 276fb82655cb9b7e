"""Executes notebooks/muon-assocmem.ipynb with the gonote kernel (nbclient)
and checks its key numbers against the tolerances of the build spec
(papers/sysid-muon.md, section 6.2). The tolerances are restated here, so the
notebook's own PASS column is not trusted.

Run with the kernelspec "gonote" installed (tests/run.sh does it):
    /usr/bin/python3 -m unittest tests.test_notebook_muon -v
"""
import math
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/notebook_run.py, however this file is run
import notebook_run  # noqa: E402

INF = math.inf

# Spec section 6.2: check name (as the notebook's JSON output keys it) -> [lo, hi].
SPEC = {
    "M1 K90 Muon/SGD, d=128, α=1.5": (10, INF),
    "M1 K90 Muon/SGD, d=128, α=2": (10, INF),
    "M2 slope of K90 Muon vs d, α=1.5": (1.15, 1.65),
    "M2 slope of K90 Muon vs d, α=2": (1.15, 1.65),
    "M3 slope of NRec SGD vs d, α=1.5": (0.05, 0.7),
    "M3 slope of NRec SGD vs d, α=2": (0.05, 0.7),
    "M4 exponent gap M2−M3, α=1.5": (0.7, 1.4),
    "M4 exponent gap M2−M3, α=2": (0.7, 1.4),
    "M5 NRec Muon(256)/256, α=1.5": (1.1, INF),
    "M5 NRec Muon(256)/256, α=2": (1.05, INF),
    "M6 K90 Newton/Muon, d=128": (0.85, 1.15),
    "M6 K90 Newton/Muon, d=256": (0.85, 1.15),
    "M7 NRec NS10/Muon, d=128": (0.9, 1.05),
    "M7 NRec NS10/Muon, d=256": (0.9, 1.05),
    "M8 K90 NS5/Muon, α=2, d=256": (0, 0.5),
    "M8 K90 NS5/Muon, α=2, d=32": (0.85, INF),
    "M9 B_crit Muon/SGD, d=64": (16, INF),
    "M10 B_crit Muon d=128 / d=64": (4, INF),
    "M11 E01 SGD(B=256)/E01 SGD(∞), d=64": (0, 1.1),
    "M12 slope of K90 Muon vs B, d=128": (0.3, 0.8),
    "M13 best NRec Muon/GD at t=1": (2.5, INF),
    "M14 min over t of NRec Muon − GD (envelopes)": (0, INF),
    "M15 E01 Muon/SGD, d=256, α=1.5": (0, 0.15),
}
# M14's second part is strict: ratio(t=12)/ratio(t=1) < 1.
M14_RATIO = "M14 ratio(t=12)/ratio(t=1), must be < 1"


class MuonNotebook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run = notebook_run.execute("muon-assocmem.ipynb", timeout=600)  # raises CellExecutionError if a cell fails
        cls.elapsed = run.seconds
        cls.nb = run.nb
        cls.code = run.code
        print(f"\nmuon-assocmem.ipynb executed in {cls.elapsed:.1f} s (spec M16 budget: 40 s)")

    def test_no_error_outputs(self):
        self.assertEqual(notebook_run.error_outputs(self.code), [])

    def test_every_chart_rendered(self):
        # Plots A, B, C, D (grid), E, F, G, H.
        self.assertGreaterEqual(notebook_run.png_count(self.code), 8)

    def test_acceptance_values_within_spec(self):
        values = None
        for o in self.code[-1].get("outputs", []):
            if "application/json" in o.get("data", {}):
                values = o["data"]["application/json"]
        self.assertIsNotNone(values, "the last cell shows no JSON with the check values")
        for name, (lo, hi) in SPEC.items():
            with self.subTest(check=name):
                self.assertIn(name, values)
                self.assertTrue(lo <= values[name] <= hi, f"{name} = {values[name]:.4g}, spec [{lo}, {hi}]")
        self.assertLess(values[M14_RATIO], 1)
        self.assertEqual(len(values), len(SPEC) + 1, sorted(values))

    def test_one_step_table_at_d64(self):
        # Cell "one step at d = 64": Muon and Newton store many more items than SGD
        # (spec calibration: NRec 6.6 for SGD, 56.8 for Muon, K90 58.5 for Newton).
        text = next(notebook_run.cell_text(c) for c in self.code if "OneStepRaster" in c.source)
        nrec = {m: int(n) for m, n in re.findall(r"^(\w+)\s+NRec\s+(\d+)", text, re.M)}
        self.assertEqual(set(nrec), {"SGD", "Muon", "HLambda", "NS5", "NS10", "Newton"})
        self.assertGreaterEqual(nrec["Muon"], 4 * nrec["SGD"])
        self.assertGreaterEqual(nrec["Newton"], 4 * nrec["SGD"])
        self.assertGreater(nrec["Muon"], 32)

    def test_ns5_threshold(self):
        # Plot B: the implicit threshold of five Newton–Schulz steps is about 1.5e-3.
        text = next(notebook_run.cell_text(c) for c in self.code if "NSScalar" in c.source)
        thr = float(re.search(r"half the polar value at s = ([0-9.e+-]+)", text).group(1))
        self.assertTrue(5e-4 <= thr <= 3e-3, thr)


if __name__ == "__main__":
    unittest.main()
