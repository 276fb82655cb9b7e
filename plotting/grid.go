package plotting

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gonote/gonote/display"
)

// Panels is a grid of figures drawn as one chart, filled row by row.
type Panels struct {
	cols          int
	panels        []*Figure
	title         string
	width, height vg.Length
	format        display.ImageFormat
	err           error
}

// Grid arranges panels in rows of cols figures (1..8 columns). The default
// size gives each panel 4.5×3.25 inches (the whole chart at most 16 inches
// wide).
func Grid(cols int, panels ...*Figure) *Panels {
	g := &Panels{cols: cols, panels: panels, format: display.FormatPNG}
	switch {
	case cols < 1 || cols > 8:
		g.err = fmt.Errorf("plotting: Grid: cols = %d, must be in [1, 8]", cols)
	case len(panels) == 0:
		g.err = fmt.Errorf("plotting: Grid: no panels")
	}
	for i, p := range panels {
		if g.err != nil {
			break
		}
		if p == nil {
			g.err = fmt.Errorf("plotting: Grid: panel %d is nil", i)
		} else if p.err != nil {
			g.err = fmt.Errorf("plotting: Grid: panel %d: %w", i, p.err)
		}
	}
	if g.err != nil {
		g.width, g.height = display.DefaultWidth, display.DefaultHeight
		return g
	}
	rows := g.rows()
	c := min(cols, len(panels))
	g.width = min(vg.Length(c)*4.5*vg.Inch, 16*vg.Inch)
	g.height = min(vg.Length(rows)*3.25*vg.Inch, 30*vg.Inch)
	return g
}

func (g *Panels) rows() int { return (len(g.panels) + g.cols - 1) / g.cols }

// Err returns the error that prevents drawing the grid.
func (g *Panels) Err() error { return g.err }

// Title sets a title above all panels.
func (g *Panels) Title(s string) *Panels { g.title = s; return g }

// Size sets the logical size of the whole grid in inches.
func (g *Panels) Size(widthInches, heightInches float64) *Panels {
	if err := checkSize(widthInches, heightInches); err != nil {
		if g.err == nil {
			g.err = err
		}
		return g
	}
	g.width, g.height = vg.Length(widthInches)*vg.Inch, vg.Length(heightInches)*vg.Inch
	return g
}

// AsSVG makes the grid render as SVG instead of PNG.
func (g *Panels) AsSVG() *Panels { g.format = display.FormatSVG; return g }

// ChartSize returns the grid's logical size.
func (g *Panels) ChartSize() (w, h vg.Length) { return g.width, g.height }

// Draw paints every panel into its tile.
func (g *Panels) Draw(c draw.Canvas) error {
	if g.err != nil {
		return g.err
	}
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	tiles := draw.Tiles{Rows: g.rows(), Cols: g.cols, PadX: 0.2 * vg.Inch, PadY: 0.2 * vg.Inch,
		PadTop: 0.05 * vg.Inch, PadBottom: 0.05 * vg.Inch, PadLeft: 0.05 * vg.Inch, PadRight: 0.05 * vg.Inch}
	if g.title != "" {
		fnt := plot.DefaultFont
		fnt.Variant = fontVariant
		style := text.Style{Color: color.Black, Font: font.From(fnt, titleSize+1),
			XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		c.FillText(style, vg.Point{X: c.Center().X, Y: c.Max.Y - 4}, g.title)
		tiles.PadTop += style.Rectangle(g.title).Size().Y + 8
	}
	for i, p := range g.panels {
		if err := p.Draw(tiles.At(c, i%g.cols, i/g.cols)); err != nil {
			return fmt.Errorf("plotting: Grid: panel %d: %w", i, err)
		}
	}
	return nil
}

// Bundle renders the grid as a display bundle.
func (g *Panels) Bundle() (display.Bundle, error) {
	if g.err != nil {
		return display.Bundle{}, g.err
	}
	return display.DrawBundle(g.width, g.height, g.format, g.Draw)
}

// DisplayBundle implements display.Bundler.
func (g *Panels) DisplayBundle() display.Bundle { return orError(g.Bundle()) }

// Show displays the grid now.
func (g *Panels) Show() { display.Publish(g.DisplayBundle()) }
