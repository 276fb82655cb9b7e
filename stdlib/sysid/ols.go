package sysid

import (
	"fmt"

	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/mat"
)

// OLS returns the least-squares estimate
// Â = (Σ x_{t+1} x_tᵀ)(Σ x_t x_tᵀ)^{-1} pooled over all transitions of the
// given trajectories. Each trajectory is a (T+1)×n matrix (row t = x_tᵀ,
// T ≥ 1), as Simulate returns; all must have the same n. The Gram matrix and
// the cross moment are each one matrix product (BLAS gemm) per trajectory —
// gonum's gemm is blocked and parallel and beats its syrk (measured 2.4× at
// n = 50, T = 10⁵, see BENCHMARKS.md) — and Â comes from a Cholesky
// solve.
func OLS(trajs ...*mat.Dense) (*mat.Dense, error) {
	if len(trajs) == 0 {
		return nil, fmt.Errorf("sysid: OLS: no trajectories")
	}
	var n int
	var sxx, syx, tmp mat.Dense
	for k, x := range trajs {
		if x == nil {
			return nil, fmt.Errorf("sysid: OLS: trajs[%d] is nil", k)
		}
		r, c := x.Dims()
		if r < 2 {
			return nil, fmt.Errorf("sysid: OLS: trajs[%d] has %d rows, need T+1 >= 2", k, r)
		}
		if k == 0 {
			n = c
			sxx.ReuseAs(n, n)
			syx.ReuseAs(n, n)
		} else if c != n {
			return nil, fmt.Errorf("sysid: OLS: trajs[%d] has %d columns, trajs[0] has %d", k, c, n)
		}
		xp := x.Slice(0, r-1, 0, n)
		xn := x.Slice(1, r, 0, n)
		tmp.Mul(xp.T(), xp)
		sxx.Add(&sxx, &tmp)
		tmp.Mul(xn.T(), xp)
		syx.Add(&syx, &tmp)
	}
	return solveOLS(symmetricPart(&sxx), &syx)
}

// symmetricPart returns (m + mᵀ)/2 for a square m (gemm need not round the
// two triangles of XᵀX identically).
func symmetricPart(m *mat.Dense) *mat.SymDense {
	n, _ := m.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.5*(m.At(i, j)+m.At(j, i)))
		}
	}
	return s
}

// solveOLS returns Syx Sxx^{-1} through the Cholesky factor of Sxx.
func solveOLS(sxx *mat.SymDense, syx *mat.Dense) (*mat.Dense, error) {
	var ch mat.Cholesky
	if !ch.Factorize(sxx) {
		return nil, fmt.Errorf("sysid: OLS: Σ x_t x_tᵀ (%d×%d) is singular: need more (or more exciting) samples than the dimension", sxx.SymmetricDim(), sxx.SymmetricDim())
	}
	var at mat.Dense
	if err := ch.SolveTo(&at, syx.T()); err != nil {
		return nil, fmt.Errorf("sysid: OLS: %w", err)
	}
	return mat.DenseCopyOf(at.T()), nil
}

// Decomp is the second-order decomposition of the OLS error
// Err = Â − A = Mart + Rem, where Mart = M_T Γ^{-1} with the martingale
// M_T = (1/T) Σ_t w_t x_tᵀ, and Rem = −M_T Γ̂^{-1}(Γ̂ − Γ)Γ^{-1} is the
// second-order remainder (Γ̂ = (1/T) Σ x_t x_tᵀ).
type Decomp struct{ Err, Mart, Rem *mat.Dense }

// Decompose splits Ahat − A for one trajectory X ((T+1)×n) with noise W (T×n,
// row t = w_tᵀ) against the covariance gamma (normally Γ_∞).
func Decompose(a, ahat, x, w *mat.Dense, gamma mat.Symmetric) (Decomp, error) {
	if a == nil || ahat == nil || x == nil || w == nil || gamma == nil {
		return Decomp{}, fmt.Errorf("sysid: Decompose: A, Ahat, X, W and gamma must all be non-nil")
	}
	n, _ := a.Dims()
	r, c := x.Dims()
	T := r - 1
	if c != n {
		return Decomp{}, fmt.Errorf("sysid: Decompose: X has %d columns, A is %d×%d", c, n, n)
	}
	if wr, wc := w.Dims(); wr != T || wc != n {
		return Decomp{}, fmt.Errorf("sysid: Decompose: W is %d×%d, must be T×n = %d×%d", wr, wc, T, n)
	}
	if ar, ac := ahat.Dims(); ar != n || ac != n {
		return Decomp{}, fmt.Errorf("sysid: Decompose: Ahat is %d×%d, must be %d×%d", ar, ac, n, n)
	}
	if gamma.SymmetricDim() != n {
		return Decomp{}, fmt.Errorf("sysid: Decompose: gamma is %d×%d, must be %d×%d", gamma.SymmetricDim(), gamma.SymmetricDim(), n, n)
	}
	gInv, err := linalg.InvPD(gamma)
	if err != nil {
		return Decomp{}, fmt.Errorf("sysid: Decompose: gamma: %w", err)
	}
	return decompose(a, ahat, x.Slice(0, T, 0, n), w, gInv, T), nil
}

func decompose(a, ahat *mat.Dense, xp mat.Matrix, w *mat.Dense, gInv mat.Symmetric, T int) Decomp {
	var m mat.Dense
	m.Mul(w.T(), xp)
	m.Scale(1/float64(T), &m)
	d := Decomp{Err: new(mat.Dense), Mart: new(mat.Dense), Rem: new(mat.Dense)}
	d.Err.Sub(ahat, a)
	d.Mart.Mul(&m, gInv)
	d.Rem.Sub(d.Err, d.Mart)
	return d
}
