package stats

import (
	"fmt"
	"math"
)

// Fit is an ordinary-least-squares line y = Intercept + Slope·x with standard
// errors, a 95% Student-t confidence interval for the slope, and R².
// Standard errors and the interval are NaN when N = 2 (no residual degrees
// of freedom).
type Fit struct {
	N                    int
	Slope, Intercept     float64
	SlopeSE, InterceptSE float64
	SlopeLo, SlopeHi     float64
	R2                   float64
}

// String renders the fit as "slope = s ± se [lo, hi], intercept = i, R² = r".
func (f Fit) String() string {
	return fmt.Sprintf("slope = %.4g ± %.2g [%.4g, %.4g], intercept = %.4g, R² = %.4f (n = %d)",
		f.Slope, f.SlopeSE, f.SlopeLo, f.SlopeHi, f.Intercept, f.R2, f.N)
}

// LinearFit fits y = a + b·x by ordinary least squares. x and y must have the
// same length ≥ 2, finite entries, and x must not be constant.
func LinearFit(x, y []float64) (Fit, error) {
	if len(x) != len(y) {
		return Fit{}, fmt.Errorf("stats: LinearFit: len(x) = %d, len(y) = %d, must be equal", len(x), len(y))
	}
	n := len(x)
	if n < 2 {
		return Fit{}, fmt.Errorf("stats: LinearFit: %d points, need >= 2", n)
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return Fit{}, fmt.Errorf("stats: LinearFit: x[%d] = %g is not finite", i, x[i])
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return Fit{}, fmt.Errorf("stats: LinearFit: y[%d] = %g is not finite", i, y[i])
		}
	}
	mx, my := 0.0, 0.0
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	sxx, sxy, syy := 0.0, 0.0, 0.0
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return Fit{}, fmt.Errorf("stats: LinearFit: x is constant (%g), slope undefined", x[0])
	}
	f := Fit{N: n, Slope: sxy / sxx}
	f.Intercept = my - f.Slope*mx
	rss := 0.0
	for i := range x {
		r := y[i] - f.Intercept - f.Slope*x[i]
		rss += r * r
	}
	if syy > 0 {
		f.R2 = 1 - rss/syy
	} else {
		f.R2 = 1
	}
	if n > 2 {
		s2 := rss / float64(n-2)
		f.SlopeSE = math.Sqrt(s2 / sxx)
		f.InterceptSE = math.Sqrt(s2 * (1/float64(n) + mx*mx/sxx))
		h := TQuantile975(n-2) * f.SlopeSE
		f.SlopeLo, f.SlopeHi = f.Slope-h, f.Slope+h
	} else {
		f.SlopeSE, f.InterceptSE, f.SlopeLo, f.SlopeHi = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	return f, nil
}

// LogLogFit fits ln y = a + b·ln x by least squares, so Slope is the power-law
// exponent b of y ≈ e^a·x^b. All x and y must be > 0.
func LogLogFit(x, y []float64) (Fit, error) {
	if len(x) != len(y) {
		return Fit{}, fmt.Errorf("stats: LogLogFit: len(x) = %d, len(y) = %d, must be equal", len(x), len(y))
	}
	lx := make([]float64, len(x))
	ly := make([]float64, len(y))
	for i := range x {
		if !(x[i] > 0) {
			return Fit{}, fmt.Errorf("stats: LogLogFit: x[%d] = %g, must be > 0", i, x[i])
		}
		if !(y[i] > 0) {
			return Fit{}, fmt.Errorf("stats: LogLogFit: y[%d] = %g, must be > 0", i, y[i])
		}
		lx[i], ly[i] = math.Log(x[i]), math.Log(y[i])
	}
	f, err := LinearFit(lx, ly)
	if err != nil {
		return Fit{}, fmt.Errorf("stats: LogLogFit: %w", err)
	}
	return f, nil
}
