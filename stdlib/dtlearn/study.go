package dtlearn

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// forFamilies runs fn(k) for each family k on at most two goroutines
// (family k on worker k mod 2; one goroutine when a family comes from
// NewFunc) and returns the error of the smallest k that failed. Each fn
// writes only its own results, so the output does not depend on scheduling.
func forFamilies(fams []Func, fn func(k int) error) error {
	count := len(fams)
	workers := min(2, count)
	for _, f := range fams {
		if _, wrapped := f.(*funcOf); wrapped {
			workers = 1
		}
	}
	errs := make([]error, count)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < count; k += workers {
				errs[k] = fn(k)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkSizes(sizes []int) error {
	if len(sizes) == 0 {
		return fmt.Errorf("sizes is empty, want at least one t ≥ 1")
	}
	for _, t := range sizes {
		if t < 1 {
			return fmt.Errorf("size t = %d, want ≥ 1", t)
		}
	}
	return nil
}

func checkFamilies(fams []Func, S *Cube, cubes map[string]*Cube) error {
	if len(fams) == 0 {
		return fmt.Errorf("no families, want at least one target")
	}
	if err := checkCube("S", S); err != nil {
		return err
	}
	for name, c := range cubes {
		if err := checkCube(name, c); err != nil {
			return err
		}
		if c.N != S.N {
			return fmt.Errorf("%s.N = %d, want S.N = %d", name, c.N, S.N)
		}
	}
	for k, f := range fams {
		if f == nil {
			return fmt.Errorf("family %d is nil", k)
		}
		if f.N() != S.N {
			return fmt.Errorf("family %d (%s): N() = %d, want S.N = %d", k, f.Name(), f.N(), S.N)
		}
	}
	return nil
}

// ErrorCurves builds, for each family, the best-first trees of the given
// sizes with configuration cfg on the sample S, and returns their true
// errors on test: out[k][s] is the error of family k at sizes[s]. Families run
// on at most two goroutines; cancelling ctx stops between trees. It needs
// non-empty families on S.N variables, cubes with the same n, sizes ≥ 1 and a
// valid cfg (see NewLearner).
func ErrorCurves(ctx context.Context, fams []Func, S, test *Cube, cfg Config, sizes []int) ([][]float64, error) {
	if err := checkFamilies(fams, S, map[string]*Cube{"test": test}); err != nil {
		return nil, fmt.Errorf("dtlearn: ErrorCurves: %w", err)
	}
	if err := checkSizes(sizes); err != nil {
		return nil, fmt.Errorf("dtlearn: ErrorCurves: %w", err)
	}
	if err := checkConfig(cfg); err != nil {
		return nil, fmt.Errorf("dtlearn: ErrorCurves: %w", err)
	}
	out := make([][]float64, len(fams))
	err := forFamilies(fams, func(k int) error {
		f := fams[k]
		o, err := NewOracle(f, S)
		if err != nil {
			return err
		}
		l, err := NewLearner(o, cfg)
		if err != nil {
			return err
		}
		out[k] = make([]float64, len(sizes))
		for s, t := range sizes {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("dtlearn: ErrorCurves: %w", err)
			}
			tree, _, err := l.BestFirst(t)
			if err != nil {
				return err
			}
			if out[k][s], err = TrueError(f, tree.Eval, test); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// StudyConfig configures Study.
type StudyConfig struct {
	Families []Func   // monotone targets on S.N variables
	Sizes    []int    // tree sizes t ≥ 1
	G        Impurity // impurity of every learner
	Batch    int      // minibatch b ≥ 1 of the minibatch tree and of the local learner
	M        int      // estimator queries m ≥ 1
	Agree    int      // test points for the Local-vs-Threshold agreement, 1 ≤ Agree ≤ |test|
	Seed     uint64   // seed of EstimateError
}

// CaseResult is one (family, size) condition of Study.
type CaseResult struct {
	Family string // the target's Name()
	T      int    // tree size t
	Batch  int    // minibatch size b

	ErrFull    float64 // true error of the full-batch BestFirst(t) tree
	LeavesFull int     // its leaves (t unless no leaf could be split)
	ErrMB      float64 // true error of the minibatch BestFirst(t) tree
	LeavesMB   int     // its leaves
	MBLabels   int     // |∪_v B_v| of the minibatch tree (labels the minibatch heuristic needs)

	Tau             Key      // τ_t of the minibatch build
	ThresholdLeaves int      // leaves of T_{τ_t}
	ErrThreshold    float64  // true error of T_{τ_t}
	AgreeLocal      float64  // Agreement(Local(·, τ_t) of a separate learner, T_{τ_t}) on the first Agree test points
	AgreeBestFirst  float64  // Agreement(T_{τ_t}, minibatch BestFirst(t)) on test
	Est             Estimate // EstimateError(τ_t) with M queries from pool
	LabelBound      int      // LabelBound(Batch, M, τ_t), 0 when τ_t.Score > 1
}

// Study runs the spec's main experiment (§2.5, §2.8 B3–B10) for every family
// and size: the full-batch and minibatch best-first trees and their errors;
// τ_t and T_{τ_t}; the agreement of a separate local learner with T_{τ_t}
// (exactness) and of T_{τ_t} with the size-t tree; and the learnability
// estimate of T_{τ_t} from a third learner with its label counts. The true
// errors use test; the estimator draws from pool. Results are in family
// order, then size order. Families run on at most two goroutines;
// cancelling ctx stops between cases.
func Study(ctx context.Context, S, test, pool *Cube, cfg StudyConfig) ([]CaseResult, error) {
	if err := checkFamilies(cfg.Families, S, map[string]*Cube{"test": test, "pool": pool}); err != nil {
		return nil, fmt.Errorf("dtlearn: Study: %w", err)
	}
	if err := checkSizes(cfg.Sizes); err != nil {
		return nil, fmt.Errorf("dtlearn: Study: %w", err)
	}
	switch {
	case cfg.G == nil:
		return nil, fmt.Errorf("dtlearn: Study: G is nil, want an impurity such as Gini")
	case cfg.Batch < 1:
		return nil, fmt.Errorf("dtlearn: Study: Batch = %d, want ≥ 1", cfg.Batch)
	case cfg.M < 1:
		return nil, fmt.Errorf("dtlearn: Study: M = %d, want ≥ 1", cfg.M)
	case cfg.Agree < 1 || cfg.Agree > len(test.X):
		return nil, fmt.Errorf("dtlearn: Study: Agree = %d, want 1 ≤ Agree ≤ |test| = %d", cfg.Agree, len(test.X))
	}
	agreeTest := &Cube{N: test.N, X: test.X[:cfg.Agree]}
	sizes := slices.Clone(cfg.Sizes)
	out := make([][]CaseResult, len(cfg.Families))
	err := forFamilies(cfg.Families, func(k int) error {
		f := cfg.Families[k]
		learner := func(batch int) (*Learner, error) {
			o, err := NewOracle(f, S)
			if err != nil {
				return nil, err
			}
			return NewLearner(o, Config{G: cfg.G, Batch: batch})
		}
		full, err := learner(0)
		if err != nil {
			return err
		}
		mb, err := learner(cfg.Batch)
		if err != nil {
			return err
		}
		local, err := learner(cfg.Batch)
		if err != nil {
			return err
		}
		estimator, err := learner(cfg.Batch)
		if err != nil {
			return err
		}
		for _, t := range sizes {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("dtlearn: Study: %w", err)
			}
			c, err := studyCase(f, t, cfg, full, mb, local, estimator, test, agreeTest, pool)
			if err != nil {
				return fmt.Errorf("dtlearn: Study: %s, t = %d: %w", f.Name(), t, err)
			}
			out[k] = append(out[k], c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(out...), nil
}

func studyCase(f Func, t int, cfg StudyConfig, full, mb, local, estimator *Learner, test, agreeTest, pool *Cube) (CaseResult, error) {
	c := CaseResult{Family: f.Name(), T: t, Batch: cfg.Batch}
	treeFull, _, err := full.BestFirst(t)
	if err != nil {
		return c, err
	}
	c.LeavesFull = treeFull.Leaves()
	if c.ErrFull, err = TrueError(f, treeFull.Eval, test); err != nil {
		return c, err
	}
	treeMB, tau, err := mb.BestFirst(t)
	if err != nil {
		return c, err
	}
	c.Tau, c.LeavesMB = tau, treeMB.Leaves()
	if c.ErrMB, err = TrueError(f, treeMB.Eval, test); err != nil {
		return c, err
	}
	if c.MBLabels, err = mb.MinibatchLabels(treeMB); err != nil {
		return c, err
	}
	thr := mb.Threshold(tau)
	c.ThresholdLeaves = thr.Leaves()
	if c.ErrThreshold, err = TrueError(f, thr.Eval, test); err != nil {
		return c, err
	}
	if c.AgreeLocal, err = Agreement(local.LocalFunc(tau), thr.Eval, agreeTest); err != nil {
		return c, err
	}
	if c.AgreeBestFirst, err = Agreement(thr.Eval, treeMB.Eval, test); err != nil {
		return c, err
	}
	if c.Est, err = EstimateError(estimator, f, tau, pool, cfg.M, cfg.Seed); err != nil {
		return c, err
	}
	if tau.Score <= 1 {
		if c.LabelBound, err = LabelBound(cfg.Batch, cfg.M, tau); err != nil {
			return c, err
		}
	}
	return c, nil
}
