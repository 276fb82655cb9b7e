// Package dp holds differential-privacy primitives: parameter validation,
// Laplace and Gaussian noise calibration (including the analytic Gaussian
// calibration of Balle & Wang 2018), the Laplace, Gaussian and exponential
// mechanisms, the stability-based private histogram, and a basic-composition
// privacy accountant whose ledger renders as an HTML table.
//
// Every stochastic function takes an explicit *rand.Rand (math/rand/v2), so
// results are reproducible given a seed. Invalid privacy parameters return
// errors wrapping ErrInvalid that name the parameter and its valid range.
package dp

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid is wrapped by every error about an invalid privacy parameter.
var ErrInvalid = errors.New("dp: invalid privacy parameter")

// Budget is an (ε, δ) privacy budget.
type Budget struct{ Eps, Delta float64 }

// Validate reports whether b is a usable budget: 0 < Eps < +Inf and 0 ≤ Delta < 1.
func (b Budget) Validate() error {
	if err := checkEps(b.Eps); err != nil {
		return err
	}
	if math.IsNaN(b.Delta) || b.Delta < 0 || b.Delta >= 1 {
		return fmt.Errorf("%w: delta = %g, want 0 <= delta < 1", ErrInvalid, b.Delta)
	}
	return nil
}

// String formats the budget as (ε, δ).
func (b Budget) String() string { return fmt.Sprintf("(ε=%.6g, δ=%.6g)", b.Eps, b.Delta) }

func checkEps(eps float64) error {
	if math.IsNaN(eps) || eps <= 0 || math.IsInf(eps, 0) {
		return fmt.Errorf("%w: epsilon = %g, want 0 < epsilon < +Inf", ErrInvalid, eps)
	}
	return nil
}

// checkDeltaOpen requires 0 < δ < 1 (approximate DP mechanisms).
func checkDeltaOpen(delta float64) error {
	if math.IsNaN(delta) || delta <= 0 || delta >= 1 {
		return fmt.Errorf("%w: delta = %g, want 0 < delta < 1", ErrInvalid, delta)
	}
	return nil
}

func checkSens(name string, s float64) error {
	if math.IsNaN(s) || s <= 0 || math.IsInf(s, 0) {
		return fmt.Errorf("%w: %s = %g, want 0 < %s < +Inf", ErrInvalid, name, s, name)
	}
	return nil
}

// LaplaceScale returns the Laplace scale b = Δ1/ε that makes a query with
// ℓ1 sensitivity sens1 ε-differentially private.
func LaplaceScale(sens1, eps float64) (float64, error) {
	if err := checkSens("sensitivity", sens1); err != nil {
		return 0, err
	}
	if err := checkEps(eps); err != nil {
		return 0, err
	}
	return sens1 / eps, nil
}

// GaussianSigmaClassic returns the classic calibration σ = Δ2·√(2 ln(1.25/δ))/ε
// (Dwork & Roth, Theorem A.1), valid only for 0 < ε < 1.
func GaussianSigmaClassic(sens2, eps, delta float64) (float64, error) {
	if err := checkSens("sensitivity", sens2); err != nil {
		return 0, err
	}
	if err := checkEps(eps); err != nil {
		return 0, err
	}
	if eps >= 1 {
		return 0, fmt.Errorf("%w: epsilon = %g, the classic Gaussian calibration needs 0 < epsilon < 1 (use GaussianSigma)", ErrInvalid, eps)
	}
	if err := checkDeltaOpen(delta); err != nil {
		return 0, err
	}
	return sens2 * math.Sqrt(2*math.Log(1.25/delta)) / eps, nil
}

// Phi is the standard normal CDF.
func Phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// logPhi returns ln Φ(x), accurate in the far left tail where Φ underflows.
func logPhi(x float64) float64 {
	if x > -30 {
		return math.Log(Phi(x))
	}
	// Asymptotic series Φ(x) = φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶ + …).
	x2 := x * x
	series := 1 - 1/x2 + 3/(x2*x2) - 15/(x2*x2*x2)
	return -x2/2 - 0.5*math.Log(2*math.Pi) - math.Log(-x) + math.Log(series)
}

// gaussianDeltaRatio is δ(ε) for noise-to-sensitivity ratio s = σ/Δ2.
func gaussianDeltaRatio(s, eps float64) float64 {
	a, b := 1/(2*s), eps*s
	first := Phi(a - b)
	second := math.Exp(eps + logPhi(-a-b))
	d := first - second
	if d < 0 {
		return 0
	}
	return d
}

// GaussianDelta returns the exact privacy profile of the Gaussian mechanism
// (Balle & Wang 2018, Theorem 8): the smallest δ for which N(0, σ²) noise on a
// query of ℓ2 sensitivity sens2 is (ε, δ)-DP,
//
//	δ(ε) = Φ(Δ/(2σ) − εσ/Δ) − e^ε·Φ(−Δ/(2σ) − εσ/Δ).
func GaussianDelta(sens2, sigma, eps float64) (float64, error) {
	if err := checkSens("sensitivity", sens2); err != nil {
		return 0, err
	}
	if err := checkSens("sigma", sigma); err != nil {
		return 0, err
	}
	if err := checkEps(eps); err != nil {
		return 0, err
	}
	return gaussianDeltaRatio(sigma/sens2, eps), nil
}

// GaussianSigma returns the analytic Gaussian calibration (Balle & Wang 2018):
// the smallest σ with GaussianDelta(sens2, σ, ε) ≤ δ, found by bisection on
// log σ to full double precision. It is valid for every ε > 0, and the
// returned σ always satisfies the constraint (the upper end of the bracket).
func GaussianSigma(sens2, eps, delta float64) (float64, error) {
	if err := checkSens("sensitivity", sens2); err != nil {
		return 0, err
	}
	if err := checkEps(eps); err != nil {
		return 0, err
	}
	if err := checkDeltaOpen(delta); err != nil {
		return 0, err
	}
	lo, hi := 1e-12, 1e12 // bracket for s = σ/Δ
	if gaussianDeltaRatio(hi, eps) > delta {
		return 0, fmt.Errorf("%w: (epsilon = %g, delta = %g) needs sigma/sensitivity > %g; delta is too small", ErrInvalid, eps, delta, hi)
	}
	if gaussianDeltaRatio(lo, eps) <= delta {
		return lo * sens2, nil
	}
	for i := 0; i < 400; i++ {
		mid := math.Sqrt(lo * hi)
		if mid <= lo || mid >= hi {
			break
		}
		if gaussianDeltaRatio(mid, eps) > delta {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi * sens2, nil
}

// ZCDPToApprox converts ρ-zCDP to (ε, δ)-DP: ε = ρ + 2√(ρ ln(1/δ)) (Bun & Steinke 2016).
func ZCDPToApprox(rho, delta float64) (float64, error) {
	if err := checkSens("rho", rho); err != nil {
		return 0, err
	}
	if err := checkDeltaOpen(delta); err != nil {
		return 0, err
	}
	return rho + 2*math.Sqrt(rho*math.Log(1/delta)), nil
}

// ApproxToZCDP returns the largest ρ whose zCDP guarantee converts to at most
// (ε, δ): the root of ρ + 2√(ρ ln(1/δ)) = ε.
func ApproxToZCDP(eps, delta float64) (float64, error) {
	if err := checkEps(eps); err != nil {
		return 0, err
	}
	if err := checkDeltaOpen(delta); err != nil {
		return 0, err
	}
	l := math.Log(1 / delta)
	r := math.Sqrt(l+eps) - math.Sqrt(l)
	return r * r, nil
}

// AdvancedComposition returns the total budget of k adaptive uses of an
// (ε, δ) mechanism by the advanced composition theorem (Dwork, Rothblum,
// Vadhan 2010): ε' = ε√(2k ln(1/δ')) + kε(e^ε − 1), δ' + kδ.
func AdvancedComposition(eps, delta float64, k int, deltaPrime float64) (Budget, error) {
	if err := (Budget{eps, delta}).Validate(); err != nil {
		return Budget{}, err
	}
	if k < 1 {
		return Budget{}, fmt.Errorf("%w: k = %d, want k >= 1", ErrInvalid, k)
	}
	if err := checkDeltaOpen(deltaPrime); err != nil {
		return Budget{}, fmt.Errorf("deltaPrime: %w", err)
	}
	kf := float64(k)
	return Budget{
		Eps:   eps*math.Sqrt(2*kf*math.Log(1/deltaPrime)) + kf*eps*math.Expm1(eps),
		Delta: deltaPrime + kf*delta,
	}, nil
}
