package assocmem

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gonote/gonote/stdlib/experiment"
	"github.com/gonote/gonote/stdlib/stats"
)

// OneStepConfig describes a sweep of one-step capacities over embedding
// dimensions.
type OneStepConfig struct {
	// Ds are the embedding dimensions (each in [1, MaxDim]).
	Ds []int
	// N is the number of items (≥ 2) and Alpha the Zipf exponent.
	N     int
	Alpha float64
	// B is the batch size of the one step; B ≤ 0 is the population gradient.
	B int
	// Seeds is the number of independent tasks per dimension (≥ 1). Task s at
	// dimension d is drawn from PCG(Seed ^ d<<40, s), first the task, then the
	// batch, so every method sees the same task and batch.
	Seeds int
	Seed  uint64
	// Methods to run on each task: SGD, Muon, HLambda, Newton, NS<k>.
	Methods []string
	// KqMuon is the number of queried items for every method but SGD, KqSGD
	// for SGD (each in [1, N]).
	KqMuon, KqSGD int
	// Lambda is λ of the HLambda method; 0 means p_d, the frequency of the
	// d-th item (the level of the bulk of G_0's spectrum).
	Lambda float64
	// Progress, if set, is called as tasks finish (see experiment.Options).
	Progress func(done, total int)
}

// CapacityStats holds Capacity fields as floats (means or standard errors).
type CapacityStats struct {
	NRec, KAll, K90, E01 float64
}

// OneStepRow is the result of one method at one (d, B) over the seeds.
type OneStepRow struct {
	D, B   int
	Alpha  float64
	Method string
	// Mean and SE (standard error of the mean; NaN for one seed) over seeds.
	Mean, SE CapacityStats
	// PerSeed holds each task's capacity, index = seed.
	PerSeed []Capacity
}

func (c OneStepConfig) kq(method string) int {
	if method == SGD {
		return c.KqSGD
	}
	return c.KqMuon
}

func (c OneStepConfig) validate() error {
	if len(c.Ds) == 0 {
		return fmt.Errorf("assocmem: Ds is empty; need at least one dimension")
	}
	for _, d := range c.Ds {
		if d < 1 || d > MaxDim {
			return fmt.Errorf("assocmem: Ds contains %d; need 1 ≤ d ≤ %d", d, MaxDim)
		}
	}
	if c.N < 2 || c.N > MaxItems {
		return fmt.Errorf("assocmem: N = %d; need 2 ≤ N ≤ %d", c.N, MaxItems)
	}
	if !(c.Alpha >= 0 && c.Alpha <= MaxAlpha) {
		return fmt.Errorf("assocmem: Alpha = %v; need 0 ≤ Alpha ≤ %v", c.Alpha, MaxAlpha)
	}
	if c.Seeds < 1 || c.Seeds > 100000 {
		return fmt.Errorf("assocmem: Seeds = %d; need 1 ≤ Seeds ≤ 100000", c.Seeds)
	}
	if len(c.Methods) == 0 {
		return fmt.Errorf("assocmem: Methods is empty; need at least one of SGD, Muon, HLambda, Newton, NS<k>")
	}
	for _, m := range c.Methods {
		if err := CheckMethod(m); err != nil {
			return err
		}
		kq := c.kq(m)
		if kq < 1 || kq > c.N {
			name := "KqMuon"
			if m == SGD {
				name = "KqSGD"
			}
			return fmt.Errorf("assocmem: %s = %d (method %s); need 1 ≤ %s ≤ N = %d", name, kq, m, name, c.N)
		}
	}
	if !(c.Lambda >= 0) || math.IsInf(c.Lambda, 0) {
		return fmt.Errorf("assocmem: Lambda = %v; need a finite λ ≥ 0 (0 = p_d)", c.Lambda)
	}
	return nil
}

// dimSeed is the PCG seed of the tasks at dimension d.
func dimSeed(seed uint64, d int) uint64 { return seed ^ uint64(d)<<40 }

// OneStepTrial draws the task for seed index s at dimension d as OneStepSweep
// does and returns it with its batch weights.
func OneStepTrial(cfg OneStepConfig, d, s int) (*Task, []float64, error) {
	rng := rand.New(rand.NewPCG(dimSeed(cfg.Seed, d), uint64(s)))
	return drawTrial(cfg, d, rng)
}

func drawTrial(cfg OneStepConfig, d int, rng *rand.Rand) (*Task, []float64, error) {
	t, err := NewTask(d, cfg.N, cfg.Alpha, rng)
	if err != nil {
		return nil, nil, err
	}
	w, err := t.Weights(cfg.B, rng)
	if err != nil {
		return nil, nil, err
	}
	return t, w, nil
}

// runOneStep runs every method of cfg on one task.
func runOneStep(ctx context.Context, cfg OneStepConfig, t *Task, w []float64) ([]Capacity, error) {
	g0, err := t.NegGradZero(w)
	if err != nil {
		return nil, err
	}
	out := make([]Capacity, len(cfg.Methods))
	for mi, m := range cfg.Methods {
		lambda := cfg.Lambda
		if m == HLambda && lambda == 0 {
			lambda = t.P[min(t.D, t.N)-1]
		}
		w1, err := t.stepFromG0(g0, w, m, lambda)
		if err != nil {
			return nil, err
		}
		rec, err := t.RecoveredCtx(ctx, w1, cfg.kq(m))
		if err != nil {
			return nil, err
		}
		if out[mi], err = Summarize(rec, t.P); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OneStepSweep measures the one-step capacity of each method at each
// dimension, averaged over cfg.Seeds tasks. Tasks run in parallel; results do
// not depend on GOMAXPROCS. Rows are ordered by dimension, then method.
func OneStepSweep(ctx context.Context, cfg OneStepConfig) (Rows, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nt := len(cfg.Ds) * cfg.Seeds
	// Trial k is (dimension index last−k/Seeds, seed k%Seeds): the last (in
	// the usual ascending order, the most expensive) dimension runs first, so
	// the workers finish together. Its generator comes from (d, s), not from
	// k, so a task does not depend on the other dimensions.
	last := len(cfg.Ds) - 1
	res, err := experiment.Run(ctx, nt, cfg.Seed, experiment.Options{Progress: cfg.Progress}, func(k int, _ *rand.Rand) ([]Capacity, error) {
		d, s := cfg.Ds[last-k/cfg.Seeds], k%cfg.Seeds
		t, w, err := OneStepTrial(cfg, d, s)
		if err != nil {
			return nil, err
		}
		return runOneStep(ctx, cfg, t, w)
	})
	if err != nil {
		return nil, fmt.Errorf("assocmem: one-step sweep: %w", err)
	}
	var rows Rows
	for di, d := range cfg.Ds {
		for mi, m := range cfg.Methods {
			per := make([]Capacity, cfg.Seeds)
			for s := range per {
				per[s] = res[(last-di)*cfg.Seeds+s][mi]
			}
			mean, se := capacityStats(per)
			rows = append(rows, OneStepRow{D: d, B: cfg.B, Alpha: cfg.Alpha, Method: m, Mean: mean, SE: se, PerSeed: per})
		}
	}
	return rows, nil
}

// BatchSweep runs OneStepSweep for every batch size in Bs (B ≤ 0 = ∞, the
// population gradient). Rows are ordered by B, then dimension, then method.
// For a given seed and dimension every B uses the same task.
func BatchSweep(ctx context.Context, cfg OneStepConfig, Bs []int) (Rows, error) {
	if len(Bs) == 0 {
		return nil, fmt.Errorf("assocmem: Bs is empty; need at least one batch size")
	}
	var rows Rows
	for _, b := range Bs {
		c := cfg
		c.B = b
		r, err := OneStepSweep(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("assocmem: batch sweep at B = %d: %w", b, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

func capacityStats(per []Capacity) (mean, se CapacityStats) {
	field := func(get func(Capacity) float64) (float64, float64) {
		x := make([]float64, len(per))
		for i, c := range per {
			x[i] = get(c)
		}
		return stats.MeanSE(x)
	}
	mean.NRec, se.NRec = field(func(c Capacity) float64 { return float64(c.NRec) })
	mean.KAll, se.KAll = field(func(c Capacity) float64 { return float64(c.KAll) })
	mean.K90, se.K90 = field(func(c Capacity) float64 { return float64(c.K90) })
	mean.E01, se.E01 = field(func(c Capacity) float64 { return c.E01 })
	return mean, se
}

// CriticalBatch returns the smallest batch size B of the grid such that
// E01(B') ≤ (1 + tol)·E01(∞) for every grid size B' ≥ B, where E01(∞) is the
// entry with B ≤ 0 (or, without one, the largest B). It returns 0 when only
// B = ∞ qualifies. Bs and e01 pair up; tol must be ≥ 0 (the spec uses 0.1).
func CriticalBatch(Bs []int, e01 []float64, tol float64) (int, error) {
	if len(Bs) == 0 || len(Bs) != len(e01) {
		return 0, fmt.Errorf("assocmem: len(Bs) = %d, len(e01) = %d; need equal, non-zero lengths", len(Bs), len(e01))
	}
	if !(tol >= 0) || math.IsInf(tol, 0) {
		return 0, fmt.Errorf("assocmem: tol = %v; need a finite tol ≥ 0", tol)
	}
	size := func(b int) float64 {
		if b <= 0 {
			return math.Inf(1)
		}
		return float64(b)
	}
	order := make([]int, len(Bs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return size(Bs[order[a]]) < size(Bs[order[b]]) })
	for i := 1; i < len(order); i++ {
		if size(Bs[order[i]]) == size(Bs[order[i-1]]) {
			return 0, fmt.Errorf("assocmem: Bs repeats the batch size %d; need distinct sizes", Bs[order[i]])
		}
	}
	ref := e01[order[len(order)-1]]
	crit := Bs[order[len(order)-1]]
	for i := len(order) - 1; i >= 0; i-- {
		if !(e01[order[i]] <= (1+tol)*ref) {
			break
		}
		crit = Bs[order[i]]
	}
	if crit < 0 {
		crit = 0
	}
	return crit, nil
}

// TheoryMuonDT is the multi-step Muon recovery horizon of the paper's theorem,
// d_t = d^{2 − (1 − 1/(2α))^t} (constants and logs dropped; B = ∞). It needs
// d ≥ 1, α > 1 and t ≥ 0.
func TheoryMuonDT(d, alpha float64, t int) (float64, error) {
	if !(d >= 1) || math.IsInf(d, 0) {
		return 0, fmt.Errorf("assocmem: d = %v; need a finite d ≥ 1", d)
	}
	if !(alpha > 1) || math.IsInf(alpha, 0) {
		return 0, fmt.Errorf("assocmem: alpha = %v; need a finite alpha > 1", alpha)
	}
	if t < 0 {
		return 0, fmt.Errorf("assocmem: t = %d; need t ≥ 0", t)
	}
	return math.Pow(d, 2-math.Pow(1-1/(2*alpha), float64(t))), nil
}
