package spectral

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/linalg"
)

func gaussian(t *testing.T, r, c int, seed uint64) *mat.Dense {
	t.Helper()
	g, err := linalg.GaussianMatrix(r, c, 1, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	m := 0.0
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m = math.Max(m, math.Abs(d.At(i, j)))
		}
	}
	return m
}

func TestSGDStep(t *testing.T) {
	W := gaussian(t, 3, 4, 1)
	g := gaussian(t, 3, 4, 2)
	got, err := SGDStep(W, g, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if want := W.At(i, j) - 0.5*g.At(i, j); math.Abs(got.At(i, j)-want) > 1e-15 {
				t.Fatalf("(%d,%d) = %v, want %v", i, j, got.At(i, j), want)
			}
		}
	}
	if W.At(0, 0) == got.At(0, 0) && g.At(0, 0) != 0 {
		t.Fatal("SGDStep did not move W")
	}
}

// The exact Muon direction from W = 0 is the polar factor of −grad: an
// orthogonal matrix Q with Qᵀ(−grad) symmetric positive definite.
func TestMuonStepPolar(t *testing.T) {
	g := gaussian(t, 6, 6, 3)
	w1, err := MuonStep(nil, g, 2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var q, qtq, p mat.Dense
	q.Scale(0.5, w1)
	qtq.Mul(q.T(), &q)
	if d := maxAbsDiff(&qtq, eye(6)); d > 1e-12 {
		t.Fatalf("QᵀQ − I max %v", d)
	}
	var neg mat.Dense
	neg.Scale(-1, g)
	p.Mul(q.T(), &neg)
	if d := maxAbsDiff(&p, p.T()); d > 1e-12 {
		t.Fatalf("Qᵀ(−grad) not symmetric: %v", d)
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(6, p.RawMatrix().Data), false) {
		t.Fatal("eigen failed")
	}
	for _, v := range eig.Values(nil) {
		if v <= 0 {
			t.Fatalf("Qᵀ(−grad) has eigenvalue %v ≤ 0", v)
		}
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// Newton–Schulz with many steps approaches the polar factor up to the
// quintic's oscillation band [0.68, 1.13]; the step adds to W.
func TestMuonStepNewtonSchulz(t *testing.T) {
	g := gaussian(t, 5, 8, 4)
	W := gaussian(t, 5, 8, 5)
	got, err := MuonStep(W, g, 1, 0, 30)
	if err != nil {
		t.Fatal(err)
	}
	var dir mat.Dense
	dir.Sub(got, W)
	var svd mat.SVD
	if !svd.Factorize(&dir, mat.SVDNone) {
		t.Fatal("svd failed")
	}
	for _, s := range svd.Values(nil) {
		if s < 0.68 || s > 1.14 {
			t.Fatalf("NS30 singular value %v outside [0.68, 1.14]", s)
		}
	}
	exact, _ := MuonStep(W, g, 1, 0, 0)
	var e mat.Dense
	e.Sub(exact, W)
	// Same singular vectors: the product with the exact polar factor's
	// transpose is symmetric positive definite.
	var m mat.Dense
	m.Mul(e.T(), &dir)
	if d := maxAbsDiff(&m, m.T()); d > 1e-9 {
		t.Fatalf("NS direction does not share the polar factor's singular vectors: asym %v", d)
	}
}

func TestMuonStepHLambda(t *testing.T) {
	g := gaussian(t, 4, 4, 6)
	lambda := 0.7
	got, err := MuonStep(nil, g, 1, lambda, 0)
	if err != nil {
		t.Fatal(err)
	}
	var svdG, svdW mat.SVD
	svdG.Factorize(g, mat.SVDNone)
	svdW.Factorize(got, mat.SVDNone)
	sg, sw := svdG.Values(nil), svdW.Values(nil)
	for i := range sg {
		if want := HLambdaScalar(sg[i], lambda); math.Abs(sw[i]-want) > 1e-12 {
			t.Fatalf("σ_%d = %v, want h_λ(%v) = %v", i, sw[i], sg[i], want)
		}
	}
}

func TestHLambdaScalar(t *testing.T) {
	cases := []struct{ s, lambda, want float64 }{
		{0, 1, 0},
		{2, 0, 1},
		{3, 4, 0.6},
		{1e-3, 1e-3, 1 / math.Sqrt2},
	}
	for _, c := range cases {
		if got := HLambdaScalar(c.s, c.lambda); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("h_%v(%v) = %v, want %v", c.lambda, c.s, got, c.want)
		}
	}
}

func TestKroneckerNewton(t *testing.T) {
	a := gaussian(t, 4, 4, 7)
	b := gaussian(t, 3, 3, 8)
	L := mat.NewSymDense(4, nil)
	L.SymOuterK(1, a)
	R := mat.NewSymDense(3, nil)
	R.SymOuterK(1, b)
	G := gaussian(t, 4, 3, 9)
	delta, err := KroneckerNewton(G, L, R, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lhs, tmp mat.Dense
	tmp.Mul(L, delta)
	lhs.Mul(&tmp, R)
	if d := maxAbsDiff(&lhs, G); d > 1e-9 {
		t.Fatalf("L Δ R − G max %v", d)
	}
}

func TestErrorsNameParameter(t *testing.T) {
	g := gaussian(t, 3, 3, 10)
	W := gaussian(t, 2, 3, 11)
	sing := mat.NewSymDense(3, nil) // zero matrix: not PD without ridge
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"eta zero", func() error { _, err := SGDStep(nil, g, 0); return err }, "eta"},
		{"eta NaN", func() error { _, err := MuonStep(nil, g, math.NaN(), 0, 0); return err }, "eta"},
		{"shape", func() error { _, err := SGDStep(W, g, 1); return err }, "W is 2×3"},
		{"nil grad", func() error { _, err := SGDStep(nil, nil, 1); return err }, "grad is nil"},
		{"lambda with NS", func() error { _, err := MuonStep(nil, g, 1, 0.1, 5); return err }, "lambda"},
		{"negative lambda", func() error { _, err := MuonStep(nil, g, 1, -1, 0); return err }, "lambda"},
		{"ridge", func() error { _, err := KroneckerNewton(g, sing, sing, 2); return err }, "ridge"},
		{"singular", func() error { _, err := KroneckerNewton(g, sing, sing, 0); return err }, "positive definite"},
		{"left dims", func() error { _, err := KroneckerNewton(W, sing, sing, 0); return err }, "left factor"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}
