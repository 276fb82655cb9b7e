package display

import (
	"bytes"
	"fmt"
	"image/png"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ImageFormat selects how a drawing is rendered.
type ImageFormat string

// Image formats for DrawBundle and PlotBundle.
const (
	FormatPNG ImageFormat = "png" // raster at 2x (RetinaDPI) with logical-size metadata
	FormatSVG ImageFormat = "svg" // vector, fonts named (not embedded)
)

// Resolution of rendered drawings: PNGs are rasterised at RetinaDPI and shown
// at the logical size of ScreenDPI, so they stay sharp on HiDPI screens.
const (
	ScreenDPI = 96
	RetinaDPI = 2 * ScreenDPI
)

// Default size of a chart.
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
)

// maxDrawingSide bounds a drawing's side so a typo cannot allocate gigabytes.
const maxDrawingSide = 40 * vg.Inch

// DrawBundle renders a vector drawing of logical size w×h with paint and
// returns it as a bundle: for FormatPNG an image/png rasterised at RetinaDPI
// (pixel size 2·w×2·h at 96 dpi) with metadata width/height of the logical
// size; for FormatSVG an image/svg+xml. text/plain names the chart size.
func DrawBundle(w, h vg.Length, format ImageFormat, paint func(draw.Canvas) error) (Bundle, error) {
	if !(w > 0 && w <= maxDrawingSide) || !(h > 0 && h <= maxDrawingSide) {
		return Bundle{}, fmt.Errorf("display: drawing size %.3gin×%.3gin out of range: each side must be in (0, %g] inches",
			w/vg.Inch, h/vg.Inch, maxDrawingSide/vg.Inch)
	}
	if paint == nil {
		return Bundle{}, fmt.Errorf("display: drawing has no paint function")
	}
	text := fmt.Sprintf("<chart %.3g×%.3gin>", w/vg.Inch, h/vg.Inch)
	switch format {
	case FormatPNG, "":
		raw, err := DrawPNG(w, h, paint)
		if err != nil {
			return Bundle{}, err
		}
		pxW := int(math.Round(float64(w/vg.Inch) * ScreenDPI))
		pxH := int(math.Round(float64(h/vg.Inch) * ScreenDPI))
		b := ScaledPNGBundle(raw, pxW, pxH)
		b.Data[MIMEText] = text
		return b, nil
	case FormatSVG:
		raw, err := DrawSVG(w, h, paint)
		if err != nil {
			return Bundle{}, err
		}
		b := SVGBundle(string(raw))
		b.Data[MIMEText] = text
		return b, nil
	default:
		return Bundle{}, fmt.Errorf("display: unknown image format %q (want %q or %q)", format, FormatPNG, FormatSVG)
	}
}

// pngEncoder trades a little size for speed: encoding dominates the time to
// render a chart (see BENCHMARKS.md).
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// DrawPNG rasterises a drawing of logical size w×h at RetinaDPI and returns
// the PNG bytes.
func DrawPNG(w, h vg.Length, paint func(draw.Canvas) error) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(RetinaDPI))
	if err := safePaint(paint, draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("display: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// DrawSVG renders a drawing of size w×h as an SVG document.
func DrawSVG(w, h vg.Length, paint func(draw.Canvas) error) ([]byte, error) {
	c := vgsvg.New(w, h)
	if err := safePaint(paint, draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("display: encode SVG: %w", err)
	}
	return buf.Bytes(), nil
}

// safePaint runs paint, turning a panic inside gonum/plot (which panics on
// some bad inputs, e.g. non-positive values on a log axis) into an error.
func safePaint(paint func(draw.Canvas) error, c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("display: drawing failed: %v", r)
		}
	}()
	return paint(c)
}

// PlotBundle renders p at logical size w×h (zero means the default 6×4in).
func PlotBundle(p *plot.Plot, w, h vg.Length, format ImageFormat) (Bundle, error) {
	if p == nil {
		return Bundle{}, fmt.Errorf("display: PlotBundle: nil *plot.Plot")
	}
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	return DrawBundle(w, h, format, func(c draw.Canvas) error {
		p.Draw(c)
		return nil
	})
}

// Plot displays p as a PNG chart of the default size.
func Plot(p *plot.Plot) error {
	b, err := PlotBundle(p, 0, 0, FormatPNG)
	if err != nil {
		return err
	}
	Publish(b)
	return nil
}
