// Package plotting holds zero-boilerplate research charts built on
// gonum/plot: line, scatter and band (mean ± confidence) series from plain
// slices, histograms, bar charts with error bars, heatmaps of matrices with
// a colour bar, reference lines, slope guides (y = c·x^k) and theory curves
// (y = f(x)), log-log and semi-log axes with power-of-ten ticks, grids of
// panels, one readable theme, and rendering to display bundles (PNG at 2x,
// or SVG) and files.
//
// A Figure is a declarative description: builder methods record series and
// settings and return the figure, so a cell can end with
//
//	plotting.Line(steps, loss, "train").Line(steps, val, "val").LogY().Title("loss")
//
// and the notebook shows the chart. Bad input (mismatched lengths, NaN,
// non-positive values on a log axis) does not panic: the first error is kept
// in the figure, returned by Err, Bundle and Save, and shown in place of the
// chart. All parameters are concrete types or slices, which suits the
// interpreter that runs notebook cells.
//
// Rendering goes through package display (DrawBundle), which owns the PNG
// and SVG canvases; plotting imports display, never the reverse. A Figure
// or a Grid shows itself through the display.Bundler method DisplayBundle,
// so display.Render needs no knowledge of this package.
package plotting

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"

	"github.com/gonote/gonote/display"
)

// seriesKind distinguishes what a series draws.
type seriesKind int

const (
	kindLine seriesKind = iota
	kindScatter
	kindBand
	kindHist
	kindBars
	kindHLine
	kindVLine
	kindSlope
	kindHeatmap
	kindFunc
)

var kindNames = map[seriesKind]string{
	kindLine: "Line", kindScatter: "Scatter", kindBand: "Band", kindHist: "Hist", kindBars: "Bars",
	kindHLine: "HLine", kindVLine: "VLine", kindSlope: "Slope", kindHeatmap: "Heatmap", kindFunc: "Func",
}

// series is one recorded element of a figure.
type series struct {
	kind   seriesKind
	label  string
	xs, ys []float64 // Line, Scatter, Band (ys = mean), Bars (ys = heights)
	lo, hi []float64 // Band
	errs   []float64 // Bars (nil: no error bars)
	cats   []string  // Bars
	bins   int       // Hist
	value  float64   // HLine, VLine; Slope: c
	power  float64   // Slope: k
	matrix mat.Matrix
	fn     func(float64) float64 // Func

	color   color.Color // nil: next palette colour
	dashed  bool
	width   vg.Length // 0: theme default
	markers bool
	density bool
}

// Figure is one chart panel. The zero value is not usable; call New.
type Figure struct {
	title, xlabel, ylabel string
	logX, logY            bool
	xlim, ylim            *[2]float64
	legend                string
	width, height         vg.Length
	format                display.ImageFormat
	series                []*series
	err                   error
}

// New returns an empty figure of the default size (6×4 inches).
func New() *Figure {
	return &Figure{width: display.DefaultWidth, height: display.DefaultHeight, format: display.FormatPNG, legend: "top-right"}
}

// Err returns the first error recorded while building the figure.
func (f *Figure) Err() error { return f.err }

func (f *Figure) fail(err error) *Figure {
	if f.err == nil {
		f.err = err
	}
	return f
}

// Title sets the chart title.
func (f *Figure) Title(s string) *Figure { f.title = s; return f }

// XLabel sets the x-axis label.
func (f *Figure) XLabel(s string) *Figure { f.xlabel = s; return f }

// YLabel sets the y-axis label.
func (f *Figure) YLabel(s string) *Figure { f.ylabel = s; return f }

// Labels sets the title and both axis labels at once.
func (f *Figure) Labels(title, xlabel, ylabel string) *Figure {
	f.title, f.xlabel, f.ylabel = title, xlabel, ylabel
	return f
}

// Size sets the logical size in inches (a PNG is rendered at twice the
// pixels of 96 dpi, so 6×4 gives 1152×768 pixels shown as 576×384).
func (f *Figure) Size(widthInches, heightInches float64) *Figure {
	if err := checkSize(widthInches, heightInches); err != nil {
		return f.fail(err)
	}
	f.width, f.height = vg.Length(widthInches)*vg.Inch, vg.Length(heightInches)*vg.Inch
	return f
}

func checkSize(w, h float64) error {
	if !(w >= 1 && w <= 40) || !(h >= 1 && h <= 40) {
		return fmt.Errorf("plotting: Size(%g, %g): width and height must be in [1, 40] inches", w, h)
	}
	return nil
}

// AsSVG makes the figure render as SVG instead of PNG.
func (f *Figure) AsSVG() *Figure { f.format = display.FormatSVG; return f }

// AsPNG makes the figure render as PNG (the default).
func (f *Figure) AsPNG() *Figure { f.format = display.FormatPNG; return f }

// LogX uses a logarithmic x axis with power-of-ten ticks.
func (f *Figure) LogX() *Figure { f.logX = true; return f }

// LogY uses a logarithmic y axis with power-of-ten ticks.
func (f *Figure) LogY() *Figure { f.logY = true; return f }

// LogLog uses logarithmic x and y axes.
func (f *Figure) LogLog() *Figure { f.logX, f.logY = true, true; return f }

// XLim fixes the x-axis range to [lo, hi].
func (f *Figure) XLim(lo, hi float64) *Figure {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return f.fail(fmt.Errorf("plotting: XLim(%g, %g): need finite lo < hi", lo, hi))
	}
	f.xlim = &[2]float64{lo, hi}
	return f
}

// YLim fixes the y-axis range to [lo, hi].
func (f *Figure) YLim(lo, hi float64) *Figure {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return f.fail(fmt.Errorf("plotting: YLim(%g, %g): need finite lo < hi", lo, hi))
	}
	f.ylim = &[2]float64{lo, hi}
	return f
}

// legendPositions are the values Legend accepts.
var legendPositions = []string{"top-right", "top-left", "bottom-right", "bottom-left", "none"}

// Legend places the legend: "top-right" (default), "top-left",
// "bottom-right", "bottom-left" or "none". Series with an empty label are
// left out of the legend.
func (f *Figure) Legend(position string) *Figure {
	for _, p := range legendPositions {
		if p == position {
			f.legend = position
			return f
		}
	}
	return f.fail(fmt.Errorf("plotting: Legend(%q): position must be one of %s", position, strings.Join(legendPositions, ", ")))
}

func (f *Figure) add(s *series) *Figure {
	f.series = append(f.series, s)
	return f
}

// indexXs returns 0, 1, ..., n-1.
func indexXs(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs
}

// checkXY validates a pair of coordinate slices; nil xs means 0..n-1.
func checkXY(op, label string, xs, ys []float64) ([]float64, []float64, error) {
	if len(ys) == 0 {
		return nil, nil, fmt.Errorf("plotting: %s %q: ys is empty", op, label)
	}
	if xs == nil {
		xs = indexXs(len(ys))
	}
	if len(xs) != len(ys) {
		return nil, nil, fmt.Errorf("plotting: %s %q: len(xs) = %d but len(ys) = %d", op, label, len(xs), len(ys))
	}
	if err := checkFinite(op, label, "xs", xs); err != nil {
		return nil, nil, err
	}
	if err := checkFinite(op, label, "ys", ys); err != nil {
		return nil, nil, err
	}
	return clone(xs), clone(ys), nil
}

func checkFinite(op, label, name string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("plotting: %s %q: %s[%d] = %g; values must be finite", op, label, name, i, x)
		}
	}
	return nil
}

func clone(v []float64) []float64 { return append([]float64(nil), v...) }

// Line adds a line through (xs[i], ys[i]); nil xs means 0, 1, ..., n-1.
func (f *Figure) Line(xs, ys []float64, label string) *Figure {
	xs, ys, err := checkXY("Line", label, xs, ys)
	if err != nil {
		return f.fail(err)
	}
	return f.add(&series{kind: kindLine, label: label, xs: xs, ys: ys})
}

// Scatter adds points (xs[i], ys[i]); nil xs means 0, 1, ..., n-1.
func (f *Figure) Scatter(xs, ys []float64, label string) *Figure {
	xs, ys, err := checkXY("Scatter", label, xs, ys)
	if err != nil {
		return f.fail(err)
	}
	return f.add(&series{kind: kindScatter, label: label, xs: xs, ys: ys})
}

// Band adds a mean line with a shaded band from lo to hi (a confidence
// interval over seeds, say); all four slices have one entry per x.
func (f *Figure) Band(xs, mean, lo, hi []float64, label string) *Figure {
	xs, mean, err := checkXY("Band", label, xs, mean)
	if err != nil {
		return f.fail(err)
	}
	if len(lo) != len(mean) || len(hi) != len(mean) {
		return f.fail(fmt.Errorf("plotting: Band %q: len(lo) = %d and len(hi) = %d must equal len(mean) = %d", label, len(lo), len(hi), len(mean)))
	}
	if err := checkFinite("Band", label, "lo", lo); err != nil {
		return f.fail(err)
	}
	if err := checkFinite("Band", label, "hi", hi); err != nil {
		return f.fail(err)
	}
	for i := range lo {
		if lo[i] > hi[i] {
			return f.fail(fmt.Errorf("plotting: Band %q: lo[%d] = %g exceeds hi[%d] = %g", label, i, lo[i], i, hi[i]))
		}
	}
	return f.add(&series{kind: kindBand, label: label, xs: xs, ys: mean, lo: clone(lo), hi: clone(hi)})
}

// Hist adds a histogram of values with the given number of bins (1..10000).
func (f *Figure) Hist(values []float64, bins int, label string) *Figure {
	if len(values) == 0 {
		return f.fail(fmt.Errorf("plotting: Hist %q: values is empty", label))
	}
	if bins < 1 || bins > 10000 {
		return f.fail(fmt.Errorf("plotting: Hist %q: bins = %d, must be in [1, 10000]", label, bins))
	}
	if err := checkFinite("Hist", label, "values", values); err != nil {
		return f.fail(err)
	}
	return f.add(&series{kind: kindHist, label: label, xs: clone(values), bins: bins})
}

// Bars adds a bar per category with the given heights and optional error
// bars (errs nil, or one half-width per bar). Several Bars calls on one
// figure are drawn side by side, grouped by category; they must use the
// same categories.
func (f *Figure) Bars(categories []string, heights, errs []float64, label string) *Figure {
	if len(heights) == 0 {
		return f.fail(fmt.Errorf("plotting: Bars %q: heights is empty", label))
	}
	if len(categories) != len(heights) {
		return f.fail(fmt.Errorf("plotting: Bars %q: len(categories) = %d but len(heights) = %d", label, len(categories), len(heights)))
	}
	if errs != nil && len(errs) != len(heights) {
		return f.fail(fmt.Errorf("plotting: Bars %q: len(errs) = %d but len(heights) = %d (pass nil for no error bars)", label, len(errs), len(heights)))
	}
	if err := checkFinite("Bars", label, "heights", heights); err != nil {
		return f.fail(err)
	}
	if err := checkFinite("Bars", label, "errs", errs); err != nil {
		return f.fail(err)
	}
	for i, e := range errs {
		if e < 0 {
			return f.fail(fmt.Errorf("plotting: Bars %q: errs[%d] = %g must be >= 0", label, i, e))
		}
	}
	for _, s := range f.series {
		if s.kind == kindBars && strings.Join(s.cats, "\x00") != strings.Join(categories, "\x00") {
			return f.fail(fmt.Errorf("plotting: Bars %q: categories %v differ from those of Bars %q (%v)", label, categories, s.label, s.cats))
		}
	}
	var e []float64
	if errs != nil {
		e = clone(errs)
	}
	return f.add(&series{kind: kindBars, label: label, cats: append([]string(nil), categories...), ys: clone(heights), errs: e})
}

// Heatmap shows the matrix m as coloured cells (row 0 at the top) with a
// colour bar. A matrix with both signs uses a diverging palette centred on
// zero, otherwise a sequential one.
func (f *Figure) Heatmap(m mat.Matrix) *Figure {
	if m == nil {
		return f.fail(fmt.Errorf("plotting: Heatmap: nil matrix"))
	}
	r, c, err := dims(m)
	if err != nil {
		return f.fail(err)
	}
	if r == 0 || c == 0 {
		return f.fail(fmt.Errorf("plotting: Heatmap: matrix is %d×%d, need at least 1×1", r, c))
	}
	for _, s := range f.series {
		if s.kind == kindHeatmap {
			return f.fail(fmt.Errorf("plotting: Heatmap: a figure holds one heatmap; use Grid for several"))
		}
	}
	return f.add(&series{kind: kindHeatmap, matrix: mat.DenseCopyOf(m)})
}

func dims(m mat.Matrix) (r, c int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("plotting: Heatmap: matrix %T: %v", m, p)
		}
	}()
	r, c = m.Dims()
	return r, c, nil
}

// HLine adds a horizontal reference line at y.
func (f *Figure) HLine(y float64, label string) *Figure {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return f.fail(fmt.Errorf("plotting: HLine %q: y = %g must be finite", label, y))
	}
	return f.add(&series{kind: kindHLine, label: label, value: y, dashed: true})
}

// VLine adds a vertical reference line at x.
func (f *Figure) VLine(x float64, label string) *Figure {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return f.fail(fmt.Errorf("plotting: VLine %q: x = %g must be finite", label, x))
	}
	return f.add(&series{kind: kindVLine, label: label, value: x, dashed: true})
}

// Slope adds the guide y = c·x^k across the x range (a straight line of
// slope k on log-log axes), for comparing a measured scaling law with a
// predicted exponent.
func (f *Figure) Slope(c, k float64, label string) *Figure {
	if math.IsNaN(c) || math.IsInf(c, 0) || math.IsNaN(k) || math.IsInf(k, 0) {
		return f.fail(fmt.Errorf("plotting: Slope %q: c = %g and k = %g must be finite", label, c, k))
	}
	return f.add(&series{kind: kindSlope, label: label, value: c, power: k, dashed: true})
}

// Func adds the curve y = fn(x) across the x range set by the other series
// (or XLim), sampled evenly in the axis scale: a theory curve to compare
// with measurements. Points where fn returns NaN or ±Inf are skipped (return
// NaN outside fn's domain); a panic in fn ends the curve there. It takes the
// next series colour and does not widen the axes.
func (f *Figure) Func(fn func(x float64) float64, label string) *Figure {
	if fn == nil {
		return f.fail(fmt.Errorf("plotting: Func %q: nil function", label))
	}
	return f.add(&series{kind: kindFunc, label: label, fn: fn})
}

// last returns the most recent series, for the style modifiers.
func (f *Figure) last(op string) *series {
	if len(f.series) == 0 {
		f.fail(fmt.Errorf("plotting: %s: no series yet; add one (Line, Scatter, ...) first", op))
		return nil
	}
	return f.series[len(f.series)-1]
}

// Dashed draws the most recent series with a dashed line.
func (f *Figure) Dashed() *Figure {
	if s := f.last("Dashed"); s != nil {
		s.dashed = true
	}
	return f
}

// Solid draws the most recent series with a solid line (reference lines
// are dashed by default).
func (f *Figure) Solid() *Figure {
	if s := f.last("Solid"); s != nil {
		s.dashed = false
	}
	return f
}

// Markers adds point markers to the most recent line or band.
func (f *Figure) Markers() *Figure {
	if s := f.last("Markers"); s != nil {
		if s.kind != kindLine && s.kind != kindBand {
			return f.fail(fmt.Errorf("plotting: Markers applies to a Line or Band, not to %s %q", kindNames[s.kind], s.label))
		}
		s.markers = true
	}
	return f
}

// Density normalises the most recent histogram to unit area.
func (f *Figure) Density() *Figure {
	if s := f.last("Density"); s != nil {
		if s.kind != kindHist {
			return f.fail(fmt.Errorf("plotting: Density applies to a Hist, not to %s %q", kindNames[s.kind], s.label))
		}
		s.density = true
	}
	return f
}

// Width sets the line width of the most recent series in points (0.1..20);
// for a scatter it sets the marker radius.
func (f *Figure) Width(points float64) *Figure {
	if !(points >= 0.1 && points <= 20) {
		return f.fail(fmt.Errorf("plotting: Width(%g): must be in [0.1, 20] points", points))
	}
	if s := f.last("Width"); s != nil {
		s.width = vg.Length(points)
	}
	return f
}

// Color sets the colour of the most recent series: "#rrggbb", "#rgb" or one
// of the theme's names (blue, orange, green, pink, yellow, sky, red, grey,
// black).
func (f *Figure) Color(c string) *Figure {
	col, err := parseColor(c)
	if err != nil {
		return f.fail(err)
	}
	if s := f.last("Color"); s != nil {
		s.color = col
	}
	return f
}
