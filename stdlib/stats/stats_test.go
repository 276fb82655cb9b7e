package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func approxEq(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestDescribe(t *testing.T) {
	s, err := Describe([]float64{5, 1, 4, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	half := 2.7764451051977987 * math.Sqrt(0.5) // t_{0.975,4}·se
	checks := []struct {
		name      string
		got, want float64
	}{
		{"mean", s.Mean, 3}, {"sd", s.SD, math.Sqrt(2.5)}, {"se", s.SE, math.Sqrt(0.5)},
		{"lo", s.Lo, 3 - half}, {"hi", s.Hi, 3 + half},
		{"min", s.Min, 1}, {"q25", s.Q25, 2}, {"median", s.Median, 3}, {"q75", s.Q75, 4}, {"max", s.Max, 5},
	}
	for _, c := range checks {
		if !approxEq(c.got, c.want, 1e-9) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	one, err := Describe([]float64{7})
	if err != nil || one.Mean != 7 || !math.IsNaN(one.SE) || !math.IsNaN(one.Lo) {
		t.Errorf("single value: %+v, %v", one, err)
	}
	for _, bad := range []struct {
		x    []float64
		want string
	}{{nil, "x is empty"}, {[]float64{1, math.NaN()}, "x[1] is NaN"}} {
		if _, err := Describe(bad.x); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Describe(%v): err = %v, want %q", bad.x, err, bad.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{10, 0, 30, 20}
	cases := []struct{ p, want float64 }{{0, 0}, {1, 30}, {0.5, 15}, {1.0 / 3, 10}, {0.25, 7.5}}
	for _, c := range cases {
		got, err := Quantile(x, c.p)
		if err != nil || !approxEq(got, c.want, 1e-12) {
			t.Errorf("Quantile(p=%v) = %v, %v; want %v", c.p, got, err, c.want)
		}
	}
	if _, err := Quantile(x, 1.5); err == nil || !strings.Contains(err.Error(), "p = 1.5") {
		t.Errorf("p out of range: err = %v", err)
	}
}

func TestLinearFitByHand(t *testing.T) {
	f, err := LinearFit([]float64{1, 2, 3, 4}, []float64{1, 3, 2, 5})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"slope", f.Slope, 1.1}, {"intercept", f.Intercept, 0}, {"slopeSE", f.SlopeSE, math.Sqrt(1.35 / 5)},
		{"r2", f.R2, 1 - 2.7/8.75}, {"lo", f.SlopeLo, 1.1 - 4.302652729911275*math.Sqrt(1.35/5)},
	}
	for _, c := range checks {
		if !approxEq(c.got, c.want, 1e-9) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// The 95% slope interval must cover the true slope about 95% of the time.
func TestLinearFitCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := make([]float64, len(x))
	covered, reps := 0, 4000
	for r := 0; r < reps; r++ {
		for i := range x {
			y[i] = 0.5 - 2*x[i] + rng.NormFloat64()
		}
		f, err := LinearFit(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if f.SlopeLo <= -2 && -2 <= f.SlopeHi {
			covered++
		}
	}
	if c := float64(covered) / float64(reps); c < 0.935 || c > 0.965 {
		t.Fatalf("coverage %v, want ≈ 0.95", c)
	}
}

func TestLogLogFit(t *testing.T) {
	x := []float64{1, 10, 100, 1000}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 5 * math.Pow(v, -2)
	}
	f, err := LogLogFit(x, y)
	if err != nil || !approxEq(f.Slope, -2, 1e-12) || !approxEq(f.Intercept, math.Log(5), 1e-12) || !approxEq(f.R2, 1, 1e-12) {
		t.Fatalf("fit = %+v, %v", f, err)
	}
	cases := []struct {
		x, y []float64
		want string
	}{
		{[]float64{1, 0}, []float64{1, 1}, "x[1] = 0"},
		{[]float64{1, 2}, []float64{1, -1}, "y[1] = -1"},
		{[]float64{1, 2}, []float64{1}, "len(x) = 2, len(y) = 1"},
		{[]float64{2, 2}, []float64{1, 3}, "x is constant"},
		{[]float64{2}, []float64{1}, "need >= 2"},
	}
	for _, c := range cases {
		if _, err := LogLogFit(c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LogLogFit(%v, %v): err = %v, want %q", c.x, c.y, err, c.want)
		}
	}
}

func TestKolmogorovSurvival(t *testing.T) {
	cases := []struct{ lambda, want float64 }{
		{0.5, 0.96394}, {1.0, 0.26999}, {1.1, 0.17778}, {1.2, 0.11225}, {1.358, 0.05}, {2.0, 0.00067},
	}
	for _, c := range cases {
		if got := KolmogorovSurvival(c.lambda); !approxEq(got, c.want, 2e-4) {
			t.Errorf("Q(%v) = %v, want %v", c.lambda, got, c.want)
		}
	}
}

func TestKSTest(t *testing.T) {
	uniform := func(x float64) float64 { return math.Max(0, math.Min(1, x)) }
	r, err := KSTest([]float64{0.5}, uniform)
	if err != nil || r.Stat != 0.5 {
		t.Fatalf("single point: %+v, %v", r, err)
	}
	r, _ = KSTest([]float64{0.1, 0.2, 0.9}, uniform)
	if !approxEq(r.Stat, 2.0/3-0.2, 1e-12) {
		t.Fatalf("D = %v, want %v", r.Stat, 2.0/3-0.2)
	}
	// Under the null the p-value is ≈ uniform: 5% rejections at level 0.05.
	rng := rand.New(rand.NewPCG(21, 0))
	rej, reps := 0, 2000
	x := make([]float64, 50)
	for k := 0; k < reps; k++ {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		res, _ := KSTest(x, NormalCDF)
		if res.P < 0.05 {
			rej++
		}
	}
	if f := float64(rej) / float64(reps); f < 0.035 || f > 0.065 {
		t.Fatalf("null rejection rate %v, want ≈ 0.05", f)
	}
	// A shifted sample is rejected.
	for i := range x {
		x[i] = rng.NormFloat64() + 1
	}
	if res, _ := KSTest(x, NormalCDF); res.P > 1e-3 {
		t.Fatalf("shift not detected: %+v", res)
	}
	if _, err := KSTest(nil, NormalCDF); err == nil || !strings.Contains(err.Error(), "x is empty") {
		t.Errorf("empty: %v", err)
	}
	if _, err := KSTest(x, nil); err == nil || !strings.Contains(err.Error(), "cdf is nil") {
		t.Errorf("nil cdf: %v", err)
	}
}

func TestKSTwoSample(t *testing.T) {
	cases := []struct {
		a, b  []float64
		wantD float64
	}{
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, 0},
		{[]float64{1, 2}, []float64{3, 4, 5}, 1},
		{[]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{[]float64{1, 1, 2}, []float64{1, 2, 2}, 1.0 / 3},
	}
	for _, c := range cases {
		r, err := KSTwoSample(c.a, c.b)
		if err != nil || !approxEq(r.Stat, c.wantD, 1e-12) {
			t.Errorf("KSTwoSample(%v,%v) = %+v, %v; want D = %v", c.a, c.b, r, err, c.wantD)
		}
	}
	if r, _ := KSTwoSample([]float64{1, 2, 3}, []float64{1, 2, 3}); r.P != 1 {
		t.Errorf("identical samples p = %v", r.P)
	}
	if _, err := KSTwoSample([]float64{1}, nil); err == nil || !strings.Contains(err.Error(), "b is empty") {
		t.Errorf("empty b: %v", err)
	}
}

func TestChiSquare(t *testing.T) {
	r, err := ChiSquareGoF([]float64{10, 20, 30}, []float64{20, 20, 20}, 0)
	if err != nil || !approxEq(r.Stat, 10, 1e-12) || r.DF != 2 || !approxEq(r.P, math.Exp(-5), 1e-12) {
		t.Fatalf("GoF = %+v, %v", r, err)
	}
	ind, err := ChiSquareIndependence([][]float64{{10, 20}, {20, 10}})
	want := 4 * 25.0 / 15
	if err != nil || !approxEq(ind.Stat, want, 1e-12) || ind.DF != 1 || !approxEq(ind.P, math.Erfc(math.Sqrt(want/2)), 1e-10) {
		t.Fatalf("independence = %+v, %v", ind, err)
	}
	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"len", func() error { _, err := ChiSquareGoF([]float64{1, 2}, []float64{1}, 0); return err }, "len(observed) = 2"},
		{"df", func() error { _, err := ChiSquareGoF([]float64{1, 2}, []float64{1, 2}, 1); return err }, "df = 0"},
		{"expected", func() error { _, err := ChiSquareGoF([]float64{1, 2}, []float64{1, 0}, 0); return err }, "expected[1] = 0"},
		{"rows", func() error { _, err := ChiSquareIndependence([][]float64{{1, 2}}); return err }, "1 rows"},
		{"ragged", func() error { _, err := ChiSquareIndependence([][]float64{{1, 2}, {1}}); return err }, "row 1 has 1 columns"},
		{"zeroCol", func() error { _, err := ChiSquareIndependence([][]float64{{1, 0}, {1, 0}}); return err }, "column 1 sums to 0"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBootstrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	x := make([]float64, 400)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	mean := func(v []float64) float64 { m, _ := MeanSE(v); return m }
	a, err := Bootstrap(x, mean, 1000, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Bootstrap(x, mean, 1000, 42)
	if a != b {
		t.Fatal("bootstrap not deterministic for a seed")
	}
	m, se := MeanSE(x)
	if a.Estimate != m || math.Abs(a.SE/se-1) > 0.15 || !(a.Lo < m && m < a.Hi) {
		t.Fatalf("bootstrap %+v vs mean %v se %v", a, m, se)
	}
	if _, err := Bootstrap(x, mean, 1, 0); err == nil || !strings.Contains(err.Error(), "resamples = 1") {
		t.Errorf("resamples: %v", err)
	}
}
