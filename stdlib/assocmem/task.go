// Package assocmem holds the linear associative-memory model of Kim, Nichani,
// Wu, Bietti & Lee, "Sharp Capacity Scaling of Spectral Optimizers in
// Learning Associative Memory" (arXiv:2603.26554): N items with Gaussian
// input and output embeddings in R^d, power-law (Zipf) frequencies, a d×d
// matrix W trained with the softmax cross-entropy loss, one-step updates of
// SGD, Muon and Newton, recovery and capacity measures, batch sweeps and
// multi-step training drivers.
//
// Item i (0-based; rank i+1 in the papers) has input x_i = X[:, i] and output
// y_i = Y[:, i]; the logits of query i are z_j(i) = y_jᵀ W x_i for all N
// outputs j, and item i is recovered iff z_i(i) > max_{j≠i} z_j(i).
package assocmem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Task is one draw of the associative-memory problem.
type Task struct {
	D, N  int
	Alpha float64
	// X and Y are d×N: column i holds the input and output embedding of
	// item i, entries iid N(0, 1/d).
	X, Y *mat.Dense
	// P holds the item frequencies p_i ∝ (i+1)^−α, sorted in decreasing order.
	P []float64

	cdf  []float64  // cumulative sums of P, for inverse-CDF sampling
	xt   *mat.Dense // N×d copy of Xᵀ: query blocks are contiguous rows
	y32  []float32  // Y in float32 (d×N, row-major) for the recovery screen
	ymax float64    // max_j ‖y_j‖, for the screen's error bound
	ybar []float64  // mean output embedding (1/N) Σ_j y_j
}

// Limits on the problem sizes accepted by NewTask.
const (
	MaxDim   = 4096
	MaxItems = 1 << 20
	MaxAlpha = 16.0
)

// ZipfProbs returns p_i = (i+1)^−α / Σ_{k=1..n} k^−α for i = 0..n−1.
func ZipfProbs(n int, alpha float64) ([]float64, error) {
	if n < 1 || n > MaxItems {
		return nil, fmt.Errorf("assocmem: n = %d; need 1 ≤ n ≤ %d", n, MaxItems)
	}
	if !(alpha >= 0 && alpha <= MaxAlpha) {
		return nil, fmt.Errorf("assocmem: alpha = %v; need 0 ≤ alpha ≤ %v", alpha, MaxAlpha)
	}
	p := make([]float64, n)
	sum := 0.0
	for i := range p {
		p[i] = math.Pow(float64(i+1), -alpha)
	}
	// Sum from the smallest terms up, for accuracy.
	for i := n - 1; i >= 0; i-- {
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p, nil
}

// NewTask draws a task with d-dimensional embeddings and n items with Zipf(α)
// frequencies. It fills X, then Y, each row by row with
// rng.NormFloat64()/√d, so a seed reproduces the task across versions.
func NewTask(d, n int, alpha float64, rng *rand.Rand) (*Task, error) {
	if d < 1 || d > MaxDim {
		return nil, fmt.Errorf("assocmem: d = %d; need 1 ≤ d ≤ %d", d, MaxDim)
	}
	if n < 2 || n > MaxItems {
		return nil, fmt.Errorf("assocmem: n = %d; need 2 ≤ n ≤ %d", n, MaxItems)
	}
	if rng == nil {
		return nil, fmt.Errorf("assocmem: rng is nil; need a *rand.Rand")
	}
	p, err := ZipfProbs(n, alpha)
	if err != nil {
		return nil, err
	}
	std := 1 / math.Sqrt(float64(d))
	fill := func() *mat.Dense {
		m := mat.NewDense(d, n, nil)
		raw := m.RawMatrix().Data // row-major, stride n
		for k := range raw {
			raw[k] = std * rng.NormFloat64()
		}
		return m
	}
	t := &Task{D: d, N: n, Alpha: alpha, P: p}
	t.X = fill()
	t.Y = fill()
	t.cdf = make([]float64, n)
	acc := 0.0
	for i, v := range p {
		acc += v
		t.cdf[i] = acc
	}
	t.xt = mat.DenseCopyOf(t.X.T())
	t.y32 = make([]float32, d*n)
	yn2 := make([]float64, n)
	for r := 0; r < d; r++ {
		for j, v := range t.Y.RawRowView(r) {
			t.y32[r*n+j] = float32(v)
			yn2[j] += v * v
		}
	}
	for _, v := range yn2 {
		t.ymax = math.Max(t.ymax, math.Sqrt(v))
	}
	t.ybar = make([]float64, d)
	for r := 0; r < d; r++ {
		row := t.Y.RawRowView(r)
		s := 0.0
		for _, v := range row {
			s += v
		}
		t.ybar[r] = s / float64(n)
	}
	return t, nil
}

// SampleBatch draws B item indices iid from P by inverse-CDF sampling.
func (t *Task) SampleBatch(B int, rng *rand.Rand) ([]int, error) {
	if B < 1 || B > 1<<28 {
		return nil, fmt.Errorf("assocmem: batch size B = %d; need 1 ≤ B ≤ %d", B, 1<<28)
	}
	if rng == nil {
		return nil, fmt.Errorf("assocmem: rng is nil; need a *rand.Rand")
	}
	out := make([]int, B)
	last := t.N - 1
	for b := range out {
		u := rng.Float64() * t.cdf[last]
		i := sort.Search(t.N, func(k int) bool { return t.cdf[k] > u })
		if i > last {
			i = last
		}
		out[b] = i
	}
	return out, nil
}

// Weights returns the empirical item frequencies count_i/B of a batch of B iid
// draws; B ≤ 0 stands for the population (B = ∞) and returns a copy of P.
func (t *Task) Weights(B int, rng *rand.Rand) ([]float64, error) {
	if B <= 0 {
		return append([]float64(nil), t.P...), nil
	}
	idx, err := t.SampleBatch(B, rng)
	if err != nil {
		return nil, err
	}
	w := make([]float64, t.N)
	inc := 1 / float64(B)
	for _, i := range idx {
		w[i] += inc
	}
	return w, nil
}

func (t *Task) checkWeights(w []float64) error {
	if len(w) != t.N {
		return fmt.Errorf("assocmem: len(w) = %d; need one weight per item (N = %d)", len(w), t.N)
	}
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("assocmem: w[%d] = %v; need finite weights ≥ 0", i, v)
		}
	}
	return nil
}

func (t *Task) checkW(W mat.Matrix) error {
	if W == nil {
		return fmt.Errorf("assocmem: W is nil; need a %d×%d matrix", t.D, t.D)
	}
	if r, c := W.Dims(); r != t.D || c != t.D {
		return fmt.Errorf("assocmem: W is %d×%d; need %d×%d (d×d)", r, c, t.D, t.D)
	}
	return nil
}

// support returns the items with non-zero weight.
func support(w []float64) []int {
	var idx []int
	for i, v := range w {
		if v != 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

// NegGradZero returns G_0 = −∇L(0) = Σ_i w_i (y_i − ȳ) x_iᵀ, the descent
// direction at W = 0 for item weights w (a batch's counts/B or P).
func (t *Task) NegGradZero(w []float64) (*mat.Dense, error) {
	if err := t.checkWeights(w); err != nil {
		return nil, err
	}
	idx := support(w)
	g := mat.NewDense(t.D, t.D, nil)
	if len(idx) == 0 {
		return g, nil
	}
	m := len(idx)
	// Compact (y_i − ȳ)·w_i columns into a d×m matrix and the x_i into m×d
	// rows, so a small batch costs d·m·d rather than d·N·d.
	yw := mat.NewDense(t.D, m, nil)
	xs := mat.NewDense(m, t.D, nil)
	for c, i := range idx {
		for r := 0; r < t.D; r++ {
			yw.Set(r, c, w[i]*(t.Y.At(r, i)-t.ybar[r]))
		}
		copy(xs.RawRowView(c), t.xt.RawRowView(i))
	}
	g.Mul(yw, xs)
	return g, nil
}

// SecondMoments returns the two Kronecker factors of the Hessian of the loss at
// W = 0: C = (1/N) Σ_j y_j y_jᵀ − ȳȳᵀ (the output covariance under the
// uniform softmax) and Σ_x = Σ_i w_i x_i x_iᵀ.
func (t *Task) SecondMoments(w []float64) (C, Sx *mat.SymDense, err error) {
	if err := t.checkWeights(w); err != nil {
		return nil, nil, err
	}
	C = mat.NewSymDense(t.D, nil)
	C.SymOuterK(1/float64(t.N), t.Y)
	yb := mat.NewVecDense(t.D, append([]float64(nil), t.ybar...))
	C.SymRankOne(C, -1, yb)
	idx := support(w)
	xs := mat.NewDense(t.D, max(len(idx), 1), nil)
	for c, i := range idx {
		s := math.Sqrt(w[i])
		for r := 0; r < t.D; r++ {
			xs.Set(r, c, s*t.X.At(r, i))
		}
	}
	Sx = mat.NewSymDense(t.D, nil)
	Sx.SymOuterK(1, xs)
	return C, Sx, nil
}
