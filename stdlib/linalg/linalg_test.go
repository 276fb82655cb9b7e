package linalg

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func approxEq(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func singularValues(t *testing.T, m mat.Matrix) []float64 {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDNone) {
		t.Fatal("svd failed")
	}
	return svd.Values(nil)
}

func TestOpNorm(t *testing.T) {
	cases := []struct {
		name string
		a    mat.Matrix
		want float64
	}{
		// [[1,2],[3,4]]: σ_max = sqrt((30+sqrt(884))/2) while ‖·‖_F = sqrt(30).
		{"dense2x2", mat.NewDense(2, 2, []float64{1, 2, 3, 4}), math.Sqrt((30 + math.Sqrt(884)) / 2)},
		{"symmetricNegative", mat.NewSymDense(3, []float64{3, 0, 0, 0, -5, 0, 0, 0, 1}), 5},
		{"wide", mat.NewDense(2, 3, []float64{0, 0, 2, 0, 1, 0}), 2},
		{"vector", mat.NewVecDense(3, []float64{1, 2, 2}), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := OpNorm(c.a)
			if err != nil {
				t.Fatal(err)
			}
			if !approxEq(got, c.want, 1e-12) {
				t.Fatalf("OpNorm = %v, want %v", got, c.want)
			}
		})
	}
	// The pitfall: gonum's mat.Norm(a, 2) is the Frobenius norm and differs.
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	op, _ := OpNorm(a)
	if approxEq(op, mat.Norm(a, 2), 1e-6) {
		t.Fatalf("OpNorm %v equals mat.Norm(a,2) %v; expected the spectral norm", op, mat.Norm(a, 2))
	}
	if _, err := OpNorm(nil); err == nil || !strings.Contains(err.Error(), "a is nil") {
		t.Fatalf("nil: err = %v", err)
	}
}

func TestFroNorm2(t *testing.T) {
	d := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	cases := []struct {
		name string
		a    mat.Matrix
		want float64
	}{
		{"dense", d, 91},
		{"view", d.Slice(0, 2, 1, 3), 4 + 9 + 25 + 36},
		{"transpose", d.T(), 91},
		{"nil", nil, 0},
	}
	for _, c := range cases {
		if got := FroNorm2(c.a); got != c.want {
			t.Errorf("%s: FroNorm2 = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestEffRank(t *testing.T) {
	eye := mat.NewDiagDense(5, []float64{1, 1, 1, 1, 1})
	cases := []struct {
		name    string
		s       mat.Symmetric
		want    float64
		wantErr string
	}{
		{"identity", eye, 5, ""},
		{"spike", mat.NewDiagDense(3, []float64{4, 1, 1}), 1.5, ""},
		{"rank1", mat.NewSymDense(2, []float64{1, 1, 1, 1}), 1, ""},
		{"notPSD", mat.NewDiagDense(2, []float64{1, -1}), 0, "positive semidefinite"},
		{"zero", mat.NewDiagDense(2, []float64{0, 0}), 0, "nonzero"},
		{"nil", nil, 0, "s is nil"},
	}
	for _, c := range cases {
		got, err := EffRank(c.s)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want containing %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || !approxEq(got, c.want, 1e-12) {
			t.Errorf("%s: EffRank = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func randomSPD(n int, rng *rand.Rand) *mat.SymDense {
	g, _ := GaussianMatrix(n, n, 1, rng)
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, g)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, s.At(i, i)+0.1)
	}
	return s
}

func TestSymEigenAndRoots(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 10} {
		a := randomSPD(n, rng)
		vals, vecs, err := SymEigen(a)
		if err != nil {
			t.Fatal(err)
		}
		if !sort.Float64sAreSorted(vals) {
			t.Fatalf("n=%d: eigenvalues not ascending: %v", n, vals)
		}
		var rec mat.Dense
		rec.Mul(vecs, mat.NewDiagDense(n, vals))
		rec.Mul(&rec, vecs.T())
		if !mat.EqualApprox(&rec, a, 1e-9) {
			t.Fatalf("n=%d: V diag(λ) Vᵀ != a", n)
		}
		root, err := SqrtPSD(a)
		if err != nil {
			t.Fatal(err)
		}
		var sq mat.Dense
		sq.Mul(root, root)
		if !mat.EqualApprox(&sq, a, 1e-9) {
			t.Fatalf("n=%d: SqrtPSD² != a", n)
		}
		isq, err := InvSqrtPSD(a, 0)
		if err != nil {
			t.Fatal(err)
		}
		var w mat.Dense
		w.Mul(isq, a)
		w.Mul(&w, isq)
		if !mat.EqualApprox(&w, eye(n), 1e-8) {
			t.Fatalf("n=%d: a^{-1/2} a a^{-1/2} != I", n)
		}
		inv, err := InvPD(a)
		if err != nil {
			t.Fatal(err)
		}
		w.Mul(inv, a)
		if !mat.EqualApprox(&w, eye(n), 1e-8) {
			t.Fatalf("n=%d: InvPD(a)·a != I", n)
		}
	}
}

func eye(n int) *mat.DiagDense {
	d := make([]float64, n)
	for i := range d {
		d[i] = 1
	}
	return mat.NewDiagDense(n, d)
}

func TestRootErrors(t *testing.T) {
	neg := mat.NewDiagDense(2, []float64{1, -0.5})
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"SqrtPSD notPSD", func() error { _, err := SqrtPSD(neg); return err }, "a must be positive semidefinite"},
		{"InvSqrtPSD ridge", func() error { _, err := InvSqrtPSD(eye(2), -1); return err }, "ridge = -1"},
		{"InvSqrtPSD singular", func() error { _, err := InvSqrtPSD(mat.NewDiagDense(2, []float64{1, 0}), 0); return err }, "singular"},
		{"InvPD notPD", func() error { _, err := InvPD(neg); return err }, "not positive definite"},
		{"SymEigen nil", func() error { _, _, err := SymEigen(nil); return err }, "a is nil"},
		{"Symmetrize nonsquare", func() error { _, err := Symmetrize(mat.NewDense(2, 3, nil)); return err }, "square"},
		{"SpectralRadius nonsquare", func() error { _, err := SpectralRadius(mat.NewDense(2, 3, nil)); return err }, "a must be square"},
	}
	for _, c := range cases {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want containing %q", c.name, err, c.want)
		}
	}
	// Tiny negative rounding is accepted as PSD.
	if _, err := SqrtPSD(mat.NewDiagDense(2, []float64{1, -1e-14})); err != nil {
		t.Errorf("rounding-level negative eigenvalue rejected: %v", err)
	}
}

func TestSpectralRadius(t *testing.T) {
	th := 0.7
	cases := []struct {
		name string
		a    *mat.Dense
		want float64
	}{
		{"rotation", mat.NewDense(2, 2, []float64{0.5 * math.Cos(th), -0.5 * math.Sin(th), 0.5 * math.Sin(th), 0.5 * math.Cos(th)}), 0.5},
		{"jordan", mat.NewDense(2, 2, []float64{0.9, 10, 0, 0.9}), 0.9}, // op norm ≈ 10, radius 0.9
		{"diag", mat.NewDense(3, 3, []float64{-1.1, 0, 0, 0, 0.2, 0, 0, 0, 0}), 1.1},
	}
	for _, c := range cases {
		got, err := SpectralRadius(c.a)
		if err != nil || !approxEq(got, c.want, 1e-10) {
			t.Errorf("%s: SpectralRadius = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func lyapResidual(a mat.Matrix, q mat.Symmetric, g *mat.SymDense) float64 {
	var r mat.Dense
	r.Mul(a, g)
	r.Mul(&r, a.T())
	r.Sub(g, &r)
	r.Sub(&r, q)
	return math.Sqrt(FroNorm2(&r) / FroNorm2(g))
}

func TestLyapunov(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	// Random non-normal A rescaled to spectral radius 0.95.
	g, _ := GaussianMatrix(12, 12, 1, rng)
	rho, _ := SpectralRadius(g)
	g.Scale(0.95/rho, g)
	cases := []struct {
		name string
		a    *mat.Dense
		q    mat.Symmetric
	}{
		{"iso", mat.NewDense(3, 3, []float64{0.9, 0, 0, 0, 0.9, 0, 0, 0, 0.9}), eye(3)},
		{"nearUnit", mat.NewDense(1, 1, []float64{0.9995}), eye(1)},
		{"nonNormal", g, randomSPD(12, rng)},
		{"jordan", mat.NewDense(2, 2, []float64{0.9, 10, 0, 0.9}), eye(2)},
	}
	for _, c := range cases {
		gam, err := Lyapunov(c.a, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res := lyapResidual(c.a, c.q, gam); res > 1e-10 {
			t.Errorf("%s: relative residual %g > 1e-10", c.name, res)
		}
	}
	// Closed form for A = ρI, Q = I: Γ = I/(1-ρ²).
	gam, _ := Lyapunov(mat.NewDense(1, 1, []float64{0.9995}), eye(1))
	if want := 1 / (1 - 0.9995*0.9995); !approxEq(gam.At(0, 0), want, 1e-10) {
		t.Errorf("scalar: Γ = %v, want %v", gam.At(0, 0), want)
	}
}

func TestLyapunovErrors(t *testing.T) {
	cases := []struct {
		name string
		a    mat.Matrix
		q    mat.Symmetric
		want string
	}{
		{"unstable", mat.NewDense(2, 2, []float64{1.1, 0, 0, 0.5}), eye(2), "spectral radius < 1"},
		{"unitRoot", mat.NewDense(1, 1, []float64{1}), eye(1), "ρ(A) = 1"},
		{"nonsquare", mat.NewDense(2, 3, nil), eye(2), "A must be square"},
		{"mismatch", mat.NewDense(2, 2, nil), eye(3), "Q is 3×3"},
		{"nilA", nil, eye(2), "A is nil"},
		{"nilQ", mat.NewDense(2, 2, nil), nil, "Q is nil"},
	}
	for _, c := range cases {
		if _, err := Lyapunov(c.a, c.q); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want containing %q", c.name, err, c.want)
		}
	}
}

// withSingularValues returns U diag(s) Vᵀ for random orthogonal U (r×r) and V (c×c).
func withSingularValues(r, c int, s []float64, rng *rand.Rand) *mat.Dense {
	u, _ := RandomOrthogonal(r, rng)
	v, _ := RandomOrthogonal(c, rng)
	d := mat.NewDense(r, c, nil)
	for i, sv := range s {
		d.Set(i, i, sv)
	}
	var out mat.Dense
	out.Mul(u, d)
	out.Mul(&out, v.T())
	return &out
}

func TestPolarAndHLambda(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dims := range [][2]int{{6, 6}, {4, 7}, {7, 4}} {
		r, c := dims[0], dims[1]
		k := min(r, c)
		s := make([]float64, k)
		for i := range s {
			s[i] = math.Pow(2, -float64(i))
		}
		g := withSingularValues(r, c, s, rng)
		p, err := Polar(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, sv := range singularValues(t, p) {
			if !approxEq(sv, 1, 1e-10) {
				t.Fatalf("%dx%d: polar singular value %v != 1", r, c, sv)
			}
		}
		// Pᵀ G = V S Vᵀ is symmetric PSD.
		var pg mat.Dense
		pg.Mul(p.T(), g)
		if !mat.EqualApprox(&pg, pg.T(), 1e-10) {
			t.Fatalf("%dx%d: PᵀG not symmetric", r, c)
		}
		lambda := 0.1
		h, err := HLambda(g, lambda)
		if err != nil {
			t.Fatal(err)
		}
		got := singularValues(t, h)
		for i, sv := range s {
			if want := sv / math.Sqrt(sv*sv+lambda*lambda); !approxEq(got[i], want, 1e-10) {
				t.Fatalf("%dx%d: HLambda σ_%d = %v, want %v", r, c, i, got[i], want)
			}
		}
	}
	if _, err := HLambda(mat.NewDense(2, 2, []float64{1, 0, 0, 1}), -1); err == nil || !strings.Contains(err.Error(), "lambda = -1") {
		t.Errorf("negative lambda: err = %v", err)
	}
	if _, err := SpectralMap(mat.NewDense(2, 2, nil), nil); err == nil || !strings.Contains(err.Error(), "h is nil") {
		t.Errorf("nil h: err = %v", err)
	}
}

func TestNSScalarMatchesSpecTable(t *testing.T) {
	coef := KellerJordanCoeffs()
	cases := []struct {
		s     float64
		steps int
		want  float64
	}{
		{1e-5, 5, 0.0048}, {1e-3, 5, 0.4705}, {3e-3, 5, 1.1104}, {0.1, 5, 0.7121}, {1, 5, 0.6964},
		{1e-5, 10, 1.1686}, {1e-4, 10, 0.7547}, {0.5, 10, 1.0561}, {1, 10, 1.1253},
	}
	for _, c := range cases {
		if got := NSScalar(c.s, c.steps, coef); math.Abs(got-c.want) > 6e-5 {
			t.Errorf("f^(%d)(%g) = %.5f, want %.4f", c.steps, c.s, got, c.want)
		}
	}
}

func TestNewtonSchulzActsOnSingularValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	coef := KellerJordanCoeffs()
	for _, dims := range [][2]int{{8, 8}, {5, 9}, {9, 5}} {
		r, c := dims[0], dims[1]
		k := min(r, c)
		s := make([]float64, k)
		fro := 0.0
		for i := range s {
			s[i] = math.Pow(10, -float64(i)/2)
			fro += s[i] * s[i]
		}
		g := withSingularValues(r, c, s, rng)
		for _, steps := range []int{5, 10} {
			ns, err := NewtonSchulz(g, steps, coef)
			if err != nil {
				t.Fatal(err)
			}
			if rr, cc := ns.Dims(); rr != r || cc != c {
				t.Fatalf("shape %dx%d, want %dx%d", rr, cc, r, c)
			}
			want := make([]float64, k)
			for i, sv := range s {
				want[i] = NSScalar(sv/(math.Sqrt(fro)+1e-7), steps, coef)
			}
			sort.Sort(sort.Reverse(sort.Float64Slice(want)))
			got := singularValues(t, ns)
			for i := range want {
				if !approxEq(got[i], want[i], 1e-8) {
					t.Fatalf("%dx%d steps=%d: σ_%d = %v, want %v", r, c, steps, i, got[i], want[i])
				}
			}
			// Same singular vectors as G: the polar factors agree.
			p1, _ := Polar(g)
			p2, _ := Polar(ns)
			if !mat.EqualApprox(p1, p2, 1e-7) {
				t.Fatalf("%dx%d steps=%d: polar(NS(G)) != polar(G)", r, c, steps)
			}
		}
	}
	if _, err := NewtonSchulz(mat.NewDense(2, 2, nil), 0, coef); err == nil || !strings.Contains(err.Error(), "steps = 0") {
		t.Errorf("steps=0: err = %v", err)
	}
}

func TestRandomMatrices(t *testing.T) {
	a, _ := GaussianMatrix(3, 4, 2, rand.New(rand.NewPCG(9, 1)))
	b, _ := GaussianMatrix(3, 4, 2, rand.New(rand.NewPCG(9, 1)))
	if !mat.Equal(a, b) {
		t.Fatal("GaussianMatrix not deterministic for a seed")
	}
	first := 2 * rand.New(rand.NewPCG(9, 1)).NormFloat64()
	if a.At(0, 0) != first {
		t.Fatalf("fill order: a[0,0] = %v, want first draw %v", a.At(0, 0), first)
	}
	q, err := RandomOrthogonal(6, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	if !mat.EqualApprox(&qtq, eye(6), 1e-12) {
		t.Fatal("QᵀQ != I")
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"rows", func() error { _, err := GaussianMatrix(0, 2, 1, rand.New(rand.NewPCG(1, 1))); return err }, "r = 0"},
		{"std", func() error { _, err := GaussianMatrix(2, 2, -1, rand.New(rand.NewPCG(1, 1))); return err }, "std = -1"},
		{"rng", func() error { _, err := GaussianMatrix(2, 2, 1, nil); return err }, "rng is nil"},
		{"orth n", func() error { _, err := RandomOrthogonal(-2, nil); return err }, "n = -2"},
	}
	for _, c := range cases {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want containing %q", c.name, err, c.want)
		}
	}
}
