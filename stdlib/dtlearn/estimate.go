package dtlearn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TrueError is the fraction of test points where h disagrees with f. It needs
// a non-nil f and h and a non-empty test cube with test.N = f.N().
func TrueError(f Func, h func(x uint64) bool, test *Cube) (float64, error) {
	if f == nil || h == nil {
		return 0, fmt.Errorf("dtlearn: TrueError: f or h is nil")
	}
	if err := checkCube("test", test); err != nil {
		return 0, fmt.Errorf("dtlearn: TrueError: %w", err)
	}
	if test.N != f.N() {
		return 0, fmt.Errorf("dtlearn: TrueError: test.N = %d, want f.N() = %d", test.N, f.N())
	}
	wrong := 0
	for _, x := range test.X {
		if h(x) != f.Eval(x) {
			wrong++
		}
	}
	return float64(wrong) / float64(len(test.X)), nil
}

// Agreement is the fraction of test points where h1 and h2 agree. It needs
// non-nil h1, h2 and a non-empty test cube.
func Agreement(h1, h2 func(x uint64) bool, test *Cube) (float64, error) {
	if h1 == nil || h2 == nil {
		return 0, fmt.Errorf("dtlearn: Agreement: h1 or h2 is nil")
	}
	if err := checkCube("test", test); err != nil {
		return 0, fmt.Errorf("dtlearn: Agreement: %w", err)
	}
	same := 0
	for _, x := range test.X {
		if h1(x) == h2(x) {
			same++
		}
	}
	return float64(same) / float64(len(test.X)), nil
}

// Estimate is the result of EstimateError.
type Estimate struct {
	Err             float64 // err̂: fraction of the m queries where Local(x_j, τ) ≠ f(x_j)
	StdErr          float64 // √(err̂(1−err̂)/m)
	Queries         int     // m
	Labels          int     // m test labels + |∪ B_v| over all visited nodes
	MaxQueryLabels  int     // the largest Σ|B_v| along one query's path
	MeanQueryLabels float64 // the mean of Σ|B_v| along a query's path (labels one query needs on its own)
	SizeEst         float64 // mean of 2^depth(x_j), an estimate of Threshold(τ).Leaves()
	MaxDepth        int     // the deepest path of one query
	MeanDepth       float64 // the mean path length
}

// EstimateError is the learnability estimator: it draws m points uniformly
// (with replacement) from pool with rand.NewPCG(seed, 0xE57), runs
// Local(x_j, τ) on each, labels each x_j with f (one label per query) and
// returns the disagreement rate with its label counts. Labels counts the
// distinct points of S in the minibatches visited by these queries, whatever
// l had computed before, plus the m test labels. It needs a non-nil l (whose
// oracle labels S with the same target f), a non-nil f, a non-empty pool with
// pool.N = f.N() = the sample's n, and m ≥ 1.
func EstimateError(l *Learner, f Func, tau Key, pool *Cube, m int, seed uint64) (Estimate, error) {
	if err := checkEstimateArgs(l, f, pool, m); err != nil {
		return Estimate{}, fmt.Errorf("dtlearn: EstimateError: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, streamEstimate))
	seen := make([]uint64, (len(l.o.s.X)+63)/64)
	distinct := 0
	visit := func(v *node) {
		for _, j := range v.mb {
			w, b := j>>6, uint64(1)<<uint(j&63)
			if seen[w]&b == 0 {
				seen[w] |= b
				distinct++
			}
		}
	}
	est := Estimate{Queries: m}
	wrong, sumLabels, sumDepth := 0, 0, 0
	size := 0.0
	for range m {
		x := pool.X[rng.IntN(len(pool.X))]
		label, depth, labels := l.localPath(x, tau, visit)
		if label != f.Eval(x) {
			wrong++
		}
		size += math.Ldexp(1, depth)
		sumLabels += labels
		sumDepth += depth
		est.MaxDepth = max(est.MaxDepth, depth)
		est.MaxQueryLabels = max(est.MaxQueryLabels, labels)
	}
	est.Err = float64(wrong) / float64(m)
	est.StdErr = math.Sqrt(est.Err * (1 - est.Err) / float64(m))
	est.Labels = distinct + m
	est.SizeEst = size / float64(m)
	est.MeanQueryLabels = float64(sumLabels) / float64(m)
	est.MeanDepth = float64(sumDepth) / float64(m)
	return est, nil
}

func checkEstimateArgs(l *Learner, f Func, pool *Cube, m int) error {
	if l == nil {
		return fmt.Errorf("learner is nil")
	}
	if f == nil {
		return fmt.Errorf("f is nil")
	}
	if err := checkCube("pool", pool); err != nil {
		return err
	}
	if pool.N != l.o.s.N || f.N() != l.o.s.N {
		return fmt.Errorf("pool.N = %d and f.N() = %d, want the sample's n = %d", pool.N, f.N(), l.o.s.N)
	}
	if m < 1 {
		return fmt.Errorf("m = %d, want ≥ 1", m)
	}
	return nil
}

// TauForSize finds, by bisection on log τ over [1e-12, 1], the threshold τ
// whose estimated size E_x[2^depth_τ(x)] (over m points drawn uniformly from
// pool with rand.NewPCG(seed, 0x512E), the same points at every step) is
// closest to t from above: it returns the largest τ found with estimated size
// ≥ t (ID 0, so key(v) ≥ τ ⇔ score(v) ≥ τ.Score). When even τ = 1e-12 gives
// an estimated size below t (the tree cannot grow that large), it returns
// τ = 1e-12. It labels points of S through l like Local. It needs a
// non-nil l, t ≥ 2, a non-empty pool with pool.N equal to the sample's n and
// m ≥ 1.
func TauForSize(l *Learner, t int, pool *Cube, m int, seed uint64) (Key, error) {
	if l == nil {
		return Key{}, fmt.Errorf("dtlearn: TauForSize: learner is nil")
	}
	if err := checkEstimateArgs(l, l.o.f, pool, m); err != nil {
		return Key{}, fmt.Errorf("dtlearn: TauForSize: %w", err)
	}
	if t < 2 {
		return Key{}, fmt.Errorf("dtlearn: TauForSize: t = %d, want ≥ 2", t)
	}
	rng := rand.New(rand.NewPCG(seed, streamSize))
	xs := make([]uint64, m)
	for k := range xs {
		xs[k] = pool.X[rng.IntN(len(pool.X))]
	}
	sizeAt := func(logTau float64) float64 {
		tau := Key{Score: math.Exp(logTau)}
		s := 0.0
		for _, x := range xs {
			_, d := l.Local(x, tau)
			s += math.Ldexp(1, d)
		}
		return s / float64(m)
	}
	lo, hi := math.Log(1e-12), 0.0 // size(lo) ≥ t is assumed, size(hi) = 1 < t
	for range 50 {
		mid := (lo + hi) / 2
		if sizeAt(mid) >= float64(t) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Key{Score: math.Exp(lo)}, nil
}

// LabelBound is m·(1 + b·(⌊log₂(1/τ)⌋ + 2)), the spec's bound on the labels
// of EstimateError with minibatch b (each query visits at most
// ⌊log₂(1/τ)⌋ + 2 nodes of at most b labels each, plus its own test label).
// It needs b ≥ 1, m ≥ 1 and 0 < τ.Score ≤ 1.
func LabelBound(b, m int, tau Key) (int, error) {
	if b < 1 {
		return 0, fmt.Errorf("dtlearn: LabelBound: b = %d, want ≥ 1 (the bound is for minibatches)", b)
	}
	if m < 1 {
		return 0, fmt.Errorf("dtlearn: LabelBound: m = %d, want ≥ 1", m)
	}
	if !(tau.Score > 0 && tau.Score <= 1) {
		return 0, fmt.Errorf("dtlearn: LabelBound: τ.Score = %v, want 0 < τ ≤ 1", tau.Score)
	}
	return m * (1 + b*(DepthBound(tau)+1)), nil
}

// DepthBound is ⌊log₂(1/τ)⌋ + 1, the largest depth Local can reach when
// every weight ŵ_v equals 2^{−|v|} (node scores never exceed ŵ_v); sampling
// fluctuation of ŵ_v can add one more level. It returns 0 for τ.Score > 1 and
// a huge value for τ.Score ≤ 0.
func DepthBound(tau Key) int {
	switch {
	case tau.Score > 1:
		return 0
	case !(tau.Score > 0):
		return math.MaxInt32
	}
	return int(math.Floor(math.Log2(1/tau.Score))) + 1
}
