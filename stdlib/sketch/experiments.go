package sketch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gonote/gonote/stdlib/experiment"
)

// Random streams of the experiment drivers: ErrorStudy draws its vector from
// rand.NewPCG(seed, streamData); PlantedRecovery and Contraction run through
// experiment.Run (trial t uses rand.NewPCG(seed, t)) and, with fresh hashes, hash trial t
// with seed·1_000_003 + t + 1.
const streamData = 1_000

func trialHashSeed(seed uint64, trial int) uint64 { return seed*1_000_003 + uint64(trial) + 1 }

// ErrorStats describes the estimation error of one sketch of g ~ N(0, I_d).
type ErrorStats struct {
	D, Rows, Cols int
	Seed          uint64
	Norm, L2Est   float64   // ‖g‖ and ℓ̂2
	Errors        []float64 // (ĝ_i − g_i)/(‖g‖/√cols), i = 0..d-1
	Q50, Q90, Q99 float64   // quantiles of |Errors|
	Max           float64   // max |Errors|
	Frac2, Frac3  float64   // fraction of coordinates with |Errors| > 2 and > 3
}

// ErrorStudy sketches g ~ N(0, I_d) (data stream seed, hashes seeded with seed) and reports the
// normalised errors of QueryAll and the ℓ2 estimate. Valid: d, rows, cols as for NewHash.
func ErrorStudy(ctx context.Context, d, rows, cols int, seed uint64) (*ErrorStats, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h, err := NewHash(d, rows, cols, seed)
	if err != nil {
		return nil, fmt.Errorf("sketch: ErrorStudy: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, streamData))
	g := make([]float64, d)
	for i := range g {
		g[i] = rng.NormFloat64()
	}
	s, _ := New(h)
	_ = s.Add(g)
	est := s.QueryAll(nil)
	st := &ErrorStats{D: d, Rows: rows, Cols: cols, Seed: seed, Norm: norm2(g), L2Est: s.L2Estimate()}
	unit := st.Norm / math.Sqrt(float64(cols))
	abs := make([]float64, d)
	for i := range est {
		est[i] = (est[i] - g[i]) / unit
		abs[i] = math.Abs(est[i])
		if abs[i] > 2 {
			st.Frac2++
		}
		if abs[i] > 3 {
			st.Frac3++
		}
	}
	st.Errors = est
	st.Frac2 /= float64(d)
	st.Frac3 /= float64(d)
	slices.Sort(abs)
	q := func(p float64) float64 { return abs[min(d-1, int(p*float64(d)))] }
	st.Q50, st.Q90, st.Q99, st.Max = q(0.5), q(0.9), q(0.99), abs[d-1]
	return st, nil
}

// HTML renders the summary (not the raw errors) as a table.
func (st *ErrorStats) HTML() string {
	return experiment.HTMLTable("", []string{"d", "r", "c", "‖g‖", "ℓ̂2", "q50", "q90", "q99", "max", "> 2σ", "> 3σ"},
		[][]string{{fmt.Sprint(st.D), fmt.Sprint(st.Rows), fmt.Sprint(st.Cols), f4(st.Norm), f4(st.L2Est),
			f4(st.Q50), f4(st.Q90), f4(st.Q99), f4(st.Max), pct(st.Frac2), pct(st.Frac3)}})
}

// PlantedConfig configures PlantedRecovery: K coordinates of a d-dimensional N(0,1) vector are
// set to ±Height, the vector is sketched, and the planted set is compared with the sketch's
// top-K and top-(Extra·K) estimates.
type PlantedConfig struct {
	D, K       int     // dimension (≥ 2) and planted count (1..D/Extra)
	Height     float64 // planted magnitude, > 0
	Rows, Cols int     // sketch shape
	Trials     int     // ≥ 1
	Extra      int     // width multiplier P of the wide recall; 0 means 4
	FreshHash  bool    // new hash seed per trial; otherwise one hash (seed Seed) for all trials
	Seed       uint64
}

// PlantedResult holds per-trial recalls in trial order and their summaries.
type PlantedResult struct {
	Config                        PlantedConfig
	Recall, RecallWide            []float64 // |top-K ∩ planted|/K and |top-(Extra·K) ∩ planted|/K
	MeanRecall, MinRecall         float64
	MeanRecallWide, MinRecallWide float64
}

// PlantedRecovery runs the planted heavy-hitter experiment; trials run on GOMAXPROCS goroutines,
// each with its own generator, so results do not depend on scheduling.
func PlantedRecovery(ctx context.Context, cfg PlantedConfig) (*PlantedResult, error) {
	if cfg.Extra == 0 {
		cfg.Extra = 4
	}
	switch {
	case cfg.D < 2:
		return nil, fmt.Errorf("%w: PlantedConfig.D = %d, want ≥ 2", ErrInvalid, cfg.D)
	case cfg.Extra < 1:
		return nil, fmt.Errorf("%w: PlantedConfig.Extra = %d, want ≥ 1 (0 = 4)", ErrInvalid, cfg.Extra)
	case cfg.K < 1 || cfg.K*cfg.Extra > cfg.D:
		return nil, fmt.Errorf("%w: PlantedConfig.K = %d, want 1..%d (D/Extra)", ErrInvalid, cfg.K, cfg.D/cfg.Extra)
	case !(cfg.Height > 0) || math.IsInf(cfg.Height, 1):
		return nil, fmt.Errorf("%w: PlantedConfig.Height = %v, want a finite value > 0", ErrInvalid, cfg.Height)
	case cfg.Trials < 1:
		return nil, fmt.Errorf("%w: PlantedConfig.Trials = %d, want ≥ 1", ErrInvalid, cfg.Trials)
	}
	var shared *Hash
	if !cfg.FreshHash {
		h, err := NewHash(cfg.D, cfg.Rows, cfg.Cols, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("sketch: PlantedRecovery: %w", err)
		}
		shared = h
	} else if _, err := NewHash(1, cfg.Rows, cfg.Cols, 0); err != nil {
		return nil, fmt.Errorf("sketch: PlantedRecovery: %w", err)
	}
	type recalls struct{ atK, wide float64 }
	out, err := experiment.Run(ctx, cfg.Trials, cfg.Seed, experiment.Options{}, func(t int, rng *rand.Rand) (recalls, error) {
		h := shared
		if h == nil {
			var err error
			if h, err = NewHash(cfg.D, cfg.Rows, cfg.Cols, trialHashSeed(cfg.Seed, t)); err != nil {
				return recalls{}, err
			}
		}
		v := make([]float64, cfg.D)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		planted := make(map[int]bool, cfg.K)
		for len(planted) < cfg.K {
			i := rng.IntN(cfg.D)
			if !planted[i] {
				planted[i] = true
				v[i] = cfg.Height * float64(2*rng.IntN(2)-1)
			}
		}
		s, _ := New(h)
		s.workers = 1
		_ = s.Add(v)
		var sel Selector
		wide := sel.TopK(s.QueryAll(nil), cfg.Extra*cfg.K, nil)
		hits, hitsWide := 0, 0
		for rank, i := range wide {
			if planted[i] {
				hitsWide++
				if rank < cfg.K {
					hits++
				}
			}
		}
		return recalls{float64(hits) / float64(cfg.K), float64(hitsWide) / float64(cfg.K)}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sketch: PlantedRecovery: %w", err)
	}
	res := &PlantedResult{Config: cfg}
	for _, o := range out {
		res.Recall = append(res.Recall, o.atK)
		res.RecallWide = append(res.RecallWide, o.wide)
	}
	res.MeanRecall, res.MinRecall = meanMin(res.Recall)
	res.MeanRecallWide, res.MinRecallWide = meanMin(res.RecallWide)
	return res, nil
}

// HTML renders the summary row.
func (r *PlantedResult) HTML() string {
	c := r.Config
	return experiment.HTMLTable("", []string{"d", "k", "H", "r", "c", "trials", "mean recall@k", "min recall@k",
		fmt.Sprintf("mean recall@%dk", c.Extra), fmt.Sprintf("min recall@%dk", c.Extra)},
		[][]string{{fmt.Sprint(c.D), fmt.Sprint(c.K), f4(c.Height), fmt.Sprint(c.Rows), fmt.Sprint(c.Cols), fmt.Sprint(c.Trials),
			f4(r.MeanRecall), f4(r.MinRecall), f4(r.MeanRecallWide), f4(r.MinRecallWide)}})
}

// Input selects the vectors of the contraction experiment.
type Input int

const (
	// Gaussian draws x ~ N(0, I_d).
	Gaussian Input = iota
	// ZipfMagnitude draws x_i = (i+1)^(−0.8)·N(0,1) and shuffles the coordinates.
	ZipfMagnitude
)

func (in Input) String() string {
	switch in {
	case Gaussian:
		return "gaussian"
	case ZipfMagnitude:
		return "zipf"
	}
	return fmt.Sprintf("Input(%d)", int(in))
}

// ContractionConfig configures Contraction (Lemma 1 of Ivkin et al.).
type ContractionConfig struct {
	D, K, Rows, Cols, Trials int
	Input                    Input
	Seed                     uint64
}

// ContractionResult holds, per trial in order, Captured = Σ_{i∈HeavyMix} x_i² / ((k/d)‖x‖²)
// (HEAVYMIX with exact second-round values is a k/d-contraction when its mean is ≥ 1) and
// EnergyRatio = (energy of x on the sketch's top-k) / (energy of x on the true top-k).
type ContractionResult struct {
	Config                          ContractionConfig
	Captured, EnergyRatio           []float64
	MeanCaptured, MinCaptured       float64
	MeanEnergyRatio, MinEnergyRatio float64
}

// Contraction draws Trials vectors, each with fresh hashes, and measures HEAVYMIX's captured
// energy and the sketch top-k's energy against the exact top-k.
func Contraction(ctx context.Context, cfg ContractionConfig) (*ContractionResult, error) {
	switch {
	case cfg.D < 1:
		return nil, fmt.Errorf("%w: ContractionConfig.D = %d, want ≥ 1", ErrInvalid, cfg.D)
	case cfg.K < 1 || cfg.K > cfg.D:
		return nil, fmt.Errorf("%w: ContractionConfig.K = %d, want 1..%d", ErrInvalid, cfg.K, cfg.D)
	case cfg.Trials < 1:
		return nil, fmt.Errorf("%w: ContractionConfig.Trials = %d, want ≥ 1", ErrInvalid, cfg.Trials)
	case cfg.Input != Gaussian && cfg.Input != ZipfMagnitude:
		return nil, fmt.Errorf("%w: ContractionConfig.Input = %d, want Gaussian or ZipfMagnitude", ErrInvalid, cfg.Input)
	}
	if _, err := NewHash(1, cfg.Rows, cfg.Cols, 0); err != nil {
		return nil, fmt.Errorf("sketch: Contraction: %w", err)
	}
	type ratios struct{ captured, energy float64 }
	out, err := experiment.Run(ctx, cfg.Trials, cfg.Seed, experiment.Options{}, func(t int, rng *rand.Rand) (ratios, error) {
		x := make([]float64, cfg.D)
		for i := range x {
			x[i] = rng.NormFloat64()
			if cfg.Input == ZipfMagnitude {
				x[i] *= math.Pow(float64(i+1), -0.8)
			}
		}
		if cfg.Input == ZipfMagnitude {
			rng.Shuffle(len(x), func(a, b int) { x[a], x[b] = x[b], x[a] })
		}
		h, err := NewHash(cfg.D, cfg.Rows, cfg.Cols, trialHashSeed(cfg.Seed, t))
		if err != nil {
			return ratios{}, err
		}
		s, _ := New(h)
		s.workers = 1
		_ = s.Add(x)
		var sel Selector
		est := s.QueryAll(nil)
		heavy, fill, err := s.heavyMix(cfg.K, rng, est, &sel)
		if err != nil {
			return ratios{}, err
		}
		total, captured := 0.0, 0.0
		for _, v := range x {
			total += v * v
		}
		for _, i := range append(heavy, fill...) {
			captured += x[i] * x[i]
		}
		sketchTop := sel.TopK(est, cfg.K, nil)
		trueTop := sel.TopK(x, cfg.K, nil)
		return ratios{captured / (float64(cfg.K) / float64(cfg.D) * total), energy(x, sketchTop) / energy(x, trueTop)}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sketch: Contraction: %w", err)
	}
	res := &ContractionResult{Config: cfg}
	for _, o := range out {
		res.Captured = append(res.Captured, o.captured)
		res.EnergyRatio = append(res.EnergyRatio, o.energy)
	}
	res.MeanCaptured, res.MinCaptured = meanMin(res.Captured)
	res.MeanEnergyRatio, res.MinEnergyRatio = meanMin(res.EnergyRatio)
	return res, nil
}

// HTML renders the summary row.
func (r *ContractionResult) HTML() string {
	c := r.Config
	return experiment.HTMLTable("", []string{"input", "d", "k", "r", "c", "trials", "mean captured/(k/d)", "min captured/(k/d)", "mean energy ratio", "min energy ratio"},
		[][]string{{c.Input.String(), fmt.Sprint(c.D), fmt.Sprint(c.K), fmt.Sprint(c.Rows), fmt.Sprint(c.Cols), fmt.Sprint(c.Trials),
			f4(r.MeanCaptured), f4(r.MinCaptured), f4(r.MeanEnergyRatio), f4(r.MinEnergyRatio)}})
}

func energy(x []float64, idx []int) float64 {
	e := 0.0
	for _, i := range idx {
		e += x[i] * x[i]
	}
	return e
}

func meanMin(x []float64) (mean, lo float64) {
	lo = math.Inf(1)
	for _, v := range x {
		mean += v
		lo = math.Min(lo, v)
	}
	return mean / float64(len(x)), lo
}

func norm2(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func f4(x float64) string  { return fmt.Sprintf("%.4g", x) }
func pct(x float64) string { return fmt.Sprintf("%.4f%%", 100*x) }

// MergeReport is the outcome of MergeCheck.
type MergeReport struct {
	D, Rows, Cols, Workers, K int
	// MaxTableDiff is max |Σ_w S(v_w) − S(Σ_w v_w)| over the table (zero up to rounding).
	MaxTableDiff float64
	// Incompatible is the error of merging a sketch with another hash seed (wraps ErrIncompatible).
	Incompatible error
	// Recall is |support of Unsketch(K) of the merged sketch ∩ true top-K of Σ v_w| / K.
	Recall float64
	// MaxValueErr is the largest |estimate − true value| on the recovered support.
	MaxValueErr float64
}

// MergeCheck plays the parameter server: each of Workers vectors is N(0, I_d) noise plus the
// same K planted coordinates of height ±10 (so their sum stands out only after merging);
// every worker sketches its own vector with a shared hash, the server sums the tables, and
// the result is compared with the sketch of the summed vector and with its true top-K.
func MergeCheck(ctx context.Context, d, rows, cols, workers, k int, seed uint64) (*MergeReport, error) {
	if workers < 1 || workers > 1024 {
		return nil, fmt.Errorf("%w: workers = %d, want 1..1024", ErrInvalid, workers)
	}
	if k < 1 || k > d {
		return nil, fmt.Errorf("%w: k = %d, want 1..%d (d)", ErrInvalid, k, d)
	}
	h, err := NewHash(d, rows, cols, seed)
	if err != nil {
		return nil, fmt.Errorf("sketch: MergeCheck: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, streamData))
	planted := rng.Perm(d)[:k]
	signs := make([]float64, k)
	for n := range signs {
		signs[n] = float64(2*rng.IntN(2) - 1)
	}
	sum := make([]float64, d)
	merged, _ := New(h)
	for w := 0; w < workers; w++ {
		v := make([]float64, d)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		for n, i := range planted {
			v[i] += 10 * signs[n]
		}
		for i, x := range v {
			sum[i] += x
		}
		s, _ := New(h)
		_ = s.Add(v)
		if err := merged.Merge(s); err != nil {
			return nil, fmt.Errorf("sketch: MergeCheck: %w", err)
		}
	}
	direct, _ := New(h)
	_ = direct.Add(sum)
	rep := &MergeReport{D: d, Rows: rows, Cols: cols, Workers: workers, K: k}
	for b, x := range merged.table {
		rep.MaxTableDiff = math.Max(rep.MaxTableDiff, math.Abs(x-direct.table[b]))
	}
	other, _ := NewHash(d, rows, cols, seed+1)
	foreign, _ := New(other)
	rep.Incompatible = merged.Clone().Merge(foreign)
	un, _ := merged.Unsketch(k)
	top, _ := TopKIndices(sum, k)
	inTop := make(map[int]bool, k)
	for _, i := range top {
		inTop[i] = true
	}
	hits := 0
	for i, x := range un {
		if x != 0 {
			if inTop[i] {
				hits++
			}
			rep.MaxValueErr = math.Max(rep.MaxValueErr, math.Abs(x-sum[i]))
		}
	}
	rep.Recall = float64(hits) / float64(k)
	return rep, nil
}

// HTML renders the report.
func (r *MergeReport) HTML() string {
	return experiment.HTMLTable("", []string{"d", "r", "c", "workers", "k", "max |ΣS(v) − S(Σv)|", "merge with other seed", "recall@k of Unsketch", "max value error"},
		[][]string{{fmt.Sprint(r.D), fmt.Sprint(r.Rows), fmt.Sprint(r.Cols), fmt.Sprint(r.Workers), fmt.Sprint(r.K),
			fmt.Sprintf("%.3g", r.MaxTableDiff), fmt.Sprint(r.Incompatible), f4(r.Recall), f4(r.MaxValueErr)}})
}
