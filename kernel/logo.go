package kernel

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Logo colours: Go's gopher blue and white.
var (
	logoBlue  = color.NRGBA{R: 0x00, G: 0xad, B: 0xd8, A: 0xff}
	logoWhite = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

// LogoPNG draws the gonote logo, a blue rounded square with a white "Go"
// drawn from rings and bars, as a size x size PNG. Edges are antialiased
// by 4x4 supersampling.
func LogoPNG(size int) ([]byte, error) {
	if size < 8 || size > 1024 {
		return nil, fmt.Errorf("kernel: logo size %d: must be in 8..1024", size)
	}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := range size {
		for px := range size {
			var bg, fg int
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					if inRoundedSquare(x, y, 0.04, 0.2) {
						bg++
						if inGo(x, y) {
							fg++
						}
					}
				}
			}
			alpha := float64(bg) / ss / ss
			if alpha == 0 {
				continue
			}
			w := float64(fg) / float64(bg)
			mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*(1-w) + float64(b)*w)) }
			img.SetNRGBA(px, py, color.NRGBA{R: mix(logoBlue.R, logoWhite.R), G: mix(logoBlue.G, logoWhite.G),
				B: mix(logoBlue.B, logoWhite.B), A: uint8(math.Round(255 * alpha))})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("kernel: encode logo: %w", err)
	}
	return buf.Bytes(), nil
}

// inRoundedSquare reports whether (x, y) lies in the square inset by margin
// with corner radius r (unit coordinates).
func inRoundedSquare(x, y, margin, r float64) bool {
	lo, hi := margin, 1-margin
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := math.Max(lo+r, math.Min(x, hi-r))
	cy := math.Max(lo+r, math.Min(y, hi-r))
	return math.Hypot(x-cx, y-cy) <= r
}

// inGo reports whether (x, y) lies in the letters: a "G" (a ring open at
// the upper right with a bar into its middle) and an "o" (a ring).
func inGo(x, y float64) bool {
	// G
	gx, gy := 0.36, 0.5
	d := math.Hypot(x-gx, y-gy)
	angle := math.Atan2(gy-y, x-gx) * 180 / math.Pi // counter-clockwise from +x, y up
	if d <= 0.22 && d >= 0.13 && !(angle > 5 && angle < 55) {
		return true
	}
	if x >= gx+0.02 && x <= gx+0.22 && y >= gy-0.02 && y <= gy+0.055 {
		return true
	}
	// o
	d = math.Hypot(x-0.74, y-0.58)
	return d <= 0.14 && d >= 0.065
}
