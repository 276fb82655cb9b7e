package plotting

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/display"
)

func powerLaw(n int) (xs, ys, lo, hi []float64) {
	for i := range n {
		x := math.Pow(10, 1+3*float64(i)/float64(n-1))
		y := 2 / math.Sqrt(x) * (1 + 0.1*math.Sin(float64(i)))
		xs, ys = append(xs, x), append(ys, y)
		lo, hi = append(lo, 0.8*y), append(hi, 1.25*y)
	}
	return xs, ys, lo, hi
}

func decode(t *testing.T, raw []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

func TestFigureBundleSizes(t *testing.T) {
	xs, ys, _, _ := powerLaw(50)
	tests := []struct {
		name         string
		fig          Chart
		pxW, pxH     int
		metaW, metaH int
	}{
		{"default 6x4", Line(xs, ys, "y"), 1152, 768, 576, 384},
		{"sized 3x2", Line(xs, ys, "y").Size(3, 2), 576, 384, 288, 192},
		{"sized 8x3.5", Scatter(xs, ys, "").Size(8, 3.5).LogLog(), 1536, 672, 768, 336},
		{"grid 2x2", Grid(2, Line(xs, ys, "a"), Line(xs, ys, "b"), Hist(ys, 10, ""), New()), 1728, 1248, 864, 624},
		{"grid sized", Grid(3, Line(xs, ys, "a")).Size(5, 2), 960, 384, 480, 192},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b display.Bundle
			var err error
			switch c := tc.fig.(type) {
			case *Figure:
				b, err = c.Bundle()
			case *Panels:
				b, err = c.Bundle()
			}
			if err != nil {
				t.Fatal(err)
			}
			raw, err := b.Bytes(display.MIMEPNG)
			if err != nil {
				t.Fatal(err)
			}
			size := decode(t, raw).Bounds().Size()
			if size.X != tc.pxW || size.Y != tc.pxH {
				t.Errorf("PNG %v, want %dx%d", size, tc.pxW, tc.pxH)
			}
			meta := b.Metadata[display.MIMEPNG].(map[string]any)
			if meta["width"] != tc.metaW || meta["height"] != tc.metaH {
				t.Errorf("metadata %v, want %dx%d", meta, tc.metaW, tc.metaH)
			}
			if !strings.HasPrefix(b.Text(), "<chart ") {
				t.Errorf("text/plain = %q", b.Text())
			}
		})
	}
}

func TestFigureSVGAndRenderIntegration(t *testing.T) {
	xs, ys, _, _ := powerLaw(20)
	fig := Line(xs, ys, "train loss").LogLog().AsSVG()
	b, rich := display.Render(fig)
	if !rich {
		t.Fatal("display.Render did not find the figure's bundle")
	}
	svg, _ := b.Data[display.MIMESVG].(string)
	if !strings.Contains(svg, "<svg") || !strings.Contains(svg, "train loss") {
		t.Errorf("SVG lacks the svg element or the legend text: %.120q", svg)
	}
	if _, ok := b.Data[display.MIMEPNG]; ok {
		t.Error("AsSVG figure also carries PNG")
	}
	b, rich = display.Render(Grid(1, Line(xs, ys, "")))
	if _, ok := b.Data[display.MIMEPNG]; !rich || !ok {
		t.Errorf("grid not rendered as PNG: %v", b.Data)
	}
}

func TestBuilderErrors(t *testing.T) {
	xs, ys, lo, hi := powerLaw(5)
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"length mismatch", Line(xs, ys[:3], "a"), `Line "a": len(xs) = 5 but len(ys) = 3`},
		{"empty", Scatter(nil, nil, "s"), `Scatter "s": ys is empty`},
		{"NaN", Line(nil, []float64{1, math.NaN()}, "n"), `ys[1] = NaN; values must be finite`},
		{"band lengths", Band(xs, ys, lo[:2], hi, "b"), `len(lo) = 2 and len(hi) = 5 must equal len(mean) = 5`},
		{"band order", Band(xs, ys, hi, lo, "b"), `lo[0] = `},
		{"bins", Hist(ys, 0, "h"), `bins = 0, must be in [1, 10000]`},
		{"bars lengths", Bars([]string{"a"}, []float64{1, 2}, nil, "b"), `len(categories) = 1 but len(heights) = 2`},
		{"bars errs", Bars([]string{"a"}, []float64{1}, []float64{-1}, "b"), `errs[0] = -1 must be >= 0`},
		{"bars categories", Bars([]string{"a"}, []float64{1}, nil, "b").Bars([]string{"z"}, []float64{1}, nil, "c"), `categories [z] differ`},
		{"log of zero", Line(nil, []float64{1, 0}, "z").LogY(), `LogY: Line "z" has ys[1] = 0; a log axis needs values > 0`},
		{"log x of index 0", Line(nil, []float64{1, 2}, "i").LogX(), `LogX: Line "i" has xs[0] = 0`},
		{"log band lo", Band(xs, ys, make([]float64, 5), hi, "b").LogY(), `"b" has lo[0] = 0`},
		{"log hist", Hist(ys, 3, "h").LogY(), `histogram cannot use a log y axis`},
		{"log hline", Line(xs, ys, "").HLine(0, "zero").LogY(), `HLine "zero" at y = 0`},
		{"heatmap log", Heatmap(mat.NewDense(1, 1, []float64{1})).LogX(), `heatmap cannot use log axes`},
		{"two heatmaps", Heatmap(mat.NewDense(1, 1, nil)).Heatmap(mat.NewDense(1, 1, nil)), `one heatmap`},
		{"nil heatmap", Heatmap(nil), `nil matrix`},
		{"NaN heatmap", Heatmap(mat.NewDense(1, 1, []float64{math.NaN()})), `no finite entries`},
		{"size", New().Size(0.5, 100), `Size(0.5, 100): width and height must be in [1, 40] inches`},
		{"xlim", New().XLim(2, 1), `XLim(2, 1): need finite lo < hi`},
		{"legend", New().Legend("middle"), `Legend("middle"): position must be one of top-right`},
		{"colour", Line(xs, ys, "").Color("chartreuse"), `Color("chartreuse")`},
		{"modifier first", New().Dashed(), `Dashed: no series yet`},
		{"markers on hist", Hist(ys, 3, "h").Markers(), `Markers applies to a Line or Band, not to Hist "h"`},
		{"density on line", Line(xs, ys, "l").Density(), `Density applies to a Hist, not to Line "l"`},
		{"width", Line(xs, ys, "").Width(0), `Width(0)`},
		{"first error kept", Line(xs, ys[:1], "first").Line(nil, nil, "second"), `"first"`},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, bundleErr := tc.fig.Bundle()
			for _, err := range []error{tc.fig.Err(), bundleErr} {
				if tc.fig.Err() == nil && err == nil {
					continue // a draw-time error: only Bundle reports it
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error = %v, want it to contain %q", err, tc.want)
				}
			}
			if bundleErr == nil {
				t.Fatalf("Bundle succeeded, want an error containing %q", tc.want)
			}
			shown := tc.fig.DisplayBundle()
			if !strings.Contains(shown.Text(), tc.want) {
				t.Errorf("displayed %q, want the error", shown.Text())
			}
			if err := Save(tc.fig, filepath.Join(dir, "x.png")); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Save error = %v", err)
			}
		})
	}
	for _, g := range []struct {
		p    *Panels
		want string
	}{
		{Grid(0, New()), "cols = 0, must be in [1, 8]"},
		{Grid(2), "no panels"},
		{Grid(2, New(), nil), "panel 1 is nil"},
		{Grid(2, New(), Line(nil, nil, "bad")), `panel 1: plotting: Line "bad": ys is empty`},
	} {
		if _, err := g.p.Bundle(); err == nil || !strings.Contains(err.Error(), g.want) {
			t.Errorf("Grid error = %v, want %q", err, g.want)
		}
	}
}

func TestSave(t *testing.T) {
	xs, ys, lo, hi := powerLaw(30)
	fig := Band(xs, ys, lo, hi, "mean ± CI").LogLog().Size(4, 3)
	dir := t.TempDir()
	tests := []struct {
		file   string
		prefix string
	}{
		{"chart.png", "\x89PNG"},
		{"chart.SVG", "<?xml"},
		{"chart.pdf", "%PDF"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, tc.file)
		if err := Save(fig, path); err != nil {
			t.Fatalf("Save %s: %v", tc.file, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte(tc.prefix)) {
			t.Errorf("%s starts with %q, want %q", tc.file, raw[:min(8, len(raw))], tc.prefix)
		}
		if tc.prefix == "\x89PNG" {
			if size := decode(t, raw).Bounds().Size(); size.X != 768 || size.Y != 576 {
				t.Errorf("saved PNG is %v, want 768x576 (2x of 4x3 in)", size)
			}
		}
	}
	if err := Save(fig, filepath.Join(dir, "chart.gif")); err == nil || !strings.Contains(err.Error(), `unknown extension ".gif"`) {
		t.Errorf("gif: err = %v", err)
	}
	if err := Save(fig, filepath.Join(dir, "missing", "chart.png")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels []string // labelled ticks in order
		minor  int      // unlabelled ticks
	}{
		{10, 1000, []string{"10", "10^2", "10^3"}, 16},
		{0.001, 1, []string{"10^-3", "10^-2", "10^-1", "1"}, 24},
		{1e-12, 1e12, []string{"10^-12", "10^-8", "10^-4", "1", "10^4", "10^8", "10^12"}, 18},
		{20, 60, []string{"20", "30", "40", "50", "60"}, 0},
		{2, 30, []string{"2", "5", "10", "20"}, 7},
		{3e5, 8e5, []string{"3·10^5", "4·10^5", "5·10^5", "6·10^5", "7·10^5", "8·10^5"}, 0},
	}
	for _, tc := range tests {
		var labels []string
		minor := 0
		for _, tk := range (logTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label == "" {
				minor++
			} else {
				labels = append(labels, tk.Label)
			}
		}
		if strings.Join(labels, " ") != strings.Join(tc.labels, " ") || minor != tc.minor {
			t.Errorf("Ticks(%g, %g): labels %q with %d minor, want %q with %d", tc.lo, tc.hi, labels, minor, tc.labels, tc.minor)
		}
	}
}

func TestPowerTextRaisesExponent(t *testing.T) {
	fig := New()
	p, err := fig.Line([]float64{1, 1000}, []float64{1, 2}, "").LogX().Plot()
	if err != nil {
		t.Fatal(err)
	}
	style := p.X.Tick.Label
	plainW, plainH := style.Width("103"), style.Height("103")
	powW, powH := style.Width("10^3"), style.Height("10^3")
	if !(powW < plainW && powW > style.Width("10")) {
		t.Errorf("10^3 width %v should lie between 10 (%v) and 103 (%v): the exponent is smaller", powW, style.Width("10"), plainW)
	}
	if !(powH > plainH) {
		t.Errorf("10^3 height %v should exceed the plain height %v: the exponent is raised", powH, plainH)
	}
}

func TestLinearTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels string
	}{
		{0, 199, "0 50 100 150"},
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{-3, 3, "-3 -2 -1 0 1 2 3"},
		{0.38, 0.71, "0.40 0.45 0.50 0.55 0.60 0.65 0.70"},
		{0, 4e6, "0 10^6 2·10^6 3·10^6 4·10^6"},
		{1e-6, 5e-6, "10^-6 2·10^-6 3·10^-6 4·10^-6 5·10^-6"},
	}
	for _, tc := range tests {
		var labels []string
		for _, tk := range (linearTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.labels {
			t.Errorf("Ticks(%g, %g) = %q, want %q", tc.lo, tc.hi, got, tc.labels)
		}
	}
}

func TestDegenerateRangesRender(t *testing.T) {
	tests := map[string]*Figure{
		"histogram of equal values": Hist([]float64{1, 1, 1}, 5, "h"),
		"one point":                 Line([]float64{1}, []float64{2}, "p"),
		"one point at 1, log-log":   Scatter([]float64{1}, []float64{1}, "p").LogLog(),
		"only a horizontal line":    New().HLine(1, "h"),
		"only a vertical line, log": New().VLine(10, "v").LogX(),
		"only a slope, log-log":     New().Slope(1, 2, "s").LogLog(),
		"empty, log-log":            New().LogLog(),
		"empty":                     New(),
		"tiny and huge values":      Line([]float64{0, 1e7}, []float64{-1e-7, 1e-7}, "b"),
		"limits outside the data":   Line([]float64{0, 1}, []float64{0, 1}, "b").XLim(5, 6),
	}
	for name, f := range tests {
		if _, err := f.RenderPNG(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The notebook runner shows a value whose type has a String method as text
// (cell-defined types lose their other methods), so a chart must not have
// one or it would stop rendering as an image when it ends a cell.
func TestChartsHaveNoStringMethod(t *testing.T) {
	for _, c := range []any{New(), Grid(1, New())} {
		if _, ok := c.(interface{ String() string }); ok {
			t.Errorf("%T has a String method", c)
		}
		if _, ok := c.(display.Bundler); !ok {
			t.Errorf("%T is not a display.Bundler", c)
		}
	}
}

func TestFuncCurves(t *testing.T) {
	xs, ys, _, _ := powerLaw(20)
	base := func() *Figure { return Scatter(xs, ys, "measured").LogLog().Size(4, 3) }
	plain, err := base().RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	withCurve, err := base().Func(func(x float64) float64 { return 2 / math.Sqrt(x) }, "theory").RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	if mean, changed, err := imageDiff(decode(t, plain), decode(t, withCurve)); err != nil || changed < maxChangedShare {
		t.Errorf("the curve changed %.4f of the pixels (mean %.3f, err %v): not drawn", changed, mean, err)
	}
	calls := 0
	panicky := func(x float64) float64 {
		calls++
		if x > 100 {
			panic("out of domain")
		}
		return x
	}
	if _, err := base().Func(panicky, "partial").RenderPNG(); err != nil {
		t.Errorf("a function that panics on part of the range: %v", err)
	}
	if calls == 0 || calls > 200 {
		t.Errorf("fn called %d times: sampling must stop at the first panic (x > 100 is two thirds of the range)", calls)
	}
	if err := New().Func(nil, "f").Err(); err == nil || !strings.Contains(err.Error(), `Func "f": nil function`) {
		t.Errorf("nil function: err = %v", err)
	}
}
