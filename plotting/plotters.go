package plotting

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bars draws one bar series of a grouped bar chart in data coordinates:
// bar i is centred at xs[i] with the given width, from 0 to ys[i], with an
// optional error bar of half-height errs[i].
type bars struct {
	xs, ys, errs []float64
	width        float64
	fill         color.Color
	line         draw.LineStyle
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, x := range b.xs {
		x0, x1 := trX(x-b.width/2), trX(x+b.width/2)
		y0, y1 := trY(0), trY(b.ys[i])
		rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.fill, c.ClipPolygonXY(rect))
		outline := append(rect, rect[0])
		c.StrokeLines(b.line, c.ClipLinesXY(outline)...)
		if b.errs == nil || b.errs[i] == 0 {
			continue
		}
		xm := trX(x)
		lo, hi := trY(b.ys[i]-b.errs[i]), trY(b.ys[i]+b.errs[i])
		cap := (x1 - x0) / 5
		err := draw.LineStyle{Color: color.Black, Width: 1}
		c.StrokeLine2(err, xm, lo, xm, hi)
		c.StrokeLine2(err, xm-cap, lo, xm+cap, lo)
		c.StrokeLine2(err, xm-cap, hi, xm+cap, hi)
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	ymin, ymax = 0, 0
	for i, x := range b.xs {
		xmin, xmax = math.Min(xmin, x-b.width/2), math.Max(xmax, x+b.width/2)
		e := 0.0
		if b.errs != nil {
			e = b.errs[i]
		}
		ymin, ymax = math.Min(ymin, b.ys[i]-e), math.Max(ymax, b.ys[i]+e)
	}
	return xmin, xmax, ymin, ymax
}

func (b *bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.fill, c.ClipPolygonY(pts))
}

// curve draws y = fn(x) across the x axis, sampled evenly in the axis's
// own scale (log-spaced on a log axis) so it is smooth at any zoom; points
// where fn is not finite (or not positive on a log y axis) are skipped.
type curve struct {
	fn         func(float64) float64
	style      draw.LineStyle
	logX, logY bool
}

func (cv *curve) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	const n = 256
	var run []vg.Point
	flush := func() {
		if len(run) > 1 {
			c.StrokeLines(cv.style, c.ClipLinesXY(run)...)
		}
		run = run[:0]
	}
	for i := 0; i <= n; i++ {
		t := float64(i) / n
		var x float64
		if cv.logX {
			x = math.Exp(math.Log(p.X.Min) + t*(math.Log(p.X.Max)-math.Log(p.X.Min)))
		} else {
			x = p.X.Min + t*(p.X.Max-p.X.Min)
		}
		y := cv.fn(x)
		if math.IsNaN(y) || math.IsInf(y, 0) || (cv.logY && y <= 0) {
			flush()
			continue
		}
		run = append(run, vg.Point{X: trX(x), Y: trY(y)})
	}
	flush()
}

func (cv *curve) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(cv.style, c.Min.X, y, c.Max.X, y)
}

// vline draws a vertical line at x across the plot.
type vline struct {
	x     float64
	style draw.LineStyle
}

func (v *vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	if x < c.Min.X || x > c.Max.X {
		return
	}
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

func (v *vline) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// matrixGrid adapts a dense matrix to plotter.GridXYZ: column j at x = j,
// row i at y = i (the y axis is inverted so row 0 is on top).
type matrixGrid struct {
	z    [][]float64 // z[i][j]
	r, c int
}

func (g matrixGrid) Dims() (c, r int)         { return g.c, g.r }
func (g matrixGrid) Z(c, r int) float64       { return g.z[r][c] }
func (g matrixGrid) X(c int) float64          { return float64(c) }
func (g matrixGrid) Y(r int) float64          { return float64(r) }
func (g matrixGrid) rangeZ() (lo, hi float64) { return zRange(g.z) }

func zRange(z [][]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range z {
		for _, v := range row {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// intTicks labels integer positions (matrix indices) with a 1-2-5 step so
// that at most about eight labels show.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	span := last - first + 1
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000} {
		step = s
		if span/s <= 8 {
			break
		}
	}
	var ticks []plot.Tick
	for v := first; v <= last; v++ {
		if v%step == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
		}
	}
	return ticks
}
