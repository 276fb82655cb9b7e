package plotting

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// colorBarWidth is the strip kept at the right of a heatmap for its
// colour bar.
const colorBarWidth = 0.95 * vg.Inch

// built is a figure turned into gonum/plot objects.
type built struct {
	plot     *plot.Plot
	colorBar *plot.Plot // nil without a heatmap
}

// Plot builds the figure as a gonum/plot *plot.Plot, for customisation
// beyond this package (a heatmap's colour bar is not part of it).
func (f *Figure) Plot() (*plot.Plot, error) {
	b, err := f.build()
	if err != nil {
		return nil, err
	}
	return b.plot, nil
}

// checkLog rejects values a log axis cannot show.
func (f *Figure) checkLog() error {
	pos := func(axis, op, label, name string, v []float64) error {
		for i, x := range v {
			if x <= 0 {
				return fmt.Errorf("plotting: %s: %s %q has %s[%d] = %g; a log axis needs values > 0", axis, op, label, name, i, x)
			}
		}
		return nil
	}
	if f.logX && f.xlim != nil && f.xlim[0] <= 0 {
		return fmt.Errorf("plotting: LogX: XLim lower bound %g must be > 0", f.xlim[0])
	}
	if f.logY && f.ylim != nil && f.ylim[0] <= 0 {
		return fmt.Errorf("plotting: LogY: YLim lower bound %g must be > 0", f.ylim[0])
	}
	for _, s := range f.series {
		op := kindNames[s.kind]
		switch s.kind {
		case kindHeatmap:
			if f.logX || f.logY {
				return fmt.Errorf("plotting: a heatmap cannot use log axes")
			}
		case kindBars:
			if f.logX || f.logY {
				return fmt.Errorf("plotting: Bars %q: a bar chart cannot use log axes", s.label)
			}
		case kindHist:
			if f.logY {
				return fmt.Errorf("plotting: Hist %q: a histogram cannot use a log y axis (empty bins have count 0)", s.label)
			}
			if f.logX {
				if err := pos("LogX", op, s.label, "values", s.xs); err != nil {
					return err
				}
			}
		case kindLine, kindScatter, kindBand:
			if f.logX {
				if err := pos("LogX", op, s.label, "xs", s.xs); err != nil {
					return err
				}
			}
			if f.logY {
				for _, v := range []struct {
					name string
					v    []float64
				}{{"ys", s.ys}, {"lo", s.lo}, {"hi", s.hi}} {
					if err := pos("LogY", op, s.label, v.name, v.v); err != nil {
						return err
					}
				}
			}
		case kindHLine:
			if f.logY && s.value <= 0 {
				return fmt.Errorf("plotting: LogY: HLine %q at y = %g; a log axis needs y > 0", s.label, s.value)
			}
		case kindVLine:
			if f.logX && s.value <= 0 {
				return fmt.Errorf("plotting: LogX: VLine %q at x = %g; a log axis needs x > 0", s.label, s.value)
			}
		case kindSlope:
			if f.logY && s.value <= 0 {
				return fmt.Errorf("plotting: LogY: Slope %q has c = %g; on a log y axis c must be > 0", s.label, s.value)
			}
		}
	}
	return nil
}

func xys(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	return pts
}

// build turns the recorded series into a themed gonum plot.
func (f *Figure) build() (*built, error) {
	if f.err != nil {
		return nil, f.err
	}
	if err := f.checkLog(); err != nil {
		return nil, err
	}
	p := plot.New()
	applyTheme(p)
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = f.title, f.xlabel, f.ylabel
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.X.Tick.Label.Handler, p.Y.Tick.Label.Handler = tickText, tickText
	if f.logX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	if f.logY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	}

	var heat *series
	nBars, cats := 0, []string(nil)
	for _, s := range f.series {
		switch s.kind {
		case kindHeatmap:
			heat = s
		case kindBars:
			nBars++
			cats = s.cats
		}
	}
	if heat == nil {
		g := plotter.NewGrid()
		g.Vertical = draw.LineStyle{Color: gridColor, Width: 0.6}
		g.Horizontal = draw.LineStyle{Color: gridColor, Width: 0.6}
		if nBars > 0 {
			g.Vertical.Color = nil
		}
		p.Add(g)
	}
	out := &built{plot: p}
	if heat != nil {
		cb, err := addHeatmap(p, heat.matrix)
		if err != nil {
			return nil, err
		}
		out.colorBar = cb
	}

	type entry struct {
		label  string
		thumbs []plot.Thumbnailer
	}
	var legend []entry
	var fills, strokes []plot.Plotter
	next := 0
	colorOf := func(s *series) color.Color {
		if s.color != nil {
			return s.color
		}
		c := seriesColors[next%len(seriesColors)]
		next++
		return c
	}
	barIndex := 0
	for _, s := range f.series {
		var thumbs []plot.Thumbnailer
		switch s.kind {
		case kindLine:
			col := colorOf(s)
			if s.markers {
				l, sc, err := plotter.NewLinePoints(xys(s.xs, s.ys))
				if err != nil {
					return nil, fmt.Errorf("plotting: Line %q: %w", s.label, err)
				}
				l.LineStyle = lineStyle(col, s.width, s.dashed)
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: markerSize, Shape: draw.CircleGlyph{}}
				strokes = append(strokes, l, sc)
				thumbs = []plot.Thumbnailer{l, sc}
			} else {
				l, err := plotter.NewLine(xys(s.xs, s.ys))
				if err != nil {
					return nil, fmt.Errorf("plotting: Line %q: %w", s.label, err)
				}
				l.LineStyle = lineStyle(col, s.width, s.dashed)
				strokes = append(strokes, l)
				thumbs = []plot.Thumbnailer{l}
			}
		case kindScatter:
			col := colorOf(s)
			sc, err := plotter.NewScatter(xys(s.xs, s.ys))
			if err != nil {
				return nil, fmt.Errorf("plotting: Scatter %q: %w", s.label, err)
			}
			r := markerSize
			if s.width > 0 {
				r = s.width
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: r, Shape: draw.CircleGlyph{}}
			strokes = append(strokes, sc)
			thumbs = []plot.Thumbnailer{sc}
		case kindBand:
			col := colorOf(s)
			n := len(s.xs)
			ring := make(plotter.XYs, 0, 2*n)
			for i := range n {
				ring = append(ring, plotter.XY{X: s.xs[i], Y: s.lo[i]})
			}
			for i := n - 1; i >= 0; i-- {
				ring = append(ring, plotter.XY{X: s.xs[i], Y: s.hi[i]})
			}
			poly, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, fmt.Errorf("plotting: Band %q: %w", s.label, err)
			}
			poly.Color = withAlpha(col, bandAlpha)
			poly.LineStyle.Width = 0
			fills = append(fills, poly)
			l, err := plotter.NewLine(xys(s.xs, s.ys))
			if err != nil {
				return nil, fmt.Errorf("plotting: Band %q: %w", s.label, err)
			}
			l.LineStyle = lineStyle(col, s.width, s.dashed)
			strokes = append(strokes, l)
			thumbs = []plot.Thumbnailer{poly, l}
			if s.markers {
				sc, err := plotter.NewScatter(xys(s.xs, s.ys))
				if err != nil {
					return nil, fmt.Errorf("plotting: Band %q: %w", s.label, err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: markerSize, Shape: draw.CircleGlyph{}}
				strokes = append(strokes, sc)
			}
		case kindHist:
			col := colorOf(s)
			h, err := plotter.NewHist(plotter.Values(s.xs), s.bins)
			if err != nil {
				return nil, fmt.Errorf("plotting: Hist %q: %w", s.label, err)
			}
			if s.density {
				h.Normalize(1)
			}
			h.FillColor = withAlpha(col, fillAlpha)
			h.LineStyle = draw.LineStyle{Color: col, Width: 0.8}
			fills = append(fills, h)
			thumbs = []plot.Thumbnailer{h}
		case kindBars:
			col := colorOf(s)
			group := 0.8
			w := group / float64(nBars)
			xs := make([]float64, len(s.ys))
			for i := range xs {
				xs[i] = float64(i) - group/2 + (float64(barIndex)+0.5)*w
			}
			barIndex++
			b := &bars{xs: xs, ys: s.ys, errs: s.errs, width: w, fill: withAlpha(col, 0.85), line: draw.LineStyle{Color: col, Width: 0.8}}
			fills = append(fills, b)
			thumbs = []plot.Thumbnailer{b}
		case kindHLine, kindSlope:
			c, k := s.value, s.power
			fn := func(x float64) float64 { return c * math.Pow(x, k) }
			if s.kind == kindHLine {
				fn = func(float64) float64 { return c }
			}
			cv := &curve{fn: fn, style: referenceStyle(s), logX: f.logX, logY: f.logY}
			strokes = append(strokes, cv)
			thumbs = []plot.Thumbnailer{cv}
		case kindFunc:
			col := colorOf(s)
			cv := &curve{fn: safeFunc(s.fn), style: lineStyle(col, s.width, s.dashed), logX: f.logX, logY: f.logY}
			strokes = append(strokes, cv)
			thumbs = []plot.Thumbnailer{cv}
		case kindVLine:
			v := &vline{x: s.value, style: referenceStyle(s)}
			strokes = append(strokes, v)
			thumbs = []plot.Thumbnailer{v}
		}
		if s.label != "" && len(thumbs) > 0 {
			legend = append(legend, entry{s.label, thumbs})
		}
	}
	p.Add(fills...)
	p.Add(strokes...)
	if nBars > 0 {
		p.NominalX(cats...)
		p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	}
	if f.logX {
		fixLogRange(&p.X, f.refs(kindVLine))
	}
	if f.logY {
		fixLogRange(&p.Y, f.refs(kindHLine, kindSlope))
	}
	if f.xlim != nil {
		p.X.Min, p.X.Max = f.xlim[0], f.xlim[1]
	}
	if f.ylim != nil {
		p.Y.Min, p.Y.Max = f.ylim[0], f.ylim[1]
	}
	if f.legend != "none" {
		for _, e := range legend {
			p.Legend.Add(e.label, e.thumbs...)
		}
		p.Legend.Top = f.legend == "top-right" || f.legend == "top-left"
		p.Legend.Left = f.legend == "top-left" || f.legend == "bottom-left"
		p.Legend.XOffs, p.Legend.YOffs = -6, -4
		if p.Legend.Left {
			p.Legend.XOffs = 6
		}
		if !p.Legend.Top {
			p.Legend.YOffs = 4
		}
	}
	return out, nil
}

// safeFunc guards a user's function: the first panic ends the curve (later
// points are skipped without calling fn again, so an interpreted function
// does not log one panic per sample).
func safeFunc(fn func(float64) float64) func(float64) float64 {
	broken := false
	return func(x float64) (y float64) {
		if broken {
			return math.NaN()
		}
		defer func() {
			if recover() != nil {
				broken, y = true, math.NaN()
			}
		}()
		return fn(x)
	}
}

// refs returns the values of the reference lines of the given kinds.
func (f *Figure) refs(kinds ...seriesKind) []float64 {
	var v []float64
	for _, s := range f.series {
		for _, k := range kinds {
			if s.kind == k {
				v = append(v, s.value)
			}
		}
	}
	return v
}

// fixLogRange gives a log axis a positive, non-empty range when the data
// do not: around the reference lines when there are no data, a decade
// around a single value, 1..10 when there is nothing at all. (gonum/plot
// would widen an empty range by ±1, which can reach zero.)
func fixLogRange(a *plot.Axis, refs []float64) {
	if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) {
		a.Min, a.Max = math.Inf(1), math.Inf(-1)
		for _, r := range refs {
			a.Min, a.Max = math.Min(a.Min, r), math.Max(a.Max, r)
		}
		if math.IsInf(a.Min, 0) {
			a.Min, a.Max = 1, 10
		}
	}
	if a.Min == a.Max {
		a.Min, a.Max = a.Min/math.Sqrt(10), a.Max*math.Sqrt(10)
	}
}

// addHeatmap adds m as a heatmap to p (row 0 on top, integer ticks) and
// returns the plot holding its colour bar.
func addHeatmap(p *plot.Plot, m mat.Matrix) (*plot.Plot, error) {
	r, c := m.Dims()
	z := make([][]float64, r)
	for i := range z {
		z[i] = make([]float64, c)
		for j := range z[i] {
			z[i][j] = m.At(i, j)
		}
	}
	g := matrixGrid{z: z, r: r, c: c}
	lo, hi := g.rangeZ()
	if math.IsInf(lo, 0) {
		return nil, fmt.Errorf("plotting: Heatmap: the %d×%d matrix has no finite entries", r, c)
	}
	var cm palette.ColorMap
	if lo < 0 && hi > 0 {
		lim := math.Max(-lo, hi)
		cm = moreland.SmoothBlueRed()
		lo, hi = -lim, lim
	} else {
		cm = moreland.Kindlmann()
		if lo == hi {
			pad := math.Max(math.Abs(lo)*0.1, 0.5)
			lo, hi = lo-pad, hi+pad
		}
	}
	cm.SetMin(lo)
	cm.SetMax(hi)
	hm := plotter.NewHeatMap(g, cm.Palette(256))
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.Transparent
	p.Add(hm)
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.X.Tick.Marker, p.Y.Tick.Marker = intTicks{}, intTicks{}
	p.X.Padding, p.Y.Padding = 0, 0

	cb := plot.New()
	applyTheme(cb)
	cb.HideX()
	cb.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	cb.Y.Padding = 0
	cb.Y.Tick.Marker, cb.Y.Tick.Label.Handler = linearTicks{}, tickText
	return cb, nil
}

// ChartSize returns the figure's logical size.
func (f *Figure) ChartSize() (w, h vg.Length) { return f.width, f.height }

// Draw paints the figure onto c (used by Bundle, Save and Grid).
func (f *Figure) Draw(c draw.Canvas) error {
	b, err := f.build()
	if err != nil {
		return err
	}
	if b.colorBar == nil {
		b.plot.Draw(c)
		return nil
	}
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	main := draw.Crop(c, 0, -colorBarWidth, 0, 0)
	b.plot.Draw(main)
	// Align the bar with the data area: below the title, above the x axis.
	strip := draw.Crop(c, c.Size().X-colorBarWidth+0.25*vg.Inch, -0.05*vg.Inch, 0, 0)
	top := vg.Length(0)
	if f.title != "" {
		top = b.plot.Title.TextStyle.Rectangle(f.title).Size().Y + b.plot.Title.Padding
	}
	bottom := b.plot.X.Tick.Label.Height("0") + b.plot.X.Tick.Length + b.plot.X.Padding + 2
	if f.xlabel != "" {
		bottom += b.plot.X.Label.TextStyle.Rectangle(f.xlabel).Size().Y + b.plot.X.Label.Padding
	}
	b.colorBar.Draw(draw.Crop(strip, 0, 0, bottom, -top))
	return nil
}
