package linalg

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"
)

// psdTol is the relative tolerance below which negative eigenvalues of a
// matrix that should be PSD are treated as rounding error.
const psdTol = 1e-10

func symEigenValues(s mat.Symmetric, name string) ([]float64, *mat.EigenSym, error) {
	if s == nil {
		return nil, nil, fmt.Errorf("%s %w", name, errNil)
	}
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, nil, fmt.Errorf("eigendecomposition of %s (%d×%d) did not converge", name, s.SymmetricDim(), s.SymmetricDim())
	}
	return eig.Values(nil), &eig, nil
}

// SymEigen returns the eigenvalues of the symmetric matrix a in ascending order
// and the matrix whose columns are the matching orthonormal eigenvectors.
func SymEigen(a mat.Symmetric) (vals []float64, vecs *mat.Dense, err error) {
	vals, eig, err := symEigenValues(a, "a")
	if err != nil {
		return nil, nil, fmt.Errorf("linalg: SymEigen: %w", err)
	}
	vecs = new(mat.Dense)
	eig.VectorsTo(vecs)
	return vals, vecs, nil
}

// psdFunc returns V diag(f(λ)) Vᵀ for the symmetric a = V diag(λ) Vᵀ after
// checking that a is PSD up to rounding; f receives eigenvalues clamped at 0.
func psdFunc(op, name string, a mat.Symmetric, f func(float64) (float64, error)) (*mat.SymDense, error) {
	vals, vecs, err := SymEigen(a)
	if err != nil {
		return nil, fmt.Errorf("linalg: %s: %w", op, err)
	}
	top := math.Max(math.Abs(vals[0]), math.Abs(vals[len(vals)-1]))
	if vals[0] < -psdTol*top {
		return nil, fmt.Errorf("linalg: %s: %s must be positive semidefinite (smallest eigenvalue %g)", op, name, vals[0])
	}
	n := len(vals)
	scaled := mat.NewDense(n, n, nil)
	for j, v := range vals {
		fv, err := f(math.Max(v, 0))
		if err != nil {
			return nil, fmt.Errorf("linalg: %s: %w", op, err)
		}
		for i := 0; i < n; i++ {
			scaled.Set(i, j, vecs.At(i, j)*fv)
		}
	}
	var prod mat.Dense
	prod.Mul(scaled, vecs.T())
	return symmetrize(&prod), nil
}

// SqrtPSD returns the symmetric PSD square root of the PSD matrix a.
func SqrtPSD(a mat.Symmetric) (*mat.SymDense, error) {
	return psdFunc("SqrtPSD", "a", a, func(v float64) (float64, error) { return math.Sqrt(v), nil })
}

// InvSqrtPSD returns (a + ridge·I)^{-1/2} for a PSD matrix a and ridge ≥ 0.
// It fails when a + ridge·I is singular.
func InvSqrtPSD(a mat.Symmetric, ridge float64) (*mat.SymDense, error) {
	if ridge < 0 || math.IsNaN(ridge) {
		return nil, fmt.Errorf("linalg: InvSqrtPSD: ridge = %g, must be >= 0", ridge)
	}
	return psdFunc("InvSqrtPSD", "a", a, func(v float64) (float64, error) {
		if v+ridge <= 0 {
			return 0, fmt.Errorf("a + ridge·I is singular (eigenvalue %g, ridge %g)", v, ridge)
		}
		return 1 / math.Sqrt(v+ridge), nil
	})
}

// InvPD returns the inverse of the symmetric positive definite matrix a,
// computed through a Cholesky factorization.
func InvPD(a mat.Symmetric) (*mat.SymDense, error) {
	if a == nil {
		return nil, fmt.Errorf("linalg: InvPD: a %w", errNil)
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, fmt.Errorf("linalg: InvPD: a (%d×%d) is not positive definite", a.SymmetricDim(), a.SymmetricDim())
	}
	inv := new(mat.SymDense)
	if err := ch.InverseTo(inv); err != nil {
		return nil, fmt.Errorf("linalg: InvPD: %w", err)
	}
	return inv, nil
}

// Symmetrize returns (a + aᵀ)/2 of the square matrix a as a SymDense.
func Symmetrize(a mat.Matrix) (*mat.SymDense, error) {
	if a == nil {
		return nil, fmt.Errorf("linalg: Symmetrize: a %w", errNil)
	}
	r, c := a.Dims()
	if r != c {
		return nil, fmt.Errorf("linalg: Symmetrize: a must be square, got %d×%d", r, c)
	}
	return symmetrize(a), nil
}

// symmetrize is Symmetrize for a matrix known to be square.
func symmetrize(a mat.Matrix) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.5*(a.At(i, j)+a.At(j, i)))
		}
	}
	return s
}

// SpectralRadius returns max |λ_i(a)| over the (complex) eigenvalues of the
// square matrix a.
func SpectralRadius(a mat.Matrix) (float64, error) {
	if a == nil {
		return 0, fmt.Errorf("linalg: SpectralRadius: a %w", errNil)
	}
	r, c := a.Dims()
	if r != c {
		return 0, fmt.Errorf("linalg: SpectralRadius: a must be square, got %d×%d", r, c)
	}
	var eig mat.Eigen
	if !eig.Factorize(a, mat.EigenNone) {
		return 0, fmt.Errorf("linalg: SpectralRadius: eigendecomposition of a (%d×%d) did not converge", r, c)
	}
	rho := 0.0
	for _, v := range eig.Values(nil) {
		rho = math.Max(rho, cmplx.Abs(v))
	}
	return rho, nil
}
