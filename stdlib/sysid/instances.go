package sysid

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// diagLDS builds a system with diagonal A and Σ_w.
func diagLDS(name string, a, sw []float64) (*LDS, error) {
	return NewLDS(name, mat.NewDiagDense(len(a), a), mat.NewDiagDense(len(sw), sw))
}

// Iso returns the control instance A = ρI, Σ_w = I (Γ_∞ = I/(1−ρ²)): the
// prior bounds are tight up to constants. n ≥ 1, |ρ| < 1.
func Iso(n int, rho float64) (*LDS, error) {
	if n < 1 {
		return nil, fmt.Errorf("sysid: Iso: n = %d, must be >= 1", n)
	}
	if !(math.Abs(rho) < 1) {
		return nil, fmt.Errorf("sysid: Iso: rho = %g, must satisfy |rho| < 1", rho)
	}
	a := make([]float64, n)
	sw := make([]float64, n)
	for i := range a {
		a[i], sw[i] = rho, 1
	}
	return diagLDS(fmt.Sprintf("Iso(%d, %g)", n, rho), a, sw)
}

// FrobGap returns A = diag(0, ρ, …, ρ) with ρ² = 1 − 1/(n−1), Σ_w = I, so
// Γ_∞ = diag(1, n−1, …, n−1): r(Γ^{-1}) < 2 and the prior Frobenius rate
// overstates the CLT by n/2. n ≥ 2.
func FrobGap(n int) (*LDS, error) {
	if n < 2 {
		return nil, fmt.Errorf("sysid: FrobGap: n = %d, must be >= 2", n)
	}
	rho := math.Sqrt(1 - 1/float64(n-1))
	a := make([]float64, n)
	sw := make([]float64, n)
	for i := range a {
		a[i], sw[i] = rho, 1
	}
	a[0] = 0
	return diagLDS(fmt.Sprintf("FrobGap(%d)", n), a, sw)
}

// SpecGap returns A = diag(0, ρ, …, ρ) with ρ² = 1 − 1/(n−1)², and
// Σ_w = diag(1, ε, …, ε), ε = 1/(n−1), so Γ_∞ = diag(1, n−1, …, n−1):
// both r(Σ_w) and r(Γ^{-1}) are O(1) and the prior spectral rate overstates
// the CLT by a factor of order n. It mixes slowly (t_mix ≈ 2(n−1)²). n ≥ 3
// (n = 2 would make ρ = 0 and A = 0).
func SpecGap(n int) (*LDS, error) {
	if n < 3 {
		return nil, fmt.Errorf("sysid: SpecGap: n = %d, must be >= 3", n)
	}
	m := float64(n - 1)
	rho := math.Sqrt(1 - 1/(m*m))
	a := make([]float64, n)
	sw := make([]float64, n)
	for i := range a {
		a[i], sw[i] = rho, 1/m
	}
	a[0], sw[0] = 0, 1
	return diagLDS(fmt.Sprintf("SpecGap(%d)", n), a, sw)
}

// Rotate returns the system conjugated by the orthogonal Q: A' = Q A Qᵀ,
// Σ_w' = Q Σ_w Qᵀ. OLS is equivariant, so errors have the same law.
func Rotate(s *LDS, q *mat.Dense) (*LDS, error) {
	if s == nil || q == nil {
		return nil, fmt.Errorf("sysid: Rotate: s and q must be non-nil")
	}
	if r, c := q.Dims(); r != s.n || c != s.n {
		return nil, fmt.Errorf("sysid: Rotate: q is %d×%d, must be %d×%d", r, c, s.n, s.n)
	}
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	for i := 0; i < s.n; i++ {
		for j := 0; j < s.n; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(qtq.At(i, j)-want) > 1e-9 {
				return nil, fmt.Errorf("sysid: Rotate: q is not orthogonal (|QᵀQ − I| = %g at (%d,%d))", math.Abs(qtq.At(i, j)-want), i, j)
			}
		}
	}
	var a, sw mat.Dense
	a.Mul(q, s.A)
	a.Mul(&a, q.T())
	sw.Mul(q, s.SigmaW)
	sw.Mul(&sw, q.T())
	sym := mat.NewSymDense(s.n, nil)
	for i := 0; i < s.n; i++ {
		for j := i; j < s.n; j++ {
			sym.SetSym(i, j, 0.5*(sw.At(i, j)+sw.At(j, i)))
		}
	}
	return NewLDS("rot "+s.Name, &a, sym)
}

// ShiftedJordan returns the many-trajectories example of the spec:
// A = ρI + c·(superdiagonal ones), Σ_w = I. Any ρ (including unstable) is
// allowed; n ≥ 1.
func ShiftedJordan(n int, rho, c float64) (*LDS, error) {
	if n < 1 {
		return nil, fmt.Errorf("sysid: ShiftedJordan: n = %d, must be >= 1", n)
	}
	a := mat.NewDense(n, n, nil)
	sw := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		a.Set(i, i, rho)
		sw.SetSym(i, i, 1)
		if i+1 < n {
			a.Set(i, i+1, c)
		}
	}
	return NewLDS(fmt.Sprintf("%g·I + %g·J(%d)", rho, c, n), a, sw)
}
