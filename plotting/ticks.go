package plotting

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// logTicks marks a logarithmic axis: powers of ten labelled 1, 10, 10², 10⁻³
// (every few decades when the range is wide), unlabelled minor ticks at
// 2..9 times a power of ten, and labelled 2 and 5 multiples when the range
// holds fewer than two powers of ten.
type logTicks struct{}

var _ plot.Ticker = logTicks{}

// powerText is the text handler of tick labels: "10^-2" is drawn
// as 10 with a raised, smaller exponent (the bundled fonts lack the
// superscript minus, and gonum's LaTeX handler has no superscripts).
// Labels without '^' are drawn as plain text. Labels are single lines.
type powerText struct{ text.Plain }

const (
	expScale = 0.72 // exponent font size relative to the base
	expRaise = 0.42 // exponent baseline raise, in units of the base size
)

func splitPower(txt string) (base, exp string, ok bool) {
	i := strings.IndexByte(txt, '^')
	if i < 0 {
		return txt, "", false
	}
	return txt[:i], txt[i+1:], true
}

func (h powerText) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	base, exp, ok := splitPower(txt)
	if !ok {
		return h.Plain.Box(txt, fnt)
	}
	width, height, depth = h.Plain.Box(base, fnt)
	small := fnt
	small.Size *= expScale
	ew, eh, _ := h.Plain.Box(exp, small)
	return width + ew, max(height, eh+expRaise*fnt.Size), depth
}

func (h powerText) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	base, exp, ok := splitPower(txt)
	if !ok {
		h.Plain.Draw(c, txt, sty, pt)
		return
	}
	width, height, _ := h.Box(txt, sty.Font)
	face := h.Fonts.Lookup(sty.Font, sty.Font.Size)
	small := sty.Font
	small.Size *= expScale
	smallFace := h.Fonts.Lookup(small, small.Size)
	x := pt.X + vg.Length(sty.XAlign)*width
	y := pt.Y + vg.Length(sty.YAlign)*height + (height - face.Extents().Ascent)
	c.SetColor(sty.Color)
	c.FillString(face, vg.Point{X: x, Y: y}, base)
	c.FillString(smallFace, vg.Point{X: x + face.Width(base), Y: y + expRaise*sty.Font.Size}, exp)
}

// tickText renders tick labels.
var tickText text.Handler = powerText{text.Plain{Fonts: font.DefaultCache}}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	const tol = 1e-9
	inRange := func(v float64) bool { return v >= lo*(1-tol) && v <= hi*(1+tol) }
	eLo, eHi := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	decades := eHi - eLo
	step := 1
	if decades > 7 {
		step = (decades + 5) / 6
	}
	var ticks []plot.Tick
	majors := 0
	for e := eLo; e <= eHi; e++ {
		v := math.Pow10(e)
		if inRange(v) {
			t := plot.Tick{Value: v}
			if e%step == 0 {
				t.Label = powerLabel(e)
				majors++
			}
			ticks = append(ticks, t)
		}
		if decades > 8 {
			continue
		}
		for m := 2; m <= 9; m++ {
			if mv := float64(m) * v; inRange(mv) {
				ticks = append(ticks, plot.Tick{Value: mv})
			}
		}
	}
	if majors < 2 {
		// A narrow range: label the 2 and 5 multiples too (all of them when
		// even those are too few).
		labelled := 0
		for i := range ticks {
			if m := mantissa(ticks[i].Value); m == 1 || m == 2 || m == 5 {
				labelled++
			}
		}
		for i := range ticks {
			m := mantissa(ticks[i].Value)
			if labelled >= 3 && m != 1 && m != 2 && m != 5 {
				continue
			}
			ticks[i].Label = numberLabel(ticks[i].Value)
		}
	}
	return ticks
}

// mantissa returns the leading digit m of v = m·10^e.
func mantissa(v float64) int {
	m, _ := mantissaExp(v)
	return m
}

// mantissaExp splits v > 0 into its rounded leading digit m and exponent e
// (v ≈ m·10^e), robust to float noise around powers of ten.
func mantissaExp(v float64) (m, e int) {
	e = int(math.Floor(math.Log10(v) + 1e-9))
	m = int(math.Round(v / math.Pow10(e)))
	if m >= 10 {
		m, e = m/10, e+1
	}
	return m, e
}

// powerLabel writes 10^e as "10^e" (1 and 10 plainly), which powerText
// draws with a raised exponent.
func powerLabel(e int) string {
	switch e {
	case 0:
		return "1"
	case 1:
		return "10"
	}
	return "10^" + strconv.Itoa(e)
}

// numberLabel writes a tick value plainly when short, else as m·10^e.
func numberLabel(v float64) string {
	m, e := mantissaExp(v)
	switch {
	case e >= 0 && e < 5:
		return strconv.Itoa(m * int(math.Pow10(e)))
	case e < 0 && e >= -3:
		return strconv.FormatFloat(float64(m)/math.Pow10(-e), 'f', -e, 64)
	case m == 1:
		return powerLabel(e)
	}
	return strconv.Itoa(m) + "·10^" + strconv.Itoa(e)
}

// linearTicks marks a linear axis with labelled steps of 1, 2 or 5 times a
// power of ten (three to seven labels) and unlabelled minor ticks between.
type linearTicks struct{}

var _ plot.Ticker = linearTicks{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	mag := math.Pow10(int(math.Floor(math.Log10(span / 5))))
	var step float64
	mant := 1
	for _, m := range []int{1, 2, 5, 10} {
		step, mant = float64(m)*mag, m
		if span/step <= 7 {
			break
		}
	}
	perMajor := 5
	if mant == 2 {
		perMajor = 4
	}
	minor := step / float64(perMajor)
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	first, last := int64(math.Ceil(lo/minor-1e-9)), int64(math.Floor(hi/minor+1e-9))
	var ticks []plot.Tick
	for k := first; k <= last; k++ {
		v := float64(k) * minor
		t := plot.Tick{Value: v}
		if k%int64(perMajor) == 0 {
			t.Label = linearLabel(v, decimals)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// linearLabel formats a tick value with the given decimals, switching to
// m·10^e for very large or very small magnitudes.
func linearLabel(v float64, decimals int) string {
	if v == 0 {
		v = 0 // no "-0"
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	if a := math.Abs(v); a >= 1e6 || a < 1e-4 {
		s := strconv.FormatFloat(v, 'e', 6, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		e, err := strconv.Atoi(exp)
		if err != nil {
			return s
		}
		if mant == "1" {
			return "10^" + strconv.Itoa(e)
		}
		return mant + "·10^" + strconv.Itoa(e)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
