"""Executes notebooks/display-tour.ipynb on the gonote kernel with nbclient and
checks what the display and plotting packages send: image/png outputs that
decode to twice the logical size given in their metadata, text/html tables,
the display_data / update_display_data sequence of a progress bar and of an
updatable handle, and clear_output.

tests/run.sh registers the freshly built kernel as "gonote" in a private
JUPYTER_PATH before running this file.
"""

import base64
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/notebook_run.py, however this file is run
import notebook_run  # noqa: E402


def png_size(b64):
    """Pixel width and height from the IHDR chunk of a base64 PNG."""
    raw = base64.b64decode(b64)
    if raw[:8] != b"\x89PNG\r\n\x1a\n" or raw[12:16] != b"IHDR":
        raise AssertionError("not a PNG: %r" % raw[:16])
    return struct.unpack(">II", raw[16:24])


class DisplayTour(unittest.TestCase):
    executed = nb = None

    @classmethod
    def setUpClass(cls):
        cls.executed = notebook_run.execute("display-tour.ipynb", timeout=180)
        cls.nb = cls.executed.nb

    def outputs(self, marker):
        return self.executed.cell(marker).outputs

    def messages(self, marker, *types):
        msgs = self.executed.messages.get(self.executed.index_of(marker), [])
        return [m for m in msgs if m["msg_type"] in types]

    def test_no_errors_and_text_plain_everywhere(self):
        for c in self.nb.cells:
            if c.cell_type != "code":
                continue
            for out in c.outputs:
                self.assertNotEqual(out.output_type, "error", "cell failed: %s" % c.source[:80])
                if out.output_type in ("display_data", "execute_result"):
                    self.assertIn("text/plain", out.data, "no text/plain in an output of %s" % c.source[:60])

    def test_rich_mime_types(self):
        data = {}
        for out in self.outputs("display.HTML("):
            data.update(out.get("data", {}))
        self.assertIn("<b>bold</b>", data.get("text/html", ""))
        self.assertIn("**Markdown**", data.get("text/markdown", ""))
        self.assertTrue(data.get("text/latex", "").startswith("$$"), data.get("text/latex"))

    def test_charts_are_2x_png_with_logical_size(self):
        cases = [  # cell marker, logical width, height (96 dpi)
            ("Loss curves", 576, 384),  # default 6 x 4 in
            ("Error vs samples", 480, 336),  # Size(5, 3.5)
            ("Panels in one figure", 1296, 312),  # 3 panels of 4.5 x 3.25 in
        ]
        for marker, w, h in cases:
            with self.subTest(chart=marker):
                pngs = [o for o in self.outputs(marker) if "image/png" in o.get("data", {})]
                self.assertEqual(len(pngs), 1, "one image per chart cell")
                out = pngs[0]
                px_w, px_h = png_size(out.data["image/png"])
                meta = out.metadata["image/png"]
                self.assertEqual((meta["width"], meta["height"]), (w, h))
                self.assertEqual((px_w, px_h), (2 * w, 2 * h))
                self.assertRegex(out.data["text/plain"], r"^<chart [0-9.]+×[0-9.]+in>$")

    def test_tables(self):
        runs = notebook_run.html_of(self.outputs("runs := []Run"))
        for want in ("<th>Seed</th>", "<th>Optimizer</th>", "<th>Loss</th>", "<td>Muon</td>", "<td>0.287</td>",
                     "4 rows × 3 columns"):
            self.assertIn(want, runs)
        params = notebook_run.html_of(self.outputs("display.Table("))
        for want in ("<th>parameter</th>", "<td>learning rate</td>", "<td>32</td>"):
            self.assertIn(want, params)

    def test_large_matrix_is_abridged_with_shape(self):
        outs = [o for o in self.outputs("big := mat.NewDense") if "text/html" in o.get("data", {})]
        self.assertEqual(len(outs), 1)
        html = outs[0].data["text/html"]
        self.assertIn("*mat.Dense 40×30 (abridged)", html)
        self.assertIn("<td>3929</td>", html)  # last entry shown
        self.assertNotIn("<td>2015</td>", html)  # a middle entry left out
        self.assertEqual(html.count("<tr>"), 1 + 8 + 1 + 3)
        self.assertIn("Dims(40, 30)", outs[0].data["text/plain"])

    def test_long_slice_summary(self):
        text = "".join(o.get("data", {}).get("text/plain", "") for o in self.outputs("A long []float64"))
        self.assertRegex(text, r"\[\]float64 len=300 min=[0-9.]+ mean=[0-9.]+ max=2\.3")

    def test_progress_bar_updates_in_place(self):
        shown = self.messages("display.Progress(", "display_data")
        updates = self.messages("display.Progress(", "update_display_data")
        self.assertEqual(len(shown), 1, "one display_data for the bar")
        bar_id = shown[0]["content"]["transient"]["display_id"]
        self.assertTrue(bar_id)
        # 40 steps of >= 10 ms: a few redraws, at most 10 per second of the
        # bar's life plus the final one (timed by the messages' own dates).
        self.assertGreaterEqual(len(updates), 2)
        seconds = (updates[-1]["header"]["date"] - shown[0]["header"]["date"]).total_seconds()
        self.assertLessEqual(len(updates), 10 * seconds + 2, "%d updates in %.2f s" % (len(updates), seconds))
        for u in updates:
            self.assertEqual(u["content"]["transient"]["display_id"], bar_id)
        final = updates[-1]["content"]["data"]
        self.assertIn('<progress value="40" max="40"', final["text/html"])
        self.assertRegex(final["text/plain"], r"^trials 40/40 \(100%\) · [0-9.]+/s · done in ")
        # nbclient folds the updates into the one output.
        outs = [o for o in self.outputs("display.Progress(") if o.output_type == "display_data"]
        self.assertEqual(len(outs), 1)
        self.assertIn("40/40", outs[0].data["text/plain"])

    def test_handle_update_sequence(self):
        shown = self.messages("display.New(", "display_data")
        updates = self.messages("display.New(", "update_display_data")
        self.assertEqual(len(shown), 1)
        self.assertEqual([u["content"]["data"]["text/html"] for u in updates],
                         ["<i>epoch 1 of 3</i>", "<i>epoch 2 of 3</i>", "<i>epoch 3 of 3</i>"])
        ids = {u["content"]["transient"]["display_id"] for u in updates}
        self.assertEqual(ids, {shown[0]["content"]["transient"]["display_id"]})

    def test_clear_output(self):
        clears = self.messages("display.Clear(", "clear_output")
        self.assertEqual(len(clears), 1)
        self.assertFalse(clears[0]["content"]["wait"])
        text = "".join(o.get("text", "") for o in self.outputs("display.Clear(") if o.output_type == "stream")
        self.assertEqual(text, "only this line remains\n")
        streams = [m["content"]["text"] for m in self.messages("display.Clear(", "stream", "clear_output")
                   if "text" in m["content"]]
        self.assertIn("this line is cleared", "".join(streams), "the cleared line was sent before clear_output")


if __name__ == "__main__":
    unittest.main()
