package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// KellerJordanCoeffs returns the quintic Newton–Schulz coefficients (a, b, c) =
// (3.4445, −4.7750, 2.0315) used by the Muon optimizer's reference
// implementation (KellerJordan/Muon, zeropower_via_newtonschulz5).
func KellerJordanCoeffs() [3]float64 { return [3]float64{3.4445, -4.7750, 2.0315} }

// thinSVD factorizes g and returns U (r×k), the singular values (k) and V (c×k)
// with k = min(r, c).
func thinSVD(op string, g mat.Matrix) (*mat.Dense, []float64, *mat.Dense, error) {
	if g == nil {
		return nil, nil, nil, fmt.Errorf("linalg: %s: G %w", op, errNil)
	}
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDThin) {
		r, c := g.Dims()
		return nil, nil, nil, fmt.Errorf("linalg: %s: SVD of G (%d×%d) did not converge", op, r, c)
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	return &u, svd.Values(nil), &v, nil
}

// SpectralMap returns U diag(h(σ_i)) Vᵀ for the thin SVD G = U diag(σ) Vᵀ:
// the matrix function h applied to the singular values of G.
func SpectralMap(g mat.Matrix, h func(float64) float64) (*mat.Dense, error) {
	if h == nil {
		return nil, fmt.Errorf("linalg: SpectralMap: h %w", errNil)
	}
	u, s, v, err := thinSVD("SpectralMap", g)
	if err != nil {
		return nil, err
	}
	for j, sv := range s {
		f := h(sv)
		for i := 0; i < v.RawMatrix().Rows; i++ {
			v.Set(i, j, v.At(i, j)*f)
		}
	}
	out := new(mat.Dense)
	out.Mul(u, v.T())
	return out, nil
}

// Polar returns the polar factor U Vᵀ of G from its thin SVD (all singular
// values mapped to 1; for rank-deficient G the zero singular directions are
// mapped to 1 as well, as the SVD basis completes them).
func Polar(g mat.Matrix) (*mat.Dense, error) {
	u, _, v, err := thinSVD("Polar", g)
	if err != nil {
		return nil, err
	}
	out := new(mat.Dense)
	out.Mul(u, v.T())
	return out, nil
}

// HLambda returns U diag(σ/√(σ²+λ²)) Vᵀ, the smoothed polar map of the
// stabilized Muon update; λ = 0 gives Polar(G). lambda must be ≥ 0.
func HLambda(g mat.Matrix, lambda float64) (*mat.Dense, error) {
	if lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("linalg: HLambda: lambda = %g, must be finite and >= 0", lambda)
	}
	if lambda == 0 {
		return Polar(g)
	}
	l2 := lambda * lambda
	return SpectralMap(g, func(s float64) float64 { return s / math.Sqrt(s*s+l2) })
}

// NewtonSchulz approximates the polar factor of G by the quintic Newton–Schulz
// iteration of the Muon optimizer, in float64: if G has more rows than
// columns it works on Gᵀ; X ← G/(‖G‖_F + 1e−7); then `steps` times
// A = X Xᵀ, B = b·A + c·A·A, X = a·X + B·X with (a, b, c) = coef, and the
// result is transposed back. With KellerJordanCoeffs the singular values of
// the output lie roughly in [0.68, 1.13] once they have left the small-value
// region (about 1e-3·‖G‖_F for 5 steps). steps must be ≥ 1.
func NewtonSchulz(g mat.Matrix, steps int, coef [3]float64) (*mat.Dense, error) {
	if g == nil {
		return nil, fmt.Errorf("linalg: NewtonSchulz: G %w", errNil)
	}
	if steps < 1 {
		return nil, fmt.Errorf("linalg: NewtonSchulz: steps = %d, must be >= 1", steps)
	}
	r, c := g.Dims()
	transposed := r > c
	var x mat.Dense
	if transposed {
		x.CloneFrom(g.T())
	} else {
		x.CloneFrom(g)
	}
	x.Scale(1/(math.Sqrt(FroNorm2(&x))+1e-7), &x)
	a, b, cc := coef[0], coef[1], coef[2]
	var gram, gram2, poly, next mat.Dense
	for k := 0; k < steps; k++ {
		gram.Mul(&x, x.T())
		gram2.Mul(&gram, &gram)
		gram2.Scale(cc, &gram2)
		poly.Scale(b, &gram)
		poly.Add(&poly, &gram2)
		next.Mul(&poly, &x)
		x.Scale(a, &x)
		x.Add(&x, &next)
	}
	if transposed {
		out := new(mat.Dense)
		out.CloneFrom(x.T())
		return out, nil
	}
	return &x, nil
}

// NSScalar applies the scalar Newton–Schulz polynomial f(s) = a s + b s³ + c s⁵
// `steps` times to s: the map NewtonSchulz applies to each (normalized)
// singular value.
func NSScalar(s float64, steps int, coef [3]float64) float64 {
	for k := 0; k < steps; k++ {
		s2 := s * s
		s = coef[0]*s + coef[1]*s*s2 + coef[2]*s*s2*s2
	}
	return s
}
