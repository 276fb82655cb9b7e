package dp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// LaplaceSamples returns n draws of the Laplace mechanism's noise for ℓ1
// sensitivity sens1 at ε (the released value minus the true one).
func LaplaceSamples(rng *rand.Rand, n int, sens1, eps float64) ([]float64, error) {
	b, err := LaplaceScale(sens1, eps)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("%w: n = %d, want n >= 1", ErrInvalid, n)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = LaplaceNoise(rng, b)
	}
	return out, nil
}

// GaussianSamples returns n draws of the analytic Gaussian mechanism's noise
// for ℓ2 sensitivity sens2 at (ε, δ), and σ.
func GaussianSamples(rng *rand.Rand, n int, sens2, eps, delta float64) ([]float64, float64, error) {
	if n < 1 {
		return nil, 0, fmt.Errorf("%w: n = %d, want n >= 1", ErrInvalid, n)
	}
	out, sigma, err := Gaussian(rng, make([]float64, n), sens2, eps, delta)
	return out, sigma, err
}

// ExponentialCounts runs the exponential mechanism draws times and returns
// how often each candidate was selected.
func ExponentialCounts(rng *rand.Rand, utility []float64, sensU, eps float64, draws int) ([]float64, error) {
	if draws < 1 {
		return nil, fmt.Errorf("%w: draws = %d, want draws >= 1", ErrInvalid, draws)
	}
	counts := make([]float64, len(utility))
	for k := 0; k < draws; k++ {
		i, err := Exponential(rng, utility, sensU, eps)
		if err != nil {
			return nil, err
		}
		counts[i]++
	}
	return counts, nil
}

// CalibrationRow compares the classic and the analytic Gaussian calibration
// at one (ε, δ) for sensitivity 1.
type CalibrationRow struct {
	Eps, Delta     float64
	Classic        float64 // Δ·√(2 ln(1.25/δ))/ε, the formula applied even where invalid
	ClassicValid   bool    // ε < 1
	ClassicTrueDel float64 // the exact δ(ε) that the classic σ achieves
	Analytic       float64 // GaussianSigma
}

// CalibrationTable is a list of rows with an HTML rendering.
type CalibrationTable []CalibrationRow

// CompareCalibration computes one row per (ε, δ) pair: eps[i], delta[i].
func CompareCalibration(eps, delta []float64) (CalibrationTable, error) {
	if len(eps) != len(delta) {
		return nil, fmt.Errorf("%w: len(eps) = %d, len(delta) = %d, want equal", ErrInvalid, len(eps), len(delta))
	}
	var t CalibrationTable
	for i := range eps {
		a, err := GaussianSigma(1, eps[i], delta[i])
		if err != nil {
			return nil, err
		}
		c := math.Sqrt(2*math.Log(1.25/delta[i])) / eps[i]
		td, err := GaussianDelta(1, c, eps[i])
		if err != nil {
			return nil, err
		}
		t = append(t, CalibrationRow{Eps: eps[i], Delta: delta[i], Classic: c, ClassicValid: eps[i] < 1, ClassicTrueDel: td, Analytic: a})
	}
	return t, nil
}

// HTML renders the table.
func (t CalibrationTable) HTML() string {
	var b strings.Builder
	b.WriteString("<table>\n<thead><tr><th>ε</th><th>δ</th><th>classic σ</th><th>classic valid (ε &lt; 1)</th><th>true δ of classic σ</th><th>analytic σ</th><th>analytic / classic</th></tr></thead>\n<tbody>\n")
	for _, r := range t {
		fmt.Fprintf(&b, "<tr><td>%g</td><td>%g</td><td>%.4f</td><td>%v</td><td>%.4g</td><td>%.4f</td><td>%.3f</td></tr>\n",
			r.Eps, r.Delta, r.Classic, r.ClassicValid, r.ClassicTrueDel, r.Analytic, r.Analytic/r.Classic)
	}
	b.WriteString("</tbody>\n</table>")
	return b.String()
}
