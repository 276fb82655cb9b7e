package dtlearn

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// allPoints is the whole cube {±1}^n in index order (x = j), so empirical
// quantities over it are exact.
func allPoints(t *testing.T, n int) *Cube {
	t.Helper()
	x := make([]uint64, 1<<uint(n))
	for j := range x {
		x[j] = uint64(j)
	}
	return &Cube{N: n, X: x}
}

// must unwraps a constructor's result in tests; a constructor error fails the
// test with a panic that names it.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mustCube(t testing.TB, n, size int, seed, stream uint64) *Cube {
	t.Helper()
	c, err := UniformCube(n, size, seed, stream)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustLearner(t testing.TB, f Func, S *Cube, cfg Config) *Learner {
	t.Helper()
	o, err := NewOracle(f, S)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLearner(o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

func TestImpurities(t *testing.T) {
	tests := []struct {
		name string
		g    Impurity
		at   map[float64]float64
	}{
		{"Gini", Gini, map[float64]float64{0: 0, 1: 0, 0.5: 1, 0.25: 0.75, 0.1: 0.36}},
		{"Entropy", Entropy, map[float64]float64{0: 0, 1: 0, 0.5: 1, 0.25: 0.8112781244591328, 0.125: 0.5435644431995964}},
		{"KearnsMansour", KearnsMansour, map[float64]float64{0: 0, 1: 0, 0.5: 1, 0.25: math.Sqrt(3) / 2, 0.1: 0.6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for p, want := range tt.at {
				if got := tt.g(p); math.Abs(got-want) > 1e-12 {
					t.Errorf("G(%v) = %v, want %v", p, got, want)
				}
			}
			for k := 0; k <= 100; k++ {
				p := float64(k) / 100
				if math.Abs(tt.g(p)-tt.g(1-p)) > 1e-12 {
					t.Errorf("G(%v) = %v ≠ G(1−p) = %v", p, tt.g(p), tt.g(1-p))
				}
				if tt.g(p) < 2*min(p, 1-p)-1e-12 {
					t.Errorf("G(%v) = %v < 2·min(p, 1−p)", p, tt.g(p))
				}
			}
		})
	}
}

func TestConstructorsRejectBadParameters(t *testing.T) {
	tests := []struct {
		name, wantInErr string
		call            func() error
	}{
		{"UniformCube n=0", "n = 0", func() error { _, err := UniformCube(0, 10, 1, 1); return err }},
		{"UniformCube n=65", "n = 65", func() error { _, err := UniformCube(65, 10, 1, 1); return err }},
		{"UniformCube size=0", "size = 0", func() error { _, err := UniformCube(8, 0, 1, 1); return err }},
		{"Majority var out of range", "variable 8", func() error { _, err := Majority(8, []int{0, 8}); return err }},
		{"Majority var twice", "listed twice", func() error { _, err := Majority(8, []int{1, 1}); return err }},
		{"Majority no vars", "vars is empty", func() error { _, err := Majority(8, nil); return err }},
		{"Tribes too wide", "width·terms", func() error { _, err := Tribes(16, 4, 5); return err }},
		{"RandomMonotoneDNF width", "width = 0", func() error { _, err := RandomMonotoneDNF(8, 0, 3, 1); return err }},
		{"RandomMonotoneDNF terms", "terms = 0", func() error { _, err := RandomMonotoneDNF(8, 2, 0, 1); return err }},
		{"PositiveLTF len", "len(w) = 2", func() error { _, err := PositiveLTF(3, []float64{1, 1}, 0); return err }},
		{"PositiveLTF negative", "w[1] = -1", func() error { _, err := PositiveLTF(2, []float64{1, -1}, 0); return err }},
		{"PositiveLTF NaN theta", "theta = NaN", func() error { _, err := PositiveLTF(1, []float64{1}, math.NaN()); return err }},
		{"NewFunc nil", "eval is nil", func() error { _, err := NewFunc(3, "f", nil); return err }},
		{"Families n=16", "n = 16", func() error { _, err := Families(16, 1); return err }},
		{"CheckMonotone trials", "trials = 0", func() error {
			f, _ := Majority(3, []int{0, 1, 2})
			_, err := CheckMonotone(f, 0, 1)
			return err
		}},
		{"NewOracle n mismatch", "S.N = 4, want f.N() = 3", func() error {
			f, _ := Majority(3, []int{0, 1, 2})
			S, _ := UniformCube(4, 10, 1, 1)
			_, err := NewOracle(f, S)
			return err
		}},
		{"NewLearner nil G", "Config.G is nil", func() error {
			f, _ := Majority(3, []int{0, 1, 2})
			S, _ := UniformCube(3, 10, 1, 1)
			o, _ := NewOracle(f, S)
			_, err := NewLearner(o, Config{})
			return err
		}},
		{"NewLearner negative batch", "Config.Batch = -1", func() error {
			f, _ := Majority(3, []int{0, 1, 2})
			S, _ := UniformCube(3, 10, 1, 1)
			o, _ := NewOracle(f, S)
			_, err := NewLearner(o, Config{G: Gini, Batch: -1})
			return err
		}},
		{"LabelBound b=0", "b = 0", func() error { _, err := LabelBound(0, 10, Key{Score: 0.01}); return err }},
		{"LabelBound tau=0", "τ.Score = 0", func() error { _, err := LabelBound(8, 10, Key{}); return err }},
		{"Cube.Head k too large", "k = 11", func() error {
			c, _ := UniformCube(3, 10, 1, 1)
			_, err := c.Head(11)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.wantInErr)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) || !strings.HasPrefix(err.Error(), "dtlearn: ") {
				t.Errorf("error %q, want prefix \"dtlearn: \" and %q", err, tt.wantInErr)
			}
		})
	}
}

func TestFuncsEvaluate(t *testing.T) {
	maj := must(Majority(5, []int{0, 2, 4}))
	tribes := must(Tribes(6, 2, 3))
	lt := must(PositiveLTF(3, []float64{3, 1, 1}, 0))
	xor := must(Parity(4, []int{0, 1}))
	tests := []struct {
		f    Func
		name string
		x    uint64
		want bool
	}{
		{maj, "maj3", 0b00101, true},  // x0, x2 = +1
		{maj, "maj3", 0b01011, false}, // only x0 among 0,2,4
		{tribes, "tribes2x3", 0b001100, true},
		{tribes, "tribes2x3", 0b010101, false},
		{lt, "ltf", 0b001, true},  // 3 − 1 − 1 = 1 ≥ 0
		{lt, "ltf", 0b110, false}, // −3 + 2 < 0
		{xor, "xor(x0,x1)", 0b01, true},
		{xor, "xor(x0,x1)", 0b11, false},
	}
	for _, tt := range tests {
		if got := tt.f.Eval(tt.x); got != tt.want || tt.f.Name() != tt.name {
			t.Errorf("%s(%b) = %v, want %s → %v", tt.f.Name(), tt.x, got, tt.name, tt.want)
		}
	}
}

func TestCheckMonotone(t *testing.T) {
	fams, err := Families(32, 1)
	if err != nil {
		t.Fatal(err)
	}
	rltf := must(RandomMonotoneLTF(32, 3))
	xor := must(Parity(32, []int{0, 1}))
	antiMaj := must(NewFunc(32, "not maj", func(x uint64) bool { return bits.OnesCount64(x) < 16 }))
	tests := []struct {
		f    Func
		want bool
	}{
		{fams[0], true}, {fams[1], true}, {fams[2], true}, {fams[3], true}, {rltf, true},
		{xor, false}, {antiMaj, false},
	}
	for _, tt := range tests {
		got, err := CheckMonotone(tt.f, 200, 1)
		if err != nil || got != tt.want {
			t.Errorf("CheckMonotone(%s) = %v, %v, want %v", tt.f.Name(), got, err, tt.want)
		}
	}
}

// TestExactInfluencesAndRootGains checks the exact values of spec §2.3 step 8
// on the whole cube (where every empirical quantity is exact), and the
// monotone identity PG = Δ_G(p, Inf/2) for the three impurities.
func TestExactInfluencesAndRootGains(t *testing.T) {
	inf15 := binomial(14, 7) / (1 << 14)
	infTribes := math.Pow(15.0/16, 4) / 8
	tests := []struct {
		name     string
		f        Func
		n        int
		relevant int
		wantInf  float64
		wantP    float64
		wantGini float64
		specInf  float64 // the rounded value printed in the spec
		specGini float64
	}{
		{"maj15", must(Majority(15, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})), 15, 15, inf15, 0.5, inf15 * inf15, 0.20947, 0.04388},
		{"tribes4x5", must(Tribes(20, 4, 5)), 20, 20, infTribes, 1 - math.Pow(15.0/16, 5), infTribes * infTribes, 0.096558, 0.009323},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.wantInf-tt.specInf) > 5e-6 || math.Abs(tt.wantGini-tt.specGini) > 5e-6 {
				t.Fatalf("closed forms %v, %v disagree with the spec's %v, %v", tt.wantInf, tt.wantGini, tt.specInf, tt.specGini)
			}
			cube := allPoints(t, tt.n)
			inf, err := Influences(tt.f, cube)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.relevant {
				if math.Abs(inf[i]-tt.wantInf) > 1e-12 {
					t.Errorf("Inf_%d = %v, want %v", i, inf[i], tt.wantInf)
				}
			}
			for _, g := range []struct {
				name string
				g    Impurity
			}{{"Gini", Gini}, {"Entropy", Entropy}, {"KearnsMansour", KearnsMansour}} {
				l := mustLearner(t, tt.f, cube, Config{G: g.g})
				root, err := l.Node(Restriction{})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(root.P-tt.wantP) > 1e-12 {
					t.Errorf("%s: root p = %v, want %v", g.name, root.P, tt.wantP)
				}
				d := tt.wantInf / 2
				wantGain := g.g(tt.wantP) - g.g(tt.wantP+d)/2 - g.g(tt.wantP-d)/2
				if math.Abs(root.Gain-wantGain) > 1e-12 {
					t.Errorf("%s: root gain = %v, want Δ_G(p, Inf/2) = %v", g.name, root.Gain, wantGain)
				}
				if root.SplitVar != 0 { // all relevant variables tie: the smallest index wins
					t.Errorf("%s: root split variable %d, want 0 (ties go to the smallest index)", g.name, root.SplitVar)
				}
				if g.name == "Gini" && math.Abs(root.Gain-tt.wantGini) > 1e-12 {
					t.Errorf("Gini root gain = %v, want Inf² = %v", root.Gain, tt.wantGini)
				}
			}
		})
	}
}

func TestOracleMemoises(t *testing.T) {
	f := must(Majority(8, []int{0, 1, 2}))
	S := mustCube(t, 8, 100, 1, 2)
	o, err := NewOracle(f, S)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{7, 3, 7, 99, 3, 0} {
		got, err := o.Label(i)
		if err != nil || got != f.Eval(S.X[i]) {
			t.Errorf("Label(%d) = %v, %v, want %v", i, got, err, f.Eval(S.X[i]))
		}
	}
	if o.Count() != 4 || !slices.Equal(o.Queried(), []int{0, 3, 7, 99}) {
		t.Errorf("Count = %d, Queried = %v, want 4, [0 3 7 99]", o.Count(), o.Queried())
	}
	for _, i := range []int{-1, 100} {
		if _, err := o.Label(i); err == nil || !strings.Contains(err.Error(), "0 ≤ i < |S| = 100") {
			t.Errorf("Label(%d) error %v, want the valid range", i, err)
		}
	}
}

// TestNodeStatsFromDefinition recomputes node statistics by brute force from
// the spec's definitions (§2.3 step 3) and compares.
func TestNodeStatsFromDefinition(t *testing.T) {
	const n = 10
	f := must(RandomMonotoneDNF(n, 2, 4, 5))
	S := mustCube(t, n, 3000, 4, 1)
	nodes := []Restriction{{}, {Mask: 0b101, Val: 0b001}, {Mask: 0b1100000, Val: 0b1100000}, {Mask: 0b1111111, Val: 0b0101010}}
	for _, batch := range []int{0, 1, 7, 64} {
		l := mustLearner(t, f, S, Config{G: Entropy, Batch: batch})
		for _, r := range nodes {
			got, err := l.Node(r)
			if err != nil {
				t.Fatal(err)
			}
			var sv []int
			for j, x := range S.X {
				if r.Contains(x) {
					sv = append(sv, j)
				}
			}
			mb := sv
			if batch > 0 && len(mb) > batch {
				mb = mb[:batch]
			}
			pos := 0
			for _, j := range mb {
				if f.Eval(S.X[j]) {
					pos++
				}
			}
			bestVar, bestGain := -1, 1e-12
			for i := range n {
				if r.Mask>>uint(i)&1 == 1 {
					continue
				}
				var cnt, cp [2]int
				for _, j := range mb {
					s := S.X[j] >> uint(i) & 1
					cnt[s]++
					if f.Eval(S.X[j]) {
						cp[s]++
					}
				}
				gain := Entropy(float64(pos) / float64(len(mb)))
				for s := range 2 {
					if cnt[s] > 0 {
						gain -= float64(cnt[s]) / float64(len(mb)) * Entropy(float64(cp[s])/float64(cnt[s]))
					}
				}
				if gain > bestGain {
					bestVar, bestGain = i, gain
				}
			}
			if !slices.Equal(got.Minibatch, mb) || got.Count != len(sv) || got.SplitVar != bestVar ||
				got.Label != (2*pos >= len(mb)) || got.Weight != float64(len(sv))/float64(len(S.X)) {
				t.Errorf("batch %d, node %+v: got count %d split %d label %v |B| %d, want %d %d %v %d",
					batch, r, got.Count, got.SplitVar, got.Label, len(got.Minibatch), len(sv), bestVar, 2*pos >= len(mb), len(mb))
			}
			if bestVar >= 0 && (math.Abs(got.Gain-bestGain) > 1e-12 || math.Abs(got.Score-got.Weight*bestGain) > 1e-15) {
				t.Errorf("batch %d, node %+v: gain %v score %v, want %v %v", batch, r, got.Gain, got.Score, bestGain, got.Weight*bestGain)
			}
			if got.Key != (Key{Score: got.Score, ID: r.ID()}) {
				t.Errorf("key %+v, want (score, ID %x)", got.Key, r.ID())
			}
		}
	}
}

func TestNodeRejectsBadRestriction(t *testing.T) {
	l := mustLearner(t, must(Majority(4, []int{0, 1, 2})), mustCube(t, 4, 50, 1, 1), Config{G: Gini})
	tests := []struct {
		r    Restriction
		want string
	}{
		{Restriction{Mask: 0b01, Val: 0b10}, "outside Mask"},
		{Restriction{Mask: 0b10000, Val: 0}, "coordinate ≥ n = 4"},
	}
	for _, tt := range tests {
		if _, err := l.Node(tt.r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Node(%+v) error %v, want %q", tt.r, err, tt.want)
		}
	}
}

func TestKeyOrder(t *testing.T) {
	tests := []struct {
		a, b Key
		want bool
	}{
		{Key{1, 5}, Key{2, 0}, true},
		{Key{2, 0}, Key{1, 5}, false},
		{Key{1, 3}, Key{1, 4}, true},
		{Key{1, 4}, Key{1, 4}, false},
		{Key{1e300, 0}, TopKey(), true},
	}
	for _, tt := range tests {
		if got := tt.a.Less(tt.b); got != tt.want {
			t.Errorf("%+v.Less(%+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestXORStaysAStump: on the whole cube every single-variable gain of x0⊕x1
// is exactly zero, so no split is valid at any τ (spec §2.7 cell 13).
func TestXORStaysAStump(t *testing.T) {
	f := must(Parity(10, []int{0, 1}))
	cube := allPoints(t, 10)
	l := mustLearner(t, f, cube, Config{G: Gini})
	tree, tau, err := l.BestFirst(64)
	if err != nil {
		t.Fatal(err)
	}
	e, err := TrueError(f, tree.Eval, cube)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Leaves() != 1 || tau != TopKey() || e != 0.5 {
		t.Errorf("xor: %d leaves, τ %+v, error %v; want a stump, TopKey, 0.5", tree.Leaves(), tau, e)
	}
}

func TestBestFirstSizesAndBottleneck(t *testing.T) {
	S := mustCube(t, 32, 1<<14, 1, 7)
	fams, err := Families(32, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, batch := range []int{0, 64} {
			l := mustLearner(t, f, S, Config{G: Gini, Batch: batch})
			for _, size := range []int{1, 2, 16, 100} {
				tree, tau, err := l.BestFirst(size)
				if err != nil {
					t.Fatal(err)
				}
				if tree.Leaves() != size {
					t.Errorf("%s b=%d: BestFirst(%d) has %d leaves", f.Name(), batch, size, tree.Leaves())
				}
				// Every split node of the size-t tree has key ≥ τ_t, and τ_t is one of them.
				thr := l.Threshold(tau)
				inThreshold := make(map[Restriction]bool)
				for _, r := range thr.Nodes() {
					inThreshold[r] = true
				}
				hit := size == 1
				for _, r := range tree.Nodes() {
					if !inThreshold[r] {
						t.Errorf("%s b=%d t=%d: node %+v of BestFirst is not in T_τ", f.Name(), batch, size, r)
					}
					st, _ := l.Node(r)
					hit = hit || st.Key == tau
				}
				if !hit || thr.Leaves() < size {
					t.Errorf("%s b=%d t=%d: τ %+v is not a key of the tree (%v) or T_τ has %d < t leaves", f.Name(), batch, size, tau, hit, thr.Leaves())
				}
			}
		}
	}
	l := mustLearner(t, fams[0], S, Config{G: Gini})
	if _, _, err := l.BestFirst(0); err == nil || !strings.Contains(err.Error(), "t = 0") {
		t.Errorf("BestFirst(0) error %v, want one naming t", err)
	}
}

func TestLabelAndDepthBounds(t *testing.T) {
	tests := []struct {
		b, m  int
		tau   float64
		depth int
		want  int
	}{
		{128, 600, 0.01, 7, 600 * (1 + 128*8)},   // ⌊log₂100⌋ = 6
		{64, 10, 0.5, 2, 10 * (1 + 64*3)},        // ⌊log₂2⌋ = 1
		{1, 1, 1, 1, 1 * (1 + 1*2)},              // ⌊log₂1⌋ = 0
		{32, 5, 1.0 / 1024, 11, 5 * (1 + 32*12)}, // exact power of two
	}
	for _, tt := range tests {
		got, err := LabelBound(tt.b, tt.m, Key{Score: tt.tau})
		if err != nil || got != tt.want || DepthBound(Key{Score: tt.tau}) != tt.depth {
			t.Errorf("LabelBound(%d, %d, %v) = %d, %v, DepthBound %d; want %d, %d", tt.b, tt.m, tt.tau, got, err, DepthBound(Key{Score: tt.tau}), tt.want, tt.depth)
		}
	}
}

func TestDeterministicAndIndependentOfGOMAXPROCS(t *testing.T) {
	S := mustCube(t, 24, 1<<13, 3, 7)
	test := mustCube(t, 24, 1<<12, 3, 99)
	pool := mustCube(t, 24, 1<<12, 3, 55)
	fams, err := Families(24, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := StudyConfig{Families: fams, Sizes: []int{8, 32}, G: Gini, Batch: 32, M: 100, Agree: 1000, Seed: 5}
	run := func(procs int) []CaseResult {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := Study(context.Background(), S, test, pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(2)
	if len(a) != 8 || !slices.EqualFunc(a, b, func(x, y CaseResult) bool { return x == y }) {
		t.Errorf("Study differs between GOMAXPROCS 1 and 2 (or has %d cases, want 8)", len(a))
	}
	c1, c2 := mustCube(t, 24, 100, 3, 7), mustCube(t, 24, 100, 3, 8)
	if !slices.Equal(c1.X, S.X[:100]) || slices.Equal(c1.X, c2.X) {
		t.Error("UniformCube is not reproducible for a (seed, stream) or two streams coincide")
	}
	if _, err := Study(context.Background(), S, test, pool, StudyConfig{Families: fams, Sizes: []int{8}, G: Gini, Batch: 0, M: 1, Agree: 1}); err == nil || !strings.Contains(err.Error(), "Batch = 0") {
		t.Errorf("Study with Batch 0: error %v, want one naming Batch", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Study(ctx, S, test, pool, cfg); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Study with a cancelled context: error %v, want context canceled", err)
	}
}

func TestErrorCurvesMatchBestFirst(t *testing.T) {
	S := mustCube(t, 24, 1<<13, 2, 7)
	test := mustCube(t, 24, 1<<12, 2, 99)
	fams, err := Families(24, 2)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{4, 16, 64}
	curves, err := ErrorCurves(context.Background(), fams, S, test, Config{G: KearnsMansour, Batch: 16}, sizes)
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range fams {
		l := mustLearner(t, f, S, Config{G: KearnsMansour, Batch: 16})
		for s, size := range sizes {
			tree, _, _ := l.BestFirst(size)
			want, _ := TrueError(f, tree.Eval, test)
			if curves[k][s] != want {
				t.Errorf("%s t=%d: ErrorCurves %v, BestFirst %v", f.Name(), size, curves[k][s], want)
			}
		}
	}
}

func TestTauForSizeHitsTheSize(t *testing.T) {
	S := mustCube(t, 32, 1<<15, 1, 7)
	pool := mustCube(t, 32, 1<<14, 1, 55)
	f := must(Majority(32, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}))
	for _, size := range []int{8, 64} {
		l := mustLearner(t, f, S, Config{G: Gini, Batch: 128})
		tau, err := TauForSize(l, size, pool, 400, 1)
		if err != nil {
			t.Fatal(err)
		}
		leaves := l.Threshold(tau).Leaves()
		if r := float64(leaves) / float64(size); r < 0.7 || r > 1.4 {
			t.Errorf("t=%d: TauForSize gave τ=%v with %d leaves (ratio %.2f, want [0.7, 1.4])", size, tau.Score, leaves, r)
		}
	}
}

// TestEstimateErrorFromDefinition recomputes an estimate by walking each
// query's path with the public Node of a separate learner.
func TestEstimateErrorFromDefinition(t *testing.T) {
	S := mustCube(t, 24, 1<<13, 6, 7)
	pool := mustCube(t, 24, 1<<10, 6, 55)
	f := must(RandomMonotoneDNF(24, 3, 6, 2))
	const m, seed, batch = 80, 9, 32
	global := mustLearner(t, f, S, Config{G: Gini, Batch: batch})
	_, tau, err := global.BestFirst(40)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EstimateError(mustLearner(t, f, S, Config{G: Gini, Batch: batch}), f, tau, pool, m, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, streamEstimate))
	union := map[int]bool{}
	var want Estimate
	wrong, sumLabels, sumDepth, size := 0, 0, 0, 0.0
	for range m {
		x := pool.X[rng.IntN(len(pool.X))]
		r, depth, labels := Restriction{}, 0, 0
		for {
			st := must(global.Node(r))
			labels += len(st.Minibatch)
			for _, j := range st.Minibatch {
				union[j] = true
			}
			if st.SplitVar < 0 || st.Key.Less(tau) {
				if st.Label != f.Eval(x) {
					wrong++
				}
				break
			}
			r = r.Child(st.SplitVar, x>>uint(st.SplitVar)&1 == 1)
			depth++
		}
		sumLabels += labels
		sumDepth += depth
		size += math.Ldexp(1, depth)
		want.MaxDepth = max(want.MaxDepth, depth)
		want.MaxQueryLabels = max(want.MaxQueryLabels, labels)
	}
	want.Queries = m
	want.Err = float64(wrong) / m
	want.StdErr = math.Sqrt(want.Err * (1 - want.Err) / m)
	want.Labels = len(union) + m
	want.MeanQueryLabels = float64(sumLabels) / m
	want.MeanDepth = float64(sumDepth) / m
	want.SizeEst = size / m
	if got != want {
		t.Errorf("EstimateError = %+v\nwant            %+v", got, want)
	}
	if got.Labels <= m || got.MaxDepth < 1 {
		t.Errorf("degenerate setting: %+v", got)
	}
}

// TestNewFuncMatchesCompiled: a wrapped closure (run on one goroutine) gives
// the same influences and error curves as the compiled target it copies.
func TestNewFuncMatchesCompiled(t *testing.T) {
	maj := must(Majority(20, []int{0, 1, 2, 3, 4, 5, 6}))
	wrapped := must(NewFunc(20, "maj7 closure", maj.Eval))
	S := mustCube(t, 20, 1<<12, 8, 7)
	test := mustCube(t, 20, 1<<11, 8, 99)
	a, err := Influences(maj, S)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Influences(wrapped, S)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) || a[0] == 0 {
		t.Errorf("influences differ or vanish: %v vs %v", a, b)
	}
	curves, err := ErrorCurves(context.Background(), []Func{maj, wrapped}, S, test, Config{G: Gini, Batch: 64}, []int{2, 8, 32})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(curves[0], curves[1]) {
		t.Errorf("error curves differ: %v vs %v", curves[0], curves[1])
	}
}
