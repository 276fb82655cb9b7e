package linalg

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// maxDoublingRounds bounds the doubling iteration of Lyapunov: after k rounds
// it has summed 2^k terms of the series, so 60 rounds cover any A with
// spectral radius below 1 - 1e-15.
const maxDoublingRounds = 60

// Lyapunov solves the discrete Lyapunov equation Γ = A Γ Aᵀ + Q for the
// symmetric Γ, i.e. Γ = Σ_{k≥0} A^k Q (Aᵀ)^k, by the doubling (Smith)
// iteration: Γ ← Q, A_0 ← A, then Γ ← Γ + A_k Γ A_kᵀ, A_{k+1} ← A_k² until
// ‖A_k‖_F² < 1e-17 (each round doubles the number of summed terms).
// It returns an error when A is not square, Q does not match A, or A is not
// stable (spectral radius ρ(A) ≥ 1), since the series then diverges.
func Lyapunov(a mat.Matrix, q mat.Symmetric) (*mat.SymDense, error) {
	if a == nil {
		return nil, fmt.Errorf("linalg: Lyapunov: A %w", errNil)
	}
	if q == nil {
		return nil, fmt.Errorf("linalg: Lyapunov: Q %w", errNil)
	}
	n, c := a.Dims()
	if n != c {
		return nil, fmt.Errorf("linalg: Lyapunov: A must be square, got %d×%d", n, c)
	}
	if q.SymmetricDim() != n {
		return nil, fmt.Errorf("linalg: Lyapunov: Q is %d×%d, must match A (%d×%d)", q.SymmetricDim(), q.SymmetricDim(), n, n)
	}
	rho, err := SpectralRadius(a)
	if err != nil {
		return nil, fmt.Errorf("linalg: Lyapunov: %w", err)
	}
	if rho >= 1 {
		return nil, fmt.Errorf("linalg: Lyapunov: A must be stable (spectral radius < 1), got ρ(A) = %g", rho)
	}
	gamma := mat.DenseCopyOf(q)
	ak := mat.DenseCopyOf(a)
	var tmp, term, sq mat.Dense
	for round := 0; round < maxDoublingRounds; round++ {
		if FroNorm2(ak) < 1e-17 {
			return symmetrize(gamma), nil
		}
		tmp.Mul(ak, gamma)
		term.Mul(&tmp, ak.T())
		gamma.Add(gamma, &term)
		sq.Mul(ak, ak)
		ak.Copy(&sq)
	}
	return nil, fmt.Errorf("linalg: Lyapunov: doubling did not converge in %d rounds (ρ(A) = %g is too close to 1)", maxDoublingRounds, rho)
}
