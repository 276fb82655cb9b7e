// Package spectral holds optimizer steps for matrix-valued parameters: the
// plain gradient step, the Muon step (the polar factor U Vᵀ of the descent
// direction, its damped form h_λ, or the Newton–Schulz quintic iteration of
// deployed Muon — the matrix maps themselves live in stdlib/linalg), and the
// Kronecker-factored Newton direction.
//
// Gradients follow the loss convention: grad = ∇L. The descent direction of
// the papers is G = −∇L.
package spectral

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/linalg"
)

// HLambdaScalar is the scalar map h_λ(s) = s/√(s²+λ²) that linalg.HLambda
// applies to singular values (s ≥ 0); h_0(s) = 1 for s > 0 and h_λ(0) = 0.
func HLambdaScalar(s, lambda float64) float64 {
	if s == 0 {
		return 0
	}
	return s / math.Hypot(s, lambda)
}

func checkMatrix(name string, a mat.Matrix) (r, c int, err error) {
	if a == nil {
		return 0, 0, fmt.Errorf("spectral: %s is nil", name)
	}
	r, c = a.Dims()
	if r == 0 || c == 0 {
		return r, c, fmt.Errorf("spectral: %s is empty (%d×%d); need at least 1×1", name, r, c)
	}
	return r, c, nil
}

func checkStep(W, grad mat.Matrix, eta float64) (r, c int, err error) {
	r, c, err = checkMatrix("grad", grad)
	if err != nil {
		return r, c, err
	}
	if W != nil {
		wr, wc := W.Dims()
		if wr != r || wc != c {
			return r, c, fmt.Errorf("spectral: W is %d×%d but grad is %d×%d; need equal shapes", wr, wc, r, c)
		}
	}
	if math.IsNaN(eta) || math.IsInf(eta, 0) || eta <= 0 {
		return r, c, fmt.Errorf("spectral: eta = %v; need a finite step size > 0", eta)
	}
	return r, c, nil
}

// addStep returns W + eta·dir (W nil means the zero matrix).
func addStep(W mat.Matrix, dir *mat.Dense, eta float64) *mat.Dense {
	dir.Scale(eta, dir)
	if W != nil {
		dir.Add(W, dir)
	}
	return dir
}

// SGDStep returns W − η·grad. W nil stands for the zero matrix.
func SGDStep(W, grad mat.Matrix, eta float64) (*mat.Dense, error) {
	if _, _, err := checkStep(W, grad, eta); err != nil {
		return nil, err
	}
	var neg mat.Dense
	neg.Scale(-1, grad)
	return addStep(W, &neg, eta), nil
}

// MuonStep returns W + η·h(−grad): with nsSteps ≤ 0 the exact spectral map
// h_λ by SVD (λ = 0 is the polar factor U Vᵀ); with nsSteps > 0 the
// Newton–Schulz approximation with KellerJordanCoeffs, whose damping is
// implicit, so lambda must then be 0. W nil stands for the zero matrix.
func MuonStep(W, grad mat.Matrix, eta, lambda float64, nsSteps int) (*mat.Dense, error) {
	if _, _, err := checkStep(W, grad, eta); err != nil {
		return nil, err
	}
	var neg mat.Dense
	neg.Scale(-1, grad)
	var dir *mat.Dense
	var err error
	switch {
	case nsSteps > 0 && lambda != 0:
		return nil, fmt.Errorf("spectral: lambda = %v with nsSteps = %d; Newton–Schulz has no explicit λ, need lambda = 0 or nsSteps ≤ 0", lambda, nsSteps)
	case nsSteps > 0:
		dir, err = linalg.NewtonSchulz(&neg, nsSteps, linalg.KellerJordanCoeffs())
	default:
		dir, err = linalg.HLambda(&neg, lambda) // λ = 0: the polar factor
	}
	if err != nil {
		return nil, fmt.Errorf("spectral: Muon direction: %w", err)
	}
	return addStep(W, dir, eta), nil
}

// KroneckerNewton solves (L + μ_L I) Δ (R + μ_R I) = G for Δ, the Newton
// direction for a loss whose Hessian is the Kronecker product R ⊗ L (as for
// softmax regression at W = 0: L = output covariance, R = input second
// moment). Each ridge is μ = ridge·tr(M)/n; ridge must be in [0, 1).
func KroneckerNewton(G mat.Matrix, left, right mat.Symmetric, ridge float64) (*mat.Dense, error) {
	r, c, err := checkMatrix("G", G)
	if err != nil {
		return nil, err
	}
	if !(ridge >= 0 && ridge < 1) {
		return nil, fmt.Errorf("spectral: ridge = %v; need 0 ≤ ridge < 1", ridge)
	}
	if left == nil || right == nil {
		return nil, errors.New("spectral: left and right factors must be non-nil")
	}
	if n := left.SymmetricDim(); n != r {
		return nil, fmt.Errorf("spectral: left factor is %d×%d but G has %d rows", n, n, r)
	}
	if n := right.SymmetricDim(); n != c {
		return nil, fmt.Errorf("spectral: right factor is %d×%d but G has %d columns", n, n, c)
	}
	lc, err := ridgedCholesky("left", left, ridge)
	if err != nil {
		return nil, err
	}
	rc, err := ridgedCholesky("right", right, ridge)
	if err != nil {
		return nil, err
	}
	// Δ = L⁻¹ G R⁻¹: solve L Y = G, then R Δᵀ = Yᵀ (R symmetric).
	var y, dt mat.Dense
	if err := lc.SolveTo(&y, G); err != nil {
		return nil, fmt.Errorf("spectral: solve with left factor: %w", err)
	}
	if err := rc.SolveTo(&dt, y.T()); err != nil {
		return nil, fmt.Errorf("spectral: solve with right factor: %w", err)
	}
	return mat.DenseCopyOf(dt.T()), nil
}

func ridgedCholesky(name string, m mat.Symmetric, ridge float64) (*mat.Cholesky, error) {
	n := m.SymmetricDim()
	s := mat.NewSymDense(n, nil)
	s.CopySym(m)
	tr := 0.0
	for i := 0; i < n; i++ {
		tr += s.At(i, i)
	}
	mu := ridge * tr / float64(n)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, s.At(i, i)+mu)
	}
	var ch mat.Cholesky
	if !ch.Factorize(s) {
		return nil, fmt.Errorf("spectral: %s factor plus ridge %.3g is not positive definite; increase ridge", name, mu)
	}
	return &ch, nil
}
