package plotting

import (
	"bytes"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gonote/gonote/display"
)

// benchSeries is the 1,000-point series of the rendering benchmarks.
func benchSeries() (xs, ys []float64) {
	xs, ys = make([]float64, 1000), make([]float64, 1000)
	for i := range xs {
		xs[i] = float64(i)
		ys[i] = math.Sin(float64(i)/50) + 0.001*float64(i)
	}
	return xs, ys
}

// BenchmarkLine1000PNG renders a themed 6×4in line chart of 1,000 points to
// a display bundle: PNG at 192 dpi (1152×768 pixels).
func BenchmarkLine1000PNG(b *testing.B) {
	xs, ys := benchSeries()
	var size int
	for b.Loop() {
		bundle, err := Line(xs, ys, "signal").Labels("bench", "x", "y").Bundle()
		if err != nil {
			b.Fatal(err)
		}
		size = len(bundle.Data[display.MIMEPNG].(string)) * 3 / 4
	}
	b.ReportMetric(float64(size), "png-bytes")
}

// BenchmarkLine1000SVG renders the same chart as SVG.
func BenchmarkLine1000SVG(b *testing.B) {
	xs, ys := benchSeries()
	var size int
	for b.Loop() {
		bundle, err := Line(xs, ys, "signal").Labels("bench", "x", "y").AsSVG().Bundle()
		if err != nil {
			b.Fatal(err)
		}
		size = len(bundle.Data[display.MIMESVG].(string))
	}
	b.ReportMetric(float64(size), "svg-bytes")
}

// baselineGonum renders the same data with plain gonum/plot (no theme, no
// bundle) at the given dpi: the baseline the numbers above are compared to.
func baselineGonum(b *testing.B, dpi int, format string) {
	xs, ys := benchSeries()
	var size int
	for b.Loop() {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "bench", "x", "y"
		pts := make(plotter.XYs, len(xs))
		for i := range xs {
			pts[i].X, pts[i].Y = xs[i], ys[i]
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			b.Fatal(err)
		}
		p.Add(l, plotter.NewGrid())
		p.Legend.Add("signal", l)
		var buf bytes.Buffer
		if format == "png" {
			c := vgimg.NewWith(vgimg.UseWH(6*vg.Inch, 4*vg.Inch), vgimg.UseDPI(dpi))
			p.Draw(drawCanvas(c))
			if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
		} else {
			wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, format)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := wt.WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), format+"-bytes")
}

func BenchmarkBaselineGonumPNG96(b *testing.B)  { baselineGonum(b, 96, "png") }
func BenchmarkBaselineGonumPNG192(b *testing.B) { baselineGonum(b, 192, "png") }
func BenchmarkBaselineGonumSVG(b *testing.B)    { baselineGonum(b, 0, "svg") }

func drawCanvas(c *vgimg.Canvas) draw.Canvas { return draw.New(c) }

// BenchmarkLine1000PNGDefaultCompression draws the same themed chart but
// encodes it with gonum's PngCanvas (default deflate level), to measure
// what display's BestSpeed encoder saves.
func BenchmarkLine1000PNGDefaultCompression(b *testing.B) {
	xs, ys := benchSeries()
	var size int
	for b.Loop() {
		fig := Line(xs, ys, "signal").Labels("bench", "x", "y")
		c := vgimg.NewWith(vgimg.UseWH(6*vg.Inch, 4*vg.Inch), vgimg.UseDPI(display.RetinaDPI))
		if err := fig.Draw(draw.New(c)); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "png-bytes")
}
