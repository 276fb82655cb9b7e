package linalg

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// errNil is returned when a required matrix argument is nil.
var errNil = errors.New("is nil")

// OpNorm returns the spectral (operator 2-) norm of a: its largest singular
// value. It differs from mat.Norm(a, 2), which gonum defines as the Frobenius
// norm.
func OpNorm(a mat.Matrix) (float64, error) {
	if a == nil {
		return 0, fmt.Errorf("linalg: OpNorm: a %w", errNil)
	}
	r, c := a.Dims()
	if r == 1 || c == 1 {
		return math.Sqrt(FroNorm2(a)), nil
	}
	if s, ok := a.(mat.Symmetric); ok {
		var eig mat.EigenSym
		if eig.Factorize(s, false) {
			vals := eig.Values(nil)
			return math.Max(math.Abs(vals[0]), math.Abs(vals[len(vals)-1])), nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		return 0, fmt.Errorf("linalg: OpNorm: SVD of a (%d×%d) did not converge", r, c)
	}
	return svd.Values(nil)[0], nil
}

// FroNorm2 returns the squared Frobenius norm of a, the sum of squared entries.
// It returns 0 for a nil matrix.
func FroNorm2(a mat.Matrix) float64 {
	if a == nil {
		return 0
	}
	if d, ok := a.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		s := 0.0
		for i := 0; i < raw.Rows; i++ {
			for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
				s += v * v
			}
		}
		return s
	}
	r, c := a.Dims()
	s := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j)
			s += v * v
		}
	}
	return s
}

// EffRank returns the effective rank tr(s)/‖s‖_op of a positive semidefinite
// matrix, a number in [1, n]. It fails if s is not PSD or is zero.
func EffRank(s mat.Symmetric) (float64, error) {
	vals, _, err := symEigenValues(s, "s")
	if err != nil {
		return 0, fmt.Errorf("linalg: EffRank: %w", err)
	}
	top := vals[len(vals)-1]
	if vals[0] < -psdTol*math.Max(top, 0) || top <= 0 {
		return 0, fmt.Errorf("linalg: EffRank: s must be positive semidefinite and nonzero (eigenvalues in [%g, %g])", vals[0], top)
	}
	tr := 0.0
	for _, v := range vals {
		tr += v
	}
	return tr / top, nil
}
