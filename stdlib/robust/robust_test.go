package robust

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/gonote/gonote/stdlib/dp"
	"gonum.org/v1/gonum/mat"
)

func rngFor(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(1, stream)) }

func TestGenerate(t *testing.T) {
	mu := []float64{1, -2, 3}
	cases := []struct {
		c       Corruption
		wantBad int
	}{
		{Corruption{}, 0},
		{Corruption{Kind: ShiftAll, Alpha: 0.1, Shift: 5}, 100},
		{Corruption{Kind: RandDir, Alpha: 0.05, Shift: 6, DirSeed: 3}, 50},
		{Corruption{Kind: ShiftOne, Alpha: 0.2, Shift: -4}, 200},
		{Corruption{Kind: PointMass, Alpha: 0.01, Shift: 7}, 10},
	}
	for _, c := range cases {
		ds, err := Generate(rngFor(1), 1000, 3, mu, c.c)
		if err != nil {
			t.Fatal(err)
		}
		nb := 0
		for i, b := range ds.Bad {
			if b {
				nb++
				if i < 1000-c.wantBad {
					t.Errorf("%v: bad row %d not at the end", c.c.Kind, i)
				}
			}
		}
		if nb != c.wantBad {
			t.Errorf("%v: %d bad rows, want %d", c.c.Kind, nb, c.wantBad)
		}
		shift := c.c.ShiftVector(3)
		if c.c.Kind != NoCorruption {
			if got := Error(shift, nil); math.Abs(got-math.Abs(c.c.Shift)*map[bool]float64{true: math.Sqrt(3), false: 1}[c.c.Kind == ShiftAll]) > 1e-12 {
				t.Errorf("%v: ‖shift‖ = %g", c.c.Kind, got)
			}
		}
		if c.c.Kind == PointMass {
			for j := 0; j < 3; j++ {
				if ds.X.At(999, j) != mu[j]+shift[j] {
					t.Errorf("point mass row = %v", mat.Row(nil, 999, ds.X))
				}
			}
		}
		// Good rows have mean ≈ mu (SE 1/√(n−nb) ≈ 0.033).
		good := make([]int, 0)
		for i, b := range ds.Bad {
			if !b {
				good = append(good, i)
			}
		}
		gm := meanOf(ds.X, good)
		if e := Error(gm, mu); e > 0.2 {
			t.Errorf("%v: good mean off by %g", c.c.Kind, e)
		}
	}
	// Same seed, same data; RandDir direction depends only on DirSeed and d.
	a, _ := Generate(rngFor(2), 50, 4, nil, Corruption{Kind: RandDir, Alpha: 0.1, Shift: 1, DirSeed: 9})
	b, _ := Generate(rngFor(2), 50, 4, nil, Corruption{Kind: RandDir, Alpha: 0.1, Shift: 1, DirSeed: 9})
	if !mat.Equal(a.X, b.X) {
		t.Error("Generate not deterministic")
	}
}

func TestValidationNamesParameters(t *testing.T) {
	X := mat.NewDense(100, 2, nil)
	b := dp.Budget{Eps: 1, Delta: 0.01}
	second := func(_ any, err error) error { return err }
	cases := []struct {
		name, want string
		err        error
	}{
		{"n", "n = 0", second(Generate(rngFor(0), 0, 2, nil, Corruption{}))},
		{"d", "d = 0", second(Generate(rngFor(0), 10, 0, nil, Corruption{}))},
		{"alpha", "alpha = 0.6", second(Generate(rngFor(0), 10, 2, nil, Corruption{Kind: ShiftAll, Alpha: 0.6}))},
		{"shift", "shift = NaN", second(Generate(rngFor(0), 10, 2, nil, Corruption{Kind: ShiftAll, Alpha: 0.1, Shift: math.NaN()}))},
		{"mu", "len(mu)", second(Generate(rngFor(0), 10, 2, []float64{1}, Corruption{}))},
		{"nil X", "X is nil", second(Mean(nil))},
		{"NaN X", "X[1, 0] = NaN", second(Mean(mat.NewDense(2, 1, []float64{0, math.NaN()})))},
		{"Inf X", "want finite data", second(PRIME(rngFor(0), mat.NewDense(2, 1, []float64{math.Inf(1), 0}), PrimeConfig{Alpha: 0.1, Budget: b}, nil))},
		{"trim", "trim fraction", second(TrimmedMean(X, 0.5))},
		{"filter alpha", "filter alpha", func() error { _, _, err := Filter(rngFor(0), X, FilterConfig{}); return err }()},
		{"prime alpha", "PRIME alpha", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.3, Budget: b}, nil))},
		{"prime alpha n", "alpha·n", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.001, Budget: b}, nil))},
		{"prime eps", "epsilon", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.1, Budget: dp.Budget{Eps: 0, Delta: 0.01}}, nil))},
		{"prime delta", "delta", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.1, Budget: dp.Budget{Eps: 1}}, nil))},
		{"prime mode", "mode", second(PRIME(rngFor(0), X, PrimeConfig{Mode: 7, Alpha: 0.1, Budget: b}, nil))},
		{"prime keep", "KeepFrac", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.1, Budget: b, KeepFrac: 1.5}, nil))},
		{"prime output", "OutputFrac", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.1, Budget: b, OutputFrac: 0.9}, nil))},
		{"prime bad mask", "len(bad)", second(PRIME(rngFor(0), X, PrimeConfig{Alpha: 0.1, Budget: b}, []bool{true}))},
		{"range R", "range R", func() error { _, _, err := DPRange(rngFor(0), X, b, RangeConfig{R: 0.5}); return err }()},
		{"range delta", "delta", func() error { _, _, err := DPRange(rngFor(0), X, dp.Budget{Eps: 1}, RangeConfig{}); return err }()},
		{"ball radius", "radius", second(ClipBall(X, []float64{0, 0}, -1))},
		{"box center", "len(center)", second(ClipBox(X, []float64{0}, 1))},
		{"coinpress rho", "rhos[0]", second(CoinPress(rngFor(0), X, []float64{0}, []float64{0, 0}, 1))},
		{"coinpress steps", "steps", second(CoinPressBudget(rngFor(0), X, b, 0, 10))},
		{"median range", "lo, hi", second(PrivateMedian1D(rngFor(0), []float64{1}, 1, 1, 1))},
		{"median eps", "epsilon", second(PrivateMedian1D(rngFor(0), []float64{1}, 0, 1, 0))},
		{"sweep param", "Param", second(Sweep(context.Background(), SweepConfig{Param: "x", Values: []float64{1}}))},
		{"estimator", "unknown", second(Compare(context.Background(), TrialConfig{N: 100, Estimators: []string{"oracle"}}, 1))},
		{"private median d", "needs D = 1", second(Compare(context.Background(), TrialConfig{N: 100, D: 2, Estimators: []string{EstPrivateMedian}}, 1))},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, c.err, c.want)
		}
	}
}

func TestSelectAndMedian(t *testing.T) {
	rng := rngFor(3)
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		for rep := 0; rep < 20; rep++ {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(rng.IntN(n/2 + 1)) // duplicates
			}
			s := append([]float64(nil), a...)
			sort.Float64s(s)
			k := rng.IntN(n)
			b := append([]float64(nil), a...)
			if got := selectKth(b, k); got != s[k] {
				t.Fatalf("n=%d k=%d: select %g, sort %g", n, k, got, s[k])
			}
			for i := 0; i < k; i++ {
				if b[i] > b[k] {
					t.Fatalf("not partitioned")
				}
			}
			want := s[n/2]
			if n%2 == 0 {
				want = (s[n/2-1] + s[n/2]) / 2
			}
			if got := median(append([]float64(nil), a...)); got != want {
				t.Fatalf("n=%d median %g want %g", n, got, want)
			}
		}
	}
}

func TestTrimmedMeanAndCoordMedian(t *testing.T) {
	X := mat.NewDense(5, 2, []float64{1, 10, 2, 20, 3, 30, 4, 40, 100, -1000})
	m, err := CoordMedian(X)
	if err != nil || m[0] != 3 || m[1] != 20 {
		t.Errorf("CoordMedian = %v, %v", m, err)
	}
	tm, err := TrimmedMean(X, 0.2) // drop one on each side
	if err != nil || tm[0] != 3 || tm[1] != 20 {
		t.Errorf("TrimmedMean = %v, %v", tm, err)
	}
}

func TestCovNAndClip(t *testing.T) {
	ds, _ := Generate(rngFor(4), 200, 3, nil, Corruption{})
	S := []int{0, 5, 7, 100, 150}
	M, mu, err := CovN(ds.X, S, 200)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			s := 0.0
			for _, i := range S {
				s += (ds.X.At(i, a) - mu[a]) * (ds.X.At(i, b) - mu[b])
			}
			if math.Abs(M.At(a, b)-s/200) > 1e-12 {
				t.Fatalf("M[%d,%d] = %g, want %g", a, b, M.At(a, b), s/200)
			}
		}
	}
	c := []float64{0.5, 0, 0}
	Xc, _ := ClipBall(ds.X, c, 1)
	for i := 0; i < 200; i++ {
		r := Error(mat.Row(nil, i, Xc), c)
		orig := Error(mat.Row(nil, i, ds.X), c)
		if r > 1+1e-12 || (orig <= 1 && r != orig) {
			t.Fatalf("row %d: clipped norm %g (orig %g)", i, r, orig)
		}
	}
	Xb, _ := ClipBox(ds.X, c, 0.3)
	for i := 0; i < 200; i++ {
		for j := 0; j < 3; j++ {
			if math.Abs(Xb.At(i, j)-c[j]) > 0.3+1e-15 {
				t.Fatalf("box clip failed")
			}
		}
	}
}

// Headline finding 1: the weights are a real matrix exponential.
func TestExpmWeights(t *testing.T) {
	th := 0.3
	Q := mat.NewDense(2, 2, []float64{math.Cos(th), -math.Sin(th), math.Sin(th), math.Cos(th)})
	D := mat.NewDense(2, 2, []float64{0, 0, 0, math.Log(3)})
	var A, tmp mat.Dense
	tmp.Mul(Q, D)
	A.Mul(&tmp, Q.T())
	As := mat.NewSymDense(2, []float64{A.At(0, 0), A.At(0, 1), A.At(1, 0), A.At(1, 1)})
	U, err := expmWeights(As, 1)
	if err != nil {
		t.Fatal(err)
	}
	W := mat.NewDense(2, 2, []float64{0.25, 0, 0, 0.75})
	var want mat.Dense
	tmp.Mul(Q, W)
	want.Mul(&tmp, Q.T())
	if !mat.EqualApprox(U, &want, 1e-12) {
		t.Errorf("expm weights\n%v\nwant\n%v", mat.Formatted(U), mat.Formatted(&want))
	}
	// Huge arguments do not overflow; trace stays 1.
	big := mat.NewSymDense(2, []float64{1e4, 0, 0, 2e4})
	U2, _ := expmWeights(big, 1)
	if math.Abs(U2.At(0, 0)+U2.At(1, 1)-1) > 1e-12 || math.IsNaN(U2.At(0, 1)) {
		t.Errorf("overflow: %v", mat.Formatted(U2))
	}
	// The reference's element-wise exp of a small matrix is ≈ 𝟙𝟙ᵀ/d, not ≈ I/d.
	small := mat.NewSymDense(3, []float64{0.01, 0, 0, 0, 0.02, 0, 0, 0, 0})
	E := elementwiseExpWeights(small, 1)
	if math.Abs(E.At(0, 1)-1.0/3) > 0.01 {
		t.Errorf("element-wise off-diagonal %g, want ≈ 1/3", E.At(0, 1))
	}
	Um, _ := expmWeights(small, 1)
	if math.Abs(Um.At(0, 1)) > 1e-12 {
		t.Errorf("matrix exp off-diagonal %g, want 0", Um.At(0, 1))
	}
}

func TestDPRangeAndFailure(t *testing.T) { // PR-8 and the range step
	mu := []float64{3, -4.2, 0.4, 7}
	ds, _ := Generate(rngFor(5), 20000, 4, mu, Corruption{})
	c, B, err := DPRange(rngFor(6), ds.X, dp.Budget{Eps: 1, Delta: 0.01}, RangeConfig{})
	if err != nil {
		t.Fatal(err)
	}
	w := 21.0 / 19
	for j := range mu {
		if math.Abs(c[j]-mu[j]) > w { // the midpoint of the modal bin or its neighbour
			t.Errorf("centre[%d] = %g, mean %g", j, c[j], mu[j])
		}
	}
	if math.Abs(B-4*math.Sqrt(math.Log(4*20000/0.9))) > 1e-12 {
		t.Errorf("B = %g", B)
	}
	// PR-8: n = 1e4, d = 10, ε = 1, RangeFrac 0.01 → every bin suppressed.
	ds2, _ := Generate(rngFor(7), 10000, 10, nil, Corruption{})
	_, _, err = DPRange(rngFor(8), ds2.X, dp.Budget{Eps: 0.01, Delta: 0.0001}, RangeConfig{})
	if !errors.Is(err, ErrRangeFailed) {
		t.Errorf("DPRange: err = %v, want ErrRangeFailed", err)
	}
	res, err := PRIME(rngFor(9), ds2.X, PrimeConfig{Alpha: 0.05, Budget: dp.Budget{Eps: 1, Delta: 0.01}, RangeFrac: 0.01}, nil)
	if !errors.Is(err, ErrRangeFailed) || res != nil {
		t.Errorf("PRIME: err = %v, res = %v, want ErrRangeFailed and no result", err, res)
	}
	if _, err := DPMeanAuto(rngFor(9), ds2.X, dp.Budget{Eps: 1, Delta: 0.01}, DPMeanAutoConfig{RangeFrac: 0.01}); !errors.Is(err, ErrRangeFailed) {
		t.Errorf("DPMeanAuto: err = %v, want ErrRangeFailed", err)
	}
}

func TestPrimeLedger(t *testing.T) { // DP-9
	for _, c := range []struct {
		eps, delta float64
		d          int
	}{{1, 0.01, 5}, {10, 0.01, 20}} {
		ds, _ := Generate(rngFor(10), 50000, c.d, nil, Corruption{Kind: ShiftAll, Alpha: 0.05, Shift: 1.5})
		b := dp.Budget{Eps: c.eps, Delta: c.delta}
		res, err := PRIME(rngFor(11), ds.X, PrimeConfig{Alpha: 0.05, Budget: b}, ds.Bad)
		if err != nil {
			t.Fatal(err)
		}
		tot := res.Ledger.Total()
		if tot.Eps > c.eps+1e-12 || tot.Delta > c.delta+1e-12 {
			t.Errorf("%+v: ledger total %v exceeds the budget", c, tot)
		}
		if math.Abs(tot.Eps-c.eps) > 1e-12 || math.Abs(tot.Delta-c.delta) > 1e-12 {
			t.Errorf("%+v: ledger total %v, want exactly the budget", c, tot)
		}
		for _, e := range res.Ledger {
			if e.Used > e.Count {
				t.Errorf("%s used %d > planned %d", e.Label, e.Used, e.Count)
			}
		}
		if res.Ledger[rowOutput].Used != 1 {
			t.Errorf("final release used %d times", res.Ledger[rowOutput].Used)
		}
		h := res.HTML()
		for _, want := range []string{"<table>", "final release", "λ_s epoch norm", "total"} {
			if !strings.Contains(h, want) {
				t.Errorf("HTML lacks %q", want)
			}
		}
		// Headline finding 3: the reference split overspends.
		ref, err := PRIME(rngFor(11), ds.X, PrimeConfig{Mode: PrimeReference, Alpha: 0.05, Budget: b}, ds.Bad)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.01*c.eps + 0.99*c.eps*(0.25+0.25/float64(ref.T1)+1.5)
		if got := ref.Ledger.Total().Eps; math.Abs(got-want) > 1e-9 || got <= c.eps {
			t.Errorf("reference ledger ε = %g, want %g (> ε = %g)", got, want, c.eps)
		}
	}
}

func TestPrimeDeterministicAcrossWorkers(t *testing.T) {
	run := func(workers, procs int) [][][]float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		cfg := SweepConfig{Param: "d", Values: []float64{3, 6}, Trials: 3, Seed: 4,
			Base: TrialConfig{N: 20000, Corruption: Corruption{Kind: ShiftAll, Alpha: 0.05, Shift: 1.5},
				Estimators: []string{EstPrime, EstFilter, EstDPMean, EstPrimeRef}}}
		cfg.Options.Workers = workers
		tab, err := Sweep(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return tab.Raw
	}
	a, b := run(1, 1), run(2, 2)
	for p := range a {
		for tr := range a[p] {
			for m := range a[p][tr] {
				if a[p][tr][m] != b[p][tr][m] {
					t.Fatalf("point %d trial %d metric %d: %v vs %v", p, tr, m, a[p][tr][m], b[p][tr][m])
				}
			}
		}
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Sweep(ctx, SweepConfig{Param: "d", Values: []float64{2}, Base: TrialConfig{N: 1000}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := Compare(ctx, TrialConfig{N: 1000}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Compare err = %v", err)
	}
}

func TestPrivateMedian1D(t *testing.T) {
	ds, _ := Generate(rngFor(12), 10000, 1, nil, Corruption{Kind: PointMass, Alpha: 0.05, Shift: 10})
	x := column(ds.X, 0, nil)
	for _, eps := range []float64{0.1, 1} {
		var worst float64
		for trial := uint64(0); trial < 20; trial++ {
			m, err := PrivateMedian1D(rngFor(100+trial), x, -10, 10, eps)
			if err != nil {
				t.Fatal(err)
			}
			worst = math.Max(worst, math.Abs(m))
		}
		// Median bias under 5% at +10 is Φ⁻¹(0.5/0.95) ≈ 0.066; the privacy noise is O(1/(εn)).
		if worst > 0.15 {
			t.Errorf("ε = %g: worst |median| = %g", eps, worst)
		}
	}
}

func TestCoinPressAndTheory(t *testing.T) {
	ds, _ := Generate(rngFor(13), 100000, 10, nil, Corruption{})
	est, err := CoinPressBudget(rngFor(14), ds.X, dp.Budget{Eps: 10, Delta: 0.01}, 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	if e := Error(est, nil); e > 3*math.Sqrt(10.0/100000) {
		t.Errorf("CoinPress clean error %g", e)
	}
	m, err := CoordMedianBias(0.05, 1.5, 1)
	if err != nil || math.Abs(m-0.0562) > 5e-4 {
		t.Errorf("CoordMedianBias = %g, %v; want 0.0562", m, err)
	}
	if b := MeanBias(Corruption{Kind: ShiftAll, Alpha: 0.05, Shift: 1.5}, 4); math.Abs(b-0.15) > 1e-12 {
		t.Errorf("MeanBias = %g", b)
	}
}

// A fast smoke check of PRIME at the paper's scale (the full acceptance
// checks PR-1..PR-11 are in acceptance_test.go, behind GONOTE_SLOW=1).
func TestPrimeSmoke(t *testing.T) {
	c, err := Compare(context.Background(), TrialConfig{N: 100000, D: 10,
		Corruption: Corruption{Kind: RandDir, Alpha: 0.05, Shift: 6, DirSeed: 1}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	pe, _ := c.ErrorOf(EstPrime)
	me, _ := c.ErrorOf(EstMean)
	if pe > 0.10 || me < 0.27 {
		t.Errorf("PRIME error %g (want ≤ 0.10), mean error %g (want ≈ 0.30)", pe, me)
	}
	if !c.Prime.Converged || c.Prime.RemovedBad < 2500 {
		t.Errorf("PRIME converged=%v removed bad %d of 5000", c.Prime.Converged, c.Prime.RemovedBad)
	}
}
