package experiment

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Options tunes a run. The zero value is valid.
type Options struct {
	// Workers is the number of goroutines; 0 (or less) means GOMAXPROCS.
	Workers int
	// Progress, if set, is called on the calling goroutine as trials finish,
	// at most about 100 times per run and always once with done == total.
	Progress func(done, total int)
}

// TrialFunc computes one trial's metric vector from its own generator.
type TrialFunc func(trial int, rng *rand.Rand) ([]float64, error)

// Trials runs fn for trials 0..n−1 in parallel with the default options,
// trial i using rand.New(rand.NewPCG(seed, uint64(i))), and returns the
// metric vectors indexed by trial.
func Trials(ctx context.Context, n int, seed uint64, fn TrialFunc) ([][]float64, error) {
	return TrialsWith(ctx, n, seed, Options{}, fn)
}

// TrialsWith is Trials with explicit options (worker count, progress hook).
func TrialsWith(ctx context.Context, n int, seed uint64, opt Options, fn TrialFunc) ([][]float64, error) {
	if fn == nil {
		return nil, fmt.Errorf("experiment: Trials: fn is nil")
	}
	return Run(ctx, n, seed, opt, func(trial int, rng *rand.Rand) ([]float64, error) { return fn(trial, rng) })
}

// Run is the generic form of TrialsWith for compiled callers: it runs fn for
// trials 0..n−1 in parallel, trial i with rand.New(rand.NewPCG(seed,
// uint64(i))), and returns the results indexed by trial.
func Run[T any](ctx context.Context, n int, seed uint64, opt Options, fn func(trial int, rng *rand.Rand) (T, error)) ([]T, error) {
	return runStreams(ctx, "Run", n, opt, func(i int) uint64 { return seed }, func(i int) uint64 { return uint64(i) }, fn)
}

type event struct {
	idx int
	err error
}

// runStreams is the worker pool behind Run and Sweep: job i uses
// PCG(seedOf(i), streamOf(i)).
func runStreams[T any](ctx context.Context, op string, n int, opt Options, seedOf, streamOf func(int) uint64, fn func(i int, rng *rand.Rand) (T, error)) ([]T, error) {
	if ctx == nil {
		return nil, fmt.Errorf("experiment: %s: ctx is nil", op)
	}
	if n <= 0 {
		return nil, fmt.Errorf("experiment: %s: n = %d trials, must be >= 1", op, n)
	}
	if fn == nil {
		return nil, fmt.Errorf("experiment: %s: fn is nil", op)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("experiment: %s: cancelled before start: %w", op, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	out := make([]T, n)
	var next atomic.Int64
	events := make(chan event, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || runCtx.Err() != nil {
					return
				}
				v, err := callTrial(fn, i, rand.New(rand.NewPCG(seedOf(i), streamOf(i))))
				if err == nil {
					out[i] = v
				}
				events <- event{idx: i, err: err}
			}
		}()
	}
	go func() { wg.Wait(); close(events) }()

	done, lastReported := 0, -1
	failIdx := -1
	var failErr error
	for ev := range events {
		done++
		if ev.err != nil {
			if failIdx < 0 || ev.idx < failIdx {
				failIdx, failErr = ev.idx, ev.err
			}
			cancel()
		}
		if opt.Progress != nil && failIdx < 0 {
			// Report at most ~100 times: whenever the percentage changes.
			if pct := done * 100 / n; pct != lastReported || done == n {
				lastReported = pct
				opt.Progress(done, n)
			}
		}
	}
	if failIdx >= 0 {
		return nil, fmt.Errorf("experiment: %s: trial %d: %w", op, failIdx, failErr)
	}
	if done < n {
		return nil, fmt.Errorf("experiment: %s: cancelled after %d of %d trials: %w", op, done, n, ctx.Err())
	}
	return out, nil
}

// callTrial runs one trial and turns a panic into an error, so a bad trial
// cannot take the whole process (and a notebook kernel) down.
func callTrial[T any](fn func(int, *rand.Rand) (T, error), i int, rng *rand.Rand) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(i, rng)
}
