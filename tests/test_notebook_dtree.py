"""Executes notebooks/dtree-learnability.ipynb on the gonote kernel with nbclient and
checks its key numbers against the acceptance checks of the build spec
(papers/mosaickd-dtree.md §2.8, B1-B10, in the spec's full setting: n = 32,
|S| = 2^18, Gini, seed 1, m = 600).

tests/run.sh registers the freshly built kernel as "gonote" in a private
JUPYTER_PATH before running this file.
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/notebook_run.py, however this file is run
import notebook_run  # noqa: E402

FAMILIES = ("maj15", "tribes4x5", "rdnf", "ltf")
SIZES = (16, 64, 256, 1024)
NUM = r"([0-9.e+-]+)"


def per_case(text, prefix, fields):
    """Parses lines 'prefix FAMILY t=T: ...' with the regex fields (one group per value) into
    {(family, t): (values...)} as floats."""
    out = {}
    for m in re.finditer(r"^%s (\S+) t=(\d+): %s" % (re.escape(prefix), fields), text, re.M):
        out[(m.group(1), int(m.group(2)))] = tuple(float(v) for v in m.groups()[2:])
    return out


class DtreeNotebook(unittest.TestCase):
    executed = nb = None

    @classmethod
    def setUpClass(cls):
        cls.executed = notebook_run.execute("dtree-learnability.ipynb", timeout=300)
        cls.nb = cls.executed.nb

    def text(self, marker):
        return notebook_run.cell_text(self.executed.cell(marker))

    def test_metadata_and_outputs(self):
        self.assertEqual(self.nb.metadata.kernelspec.name, "gonote")
        self.assertEqual(self.nb.metadata.kernelspec.language, "go")
        code = self.executed.code
        self.assertEqual(notebook_run.error_outputs(code), [])
        self.assertGreaterEqual(notebook_run.png_count(code), 7)  # influences, G, minibatch, scatter, labels, per query, tuning
        htmls = sum(1 for c in code for o in c.outputs if "text/html" in o.get("data", {}))
        self.assertGreaterEqual(htmls, 3)
        print("dtree-learnability.ipynb executed in %.1f s (spec budget 25 s)" % self.executed.seconds)

    def test_monotone(self):
        text = self.text("dtlearn.CheckMonotone")
        for fam in FAMILIES:
            self.assertRegex(text, r"(?m)^%s\s+monotone on 2000 random chains: true$" % fam)
        self.assertIn("xor(x0,x1) monotone on 2000 random chains: false", text)

    def test_root_influences_and_gain(self):  # B1, B2 (Gini)
        text = self.text("dtlearn.Influences")
        rows = {m.group(1): [float(v) for v in m.groups()[1:]] for m in re.finditer(
            r"^root (\S+)\s+Pr\[f=\+1\] = %s \| Inf of relevant vars in \[%s, %s\], irrelevant max %s \| "
            r"root splits x\d+ \(Inf %s, max %s\), Gini gain %s" % ((NUM,) * 7), text, re.M)}
        self.assertEqual(sorted(rows), sorted(FAMILIES))
        for fam, (p, lo, hi, irr, split_inf, max_inf, gain) in rows.items():
            self.assertGreaterEqual(split_inf, max_inf - 0.005, fam)
            self.assertLessEqual(irr, 0.01, fam)
        p, lo, hi, irr, _, _, gain = rows["maj15"]
        self.assertTrue(0.2095 - 0.01 <= lo <= hi <= 0.2095 + 0.01, rows["maj15"])
        self.assertAlmostEqual(gain, 0.0439, delta=0.004)
        p, lo, hi, irr, _, _, gain = rows["tribes4x5"]
        self.assertTrue(0.0966 - 0.01 <= lo <= hi <= 0.0966 + 0.01, rows["tribes4x5"])
        self.assertAlmostEqual(gain, 0.0093, delta=0.001)
        self.assertAlmostEqual(p, 0.27580, delta=0.01)

    def test_impurities_split_alike_and_learn(self):  # B2 (all G), B9
        text = self.text("dtlearn.ErrorCurves(ctx, fams, S, test, dtlearn.Config{G: g}")
        for m in re.finditer(r"^split (\S+): .* same variable at (\d+) of the (\d+) nodes", text, re.M):
            self.assertGreaterEqual(int(m.group(2)), 0.9 * int(m.group(3)), m.group(0))
        full = {}
        for m in re.finditer(r"^full (\S+) (Gini|Entropy|KearnsMansour): \[([0-9. ]+)\]$", text, re.M):
            full[(m.group(1), m.group(2))] = [float(v) for v in m.group(3).split()]
        self.assertEqual(len(full), 12)
        for (fam, g), errs in full.items():  # sizes 4, 16, 64, 256, 1024
            self.assertLess(errs[4], errs[1], (fam, g))
        gini = {fam: full[(fam, "Gini")] for fam in FAMILIES}
        self.assertAlmostEqual(gini["maj15"][1], 0.32, delta=0.03)
        self.assertAlmostEqual(gini["maj15"][3], 0.21, delta=0.03)
        self.assertLessEqual(gini["tribes4x5"][4], 0.01)

    def test_minibatch_close_to_full(self):  # B8 (b = 128), and larger b is closer
        text = self.text("batches := []int{32, 128, 512}")
        rows = {}
        for m in re.finditer(r"^minibatch (\S+) b=(\d+): errors ([0-9. ]+) \(full ([0-9. ]+)\)$", text, re.M):
            rows[(m.group(1), int(m.group(2)))] = ([float(v) for v in m.group(3).split()], [float(v) for v in m.group(4).split()])
        self.assertEqual(len(rows), 12)
        for fam in FAMILIES:
            mb, full = rows[(fam, 128)]
            for s in range(1, 5):  # t = 16 .. 1024
                self.assertLessEqual(mb[s] - full[s], 0.05, (fam, s, mb, full))
            self.assertLessEqual(sum(rows[(fam, 512)][0]), sum(rows[(fam, 32)][0]) + 1e-9, fam)

    def test_local_equals_threshold(self):  # B3 (b = 128), B4
        cases = per_case(self.text("dtlearn.Study("), "exact",
                         r"tau_t %s \| leaves T_tau (\d+), BestFirst (\d+) \| Agreement\(Local, T_tau\) = %s on 20000 points \| "
                         r"Agreement\(T_tau, BestFirst\) = %s" % (NUM, NUM, NUM))
        self.assertEqual(sorted(cases), sorted((f, t) for f in FAMILIES for t in SIZES))
        for (fam, t), (tau, leaves, best_first_leaves, agree_local, agree_bf) in cases.items():
            self.assertEqual(agree_local, 1.0, (fam, t))
            self.assertEqual(best_first_leaves, t, (fam, t))
            self.assertTrue(t <= leaves <= t + max(4, t // 16), (fam, t, leaves))
            self.assertGreaterEqual(agree_bf, 0.98, (fam, t))

    def test_learnability_estimate(self):  # B5
        cases = per_case(self.text("estErr, trueErr :="), "estimate",
                         r"est %s ± %s \| err\(T_tau\) %s \| errMB %s \| errFull %s \| labels (\d+)" % ((NUM,) * 5))
        self.assertEqual(len(cases), 16)
        diffs = [abs(est - err) for est, _, err, _, _, _ in cases.values()]
        self.assertLessEqual(max(diffs), 0.05, cases)
        self.assertLessEqual(sum(diffs) / len(diffs), 0.025, cases)

    def test_labels(self):  # B7 (total), and the estimator beats the minibatch build at t = 1024
        cases = per_case(self.text("mbBound, mbUsed, estUsed, bound :="), "labels",
                         r"full (\d+) \| minibatch build (\d+) \(b\(2t-1\) = (\d+)\) \| estimator (\d+) \(bound (\d+)\)")
        self.assertEqual(len(cases), 16)
        for (fam, t), (full, mb, mb_bound, est, bound) in cases.items():
            self.assertEqual(full, 2 ** 18)
            self.assertLessEqual(mb, mb_bound, (fam, t))
            self.assertLessEqual(est, bound, (fam, t))
            if t == 1024:
                self.assertLess(est, mb, fam)

    def test_labels_per_query(self):  # B7 per query; flat in n, growing in 1/tau
        text = self.text("tauFixed := dtlearn.Key{Score: 1e-3}")
        by_n = {}
        for m in re.finditer(r"^per-query n=(\d+) (\S+): mean labels (\d+) \(max (\d+)\), mean depth %s, bound (\d+)$" % NUM, text, re.M):
            mean, mx, bound = float(m.group(3)), int(m.group(4)), int(m.group(6))
            self.assertLessEqual(mx, bound, m.group(0))
            by_n.setdefault(m.group(2), []).append(mean)
        self.assertEqual(sorted(by_n), ["maj15", "tribes4x5"])
        for fam, means in by_n.items():
            self.assertEqual(len(means), 4)
            self.assertLessEqual(max(means) / min(means), 1.25, (fam, means))
        rows = re.findall(r"^per-query tau=(\S+): mean labels maj15 (\d+), tribes4x5 (\d+), bound (\d+)$", text, re.M)
        self.assertEqual(len(rows), 6)
        for k in (1, 2):
            series = [int(r[k]) for r in rows]  # tau decreasing
            self.assertEqual(series, sorted(series), series)
            for r in rows:
                self.assertLessEqual(int(r[k]), int(r[3]), r)

    def test_tuning_and_size(self):  # B5 over a tau grid, B10 via TauForSize
        text = self.text("tauGrid := []float64{}")
        worst = dict(re.findall(r"^tuning (\S+): max \|est - err\(T_tau\)\| over the tau grid = ([0-9.]+)", text, re.M))
        self.assertEqual(sorted(worst), sorted(FAMILIES))
        for fam, w in worst.items():
            self.assertLessEqual(float(w), 0.05, fam)
        sizes = per_case(text, "size", r"TauForSize %s \(T_tau has (\d+) leaves\) vs tau_t %s" % (NUM, NUM))
        self.assertEqual(len(sizes), 16)
        for (fam, t), (tau_hat, leaves, tau_t) in sizes.items():
            self.assertTrue(0.7 <= leaves / t <= 1.4, (fam, t, leaves))

    def test_xor_counter_example(self):
        text = self.text("dtlearn.NewOracle(xor, S)")
        m = re.search(r"xor root: largest Gini gain %s \(x\d+\), gain of x0 %s, vs %s for maj15" % (NUM, NUM, NUM), text)
        self.assertIsNotNone(m, text)
        self.assertLess(float(m.group(1)), 1e-3)
        self.assertLess(float(m.group(1)), float(m.group(3)) / 100)
        m = re.search(r"xor threshold: T_tau at maj15's tau_16 = \S+ has (\d+) leaf\(s\), error %s" % NUM, text)
        self.assertEqual(int(m.group(1)), 1)
        self.assertAlmostEqual(float(m.group(2)), 0.5, delta=0.01)
        m = re.search(r"xor forced: BestFirst\(16\) has 16 leaves, error %s" % NUM, text)
        self.assertAlmostEqual(float(m.group(1)), 0.5, delta=0.05)


if __name__ == "__main__":
    unittest.main()
