package plotting

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgpdf"

	"github.com/gonote/gonote/display"
)

// Chart is anything this package can render: a *Figure or a *Panels grid.
type Chart interface {
	// ChartSize is the logical size.
	ChartSize() (w, h vg.Length)
	// Draw paints the chart onto a canvas of that size.
	Draw(c draw.Canvas) error
}

// Bundle renders the figure as a display bundle: PNG at 2x with
// logical-size metadata (or SVG after AsSVG), plus text/plain.
func (f *Figure) Bundle() (display.Bundle, error) {
	if f.err != nil {
		return display.Bundle{}, f.err
	}
	return display.DrawBundle(f.width, f.height, f.format, f.Draw)
}

// DisplayBundle implements display.Bundler: the chart, or the error that
// prevents drawing it.
func (f *Figure) DisplayBundle() display.Bundle { return orError(f.Bundle()) }

// Show displays the figure now (in the middle of a cell).
func (f *Figure) Show() { display.Publish(f.DisplayBundle()) }

// RenderPNG returns the figure as PNG bytes at 2x resolution.
func (f *Figure) RenderPNG() ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	return display.DrawPNG(f.width, f.height, f.Draw)
}

// RenderSVG returns the figure as an SVG document.
func (f *Figure) RenderSVG() ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	return display.DrawSVG(f.width, f.height, f.Draw)
}

func orError(b display.Bundle, err error) display.Bundle {
	if err != nil {
		return display.ErrorBundle(err)
	}
	return b
}

// Save writes a chart to path; the extension picks the format: .png (2x
// resolution), .svg or .pdf.
func Save(c Chart, path string) error {
	if c == nil {
		return fmt.Errorf("plotting: Save %s: nil chart", path)
	}
	if e, ok := c.(interface{ Err() error }); ok && e.Err() != nil {
		return fmt.Errorf("plotting: Save %s: %w", path, e.Err())
	}
	w, h := c.ChartSize()
	var data []byte
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		data, err = display.DrawPNG(w, h, c.Draw)
	case ".svg":
		data, err = display.DrawSVG(w, h, c.Draw)
	case ".pdf":
		data, err = drawPDF(w, h, c.Draw)
	default:
		return fmt.Errorf("plotting: Save %s: unknown extension %q; use .png, .svg or .pdf", path, ext)
	}
	if err != nil {
		return fmt.Errorf("plotting: Save %s: %w", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plotting: Save: %w", err)
	}
	return nil
}

func drawPDF(w, h vg.Length, paint func(draw.Canvas) error) ([]byte, error) {
	c := vgpdf.New(w, h)
	if err := paint(draw.New(c)); err != nil {
		return nil, err
	}
	var buf strings.Builder
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode PDF: %w", err)
	}
	return []byte(buf.String()), nil
}
