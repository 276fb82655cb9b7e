package assocmem

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/linalg"
)

func newTask(t *testing.T, d, n int, alpha float64, seed uint64) *Task {
	t.Helper()
	task, err := NewTask(d, n, alpha, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestZipfProbs(t *testing.T) {
	for _, c := range []struct {
		n     int
		alpha float64
	}{{1, 1.5}, {10, 0}, {2048, 1.5}, {100, 2}} {
		p, err := ZipfProbs(c.n, c.alpha)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for i, v := range p {
			sum += v
			if i > 0 {
				if want := math.Pow(float64(i)/float64(i+1), c.alpha); math.Abs(v/p[i-1]-want) > 1e-12 {
					t.Fatalf("n=%d α=%v: p[%d]/p[%d] = %v, want %v", c.n, c.alpha, i, i-1, v/p[i-1], want)
				}
			}
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("n=%d α=%v: sum %v", c.n, c.alpha, sum)
		}
	}
}

// NewTask fills X then Y row by row with N(0,1)/√d draws from rng.
func TestNewTaskFillOrder(t *testing.T) {
	d, n := 3, 5
	task := newTask(t, d, n, 1.5, 42)
	rng := rand.New(rand.NewPCG(42, 0))
	s := 1 / math.Sqrt(float64(d))
	for _, m := range []*mat.Dense{task.X, task.Y} {
		for i := 0; i < d; i++ {
			for j := 0; j < n; j++ {
				if want := s * rng.NormFloat64(); m.At(i, j) != want {
					t.Fatalf("entry (%d,%d) = %v, want %v", i, j, m.At(i, j), want)
				}
			}
		}
	}
}

func TestSampleBatchFrequencies(t *testing.T) {
	task := newTask(t, 4, 50, 1.5, 1)
	const B = 200000
	w, err := task.Weights(B, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for i, v := range w {
		sum += v
		se := math.Sqrt(task.P[i] * (1 - task.P[i]) / B)
		if math.Abs(v-task.P[i]) > 5*se+1e-12 {
			t.Errorf("item %d: frequency %v, p = %v (5 SE = %v)", i, v, task.P[i], 5*se)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("weights sum to %v", sum)
	}
	pop, _ := task.Weights(0, nil)
	if !reflect.DeepEqual(pop, task.P) {
		t.Fatal("Weights(0) is not P")
	}
	pop[0] = -1
	if task.P[0] == -1 {
		t.Fatal("Weights(0) aliases P")
	}
}

// G_0 from the closed form equals a brute-force sum and minus the exact
// softmax gradient at W = 0, for population and batch weights.
func TestNegGradZero(t *testing.T) {
	task := newTask(t, 5, 40, 1.5, 2)
	batch, _ := task.Weights(7, rand.New(rand.NewPCG(3, 0)))
	for _, w := range [][]float64{task.P, batch} {
		g0, err := task.NegGradZero(w)
		if err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(5, 5, nil)
		ybar := make([]float64, 5)
		for j := 0; j < task.N; j++ {
			for r := 0; r < 5; r++ {
				ybar[r] += task.Y.At(r, j) / float64(task.N)
			}
		}
		for i := 0; i < task.N; i++ {
			for r := 0; r < 5; r++ {
				for c := 0; c < 5; c++ {
					want.Set(r, c, want.At(r, c)+w[i]*(task.Y.At(r, i)-ybar[r])*task.X.At(c, i))
				}
			}
		}
		if d := maxAbsDiff(g0, want); d > 1e-14 {
			t.Fatalf("G_0 differs from the brute-force sum by %v", d)
		}
		grad, loss, err := task.LossGrad(mat.NewDense(5, 5, nil), w)
		if err != nil {
			t.Fatal(err)
		}
		grad.Scale(-1, grad)
		if d := maxAbsDiff(g0, grad); d > 1e-14 {
			t.Fatalf("G_0 differs from −∇L(0) by %v", d)
		}
		if want := math.Log(float64(task.N)); math.Abs(loss-want) > 1e-12 {
			t.Fatalf("L(0) = %v, want log N = %v", loss, want)
		}
	}
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, math.Inf(1)) // max row sum ≥ max entry; fine as a bound
}

// The gradient matches central finite differences of the loss at a random W.
func TestLossGradFiniteDifference(t *testing.T) {
	task := newTask(t, 4, 30, 1.2, 4)
	W, _ := linalg.GaussianMatrix(4, 4, 3, rand.New(rand.NewPCG(5, 0)))
	w, _ := task.Weights(20, rand.New(rand.NewPCG(6, 0)))
	grad, _, err := task.LossGrad(W, w)
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-6
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			Wp, Wm := mat.DenseCopyOf(W), mat.DenseCopyOf(W)
			Wp.Set(r, c, W.At(r, c)+h)
			Wm.Set(r, c, W.At(r, c)-h)
			_, lp, _ := task.LossGrad(Wp, w)
			_, lm, _ := task.LossGrad(Wm, w)
			if fd := (lp - lm) / (2 * h); math.Abs(fd-grad.At(r, c)) > 1e-7 {
				t.Fatalf("∂L/∂W[%d,%d] = %v, finite difference %v", r, c, grad.At(r, c), fd)
			}
		}
	}
}

// Recovered agrees with a brute-force strict argmax over all N outputs, and
// W = 0 (all logits tied) recovers nothing.
func TestRecoveredBruteForce(t *testing.T) {
	task := newTask(t, 6, 600, 1.5, 8) // 600 > one query block of 256
	W, _ := linalg.GaussianMatrix(6, 6, 1, rand.New(rand.NewPCG(9, 0)))
	for i := 0; i < 6; i++ {
		W.Set(i, i, W.At(i, i)+4)
	}
	// Near-ties that float32 cannot resolve: output j+1 is output j moved by
	// ±1e-9 along a coordinate, output 300 equals output 301 exactly.
	for j := 0; j < 40; j += 2 {
		for r := 0; r < 6; r++ {
			task.Y.Set(r, j+1, task.Y.At(r, j))
		}
		task.Y.Set(j%6, j+1, task.Y.At(j%6, j)+float64(1-2*(j/2%2))*1e-9)
	}
	for r := 0; r < 6; r++ {
		task.Y.Set(r, 300, task.Y.At(r, 301))
	}
	rec, err := task.Recovered(W, task.N)
	if err != nil {
		t.Fatal(err)
	}
	var yw, z mat.Dense
	yw.Mul(task.Y.T(), W)
	z.Mul(&yw, task.X) // z[j][i] = y_jᵀ W x_i
	n := 0
	for i := 0; i < task.N; i++ {
		want := true
		for j := 0; j < task.N; j++ {
			if j != i && z.At(j, i) >= z.At(i, i) {
				want = false
			}
		}
		if rec[i] != want {
			t.Fatalf("item %d: recovered %v, brute force %v", i, rec[i], want)
		}
		if want {
			n++
		}
	}
	if n == 0 || n == task.N {
		t.Fatalf("degenerate test: %d of %d recovered", n, task.N)
	}
	zero, _ := task.Recovered(mat.NewDense(6, 6, nil), 10)
	for i, r := range zero {
		if r {
			t.Fatalf("W = 0 recovers item %d; ties must count as not recovered", i)
		}
	}
}

func TestSummarize(t *testing.T) {
	p := []float64{0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05}
	T, F := true, false
	cases := []struct {
		rec  []bool
		want Capacity
	}{
		{[]bool{F, F, F}, Capacity{NRec: 0, KAll: 0, K90: 0, E01: 1}},
		{[]bool{T, T, T}, Capacity{NRec: 3, KAll: 3, K90: 3, E01: 0.3}},
		{[]bool{T, F, T}, Capacity{NRec: 2, KAll: 1, K90: 1, E01: 0.5}},
		// 9 of the top 10 recovered gives K90 = 10 (needs 10 items).
		{[]bool{T, T, T, T, T, T, F}, Capacity{NRec: 6, KAll: 6, K90: 6, E01: 0.05}},
	}
	for i, c := range cases {
		got, err := Summarize(c.rec, p)
		if err != nil {
			t.Fatal(err)
		}
		if got.NRec != c.want.NRec || got.KAll != c.want.KAll || got.K90 != c.want.K90 || math.Abs(got.E01-c.want.E01) > 1e-12 {
			t.Errorf("case %d: %+v, want %+v", i, got, c.want)
		}
	}
	rec := make([]bool, 20)
	pp := make([]float64, 20)
	for i := range rec {
		rec[i] = i != 3 && i != 15 // 18 of 20: 90 % exactly at K = 20
		pp[i] = 0.05
	}
	got, _ := Summarize(rec, pp)
	if got.K90 != 20 || got.KAll != 3 {
		t.Errorf("K90 = %d (want 20), KAll = %d (want 3)", got.K90, got.KAll)
	}
}

func TestCriticalBatch(t *testing.T) {
	grid := []int{4, 16, 64, 256, 1024, 4096, 16384, 65536, 0}
	cases := []struct {
		name string
		e01  []float64
		want int
	}{
		// Rows of the spec's calibration table (d = 64, α = 1.5).
		{"sgd d64", []float64{.569, .363, .308, .317, .317, .312, .315, .315, .315}, 64},
		{"muon d64", []float64{.569, .358, .222, .134, .105, .097, .094, .093, .092}, 4096},
		{"muon d128", []float64{.564, .376, .188, .127, .077, .056, .051, .048, .047}, 16384},
		{"only infinity", []float64{1, 1, 1, 1, 1, 1, 1, 1, 0.5}, 0},
		{"flat", []float64{.3, .3, .3, .3, .3, .3, .3, .3, .3}, 4},
		// A late excursion above the band resets the critical batch.
		{"late bump", []float64{.3, .3, .3, .3, .3, .5, .3, .3, .3}, 16384},
	}
	for _, c := range cases {
		got, err := CriticalBatch(grid, c.e01, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: B_crit = %d, want %d", c.name, got, c.want)
		}
	}
	// Order of the grid does not matter.
	got, _ := CriticalBatch([]int{0, 4096, 64, 4}, []float64{.1, .105, .2, .5}, 0.1)
	if got != 4096 {
		t.Errorf("unsorted grid: %d, want 4096", got)
	}
}

func TestTheoryMuonDT(t *testing.T) {
	for _, c := range []struct {
		d, alpha float64
		t        int
		want     float64
	}{
		{64, 1.5, 0, 64},
		{64, 1.5, 1, 256},                      // 64^{4/3}
		{64, 1.5, 2, math.Pow(2, 6*(2-4.0/9))}, // 64^{14/9} ≈ 645
		{32, 2, 1, math.Pow(32, 1.25)},         // d^{1+1/(2α)}
		{100, 1.5, 200, 10000},                 // → d²
	} {
		got, err := TheoryMuonDT(c.d, c.alpha, c.t)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("d_%d(d=%v, α=%v) = %v, want %v", c.t, c.d, c.alpha, got, c.want)
		}
	}
}

func TestOneStepInvariances(t *testing.T) {
	task := newTask(t, 16, 300, 1.5, 10)
	w := task.P
	g0, _ := task.NegGradZero(w)
	// Scaling the weights (hence G_0) leaves the recovered sets of SGD, Muon
	// and Newton unchanged.
	w3 := make([]float64, len(w))
	for i := range w {
		w3[i] = 3 * w[i]
	}
	for _, m := range []string{SGD, Muon, Newton} {
		a, err := task.OneStep(w, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := task.OneStep(w3, m, 0)
		ra, _ := task.Recovered(a, task.N)
		rb, _ := task.Recovered(b, task.N)
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%s: recovered set changes when G_0 is scaled by 3", m)
		}
	}
	// Muon's W_1 is orthogonal; SGD's W_1 is G_0.
	mu, _ := task.OneStep(w, Muon, 0)
	var qtq mat.Dense
	qtq.Mul(mu.T(), mu)
	for i := 0; i < 16; i++ {
		qtq.Set(i, i, qtq.At(i, i)-1)
	}
	if d := maxAbsDiff(&qtq, mat.NewDense(16, 16, nil)); d > 1e-10 {
		t.Errorf("Muon W_1 not orthogonal: %v", d)
	}
	sg, _ := task.OneStep(w, SGD, 0)
	if d := maxAbsDiff(sg, g0); d > 1e-15 {
		t.Errorf("SGD W_1 ≠ G_0: %v", d)
	}
}

func sweepCfg() OneStepConfig {
	return OneStepConfig{Ds: []int{8, 16}, N: 200, Alpha: 1.5, Seeds: 3, Seed: 11,
		Methods: []string{SGD, Muon, HLambda, "NS5", Newton}, KqMuon: 100, KqSGD: 20}
}

// Results do not depend on GOMAXPROCS, and a sweep's task is the one
// OneStepTrial draws.
func TestOneStepSweepDeterministic(t *testing.T) {
	cfg := sweepCfg()
	prev := runtime.GOMAXPROCS(1)
	a, err := OneStepSweep(context.Background(), cfg)
	runtime.GOMAXPROCS(4)
	b, err2 := OneStepSweep(context.Background(), cfg)
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("results differ between GOMAXPROCS 1 and 4")
	}
	if len(a) != 2*5 {
		t.Fatalf("%d rows, want 10", len(a))
	}
	task, w, _ := OneStepTrial(cfg, 16, 2)
	w1, _ := task.OneStep(w, HLambda, task.P[15])
	rec, _ := task.Recovered(w1, 100)
	c, _ := Summarize(rec, task.P)
	if got := a.Method(HLambda).Dim(16)[0].PerSeed[2]; got != c {
		t.Fatalf("sweep seed 2 at d = 16: %+v, direct: %+v", got, c)
	}
	mean, _ := a.Value(Muon, 8, 0, "NRec")
	per := a.Method(Muon).Dim(8)[0].PerSeed
	if want := float64(per[0].NRec+per[1].NRec+per[2].NRec) / 3; mean != want {
		t.Fatalf("mean NRec %v, want %v", mean, want)
	}
}

func TestSweepCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := OneStepSweep(ctx, sweepCfg())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	task := newTask(t, 8, 100, 1.5, 1)
	_, err = Train(ctx, task, TrainConfig{Method: Muon, Eta: 1, Steps: 3})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train error %v, want context.Canceled", err)
	}
}

// The first training step from 0 recovers what the one-step update does,
// whatever η; small-step GD lowers the loss.
func TestTrainFirstStep(t *testing.T) {
	task := newTask(t, 12, 200, 1.5, 12)
	for _, c := range []struct {
		method string
		eta    float64
	}{{Muon, 0.3}, {Muon, 30}, {SGD, 5}, {SGD, 500}, {"NS5", 2}} {
		run, err := Train(context.Background(), task, TrainConfig{Method: c.method, Eta: c.eta, Steps: 2})
		if err != nil {
			t.Fatal(err)
		}
		w1, _ := task.OneStep(task.P, c.method, 0)
		rec, _ := task.Recovered(w1, task.N)
		want, _ := Summarize(rec, task.P)
		if run[0].Capacity != want || run[0].Step != 1 || run[1].Step != 2 {
			t.Errorf("%s η=%v: step 1 %+v, one-step %+v", c.method, c.eta, run[0], want)
		}
	}
	run, _ := Train(context.Background(), task, TrainConfig{Method: SGD, Eta: 1, Steps: 5})
	prev := math.Log(float64(task.N))
	for _, p := range run {
		if !(p.Loss < prev) {
			t.Fatalf("GD η=1 loss did not decrease at step %d: %v after %v", p.Step, p.Loss, prev)
		}
		prev = p.Loss
	}
	th, err := TrainThresholded(context.Background(), task, TrainConfig{Method: Muon, Eta: 1, Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	w1, _ := task.OneStep(task.P, Muon, 0)
	rec, _ := task.Recovered(w1, task.N)
	want, _ := Summarize(rec, task.P)
	if th[0].Capacity != want {
		t.Fatalf("thresholded step 1 %+v, one-step Muon %+v", th[0].Capacity, want)
	}
}

func TestEnvelope(t *testing.T) {
	mk := func(n ...int) []TrainPoint {
		out := make([]TrainPoint, len(n))
		for i, v := range n {
			out[i] = TrainPoint{Step: i + 1, Capacity: Capacity{NRec: v}}
		}
		return out
	}
	env, err := Envelope([][]TrainPoint{mk(1, 5, 2), mk(3, 4, 4)})
	if err != nil || !reflect.DeepEqual(env, []int{3, 5, 4}) {
		t.Fatalf("envelope %v (%v), want [3 5 4]", env, err)
	}
	if _, err := Envelope([][]TrainPoint{mk(1), mk(1, 2)}); err == nil {
		t.Fatal("unequal lengths accepted")
	}
}

func TestRows(t *testing.T) {
	rows := Rows{
		{D: 32, B: 0, Method: Muon, Mean: CapacityStats{K90: 10}, SE: CapacityStats{K90: 1}},
		{D: 64, B: 0, Method: Muon, Mean: CapacityStats{K90: 40}},
		{D: 32, B: 16, Method: SGD, Mean: CapacityStats{K90: 2}},
	}
	d, err := rows.Method(Muon).Col("D")
	if err != nil || !reflect.DeepEqual(d, []float64{32, 64}) {
		t.Fatalf("D column %v %v", d, err)
	}
	b, _ := rows.Col("B")
	if !math.IsInf(b[0], 1) || b[2] != 16 {
		t.Fatalf("B column %v", b)
	}
	if v, err := rows.Value(SGD, 32, 16, "K90"); err != nil || v != 2 {
		t.Fatalf("Value = %v, %v", v, err)
	}
	if _, err := rows.Value(Muon, 128, 0, "K90"); err == nil || !strings.Contains(err.Error(), "0 rows") {
		t.Fatalf("missing row: %v", err)
	}
	if _, err := rows.Col("K95"); err == nil || !strings.Contains(err.Error(), "K95") {
		t.Fatalf("bad column: %v", err)
	}
	if h := rows.HTML(); !strings.Contains(h, "<td>∞</td>") || !strings.Contains(h, "10.0 ± 1.0") {
		t.Fatalf("HTML: %s", h)
	}
	if txt := rows.String(); strings.Count(txt, "\n") != 4 || !strings.Contains(txt, "SGD") || !strings.Contains(txt, "∞") {
		t.Fatalf("String:\n%s", txt)
	}
}

func TestErrorsNameParameter(t *testing.T) {
	task := newTask(t, 4, 10, 1.5, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	bad := sweepCfg()
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"zipf n", func() error { _, err := ZipfProbs(0, 1); return err }, "n = 0"},
		{"zipf alpha", func() error { _, err := ZipfProbs(5, -1); return err }, "alpha"},
		{"task d", func() error { _, err := NewTask(0, 10, 1.5, rng); return err }, "d = 0"},
		{"task n", func() error { _, err := NewTask(4, 1, 1.5, rng); return err }, "n = 1"},
		{"task alpha", func() error { _, err := NewTask(4, 10, math.NaN(), rng); return err }, "alpha"},
		{"task rng", func() error { _, err := NewTask(4, 10, 1.5, nil); return err }, "rng"},
		{"batch", func() error { _, err := task.SampleBatch(0, rng); return err }, "batch size B"},
		{"weights len", func() error { _, err := task.NegGradZero([]float64{1}); return err }, "len(w)"},
		{"weights neg", func() error { w := make([]float64, 10); w[3] = -1; _, err := task.NegGradZero(w); return err }, "w[3] = -1"},
		{"W shape", func() error { _, err := task.Recovered(mat.NewDense(3, 4, nil), 1); return err }, "W is 3×4"},
		{"kq", func() error { _, err := task.Recovered(mat.NewDense(4, 4, nil), 11); return err }, "kq = 11"},
		{"method", func() error { _, err := task.OneStep(task.P, "Adam", 0); return err }, "method \"Adam\""},
		{"NS steps", func() error { _, err := task.OneStep(task.P, "NS0", 0); return err }, "NS<k>"},
		{"hlambda", func() error { _, err := task.OneStep(task.P, HLambda, 0); return err }, "lambda"},
		{"sweep Ds", func() error { c := bad; c.Ds = nil; _, err := OneStepSweep(context.Background(), c); return err }, "Ds"},
		{"sweep seeds", func() error { c := bad; c.Seeds = 0; _, err := OneStepSweep(context.Background(), c); return err }, "Seeds = 0"},
		{"sweep kq", func() error { c := bad; c.KqMuon = 500; _, err := OneStepSweep(context.Background(), c); return err }, "KqMuon = 500"},
		{"sweep kqsgd", func() error { c := bad; c.KqSGD = 0; _, err := OneStepSweep(context.Background(), c); return err }, "KqSGD = 0"},
		{"batch sweep", func() error { _, err := BatchSweep(context.Background(), bad, nil); return err }, "Bs"},
		{"train eta", func() error {
			_, err := Train(context.Background(), task, TrainConfig{Method: Muon, Steps: 1})
			return err
		}, "Eta"},
		{"train steps", func() error {
			_, err := Train(context.Background(), task, TrainConfig{Method: Muon, Eta: 1})
			return err
		}, "Steps = 0"},
		{"train newton", func() error {
			_, err := Train(context.Background(), task, TrainConfig{Method: Newton, Eta: 1, Steps: 1})
			return err
		}, "one-step"},
		{"train lambda", func() error {
			_, err := Train(context.Background(), task, TrainConfig{Method: Muon, Eta: 1, Steps: 1, Lambda: 1})
			return err
		}, "Lambda"},
		{"train kq", func() error {
			_, err := TrainThresholded(context.Background(), task, TrainConfig{Method: Muon, Eta: 1, Steps: 1, Kq: 20})
			return err
		}, "Kq = 20"},
		{"critical tol", func() error { _, err := CriticalBatch([]int{1}, []float64{1}, -1); return err }, "tol"},
		{"critical len", func() error { _, err := CriticalBatch([]int{1, 2}, []float64{1}, 0.1); return err }, "len(Bs)"},
		{"critical dup", func() error { _, err := CriticalBatch([]int{0, -1}, []float64{1, 1}, 0.1); return err }, "repeats"},
		{"theory alpha", func() error { _, err := TheoryMuonDT(64, 1, 1); return err }, "alpha"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestOneStepRasterAndSpectrum(t *testing.T) {
	task := newTask(t, 16, 300, 1.5, 13)
	methods := []string{SGD, Muon, HLambda, Newton}
	raster, caps, err := task.OneStepRaster(task.P, methods, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	for m, name := range methods {
		lambda := 0.0
		if name == HLambda {
			lambda = task.P[15] // 0 selects p_d
		}
		w1, _ := task.OneStep(task.P, name, lambda)
		rec, _ := task.Recovered(w1, 200)
		want, _ := Summarize(rec, task.P)
		sum := 0
		for k := 0; k < 200; k++ {
			if (raster.At(m, k) == 1) != rec[k] {
				t.Fatalf("%s: raster[%d] = %v, recovered %v", name, k, raster.At(m, k), rec[k])
			}
			sum += int(raster.At(m, k))
		}
		if caps[m] != want || sum != want.NRec {
			t.Fatalf("%s: capacity %+v (raster sum %d), want %+v", name, caps[m], sum, want)
		}
	}
	sv, err := task.G0Spectrum(task.P)
	if err != nil {
		t.Fatal(err)
	}
	g0, _ := task.NegGradZero(task.P)
	op, _ := linalg.OpNorm(g0)
	if len(sv) != 16 || math.Abs(sv[0]-op) > 1e-12*op {
		t.Fatalf("spectrum %v, ‖G_0‖ = %v", sv, op)
	}
	for i := 1; i < len(sv); i++ {
		if sv[i] > sv[i-1] {
			t.Fatalf("spectrum not decreasing at %d: %v", i, sv)
		}
	}
	if _, _, err := task.OneStepRaster(task.P, nil, 0, 10); err == nil || !strings.Contains(err.Error(), "methods") {
		t.Fatalf("empty methods: %v", err)
	}
}

func TestPaperChecksErrors(t *testing.T) {
	if _, err := PaperChecks(PaperRuns{}); err == nil || !strings.Contains(err.Error(), "runs") {
		t.Fatalf("empty runs: %v", err)
	}
	run := [][]TrainPoint{{{Step: 1, Capacity: Capacity{NRec: 3}}}}
	if _, err := PaperChecks(PaperRuns{MuonRuns: run, GDRuns: run}); err == nil || !strings.Contains(err.Error(), "rows match") {
		t.Fatalf("missing rows: %v", err)
	}
	if got := NRecCurve(run[0]); len(got) != 1 || got[0] != 3 {
		t.Fatalf("NRecCurve %v", got)
	}
	checks := Checks{{ID: "M9", Name: "a", Value: math.Inf(1), Lo: 16, Hi: math.Inf(1), Pass: true}, {ID: "M1", Name: "b", Value: 2.5, Lo: 10, Hi: math.Inf(1)}}
	if v := checks.Values(); v["M9 a"] != "+Inf" || v["M1 b"] != 2.5 || checks.AllPass() {
		t.Fatalf("Values %v, AllPass %v", v, checks.AllPass())
	}
	if h := checks.HTML(); !strings.Contains(h, "FAIL") || !strings.Contains(h, "[10, ∞]") {
		t.Fatalf("HTML %s", h)
	}
	if txt := checks.String(); !strings.Contains(txt, "M9") || !strings.Contains(txt, "PASS") || !strings.Contains(txt, "FAIL") {
		t.Fatalf("String:\n%s", txt)
	}
}

// Minibatch training is reproducible from its Seed and differs from the
// population-gradient run.
func TestTrainMinibatchSeeded(t *testing.T) {
	task := newTask(t, 8, 100, 1.5, 14)
	cfg := TrainConfig{Method: "NS5", Eta: 2, Steps: 4, B: 16, Seed: 3}
	a, err := Train(context.Background(), task, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(context.Background(), task, cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same Seed, different runs")
	}
	full := cfg
	full.B = 0
	f, _ := Train(context.Background(), task, full)
	if reflect.DeepEqual(a, f) {
		t.Fatal("B = 16 run equals the population-gradient run")
	}
	th1, err := TrainThresholded(context.Background(), task, cfg)
	if err != nil {
		t.Fatal(err)
	}
	th2, _ := TrainThresholded(context.Background(), task, cfg)
	if len(th1) != 4 || !reflect.DeepEqual(th1[3].Capacity, th2[3].Capacity) || !math.IsNaN(th1[0].Loss) {
		t.Fatalf("thresholded minibatch runs: %+v vs %+v", th1, th2)
	}
}

// With λ = 0 every thresholded step is η·(orthogonal-like map), so W_t is η
// times an η-free matrix and the recovered sets do not depend on η.
func TestTrainThresholdedEtaInvariant(t *testing.T) {
	task := newTask(t, 16, 400, 1.5, 15)
	a, err := TrainThresholded(context.Background(), task, TrainConfig{Method: Muon, Eta: 0.5, Steps: 4, Kq: 200})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainThresholded(context.Background(), task, TrainConfig{Method: Muon, Eta: 7, Steps: 4, Kq: 200})
	for i := range a {
		if a[i].Capacity != b[i].Capacity {
			t.Fatalf("step %d: η=0.5 %+v, η=7 %+v", i+1, a[i].Capacity, b[i].Capacity)
		}
	}
	if a[1].NRec == a[0].NRec && a[2].NRec == a[0].NRec {
		t.Fatal("thresholded steps after the first changed nothing")
	}
}
