// Package experiment runs seeded Monte-Carlo trials in parallel and
// summarizes them.
//
// Every trial gets its own generator, rand.New(rand.NewPCG(seed, stream)),
// and its result is stored by index, so results are identical for any
// GOMAXPROCS or worker count. Trials are spread over Options.Workers
// goroutines (default GOMAXPROCS); the progress hook and all reductions run
// on the calling goroutine, in index order. Cancelling ctx stops the run
// between trials and returns an error wrapping ctx.Err(); a trial that
// returns an error (or panics) stops the run and its error is returned.
//
// Streams: Trials and Run use stream = trial index; Sweep uses
// stream = point<<32 | trial, so each (grid point, trial) pair has its own
// stream.
//
// Usage from compiled code (a driver in another stdlib package):
//
//	type out struct{ err2 float64 }
//	res, err := experiment.Run(ctx, 100, seed, experiment.Options{},
//		func(trial int, rng *rand.Rand) (out, error) {
//			return out{err2: simulateAndFit(rng)}, nil
//		})
//
// Usage with plain metric vectors, then a table over a parameter grid:
//
//	tab, err := experiment.Sweep(ctx, experiment.SweepSpec{
//		Title: "OLS error", XName: "T", X: []float64{1000, 2000, 4000},
//		Metrics: []string{"fro2", "op2"}, Trials: 50, Seed: 1,
//	}, func(point int, x float64, trial int, rng *rand.Rand) ([]float64, error) {
//		return []float64{fro2(x, rng), op2(x, rng)}, nil
//	})
//	band, err := tab.Band("fro2") // band.X, band.Mean, band.Lo, band.Hi for a band chart
//	tab                         // in a notebook cell: shown through tab.HTML()
//
// In a notebook, connect a progress bar with
// Options{Progress: func(done, total int) { bar.Update(done) }} (the hook is
// called at most about 100 times per run, always with done == total last).
//
// This package imports no display or plotting code: Table shows itself
// through its HTML() and String() methods and hands plain slices to charts.
package experiment
