package sysid

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gonote/gonote/stdlib/experiment"
	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// req returns a helper that fails the test on a constructor error.
func req(t testing.TB) func(*LDS, error) *LDS {
	return func(s *LDS, err error) *LDS {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func approx(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// S1: the stationary covariance solves the Lyapunov equation, and matches the
// closed forms of the instance families.
func TestStationaryCovS1(t *testing.T) {
	cases := []struct {
		name string
		mk   func() (*LDS, error)
		diag func(i int) float64
	}{
		{"Iso(8,0.9)", func() (*LDS, error) { return Iso(8, 0.9) }, func(int) float64 { return 1 / (1 - 0.81) }},
		{"FrobGap(16)", func() (*LDS, error) { return FrobGap(16) }, func(i int) float64 { return map[bool]float64{true: 1, false: 15}[i == 0] }},
		{"SpecGap(16)", func() (*LDS, error) { return SpecGap(16) }, func(i int) float64 { return map[bool]float64{true: 1, false: 15}[i == 0] }},
		{"rotated", func() (*LDS, error) {
			s, _ := FrobGap(6)
			q, _ := linalg.RandomOrthogonal(6, rand.New(rand.NewPCG(1, 1)))
			return Rotate(s, q)
		}, nil},
	}
	for _, c := range cases {
		s, err := c.mk()
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.StationaryCov()
		if err != nil {
			t.Fatal(err)
		}
		var r mat.Dense
		r.Mul(s.A, g)
		r.Mul(&r, s.A.T())
		r.Sub(g, &r)
		r.Sub(&r, s.SigmaW)
		if res := math.Sqrt(linalg.FroNorm2(&r) / linalg.FroNorm2(g)); res > 1e-10 {
			t.Errorf("%s: Lyapunov residual %g > 1e-10", c.name, res)
		}
		if c.diag != nil {
			for i := 0; i < s.Dim(); i++ {
				if !approx(g.At(i, i), c.diag(i), 1e-10) {
					t.Errorf("%s: Γ[%d,%d] = %v, want %v", c.name, i, i, g.At(i, i), c.diag(i))
				}
			}
		}
	}
}

func TestNewLDSErrors(t *testing.T) {
	eye2 := mat.NewDiagDense(2, []float64{1, 1})
	cases := []struct {
		name string
		a    mat.Matrix
		sw   mat.Symmetric
		want string
	}{
		{"nonsquare", mat.NewDense(2, 3, nil), eye2, "A must be square"},
		{"mismatch", mat.NewDense(3, 3, nil), eye2, "sigmaW is 2×2, must match A (3×3)"},
		{"notPD", mat.NewDense(2, 2, nil), mat.NewDiagDense(2, []float64{1, 0}), "sigmaW must be positive definite"},
		{"nil", nil, eye2, "A is nil"},
	}
	for _, c := range cases {
		if _, err := NewLDS("x", c.a, c.sw); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	inst := []struct {
		name string
		run  func() error
		want string
	}{
		{"Iso rho", func() error { _, err := Iso(3, 1); return err }, "rho = 1"},
		{"Iso n", func() error { _, err := Iso(0, 0.5); return err }, "n = 0"},
		{"FrobGap n", func() error { _, err := FrobGap(1); return err }, "n = 1"},
		{"SpecGap n", func() error { _, err := SpecGap(2); return err }, "n = 2"},
	}
	for _, c := range inst {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	un := req(t)(ShiftedJordan(3, 1.1, 0.5))
	if _, err := un.StationaryCov(); err == nil || !strings.Contains(err.Error(), "must be stable") {
		t.Errorf("unstable StationaryCov: %v", err)
	}
	if !math.IsInf(un.MixingTime(), 1) || un.Stable() {
		t.Errorf("unstable: mixing %v stable %v", un.MixingTime(), un.Stable())
	}
}

func TestSimulateRecursion(t *testing.T) {
	s := req(t)(ShiftedJordan(3, 0.7, 0.5))
	x0 := []float64{1, -2, 0.5}
	x, w, err := s.SimulateWithNoise(50, x0, rand.New(rand.NewPCG(3, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if r, c := x.Dims(); r != 51 || c != 3 {
		t.Fatalf("X is %d×%d", r, c)
	}
	if !reflect.DeepEqual(mat.Row(nil, 0, x), x0) {
		t.Fatalf("x_0 = %v", mat.Row(nil, 0, x))
	}
	for tt := 0; tt < 50; tt++ {
		var want mat.VecDense
		want.MulVec(s.A, x.RowView(tt))
		want.AddVec(&want, w.RowView(tt))
		if !mat.EqualApprox(&want, x.RowView(tt+1), 1e-12) {
			t.Fatalf("t=%d: x_{t+1} != A x_t + w_t", tt)
		}
	}
	// Same seed, same trajectory; Simulate draws the same noise.
	x2, _ := s.Simulate(50, x0, rand.New(rand.NewPCG(3, 0)))
	if !mat.Equal(x, x2) {
		t.Fatal("Simulate and SimulateWithNoise differ for one seed")
	}
	// Noise covariance: Σ_w = diag(1, 4) recovered from the noise sample.
	s2 := req(t)(NewLDS("n", mat.NewDense(2, 2, []float64{0.5, 0, 0, 0.5}), mat.NewSymDense(2, []float64{1, 0.6, 0.6, 4})))
	_, w2, _ := s2.SimulateWithNoise(200000, nil, rand.New(rand.NewPCG(4, 0)))
	var cov mat.SymDense
	cov.SymOuterK(1/200000.0, w2.T())
	if !mat.EqualApprox(&cov, s2.SigmaW, 0.03) {
		t.Fatalf("noise covariance %v, want %v", mat.Formatted(&cov), mat.Formatted(s2.SigmaW))
	}
	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"T", func() error { _, err := s.Simulate(0, nil, rand.New(rand.NewPCG(1, 1))); return err }, "T = 0"},
		{"x0", func() error { _, err := s.Simulate(5, []float64{1}, rand.New(rand.NewPCG(1, 1))); return err }, "len(x0) = 1"},
		{"rng", func() error { _, err := s.Simulate(5, nil, nil); return err }, "rng is nil"},
		{"start", func() error { _, err := s.SimulateFrom(5, Start(7), rand.New(rand.NewPCG(1, 1))); return err }, "start = 7"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestStationarySample(t *testing.T) {
	s := req(t)(FrobGap(4)) // Γ = diag(1, 3, 3, 3)
	rng := rand.New(rand.NewPCG(8, 0))
	n := 100000
	sum := make([]float64, 4)
	for k := 0; k < n; k++ {
		x, err := s.SampleStationary(rng)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			sum[i] += v * v
		}
	}
	for i, want := range []float64{1, 3, 3, 3} {
		if got := sum[i] / float64(n); !approx(got, want, 0.03) {
			t.Errorf("Var x_%d = %v, want %v", i, got, want)
		}
	}
}

// OLS equals the normal-equation formula computed independently, and its
// error equals (Σ w xᵀ)(Σ x xᵀ)^{-1}.
func TestOLSIdentity(t *testing.T) {
	s := req(t)(ShiftedJordan(3, 0.8, 0.4))
	rng := rand.New(rand.NewPCG(2, 0))
	x1, w1, _ := s.SimulateWithNoise(40, nil, rng)
	x2, w2, _ := s.SimulateWithNoise(25, []float64{1, 1, 1}, rng)
	ahat, err := OLS(x1, x2)
	if err != nil {
		t.Fatal(err)
	}
	sxx := mat.NewDense(3, 3, nil)
	swx := mat.NewDense(3, 3, nil)
	for _, tr := range []struct{ x, w *mat.Dense }{{x1, w1}, {x2, w2}} {
		r, _ := tr.w.Dims()
		for k := 0; k < r; k++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					sxx.Set(i, j, sxx.At(i, j)+tr.x.At(k, i)*tr.x.At(k, j))
					swx.Set(i, j, swx.At(i, j)+tr.w.At(k, i)*tr.x.At(k, j))
				}
			}
		}
	}
	var inv, want, got mat.Dense
	if err := inv.Inverse(sxx); err != nil {
		t.Fatal(err)
	}
	want.Mul(swx, &inv)
	got.Sub(ahat, s.A)
	if !mat.EqualApprox(&got, &want, 1e-9) {
		t.Fatalf("Â − A =\n%v\nwant\n%v", mat.Formatted(&got), mat.Formatted(&want))
	}
	// Noise-free exciting trajectory: OLS recovers A exactly.
	a := mat.NewDense(2, 2, []float64{0.9 * math.Cos(0.3), -0.9 * math.Sin(0.3), 0.9 * math.Sin(0.3), 0.9 * math.Cos(0.3)})
	x := mat.NewDense(6, 2, nil)
	x.Set(0, 0, 1)
	for k := 1; k < 6; k++ {
		var v mat.VecDense
		v.MulVec(a, x.RowView(k-1))
		x.SetRow(k, v.RawVector().Data)
	}
	if ah, err := OLS(x); err != nil || !mat.EqualApprox(ah, a, 1e-10) {
		t.Fatalf("noise-free OLS = %v, %v", ah, err)
	}
	bad := []struct {
		name  string
		trajs []*mat.Dense
		want  string
	}{
		{"none", nil, "no trajectories"},
		{"short", []*mat.Dense{mat.NewDense(1, 2, nil)}, "need T+1 >= 2"},
		{"cols", []*mat.Dense{x1, mat.NewDense(3, 2, nil)}, "trajs[1] has 2 columns"},
		{"singular", []*mat.Dense{mat.NewDense(3, 3, nil)}, "singular"},
	}
	for _, c := range bad {
		if _, err := OLS(c.trajs...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestDecompose(t *testing.T) {
	s := req(t)(Iso(3, 0.9))
	g, _ := s.StationaryCov()
	x, w, _ := s.SimulateWithNoise(300, nil, rand.New(rand.NewPCG(5, 0)))
	ahat, _ := OLS(x)
	d, err := Decompose(s.A, ahat, x, w, g)
	if err != nil {
		t.Fatal(err)
	}
	var sum mat.Dense
	sum.Add(d.Mart, d.Rem)
	if !mat.EqualApprox(&sum, d.Err, 1e-12) {
		t.Fatal("Mart + Rem != Err")
	}
	// Rem = −M Γ̂^{-1}(Γ̂ − Γ)Γ^{-1}, computed from its definition.
	T := 300.0
	xp := x.Slice(0, 300, 0, 3)
	var m, gh, ghInv, gInv, diff, rem mat.Dense
	m.Mul(w.T(), xp)
	m.Scale(1/T, &m)
	gh.Mul(xp.T(), xp)
	gh.Scale(1/T, &gh)
	ghInv.Inverse(&gh)
	gInv.Inverse(g)
	diff.Sub(&gh, g)
	rem.Mul(&m, &ghInv)
	rem.Mul(&rem, &diff)
	rem.Mul(&rem, &gInv)
	rem.Scale(-1, &rem)
	if !mat.EqualApprox(&rem, d.Rem, 1e-9) {
		t.Fatalf("Rem =\n%v\nwant\n%v", mat.Formatted(d.Rem), mat.Formatted(&rem))
	}
	if _, err := Decompose(s.A, ahat, x, w.Slice(0, 10, 0, 3).(*mat.Dense), g); err == nil || !strings.Contains(err.Error(), "W is 10×3") {
		t.Errorf("bad W: %v", err)
	}
}

func TestPredictions(t *testing.T) {
	for _, n := range []int{4, 8, 16} {
		fg := req(t)(FrobGap(n))
		p, err := Predict(fg, 2000, 1)
		if err != nil {
			t.Fatal(err)
		}
		// §1.4: tr Γ^{-1} = 1 + (n−1)·1/(n−1) = 2 and λmin(Γ) = 1.
		if !approx(p.TrGammaInv, 2, 1e-10) || !approx(p.LambdaMinGamma, 1, 1e-10) {
			t.Errorf("FrobGap(%d): tr Γ⁻¹ = %v, λmin = %v", n, p.TrGammaInv, p.LambdaMinGamma)
		}
		if !approx(p.GapFro, float64(n)/2, 1e-10) { // n / r(Γ^{-1}) = n/2
			t.Errorf("FrobGap(%d): Fro gap %v, want n/2", n, p.GapFro)
		}
		// S10: the Monte-Carlo spectral rate lies in its exact bounds.
		if !(p.CLTOpLo <= p.CLTOp && p.CLTOp <= p.CLTOpHi) {
			t.Errorf("FrobGap(%d): CLTOp %v not in [%v, %v]", n, p.CLTOp, p.CLTOpLo, p.CLTOpHi)
		}
		sg := req(t)(SpecGap(n))
		q, err := Predict(sg, 2000, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !approx(q.EffRankSigmaW, 2, 1e-10) || !approx(q.PriorOp, float64(n), 1e-10) {
			t.Errorf("SpecGap(%d): r(Σw) = %v PriorOp = %v", n, q.EffRankSigmaW, q.PriorOp)
		}
		// Spectral gap n/max(r(Σw), r(Γ^{-1})) = n/2 within a factor 4.
		if r := q.GapOp / (float64(n) / 2); r < 0.25 || r > 4 {
			t.Errorf("SpecGap(%d): op gap %v vs n/2", n, q.GapOp)
		}
		if !(q.CLTOpLo <= q.CLTOp && q.CLTOp <= q.CLTOpHi) {
			t.Errorf("SpecGap(%d): CLTOp %v not in [%v, %v]", n, q.CLTOp, q.CLTOpLo, q.CLTOpHi)
		}
	}
	// n = 1: E‖σ z γ^{-1/2}‖² = σ²/γ exactly; MC with 20000 draws within 3%.
	sw := mat.NewSymDense(1, []float64{2})
	g := mat.NewSymDense(1, []float64{4})
	mc, err := CLTOpMC(sw, g, 10, 20000, rand.New(rand.NewPCG(1, 0)))
	if err != nil || !approx(mc, 0.05, 0.03) {
		t.Errorf("scalar CLTOpMC = %v, %v; want 0.05", mc, err)
	}
	fro, _ := CLTFro(sw, g, 10)
	lo, hi, _ := CLTOpBounds(sw, g, 10)
	if fro != 0.05 || lo != 0.05 || !approx(hi, 0.25, 1e-12) {
		t.Errorf("scalar: fro %v lo %v hi %v", fro, lo, hi)
	}
	pf, _ := PriorFroRate(sw, g, 10, math.Exp(-1))
	if !approx(pf, 2*(1+1)/(10*4.0), 1e-12) {
		t.Errorf("PriorFroRate with δ = 1/e: %v", pf)
	}
	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"N", func() error { _, err := CLTFro(sw, g, 0); return err }, "nSamples = 0"},
		{"delta", func() error { _, err := PriorOpRate(sw, g, 1, 0); return err }, "delta = 0"},
		{"draws", func() error { _, err := CLTOpMC(sw, g, 1, 0, rand.New(rand.NewPCG(1, 1))); return err }, "draws = 0"},
		{"dims", func() error { _, err := CLTFro(sw, mat.NewDiagDense(2, []float64{1, 1}), 1); return err }, "sigmaW is 1×1 but gamma is 2×2"},
		{"wishart m", func() error { _, err := WishartExactFro(sw, g, 2); return err }, "m = 2, must be > n + 1 = 2"},
		{"gamma PD", func() error { _, err := CLTFro(sw, mat.NewSymDense(1, []float64{0}), 1); return err }, "gamma must be positive definite"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if !strings.Contains(Predictions{}.HTML(), "<table") {
		t.Error("Predictions.HTML is not a table")
	}
}

func TestAvgGramian(t *testing.T) {
	s := req(t)(Iso(2, 0.5))
	s0 := mat.NewDiagDense(2, []float64{3, 3})
	g1, _ := s.AvgGramian(1, s0)
	if !mat.EqualApprox(g1, s0, 1e-14) {
		t.Errorf("Γ̄_1 = %v, want Σ0", mat.Formatted(g1))
	}
	// Zero start, τ = 2: (0 + Σw)/2; τ = 3: (0 + 1 + 1.25)/3.
	g2, _ := s.AvgGramian(2, nil)
	g3, _ := s.AvgGramian(3, nil)
	if !approx(g2.At(0, 0), 0.5, 1e-14) || !approx(g3.At(1, 1), 2.25/3, 1e-14) || g3.At(0, 1) != 0 {
		t.Errorf("Γ̄_2 = %v, Γ̄_3 = %v", mat.Formatted(g2), mat.Formatted(g3))
	}
	if _, err := s.AvgGramian(0, nil); err == nil || !strings.Contains(err.Error(), "tau = 0") {
		t.Errorf("tau: %v", err)
	}
}

func TestMonteCarloDeterministic(t *testing.T) {
	s := req(t)(Iso(3, 0.8))
	cfg := MCConfig{Ts: []int{50, 100}, Trials: 7, Seed: 4, Start: Stationary, Decompose: true}
	a, err := MonteCarlo(context.Background(), s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Options = experiment.Options{Workers: 1}
	b, _ := MonteCarlo(context.Background(), s, cfg)
	if !reflect.DeepEqual(a.Raw, b.Raw) {
		t.Fatal("MonteCarlo depends on the worker count")
	}
	// Trial (1, 3) reproduced by hand from its documented stream.
	rng := rand.New(rand.NewPCG(4, 1<<32|3))
	x, _ := s.SimulateFrom(100, Stationary, rng)
	ahat, _ := OLS(x)
	var e mat.Dense
	e.Sub(ahat, s.A)
	if got := a.Raw[1][3][0]; got != linalg.FroNorm2(&e) {
		t.Fatalf("trial (1,3) fro2 = %v, want %v", got, linalg.FroNorm2(&e))
	}
	many, err := MonteCarloMany(context.Background(), s, ManyConfig{Ms: []int{3, 6}, Tau: 2, Trials: 4, Seed: 1})
	if err != nil || many.X[1] != 12 {
		t.Fatalf("many: %v %v", many, err)
	}
}

func TestDriverErrors(t *testing.T) {
	iso := req(t)(Iso(2, 0.5))
	un := req(t)(ShiftedJordan(2, 1.1, 0.5))
	ctx := context.Background()
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"Ts empty", func() error { _, err := MonteCarlo(ctx, iso, MCConfig{Trials: 2}); return err }, "Ts is empty"},
		{"Ts neg", func() error { _, err := MonteCarlo(ctx, iso, MCConfig{Ts: []int{5, -1}, Trials: 2}); return err }, "Ts[1] = -1"},
		{"trials", func() error { _, err := MonteCarlo(ctx, iso, MCConfig{Ts: []int{5}}); return err }, "Trials = 0"},
		{"unstable stationary", func() error {
			_, err := MonteCarlo(ctx, un, MCConfig{Ts: []int{5}, Trials: 1, Start: Stationary})
			return err
		}, "need a stable A"},
		{"many tau", func() error { _, err := MonteCarloMany(ctx, iso, ManyConfig{Ms: []int{4}, Trials: 1}); return err }, "Tau = 0"},
		{"many m", func() error {
			_, err := MonteCarloMany(ctx, iso, ManyConfig{Ms: []int{1}, Tau: 1, Trials: 1})
			return err
		}, "Ms[0] = 1"},
		{"many sigma0", func() error {
			_, err := MonteCarloMany(ctx, iso, ManyConfig{Ms: []int{4}, Tau: 1, Trials: 1, Sigma0: mat.NewDiagDense(2, []float64{1, 0})})
			return err
		}, "Sigma0 must be positive definite"},
		{"z unstable", func() error { _, err := StandardizedEntries(ctx, un, 10, 2, 1, experiment.Options{}); return err }, "must be stable"},
		{"z trials", func() error { _, err := StandardizedEntries(ctx, iso, 10, 0, 1, experiment.Options{}); return err }, "n = 0 trials"},
	}
	for _, c := range cases {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := MonteCarlo(cctx, iso, MCConfig{Ts: []int{10}, Trials: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// The dense (BLAS gemv) and sparse (nonzeros only) product paths agree.
func TestRowOpPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	for _, n := range []int{1, 3, 7} {
		m := make([]float64, n*n)
		for i := range m {
			if rng.Float64() < 0.3 {
				m[i] = rng.NormFloat64()
			}
		}
		sparse := newRowOp(m, n)
		dense := rowOp{n: n, dense: blas64.General{Rows: n, Cols: n, Stride: n, Data: m}}
		if n > 1 && !sparse.sparse {
			t.Fatalf("n=%d: a 30%%-dense matrix should take the sparse path", n)
		}
		x := make([]float64, n)
		add := make([]float64, n)
		for i := range x {
			x[i], add[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		want := make([]float64, n)
		for i := 0; i < n; i++ {
			want[i] = add[i]
			for j := 0; j < n; j++ {
				want[i] += m[i*n+j] * x[j]
			}
		}
		for _, op := range []rowOp{sparse, dense} {
			got := make([]float64, n)
			op.apply(got, x, add)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("n=%d sparse=%v: out[%d] = %v, want %v", n, op.sparse, i, got[i], want[i])
				}
			}
		}
	}
}
