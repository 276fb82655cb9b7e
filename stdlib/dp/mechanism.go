package dp

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// LaplaceNoise draws one Laplace(0, scale) variate: an exponential with a
// random sign. scale must be positive (it is not validated here; the
// calibrating functions are).
func LaplaceNoise(rng *rand.Rand, scale float64) float64 {
	e := rng.ExpFloat64() * scale
	if rng.Uint64()&1 == 0 {
		return -e
	}
	return e
}

// Laplace returns x + Lap(Δ1/ε)^len(x): the Laplace mechanism for a query with
// ℓ1 sensitivity sens1. The input is not modified.
func Laplace(rng *rand.Rand, x []float64, sens1, eps float64) ([]float64, error) {
	b, err := LaplaceScale(sens1, eps)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v + LaplaceNoise(rng, b)
	}
	return out, nil
}

// Gaussian returns x + N(0, σ²I) with σ from the analytic calibration for ℓ2
// sensitivity sens2 at (ε, δ), and σ itself. The input is not modified.
func Gaussian(rng *rand.Rand, x []float64, sens2, eps, delta float64) ([]float64, float64, error) {
	sigma, err := GaussianSigma(sens2, eps, delta)
	if err != nil {
		return nil, 0, err
	}
	return GaussianWithSigma(rng, x, sigma), sigma, nil
}

// GaussianWithSigma returns x + N(0, σ²I) for an already calibrated σ.
func GaussianWithSigma(rng *rand.Rand, x []float64, sigma float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v + sigma*rng.NormFloat64()
	}
	return out
}

// GaussianSym releases a symmetric matrix whose upper triangle (with the
// diagonal), seen as a vector, has ℓ2 sensitivity at most sensF (a Frobenius
// bound suffices): i.i.d. N(0, σ²) noise on the upper triangle, mirrored.
// It returns the noisy copy and σ.
func GaussianSym(rng *rand.Rand, a *mat.SymDense, sensF, eps, delta float64) (*mat.SymDense, float64, error) {
	sigma, err := GaussianSigma(sensF, eps, delta)
	if err != nil {
		return nil, 0, err
	}
	return GaussianSymWithSigma(rng, a, sigma), sigma, nil
}

// GaussianSymWithSigma adds i.i.d. N(0, σ²) to the upper triangle of a copy of
// a (row by row, diagonal included) and mirrors it.
func GaussianSymWithSigma(rng *rand.Rand, a *mat.SymDense, sigma float64) *mat.SymDense {
	n := a.SymmetricDim()
	out := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			out.SetSym(i, j, a.At(i, j)+sigma*rng.NormFloat64())
		}
	}
	return out
}

// expWeights returns normalised probabilities ∝ exp(logw) (log-sum-exp) and
// reports whether any weight is positive.
func sampleLogWeights(rng *rand.Rand, logw []float64) (int, bool) {
	mx := math.Inf(-1)
	for _, v := range logw {
		if v > mx {
			mx = v
		}
	}
	if math.IsInf(mx, -1) {
		return 0, false
	}
	total := 0.0
	for _, v := range logw {
		total += math.Exp(v - mx)
	}
	u := rng.Float64() * total
	acc := 0.0
	last := 0
	for i, v := range logw {
		w := math.Exp(v - mx)
		if w == 0 {
			continue
		}
		last = i
		acc += w
		if u < acc {
			return i, true
		}
	}
	return last, true
}

// ExponentialProbs returns the selection probabilities of the exponential
// mechanism, p_i ∝ exp(ε·u_i/(2Δu)).
func ExponentialProbs(utility []float64, sensU, eps float64) ([]float64, error) {
	if err := checkExpArgs(utility, sensU, eps); err != nil {
		return nil, err
	}
	mx := math.Inf(-1)
	for _, u := range utility {
		mx = math.Max(mx, u)
	}
	p := make([]float64, len(utility))
	total := 0.0
	for i, u := range utility {
		p[i] = math.Exp(eps * (u - mx) / (2 * sensU))
		total += p[i]
	}
	for i := range p {
		p[i] /= total
	}
	return p, nil
}

func checkExpArgs(utility []float64, sensU, eps float64) error {
	if len(utility) == 0 {
		return fmt.Errorf("%w: utility is empty, want at least one candidate", ErrInvalid)
	}
	if err := checkSens("utility sensitivity", sensU); err != nil {
		return err
	}
	if err := checkEps(eps); err != nil {
		return err
	}
	for i, u := range utility {
		if math.IsNaN(u) || math.IsInf(u, 1) {
			return fmt.Errorf("%w: utility[%d] = %g, want a finite value or -Inf", ErrInvalid, i, u)
		}
	}
	return nil
}

// Exponential runs the exponential mechanism (McSherry & Talwar 2007): it
// returns index i with probability ∝ exp(ε·u_i/(2Δu)), computed in log space.
// A utility of -Inf excludes a candidate; if all are -Inf it is an error.
func Exponential(rng *rand.Rand, utility []float64, sensU, eps float64) (int, error) {
	if err := checkExpArgs(utility, sensU, eps); err != nil {
		return 0, err
	}
	logw := make([]float64, len(utility))
	for i, u := range utility {
		logw[i] = eps * u / (2 * sensU)
	}
	i, ok := sampleLogWeights(rng, logw)
	if !ok {
		return 0, fmt.Errorf("dp: exponential mechanism: every utility is -Inf, nothing can be selected")
	}
	return i, nil
}

// ExponentialIntervals runs the exponential mechanism over the intervals
// [edges[q], edges[q+1]] with base measure their length: interval q is picked
// with probability ∝ (edges[q+1]−edges[q])·exp(ε·u_q/(2Δu)), then a uniform
// point inside it is returned. len(edges) must be len(utility)+1 and edges
// non-decreasing.
func ExponentialIntervals(rng *rand.Rand, edges, utility []float64, sensU, eps float64) (float64, error) {
	if err := checkExpArgs(utility, sensU, eps); err != nil {
		return 0, err
	}
	if len(edges) != len(utility)+1 {
		return 0, fmt.Errorf("%w: len(edges) = %d, want len(utility)+1 = %d", ErrInvalid, len(edges), len(utility)+1)
	}
	logw := make([]float64, len(utility))
	for q := range utility {
		w := edges[q+1] - edges[q]
		if math.IsNaN(w) || w < 0 {
			return 0, fmt.Errorf("%w: edges must be non-decreasing, edges[%d] = %g > edges[%d] = %g", ErrInvalid, q, edges[q], q+1, edges[q+1])
		}
		logw[q] = math.Log(w) + eps*utility[q]/(2*sensU)
	}
	q, ok := sampleLogWeights(rng, logw)
	if !ok {
		return 0, fmt.Errorf("dp: exponential mechanism over intervals: every interval has zero length or -Inf utility")
	}
	return edges[q] + rng.Float64()*(edges[q+1]-edges[q]), nil
}

// StableHistogramThreshold is the suppression threshold of StableHistogram
// (on the count/n scale): 2·ln(1/δ)/(ε·n) + 1/n.
func StableHistogramThreshold(n int, eps, delta float64) float64 {
	return 2*math.Log(1/delta)/(eps*float64(n)) + 1/float64(n)
}

// StableHistogram releases a histogram with the stability-based mechanism
// (Bun, Nissim, Stemmer; Vadhan's survey): counts are normalised by n,
// Lap(2/(nε)) is added to non-empty bins only, and every bin below
// StableHistogramThreshold(n, ε, δ) is set to 0. Under replacement
// neighbours (two bins change by 1) it is (ε, δ)-DP. The bins must be
// data-independent. The result may be all zeros; callers that need a bin must
// treat that as a failure.
func StableHistogram(rng *rand.Rand, counts []float64, n int, eps, delta float64) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: n = %d, want n >= 1", ErrInvalid, n)
	}
	if err := checkEps(eps); err != nil {
		return nil, err
	}
	if err := checkDeltaOpen(delta); err != nil {
		return nil, err
	}
	nf := float64(n)
	scale := 2 / (nf * eps)
	thr := StableHistogramThreshold(n, eps, delta)
	out := make([]float64, len(counts))
	for i, c := range counts {
		if c < 0 || math.IsNaN(c) {
			return nil, fmt.Errorf("%w: counts[%d] = %g, want a count >= 0", ErrInvalid, i, c)
		}
		if c == 0 {
			continue
		}
		v := c/nf + LaplaceNoise(rng, scale)
		if v >= thr {
			out[i] = v
		}
	}
	return out, nil
}
