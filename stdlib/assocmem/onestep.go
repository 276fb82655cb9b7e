package assocmem

import (
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/spectral"
)

// One-step methods (the update from W_0 = 0 with step size 1; the recovered
// set of SGD and Muon does not depend on the step size).
const (
	// SGD: W_1 = G_0.
	SGD = "SGD"
	// Muon: W_1 = U Vᵀ, the exact polar factor of G_0 (by SVD).
	Muon = "Muon"
	// HLambda: W_1 = U h_λ(S) Vᵀ with h_λ(s) = s/√(s²+λ²).
	HLambda = "HLambda"
	// Newton: W_1 = (C + μI)⁻¹ G_0 (Σ_x + μI)⁻¹, the Newton step at 0.
	Newton = "Newton"
	// NSPrefix followed by a step count (NS5, NS10) is Muon with that many
	// Newton–Schulz iterations instead of the exact polar factor.
	NSPrefix = "NS"
)

// NewtonRidge is the relative ridge μ = NewtonRidge·tr/d added to both
// Hessian factors of the Newton step.
const NewtonRidge = 1e-8

// nsSteps returns k for a method "NS<k>" (1 ≤ k ≤ 100), or 0.
func nsSteps(method string) (int, error) {
	if !strings.HasPrefix(method, NSPrefix) {
		return 0, nil
	}
	k, err := strconv.Atoi(method[len(NSPrefix):])
	if err != nil || k < 1 || k > 100 {
		return 0, fmt.Errorf("assocmem: method %q: need NS<k> with 1 ≤ k ≤ 100", method)
	}
	return k, nil
}

// CheckMethod returns an error naming the valid methods if m is not one.
func CheckMethod(m string) error {
	switch m {
	case SGD, Muon, HLambda, Newton:
		return nil
	}
	if strings.HasPrefix(m, NSPrefix) {
		_, err := nsSteps(m)
		return err
	}
	return fmt.Errorf("assocmem: method %q; need one of SGD, Muon, HLambda, Newton, NS<k> (e.g. NS5)", m)
}

// OneStep returns W_1 for the method from W_0 = 0 with batch weights w (see
// Weights). lambda is used by HLambda only and must then be > 0.
func (t *Task) OneStep(w []float64, method string, lambda float64) (*mat.Dense, error) {
	if err := CheckMethod(method); err != nil {
		return nil, err
	}
	g0, err := t.NegGradZero(w)
	if err != nil {
		return nil, err
	}
	return t.stepFromG0(g0, w, method, lambda)
}

// stepFromG0 is OneStep with G_0 = NegGradZero(w) already computed.
func (t *Task) stepFromG0(g0 *mat.Dense, w []float64, method string, lambda float64) (*mat.Dense, error) {
	var err error
	grad := mat.NewDense(t.D, t.D, nil)
	grad.Scale(-1, g0) // loss-gradient convention of package spectral
	var w1 *mat.Dense
	switch method {
	case SGD:
		w1, err = spectral.SGDStep(nil, grad, 1)
	case Muon:
		w1, err = spectral.MuonStep(nil, grad, 1, 0, 0)
	case HLambda:
		if !(lambda > 0) {
			return nil, fmt.Errorf("assocmem: HLambda with lambda = %v; need lambda > 0", lambda)
		}
		w1, err = spectral.MuonStep(nil, grad, 1, lambda, 0)
	case Newton:
		var c, sx *mat.SymDense
		c, sx, err = t.SecondMoments(w)
		if err == nil {
			w1, err = spectral.KroneckerNewton(g0, c, sx, NewtonRidge)
		}
	default:
		k, _ := nsSteps(method)
		w1, err = spectral.MuonStep(nil, grad, 1, 0, k)
	}
	if err != nil {
		return nil, fmt.Errorf("assocmem: %s step: %w", method, err)
	}
	return w1, nil
}
