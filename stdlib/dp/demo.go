package dp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gonote/gonote/stdlib/stats"
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

// MechanismDemo holds draws of the Laplace, Gaussian and exponential
// mechanisms with their goodness-of-fit statistics, for the calibration
// cell of the PRIME notebook.
type MechanismDemo struct {
	N                  int       // draws per continuous mechanism
	LaplaceScale       float64   // b = Δ/ε
	Laplace            []float64 // noise draws
	LaplaceKS          stats.TestResult
	Sigma              float64 // analytic σ
	Gaussian           []float64
	GaussianKS         stats.TestResult
	GaussianVarRatio   float64   // s²/σ²
	Grid               []float64 // x grid for the densities
	LaplacePDF         []float64
	GaussianPDF        []float64
	Utility            []float64 // exponential mechanism candidates' utilities
	Draws              int
	Empirical          []float64 // selection frequencies
	Expected           []float64 // p_i ∝ exp(ε u_i / (2Δu))
	ExpChi2            stats.TestResult
	KSCritical001      float64 // 1.9495/√N
	Chi2Critical001Df9 float64 // 27.88
	Eps, Delta         float64
}

// DemoMechanisms draws n Laplace(Δ = 1, ε) and n analytic-Gaussian
// (Δ = 1, ε, δ) noise values and `draws` selections of the exponential
// mechanism over utilities 0..9 (Δu = 1) from PCG(seed, 0), PCG(seed, 1) and
// PCG(seed, 2), and tests each against its law (KS and χ²).
func DemoMechanisms(seed uint64, n, draws int, eps, delta float64) (*MechanismDemo, error) {
	if n < 100 || draws < 100 {
		return nil, fmt.Errorf("%w: n = %d, draws = %d, want both >= 100", ErrInvalid, n, draws)
	}
	m := &MechanismDemo{N: n, Draws: draws, Eps: eps, Delta: delta, KSCritical001: 1.9495 / math.Sqrt(float64(n)), Chi2Critical001Df9: 27.88}
	var err error
	if m.LaplaceScale, err = LaplaceScale(1, eps); err != nil {
		return nil, err
	}
	if m.Laplace, err = LaplaceSamples(rand.New(rand.NewPCG(seed, 0)), n, 1, eps); err != nil {
		return nil, err
	}
	if m.Gaussian, m.Sigma, err = GaussianSamples(rand.New(rand.NewPCG(seed, 1)), n, 1, eps, delta); err != nil {
		return nil, err
	}
	b, s := m.LaplaceScale, m.Sigma
	lapCDF := func(x float64) float64 {
		if x < 0 {
			return 0.5 * math.Exp(x/b)
		}
		return 1 - 0.5*math.Exp(-x/b)
	}
	if m.LaplaceKS, err = stats.KSTest(m.Laplace, lapCDF); err != nil {
		return nil, err
	}
	if m.GaussianKS, err = stats.KSTest(m.Gaussian, func(x float64) float64 { return Phi(x / s) }); err != nil {
		return nil, err
	}
	ss := 0.0
	for _, v := range m.Gaussian {
		ss += v * v
	}
	m.GaussianVarRatio = ss / float64(n) / (s * s)
	hi := 5 * math.Max(b, s)
	for k := 0; k <= 200; k++ {
		x := -hi + 2*hi*float64(k)/200
		m.Grid = append(m.Grid, x)
		m.LaplacePDF = append(m.LaplacePDF, math.Exp(-math.Abs(x)/b)/(2*b))
		m.GaussianPDF = append(m.GaussianPDF, math.Exp(-x*x/(2*s*s))/(s*math.Sqrt(2*math.Pi)))
	}
	m.Utility = []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if m.Expected, err = ExponentialProbs(m.Utility, 1, eps); err != nil {
		return nil, err
	}
	counts, err := ExponentialCounts(rand.New(rand.NewPCG(seed, 2)), m.Utility, 1, eps, draws)
	if err != nil {
		return nil, err
	}
	exp := make([]float64, len(counts))
	for i, c := range counts {
		m.Empirical = append(m.Empirical, c/float64(draws))
		exp[i] = m.Expected[i] * float64(draws)
	}
	if m.ExpChi2, err = stats.ChiSquareGoF(counts, exp, 0); err != nil {
		return nil, err
	}
	return m, nil
}

// HTML renders the test statistics.
func (m *MechanismDemo) HTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<table>\n<thead><tr><th>mechanism</th><th>calibration</th><th>test</th><th>statistic</th><th>p = 0.001 critical value</th><th>p-value</th></tr></thead>\n<tbody>\n")
	fmt.Fprintf(&b, "<tr><td>Laplace (Δ = 1, ε = %g), %d draws</td><td>b = %.4g</td><td>KS</td><td>%.5f</td><td>%.5f</td><td>%.3g</td></tr>\n", m.Eps, m.N, m.LaplaceScale, m.LaplaceKS.Stat, m.KSCritical001, m.LaplaceKS.P)
	fmt.Fprintf(&b, "<tr><td>Gaussian (Δ = 1, ε = %g, δ = %g), %d draws</td><td>σ = %.4f (s²/σ² = %.4f)</td><td>KS</td><td>%.5f</td><td>%.5f</td><td>%.3g</td></tr>\n", m.Eps, m.Delta, m.N, m.Sigma, m.GaussianVarRatio, m.GaussianKS.Stat, m.KSCritical001, m.GaussianKS.P)
	fmt.Fprintf(&b, "<tr><td>exponential (u = 0..9, Δu = 1, ε = %g), %d draws</td><td>p ∝ exp(εu/2)</td><td>χ² (df %d)</td><td>%.3f</td><td>%.2f</td><td>%.3g</td></tr>\n", m.Eps, m.Draws, m.ExpChi2.DF, m.ExpChi2.Stat, m.Chi2Critical001Df9, m.ExpChi2.P)
	b.WriteString("</tbody>\n</table>")
	return b.String()
}

// String summarises the test statistics.
func (m *MechanismDemo) String() string {
	return fmt.Sprintf("Laplace KS D = %.5f, Gaussian KS D = %.5f (critical %.5f), exponential χ² = %.2f (critical %.2f)",
		m.LaplaceKS.Stat, m.GaussianKS.Stat, m.KSCritical001, m.ExpChi2.Stat, m.Chi2Critical001Df9)
}

// String renders the table as text.
func (t CalibrationTable) String() string {
	var b strings.Builder
	for _, r := range t {
		fmt.Fprintf(&b, "ε = %g, δ = %g: classic σ %.4f (true δ %.3g), analytic σ %.4f\n", r.Eps, r.Delta, r.Classic, r.ClassicTrueDel, r.Analytic)
	}
	return strings.TrimRight(b.String(), "\n")
}
