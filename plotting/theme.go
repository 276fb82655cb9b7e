package plotting

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The theme: a colour-blind-safe palette (Okabe & Ito), font sizes that stay
// readable when a 6×4in chart is shown at notebook width, and line widths
// that survive the 2x rendering.
var (
	seriesColors = []color.Color{
		rgb(0x0072B2), // blue
		rgb(0xD55E00), // vermillion
		rgb(0x009E73), // green
		rgb(0xCC79A7), // pink
		rgb(0xE69F00), // orange
		rgb(0x56B4E9), // sky
		rgb(0x000000), // black
		rgb(0x999999), // grey
	}
	colorNames = map[string]color.Color{
		"blue": rgb(0x0072B2), "orange": rgb(0xE69F00), "green": rgb(0x009E73), "pink": rgb(0xCC79A7),
		"yellow": rgb(0xF0E442), "sky": rgb(0x56B4E9), "red": rgb(0xD55E00), "grey": rgb(0x999999),
		"gray": rgb(0x999999), "black": rgb(0x000000),
	}
	referenceColor = rgb(0x555555)
	gridColor      = rgb(0xE3E3E3)
)

// fontVariant selects Liberation Sans (compiled into gonum/plot, so no
// system fonts are needed).
const fontVariant = "Sans"

const (
	titleSize  = vg.Length(13)
	labelSize  = vg.Length(11)
	tickSize   = vg.Length(9.5)
	legendSize = vg.Length(9.5)
	lineWidth  = vg.Length(1.6)
	axisWidth  = vg.Length(0.8)
	markerSize = vg.Length(2.4)
	bandAlpha  = 0.22
	fillAlpha  = 0.55
)

func rgb(v uint32) color.Color {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// withAlpha returns c with opacity a in [0, 1].
func withAlpha(c color.Color, a float64) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(a*255 + 0.5)
	return n
}

// parseColor reads "#rrggbb", "#rgb" or a theme colour name.
func parseColor(s string) (color.Color, error) {
	if c, ok := colorNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return c, nil
	}
	hex := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	if len(hex) == 6 && strings.HasPrefix(strings.TrimSpace(s), "#") {
		if v, err := strconv.ParseUint(hex, 16, 32); err == nil {
			return rgb(uint32(v)), nil
		}
	}
	names := []string{"blue", "orange", "green", "pink", "yellow", "sky", "red", "grey", "black"}
	return nil, fmt.Errorf("plotting: Color(%q): want \"#rrggbb\", \"#rgb\" or one of %s", s, strings.Join(names, ", "))
}

// applyTheme sets fonts, line widths and padding on a new plot.
func applyTheme(p *plot.Plot) {
	for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		st.Font.Variant = fontVariant
	}
	p.Title.TextStyle.Font.Size = titleSize
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = labelSize
		a.Tick.Label.Font.Size = tickSize
		a.LineStyle.Width = axisWidth
		a.Tick.LineStyle.Width = axisWidth
		a.Padding = 4
	}
	p.X.Label.Padding = 4
	p.Y.Label.Padding = 4
	p.Legend.TextStyle.Font.Size = legendSize
	p.Legend.ThumbnailWidth = 22
	p.Legend.Padding = 3
}

// referenceStyle is the theme's style for a reference line (HLine, VLine, Slope): the
// series' own colour and width, else the reference grey at 1.1 points.
func referenceStyle(s *series) draw.LineStyle {
	col := s.color
	if col == nil {
		col = referenceColor
	}
	width := s.width
	if width == 0 {
		width = 1.1
	}
	return lineStyle(col, width, s.dashed)
}

// lineStyle is the theme's style for a data series of colour c.
func lineStyle(c color.Color, width vg.Length, dashed bool) draw.LineStyle {
	if width == 0 {
		width = lineWidth
	}
	ls := draw.LineStyle{Color: c, Width: width}
	if dashed {
		ls.Dashes = []vg.Length{5, 3}
	}
	return ls
}
