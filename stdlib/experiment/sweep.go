package experiment

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/stats"
)

// SweepFunc computes one trial's metrics at grid point `point` (value x).
type SweepFunc func(point int, x float64, trial int, rng *rand.Rand) ([]float64, error)

// SweepSpec describes a sweep: Trials trials at every value of X, each
// returning len(Metrics) numbers.
type SweepSpec struct {
	Title   string    // table caption (optional)
	XName   string    // name of the swept parameter, e.g. "T" (default "x")
	X       []float64 // grid values, at least one
	Metrics []string  // metric names, at least one; each trial returns this many values
	Trials  int       // trials per grid point, >= 1
	Seed    uint64
	Options Options // workers and progress (total = len(X)·Trials)
}

// Sweep runs spec.Trials trials at every grid value in parallel over all
// (point, trial) pairs, pair (p, t) using rand.New(rand.NewPCG(spec.Seed,
// uint64(p)<<32|uint64(t))), and summarizes each metric per point.
func Sweep(ctx context.Context, spec SweepSpec, fn SweepFunc) (*Table, error) {
	if len(spec.X) == 0 {
		return nil, fmt.Errorf("experiment: Sweep: X is empty, need at least one grid value")
	}
	if len(spec.Metrics) == 0 {
		return nil, fmt.Errorf("experiment: Sweep: Metrics is empty, need at least one metric name")
	}
	if spec.Trials <= 0 || spec.Trials >= 1<<32 {
		return nil, fmt.Errorf("experiment: Sweep: Trials = %d, must be in [1, 2^32)", spec.Trials)
	}
	if fn == nil {
		return nil, fmt.Errorf("experiment: Sweep: fn is nil")
	}
	nt := spec.Trials
	k := len(spec.Metrics)
	flat, err := runStreams(ctx, "Sweep", len(spec.X)*nt, spec.Options,
		func(int) uint64 { return spec.Seed },
		func(i int) uint64 { return uint64(i/nt)<<32 | uint64(i%nt) },
		func(i int, rng *rand.Rand) ([]float64, error) {
			p := i / nt
			v, err := fn(p, spec.X[p], i%nt, rng)
			if err != nil {
				return nil, fmt.Errorf("%s = %g: %w", xName(spec.XName), spec.X[p], err)
			}
			if len(v) != k {
				return nil, fmt.Errorf("%s = %g: fn returned %d metrics, want %d (%v)", xName(spec.XName), spec.X[p], len(v), k, spec.Metrics)
			}
			return v, nil
		})
	if err != nil {
		return nil, err
	}
	raw := make([][][]float64, len(spec.X))
	for p := range raw {
		raw[p] = flat[p*nt : (p+1)*nt]
	}
	return NewTable(spec.Title, spec.XName, spec.X, spec.Metrics, raw)
}

func xName(s string) string {
	if s == "" {
		return "x"
	}
	return s
}

// Summarize returns per-metric summaries of trial rows (rows[trial][metric]),
// all rows having the same length.
func Summarize(rows [][]float64) ([]stats.Summary, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("experiment: Summarize: rows is empty")
	}
	k := len(rows[0])
	out := make([]stats.Summary, k)
	col := make([]float64, len(rows))
	for m := 0; m < k; m++ {
		for t, r := range rows {
			if len(r) != k {
				return nil, fmt.Errorf("experiment: Summarize: rows[%d] has %d values, rows[0] has %d", t, len(r), k)
			}
			col[t] = r[m]
		}
		s, err := stats.Describe(col)
		if err != nil {
			return nil, fmt.Errorf("experiment: Summarize: metric %d: %w", m, err)
		}
		out[m] = s
	}
	return out, nil
}
