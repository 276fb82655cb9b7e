package dp

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func newRNG(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(1, stream)) }

// ksStat is the one-sample Kolmogorov–Smirnov statistic of x against cdf.
func ksStat(x []float64, cdf func(float64) float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := float64(len(s))
	d := 0.0
	for i, v := range s {
		f := cdf(v)
		d = math.Max(d, math.Max(f-float64(i)/n, float64(i+1)/n-f))
	}
	return d
}

// ksCrit001 is the asymptotic p = 0.001 critical value c(0.001)/√N.
func ksCrit001(n int) float64 { return 1.9495 / math.Sqrt(float64(n)) }

func laplaceCDF(b float64) func(float64) float64 {
	return func(x float64) float64 {
		if x < 0 {
			return 0.5 * math.Exp(x/b)
		}
		return 1 - 0.5*math.Exp(-x/b)
	}
}

func TestValidation(t *testing.T) { // DP-1
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name  string
		err   error
		param string
	}{
		{"laplace eps=0", second(LaplaceScale(1, 0)), "epsilon"},
		{"laplace eps<0", second(LaplaceScale(1, -1)), "epsilon"},
		{"laplace eps NaN", second(LaplaceScale(1, nan)), "epsilon"},
		{"laplace eps Inf", second(LaplaceScale(1, inf)), "epsilon"},
		{"laplace eps -Inf", second(LaplaceScale(1, -inf)), "epsilon"},
		{"laplace sens=0", second(LaplaceScale(0, 1)), "sensitivity"},
		{"laplace sens<0", second(LaplaceScale(-2, 1)), "sensitivity"},
		{"gauss delta<0", second(GaussianSigma(1, 1, -0.1)), "delta"},
		{"gauss delta=1", second(GaussianSigma(1, 1, 1)), "delta"},
		{"gauss delta>1", second(GaussianSigma(1, 1, 2)), "delta"},
		{"gauss delta NaN", second(GaussianSigma(1, 1, nan)), "delta"},
		{"gauss delta=0", second(GaussianSigma(1, 1, 0)), "delta"},
		{"gauss eps=0", second(GaussianSigma(1, 0, 0.1)), "epsilon"},
		{"gauss sens=0", second(GaussianSigma(0, 1, 0.1)), "sensitivity"},
		{"classic eps=1", second(GaussianSigmaClassic(1, 1, 0.01)), "epsilon"},
		{"classic eps=2", second(GaussianSigmaClassic(1, 2, 0.01)), "epsilon"},
		{"classic delta=0", second(GaussianSigmaClassic(1, 0.5, 0)), "delta"},
		{"budget delta=1", Budget{1, 1}.Validate(), "delta"},
		{"budget delta<0", Budget{1, -1e-9}.Validate(), "delta"},
		{"budget eps NaN", Budget{nan, 0}.Validate(), "epsilon"},
		{"delta sigma=0", second(GaussianDelta(1, 0, 1)), "sigma"},
		{"hist eps=0", second(StableHistogram(newRNG(0), []float64{1}, 10, 0, 0.1)), "epsilon"},
		{"hist delta=0", second(StableHistogram(newRNG(0), []float64{1}, 10, 1, 0)), "delta"},
		{"exp sens=0", second(Exponential(newRNG(0), []float64{1}, 0, 1)), "sensitivity"},
		{"exp eps<0", second(Exponential(newRNG(0), []float64{1}, 1, -1)), "epsilon"},
		{"exp empty", second(Exponential(newRNG(0), nil, 1, 1)), "utility"},
		{"laplace mech", second(Laplace(newRNG(0), []float64{0}, 1, 0)), "epsilon"},
		{"gauss mech", third(Gaussian(newRNG(0), []float64{0}, 1, 1, 0)), "delta"},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(c.err, ErrInvalid) {
			t.Errorf("%s: error %v does not wrap ErrInvalid", c.name, c.err)
		}
		if !strings.Contains(c.err.Error(), c.param) {
			t.Errorf("%s: error %q does not name %q", c.name, c.err, c.param)
		}
	}
	if err := (Budget{1, 0}).Validate(); err != nil {
		t.Errorf("pure-DP budget rejected: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
func third[T any](_ T, _ float64, err error) error {
	return err
}

func TestCalibrationConstants(t *testing.T) { // DP-2 and §4 analytic values
	b, _ := LaplaceScale(1, 1)
	classic, _ := GaussianSigmaClassic(1, 0.5, 1e-5)
	classic2, _ := GaussianSigmaClassic(1, 0.999999, 1e-5)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"LaplaceScale(1,1)", b, 1},
		{"classic(0.5,1e-5)", classic, 9.6896},
		{"classic(→1,1e-5)", classic2, 4.8448},
	}
	for _, a := range []struct{ eps, delta, want float64 }{
		{1, 1e-5, 3.7306}, {1, 0.01, 1.8779}, {10, 0.01, 0.3501}, {0.5, 0.01, 3.1469}, {2, 1e-3, 1.4452},
	} {
		s, err := GaussianSigma(1, a.eps, a.delta)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name      string
			got, want float64
		}{"GaussianSigma", s, a.want})
	}
	// The classic σ at ε = 10, δ = 0.01 (formula applied outside its validity range) = 0.31075.
	d, _ := GaussianDelta(1, math.Sqrt(2*math.Log(1.25/0.01))/10, 10)
	cases = append(cases, struct {
		name      string
		got, want float64
	}{"GaussianDelta(σ=classic 0.31075, ε=10)", d, 0.0406})
	for _, c := range cases {
		if math.Abs(c.got/c.want-1) > 1e-3 {
			t.Errorf("%s = %.6g, want %.6g (±0.1%%)", c.name, c.got, c.want)
		}
	}
}

func TestGaussianSigmaIsTight(t *testing.T) {
	for _, a := range []struct{ sens, eps, delta float64 }{
		{1, 1, 1e-5}, {3, 0.1, 1e-6}, {0.01, 10, 0.01}, {1, 50, 1e-10}, {2, 0.01, 0.3},
	} {
		s, err := GaussianSigma(a.sens, a.eps, a.delta)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := GaussianDelta(a.sens, s, a.eps)
		below, _ := GaussianDelta(a.sens, s*(1-1e-9), a.eps)
		if at > a.delta {
			t.Errorf("%+v: δ(σ) = %g exceeds δ", a, at)
		}
		if below <= a.delta {
			t.Errorf("%+v: σ not minimal: δ(σ·(1−1e−9)) = %g ≤ δ", a, below)
		}
	}
	// The classic σ is valid (conservative) where it applies.
	c, _ := GaussianSigmaClassic(1, 0.5, 1e-5)
	a, _ := GaussianSigma(1, 0.5, 1e-5)
	if a >= c {
		t.Errorf("analytic σ %g should be below classic %g", a, c)
	}
}

func TestLaplaceKS(t *testing.T) { // DP-3
	const n = 20000
	x := make([]float64, n)
	rng := newRNG(3)
	for i := range x {
		y, err := Laplace(rng, []float64{5}, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		x[i] = y[0] - 5
	}
	if d := ksStat(x, laplaceCDF(1)); d > ksCrit001(n) {
		t.Errorf("KS D = %.5f > %.5f", d, ksCrit001(n))
	}
	// Negative control: a factor-2 scale error is detected.
	if d := ksStat(x, laplaceCDF(2)); d <= ksCrit001(n) {
		t.Errorf("KS does not reject Laplace(2): D = %.5f", d)
	}
}

func TestGaussianKSAndVariance(t *testing.T) { // DP-4
	const n = 20000
	rng := newRNG(4)
	zero := make([]float64, n)
	x, sigma, err := Gaussian(rng, zero, 1, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sigma-1.8779) > 1e-3 {
		t.Fatalf("σ = %g", sigma)
	}
	cdf := func(v float64) float64 { return Phi(v / sigma) }
	if d := ksStat(x, cdf); d > ksCrit001(n) {
		t.Errorf("KS D = %.5f > %.5f", d, ksCrit001(n))
	}
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	if r := ss / n / (sigma * sigma); math.Abs(r-1) > 4*math.Sqrt(2.0/n) {
		t.Errorf("s²/σ² = %.4f, want within %.3f of 1", r, 4*math.Sqrt(2.0/n))
	}
}

func TestExponentialChiSquare(t *testing.T) { // DP-5
	const n = 100000
	u := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	p, err := ExponentialProbs(u, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p { // p_i ∝ e^{u_i/2}
		if want := math.Exp(u[i]/2) / sumExpHalf(u); math.Abs(p[i]-want) > 1e-12 {
			t.Fatalf("p[%d] = %g, want %g", i, p[i], want)
		}
	}
	counts := make([]float64, len(u))
	rng := newRNG(5)
	for k := 0; k < n; k++ {
		i, err := Exponential(rng, u, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		counts[i]++
	}
	chi := chiSquare(counts, p)
	if chi > 27.88 {
		t.Errorf("χ² = %.2f > 27.88 (df 9, p = 0.001)", chi)
	}
	// Negative control: probabilities ∝ e^{u} (missing factor 2) are rejected.
	wrong, _ := ExponentialProbs(u, 0.5, 1)
	if c := chiSquare(counts, wrong); c <= 27.88 {
		t.Errorf("χ² against the wrong law = %.2f, want > 27.88", c)
	}
}

func sumExpHalf(u []float64) float64 {
	s := 0.0
	for _, v := range u {
		s += math.Exp(v / 2)
	}
	return s
}

func chiSquare(counts, p []float64) float64 {
	n := 0.0
	for _, c := range counts {
		n += c
	}
	chi := 0.0
	for i, c := range counts {
		e := n * p[i]
		chi += (c - e) * (c - e) / e
	}
	return chi
}

func TestExponentialIntervals(t *testing.T) {
	// Two intervals of lengths 1 and 3 with equal utility: P(second) = 3/4.
	rng := newRNG(6)
	const n = 40000
	hits := 0
	for k := 0; k < n; k++ {
		x, err := ExponentialIntervals(rng, []float64{0, 1, 4}, []float64{0, 0}, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if x < 0 || x > 4 {
			t.Fatalf("x = %g outside [0, 4]", x)
		}
		if x > 1 {
			hits++
		}
	}
	if f := float64(hits) / n; math.Abs(f-0.75) > 4*math.Sqrt(0.75*0.25/n) {
		t.Errorf("P(second interval) = %.4f, want 0.75", f)
	}
	if _, err := ExponentialIntervals(rng, []float64{0, 1}, []float64{0, 0}, 1, 1); err == nil {
		t.Error("mismatched edges accepted")
	}
	if _, err := ExponentialIntervals(rng, []float64{0, 2, 1}, []float64{0, 0}, 1, 1); err == nil {
		t.Error("decreasing edges accepted")
	}
}

func TestLaplacePrivacyLossAudit(t *testing.T) { // DP-6
	const n = 1000000
	rng := newRNG(7)
	var c0, c1 float64
	for k := 0; k < n; k++ {
		if LaplaceNoise(rng, 1) > 2 {
			c0++
		}
		if 1+LaplaceNoise(rng, 1) > 2 {
			c1++
		}
	}
	b, _ := LaplaceScale(1, 1)
	if b != 1 {
		t.Fatalf("scale %g", b)
	}
	if e := math.Log(c1 / c0); e < 0.95 || e > 1.05 {
		t.Errorf("ε̂ = %.4f, want in [0.95, 1.05]", e)
	}
}

func TestGaussianPrivacyProfileAudit(t *testing.T) { // DP-7
	const n = 1000000
	sigma, err := GaussianSigma(1, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRNG(8)
	loss := func(y float64) float64 { return (1 - 2*y) / (2 * sigma * sigma) }
	var p0, p1 float64
	zero := []float64{0}
	one := []float64{1}
	for k := 0; k < n; k++ {
		if loss(GaussianWithSigma(rng, zero, sigma)[0]) > 1 {
			p0++
		}
		if loss(GaussianWithSigma(rng, one, sigma)[0]) > 1 {
			p1++
		}
	}
	dhat := p0/n - math.E*p1/n
	if math.Abs(dhat-0.01) > 0.002 {
		t.Errorf("δ̂ = %.5f, want 0.01 ± 0.002", dhat)
	}
}

func TestStableHistogram(t *testing.T) { // DP-8
	const runs = 100000
	const n = 1000
	eps, delta := 1.0, 1e-3
	rng := newRNG(9)
	counts := []float64{1, 200, 0}
	var rel1, rel200 int
	for k := 0; k < runs; k++ {
		h, err := StableHistogram(rng, counts, n, eps, delta)
		if err != nil {
			t.Fatal(err)
		}
		if h[2] != 0 {
			t.Fatal("empty bin released")
		}
		if h[0] != 0 {
			rel1++
		}
		if h[1] != 0 {
			rel200++
		}
	}
	f1 := float64(rel1) / runs
	if lim := delta + 4*math.Sqrt(delta/runs); f1 > lim {
		t.Errorf("count-1 bin released in %.5f of runs, want ≤ %.5f", f1, lim)
	}
	if f := float64(rel200) / runs; f < 0.999 {
		t.Errorf("count-200 bin released in %.5f of runs, want ≥ 0.999", f)
	}
	if thr := StableHistogramThreshold(n, eps, delta); math.Abs(thr-(2*math.Log(1000)/1000+0.001)) > 1e-15 {
		t.Errorf("threshold %g", thr)
	}
}

func TestAccountant(t *testing.T) { // DP-9 (accountant half; the PRIME ledger is tested in robust)
	a, err := NewAccountant(Budget{1, 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := a.Spend("step", Budget{0.1, 1e-6}); err != nil {
			t.Fatalf("spend %d: %v", i, err)
		}
	}
	if err := a.Spend("one more", Budget{1e-6, 0}); !errors.Is(err, ErrBudgetExceeded) {
		t.Errorf("overspend: err = %v, want ErrBudgetExceeded", err)
	}
	if len(a.Ledger()) != 10 {
		t.Errorf("failed spend was recorded")
	}
	s := a.Spent()
	if math.Abs(s.Eps-1) > 1e-12 || math.Abs(s.Delta-1e-5) > 1e-17 {
		t.Errorf("spent %v", s)
	}
	if err := a.Record(Entry{Label: "x", Per: Budget{0.1, 0}, Count: 0}); err == nil {
		t.Error("count 0 accepted")
	}
	if _, err := NewAccountant(Budget{0, 0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad target: %v", err)
	}
	b, _ := NewAccountant(Budget{2, 0.01})
	if err := b.Record(Entry{Label: "inner", Mechanism: "Laplace", Per: Budget{0.1, 0.001}, Count: 10, Scale: 3}); err != nil {
		t.Fatal(err)
	}
	if err := b.Record(Entry{Label: "inner2", Per: Budget{0.1, 0.001}, Count: 1}); !errors.Is(err, ErrBudgetExceeded) {
		t.Errorf("delta overspend not caught: %v", err)
	}
	h := b.Ledger().HTML()
	for _, want := range []string{"<table>", "inner", "Laplace", "b = 3", "total"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestCompositionHelpers(t *testing.T) {
	rho, err := ApproxToZCDP(1, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	eps, _ := ZCDPToApprox(rho, 1e-5)
	if math.Abs(eps-1) > 1e-12 {
		t.Errorf("round trip ε = %g", eps)
	}
	b, err := AdvancedComposition(0.1, 0, 100, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.1*math.Sqrt(200*math.Log(1e6)) + 100*0.1*math.Expm1(0.1)
	if math.Abs(b.Eps-want) > 1e-12 || b.Delta != 1e-6 {
		t.Errorf("advanced composition %v", b)
	}
	if _, err := AdvancedComposition(0.1, 0, 0, 1e-6); err == nil {
		t.Error("k = 0 accepted")
	}
}

func TestGaussianSym(t *testing.T) {
	a := mat.NewSymDense(3, []float64{1, 2, 3, 2, 4, 5, 3, 5, 6})
	rng := newRNG(10)
	out, sigma, err := GaussianSym(rng, a, 1, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sigma-1.8779) > 1e-3 {
		t.Errorf("σ = %g", sigma)
	}
	if out.At(0, 1) != out.At(1, 0) || out.At(0, 1) == a.At(0, 1) {
		t.Error("noise not symmetric or missing")
	}
	if a.At(0, 1) != 2 {
		t.Error("input modified")
	}
}

func TestDemoMechanisms(t *testing.T) {
	m, err := DemoMechanisms(2021, 20000, 100000, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if m.LaplaceKS.Stat > m.KSCritical001 || m.GaussianKS.Stat > m.KSCritical001 || m.ExpChi2.Stat > m.Chi2Critical001Df9 {
		t.Errorf("demo statistics reject the mechanisms' laws: %v %v %v", m.LaplaceKS, m.GaussianKS, m.ExpChi2)
	}
	if m.ExpChi2.DF != 9 || math.Abs(m.Sigma-1.8779) > 1e-3 || len(m.Grid) != len(m.LaplacePDF) {
		t.Errorf("demo fields: df %d σ %g", m.ExpChi2.DF, m.Sigma)
	}
	if !strings.Contains(m.HTML(), "KS") {
		t.Error("HTML")
	}
	if _, err := DemoMechanisms(1, 10, 10, 1, 0.01); err == nil {
		t.Error("tiny n accepted")
	}
}

// TestGaussianProfileGrid repeats the DP-7 privacy-profile audit over a
// grid of (ε, δ), with a 5-standard-error tolerance computed from the
// binomial variances (2·10⁶ normals per point, a fraction of a second).
func TestGaussianProfileGrid(t *testing.T) {
	const n = 1000000
	stream := uint64(100)
	for _, eps := range []float64{0.1, 1, 3} {
		for _, delta := range []float64{1e-3, 0.05} {
			sigma, err := GaussianSigma(1, eps, delta)
			if err != nil {
				t.Fatal(err)
			}
			stream++
			rng := newRNG(stream)
			// L(y) > ε  ⇔  y < 1/2 − εσ²
			cut := 0.5 - eps*sigma*sigma
			var c0, c1 float64
			for k := 0; k < n; k++ {
				if sigma*rng.NormFloat64() < cut {
					c0++
				}
				if 1+sigma*rng.NormFloat64() < cut {
					c1++
				}
			}
			p0, p1 := c0/n, c1/n
			dhat := p0 - math.Exp(eps)*p1
			se := math.Sqrt(p0*(1-p0)/n + math.Exp(2*eps)*p1*(1-p1)/n)
			if math.Abs(dhat-delta) > 5*se {
				t.Errorf("ε = %g, δ = %g: δ̂ = %.5f ± %.5f", eps, delta, dhat, se)
			}
		}
	}
}
