package assocmem

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/experiment"
	"github.com/gonote/gonote/stdlib/spectral"
)

// MaxSteps bounds TrainConfig.Steps.
const MaxSteps = 10000

// TrainConfig describes a multi-step run from W_0 = 0.
type TrainConfig struct {
	// Method is SGD (gradient descent; full-batch GD when B ≤ 0), Muon (exact
	// polar factor), HLambda (needs Lambda > 0) or NS<k>. Newton is one-step
	// only.
	Method string
	// Eta is the step size (> 0); Lambda the λ of HLambda.
	Eta, Lambda float64
	// Steps is the number of updates, in [1, MaxSteps].
	Steps int
	// B is the batch size per step; B ≤ 0 uses the population gradient.
	// Batches are drawn from PCG(Seed, 0).
	B    int
	Seed uint64
	// Kq is the number of top items whose recovery is tracked, in [0, N];
	// 0 means all N.
	Kq int
}

// TrainPoint is the state after a step.
type TrainPoint struct {
	Step int
	Capacity
	// Loss is the population loss L(W_t) for Train; NaN for TrainThresholded,
	// which never forms the full logits.
	Loss float64
}

func (c TrainConfig) validate(t *Task) (kq int, err error) {
	if t == nil {
		return 0, fmt.Errorf("assocmem: task is nil")
	}
	if err := CheckMethod(c.Method); err != nil {
		return 0, err
	}
	if c.Method == Newton {
		return 0, fmt.Errorf("assocmem: method Newton is one-step only; need SGD, Muon, HLambda or NS<k> for training")
	}
	if !(c.Eta > 0) || math.IsInf(c.Eta, 0) {
		return 0, fmt.Errorf("assocmem: Eta = %v; need a finite step size > 0", c.Eta)
	}
	if c.Method == HLambda {
		if !(c.Lambda > 0) || math.IsInf(c.Lambda, 0) {
			return 0, fmt.Errorf("assocmem: Lambda = %v with method HLambda; need a finite λ > 0", c.Lambda)
		}
	} else if c.Lambda != 0 {
		return 0, fmt.Errorf("assocmem: Lambda = %v with method %s; need Lambda = 0 (λ is used by HLambda only)", c.Lambda, c.Method)
	}
	if c.Steps < 1 || c.Steps > MaxSteps {
		return 0, fmt.Errorf("assocmem: Steps = %d; need 1 ≤ Steps ≤ %d", c.Steps, MaxSteps)
	}
	kq = c.Kq
	if kq == 0 {
		kq = t.N
	}
	if kq < 1 || kq > t.N {
		return 0, fmt.Errorf("assocmem: Kq = %d; need 0 ≤ Kq ≤ N = %d (0 = all)", c.Kq, t.N)
	}
	return kq, nil
}

// update returns W + η·dir(−grad) for the method of c.
func (c TrainConfig) update(W, grad *mat.Dense) (*mat.Dense, error) {
	switch c.Method {
	case SGD:
		return spectral.SGDStep(W, grad, c.Eta)
	case Muon:
		return spectral.MuonStep(W, grad, c.Eta, 0, 0)
	case HLambda:
		return spectral.MuonStep(W, grad, c.Eta, c.Lambda, 0)
	default:
		k, err := nsSteps(c.Method)
		if err != nil {
			return nil, err
		}
		return spectral.MuonStep(W, grad, c.Eta, 0, k)
	}
}

// Train runs cfg.Steps updates of the method with the exact softmax
// cross-entropy gradient and returns the recovery of the top Kq items (and the
// population loss) after each step. Each step costs about 4·N²·d flops.
func Train(ctx context.Context, t *Task, cfg TrainConfig) ([]TrainPoint, error) {
	kq, err := cfg.validate(t)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	W := mat.NewDense(t.D, t.D, nil)
	out := make([]TrainPoint, 0, cfg.Steps)
	for step := 0; ; step++ {
		// One pass over the logits at W_step gives the recovery, the
		// population loss and (full batch) the gradient.
		grad, loss, rec, err := t.lossGradRecall(ctx, W, t.P, kq)
		if err != nil {
			return nil, fmt.Errorf("assocmem: train step %d: %w", step, err)
		}
		if step > 0 {
			c, err := Summarize(rec, t.P)
			if err != nil {
				return nil, err
			}
			out = append(out, TrainPoint{Step: step, Capacity: c, Loss: loss})
		}
		if step == cfg.Steps {
			return out, nil
		}
		if cfg.B > 0 {
			w, err := t.Weights(cfg.B, rng)
			if err != nil {
				return nil, err
			}
			if grad, _, err = t.LossGrad(W, w); err != nil {
				return nil, err
			}
		}
		if W, err = cfg.update(W, grad); err != nil {
			return nil, fmt.Errorf("assocmem: train step %d: %w", step+1, err)
		}
	}
}

// TrainThresholded runs the thresholded-gradient (deflation) approximation of
// the paper's multi-step analysis: at every step the items already recovered
// by W_t (among the top Kq; items beyond Kq count as unrecovered) are removed
// from the batch weights, and W moves along the map of the zero-point
// gradient G_0 of the remaining items. Loss is NaN.
//
// Caveat: with λ = 0 and a constant step size this loop is not stable: every
// new full-rank orthogonal step overwrites items recovered just before, so
// the top of the recovered set falls apart (d = 64, N = 2048, α = 1.5, the
// notebook's seed: K_all 34 → 7 → 3 → 0 over four steps while NRec grows
// 57 → 98). With λ = 0 every step has unit singular values, so the recovered
// sets do not depend on η. Use Train for the exact dynamics.
func TrainThresholded(ctx context.Context, t *Task, cfg TrainConfig) ([]TrainPoint, error) {
	kq, err := cfg.validate(t)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	W := mat.NewDense(t.D, t.D, nil)
	rec := make([]bool, kq)
	out := make([]TrainPoint, 0, cfg.Steps)
	for step := 1; step <= cfg.Steps; step++ {
		w, err := t.Weights(cfg.B, rng)
		if err != nil {
			return nil, err
		}
		active := false
		for i := range w {
			if i < kq && rec[i] {
				w[i] = 0
			}
			active = active || w[i] != 0
		}
		if active {
			g0, err := t.NegGradZero(w)
			if err != nil {
				return nil, err
			}
			g0.Scale(-1, g0)
			if W, err = cfg.update(W, g0); err != nil {
				return nil, fmt.Errorf("assocmem: thresholded step %d: %w", step, err)
			}
		}
		if rec, err = t.RecoveredCtx(ctx, W, kq); err != nil {
			return nil, fmt.Errorf("assocmem: thresholded step %d: %w", step, err)
		}
		c, err := Summarize(rec, t.P)
		if err != nil {
			return nil, err
		}
		out = append(out, TrainPoint{Step: step, Capacity: c, Loss: math.NaN()})
	}
	return out, nil
}

// TrainGrid runs Train for every configuration on the same task in parallel
// and returns the runs in configuration order.
func TrainGrid(ctx context.Context, t *Task, cfgs []TrainConfig) ([][]TrainPoint, error) {
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("assocmem: cfgs is empty; need at least one configuration")
	}
	for i, c := range cfgs {
		if _, err := c.validate(t); err != nil {
			return nil, fmt.Errorf("assocmem: cfgs[%d]: %w", i, err)
		}
	}
	// Each run draws its batches from its own Seed; the generator that
	// experiment.Run hands out is not used.
	return experiment.Run(ctx, len(cfgs), 0, experiment.Options{}, func(k int, _ *rand.Rand) ([]TrainPoint, error) {
		return Train(ctx, t, cfgs[k])
	})
}

// Envelope returns, for each step, the best NRec over the runs (the
// best-over-η curve). Runs must have equal lengths.
func Envelope(runs [][]TrainPoint) ([]int, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("assocmem: runs is empty; need at least one run")
	}
	env := make([]int, len(runs[0]))
	for ri, r := range runs {
		if len(r) != len(env) {
			return nil, fmt.Errorf("assocmem: run %d has %d steps, run 0 has %d; need equal lengths", ri, len(r), len(env))
		}
		for s, p := range r {
			env[s] = max(env[s], p.NRec)
		}
	}
	return env, nil
}
