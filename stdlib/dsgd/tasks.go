package dsgd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Split selects the data a Task evaluates on.
type Split int

const (
	// Train is the training set.
	Train Split = iota
	// Test is the held-out set (for LinReg: the exact population risk).
	Test
)

// Task is a differentiable objective over a training set. AddGrad is called concurrently
// from several goroutines with distinct g buffers, so it must only read w and the data.
// Compiled tasks are ~100× faster than interpreted ones.
type Task interface {
	Dim() int
	NumTrain() int
	// AddGrad adds scale·Σ_{e∈idx} ∇ℓ(w; e) into g and returns Σ_{e∈idx} ℓ(w; e).
	AddGrad(w []float64, idx []int, scale float64, g []float64) float64
	// Eval returns the mean loss and accuracy (NaN for regression) on a split.
	Eval(w []float64, s Split) (loss, acc float64)
}

// dataStream is the PCG stream of the task generators: rand.NewPCG(Seed, 99).
const dataStream = 99

// ZipfLogisticConfig configures NewZipfLogistic; zero fields take the defaults shown.
type ZipfLogisticConfig struct {
	D      int     // features, default 16384
	NTrain int     // default 50000
	NTest  int     // default 5000
	NNZ    int     // distinct features per example, default 20 (each of value 1/√NNZ)
	ZipfS  float64 // feature popularity exponent, P(j) ∝ (j+1)^(−ZipfS), default 1.1
	WScale float64 // w*_j ~ N(0, WScale²), default 3
	Seed   uint64
}

// ZipfLogistic is sparse logistic regression with Zipf-distributed features, whose gradients
// are heavy-tailed like embedding gradients in language models (spec §1.7).
type ZipfLogistic struct {
	cfg         ZipfLogisticConfig
	wstar       []float64
	val         float64
	train, test zipfSet
}

type zipfSet struct {
	feat []int32 // n·NNZ
	y    []float64
}

// NewZipfLogistic generates the data from rand.NewPCG(Seed, 99): w* first, then the training
// set, then the test set; each example draws NNZ distinct features by inverse-CDF Zipf
// sampling (duplicates rejected) and a label y ~ Bernoulli(σ(⟨w*, x⟩)).
func NewZipfLogistic(cfg ZipfLogisticConfig) (*ZipfLogistic, error) {
	def := func(x *int, v int) {
		if *x == 0 {
			*x = v
		}
	}
	def(&cfg.D, 16384)
	def(&cfg.NTrain, 50000)
	def(&cfg.NTest, 5000)
	def(&cfg.NNZ, 20)
	if cfg.ZipfS == 0 {
		cfg.ZipfS = 1.1
	}
	if cfg.WScale == 0 {
		cfg.WScale = 3
	}
	switch {
	case cfg.D < 1 || cfg.D > 1<<30:
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.D = %d, want 1..%d", ErrInvalid, cfg.D, 1<<30)
	case cfg.NTrain < 1:
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.NTrain = %d, want ≥ 1", ErrInvalid, cfg.NTrain)
	case cfg.NTest < 1:
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.NTest = %d, want ≥ 1", ErrInvalid, cfg.NTest)
	case cfg.NNZ < 1 || cfg.NNZ > max(1, cfg.D/2) || cfg.NNZ > 1000:
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.NNZ = %d, want 1..%d (at most D/2 and 1000)", ErrInvalid, cfg.NNZ, min(max(1, cfg.D/2), 1000))
	case !(cfg.ZipfS > 0) || cfg.ZipfS > 3:
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.ZipfS = %v, want 0 < s ≤ 3", ErrInvalid, cfg.ZipfS)
	case !(cfg.WScale > 0) || math.IsInf(cfg.WScale, 1):
		return nil, fmt.Errorf("%w: ZipfLogisticConfig.WScale = %v, want a finite value > 0", ErrInvalid, cfg.WScale)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, dataStream))
	t := &ZipfLogistic{cfg: cfg, wstar: make([]float64, cfg.D), val: 1 / math.Sqrt(float64(cfg.NNZ))}
	for j := range t.wstar {
		t.wstar[j] = cfg.WScale * rng.NormFloat64()
	}
	cdf := make([]float64, cfg.D)
	acc := 0.0
	for j := range cdf {
		acc += math.Pow(float64(j+1), -cfg.ZipfS)
		cdf[j] = acc
	}
	for j := range cdf {
		cdf[j] /= acc
	}
	draw := func() int32 {
		u := rng.Float64()
		j := sort.Search(len(cdf), func(q int) bool { return cdf[q] > u })
		return int32(min(j, cfg.D-1))
	}
	maxDraws := 1000 * cfg.NNZ // duplicates are rejected; give up on hopeless configurations
	gen := func(n int) (zipfSet, error) {
		s := zipfSet{feat: make([]int32, n*cfg.NNZ), y: make([]float64, n)}
		for e := 0; e < n; e++ {
			f := s.feat[e*cfg.NNZ : (e+1)*cfg.NNZ]
			for q, draws := 0, 0; q < len(f); draws++ {
				if draws == maxDraws {
					return s, fmt.Errorf("%w: ZipfLogisticConfig: %d draws gave only %d distinct features of NNZ = %d with ZipfS = %v and D = %d; lower NNZ or ZipfS",
						ErrInvalid, maxDraws, q, cfg.NNZ, cfg.ZipfS, cfg.D)
				}
				j := draw()
				dup := false
				for _, o := range f[:q] {
					dup = dup || o == j
				}
				if !dup {
					f[q] = j
					q++
				}
			}
			z := 0.0
			for _, j := range f {
				z += t.wstar[j]
			}
			if rng.Float64() < sigmoid(z*t.val) {
				s.y[e] = 1
			}
		}
		return s, nil
	}
	var err error
	if t.train, err = gen(cfg.NTrain); err != nil {
		return nil, err
	}
	if t.test, err = gen(cfg.NTest); err != nil {
		return nil, err
	}
	return t, nil
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus returns log(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

// Dim returns d.
func (t *ZipfLogistic) Dim() int { return t.cfg.D }

// NumTrain returns the number of training examples.
func (t *ZipfLogistic) NumTrain() int { return t.cfg.NTrain }

// Config returns the configuration with defaults filled in.
func (t *ZipfLogistic) Config() ZipfLogisticConfig { return t.cfg }

// WStar returns a copy of the true weights.
func (t *ZipfLogistic) WStar() []float64 { return append([]float64(nil), t.wstar...) }

// AddGrad adds scale·Σ (σ(⟨w,x⟩) − y)·x over the examples idx and returns their summed
// logistic loss.
func (t *ZipfLogistic) AddGrad(w []float64, idx []int, scale float64, g []float64) float64 {
	nnz := t.cfg.NNZ
	loss := 0.0
	for _, e := range idx {
		f := t.train.feat[e*nnz : (e+1)*nnz]
		z := 0.0
		for _, j := range f {
			z += w[j]
		}
		z *= t.val
		y := t.train.y[e]
		loss += softplus(z) - y*z
		c := scale * (sigmoid(z) - y) * t.val
		for _, j := range f {
			g[j] += c
		}
	}
	return loss
}

// Eval returns the mean logistic loss and the accuracy of the sign of ⟨w, x⟩.
func (t *ZipfLogistic) Eval(w []float64, s Split) (loss, acc float64) {
	set := t.train
	if s == Test {
		set = t.test
	}
	nnz := t.cfg.NNZ
	n := len(set.y)
	for e := 0; e < n; e++ {
		z := 0.0
		for _, j := range set.feat[e*nnz : (e+1)*nnz] {
			z += w[j]
		}
		z *= t.val
		y := set.y[e]
		loss += softplus(z) - y*z
		if (z > 0) == (y == 1) {
			acc++
		}
	}
	return loss / float64(n), acc / float64(n)
}

// LinRegConfig configures NewLinReg; zero fields take the defaults shown.
type LinRegConfig struct {
	D      int     // default 1000
	NTrain int     // default 20000
	Noise  float64 // label noise standard deviation, default 0.5 (negative is an error)
	Seed   uint64
}

// LinReg is least squares ℓ(w; e) = ½(⟨x_e, w⟩ − y_e)² with x ~ N(0, I), w* ~ N(0, I) and
// y = ⟨x, w*⟩ + Noise·N(0,1): an L-smooth, strongly convex objective for the theory runs.
type LinReg struct {
	cfg     LinRegConfig
	x       []float64 // NTrain×D row-major
	y       []float64
	wstar   []float64
	optLoss float64
}

// NewLinReg generates the data from rand.NewPCG(Seed, 99): w* first, then each example's x
// and noise in turn.
func NewLinReg(cfg LinRegConfig) (*LinReg, error) {
	if cfg.D == 0 {
		cfg.D = 1000
	}
	if cfg.NTrain == 0 {
		cfg.NTrain = 20000
	}
	if cfg.Noise == 0 {
		cfg.Noise = 0.5
	}
	switch {
	case cfg.D < 1 || cfg.D > 1<<20:
		return nil, fmt.Errorf("%w: LinRegConfig.D = %d, want 1..%d", ErrInvalid, cfg.D, 1<<20)
	case cfg.NTrain < 1 || cfg.NTrain*cfg.D > 1<<25:
		return nil, fmt.Errorf("%w: LinRegConfig.NTrain = %d, want 1..%d for D = %d (NTrain·D ≤ 2^25)", ErrInvalid, cfg.NTrain, (1<<25)/cfg.D, cfg.D)
	case !(cfg.Noise >= 0) || math.IsInf(cfg.Noise, 1):
		return nil, fmt.Errorf("%w: LinRegConfig.Noise = %v, want a finite value ≥ 0", ErrInvalid, cfg.Noise)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, dataStream))
	t := &LinReg{cfg: cfg, x: make([]float64, cfg.NTrain*cfg.D), y: make([]float64, cfg.NTrain), wstar: make([]float64, cfg.D)}
	for j := range t.wstar {
		t.wstar[j] = rng.NormFloat64()
	}
	for e := 0; e < cfg.NTrain; e++ {
		row := t.x[e*cfg.D : (e+1)*cfg.D]
		dot := 0.0
		for j := range row {
			row[j] = rng.NormFloat64()
			dot += row[j] * t.wstar[j]
		}
		t.y[e] = dot + cfg.Noise*rng.NormFloat64()
	}
	t.optLoss, _ = t.Eval(t.wstar, Train)
	return t, nil
}

// Dim returns d.
func (t *LinReg) Dim() int { return t.cfg.D }

// NumTrain returns the number of training examples.
func (t *LinReg) NumTrain() int { return t.cfg.NTrain }

// Config returns the configuration with defaults filled in.
func (t *LinReg) Config() LinRegConfig { return t.cfg }

// WStar returns a copy of the generating weights.
func (t *LinReg) WStar() []float64 { return append([]float64(nil), t.wstar...) }

// AddGrad adds scale·Σ (⟨x,w⟩ − y)·x over idx and returns Σ ½(⟨x,w⟩ − y)².
func (t *LinReg) AddGrad(w []float64, idx []int, scale float64, g []float64) float64 {
	d := t.cfg.D
	loss := 0.0
	for _, e := range idx {
		row := t.x[e*d : (e+1)*d]
		r := -t.y[e]
		for j, x := range row {
			r += x * w[j]
		}
		loss += r * r / 2
		c := scale * r
		for j, x := range row {
			g[j] += c * x
		}
	}
	return loss
}

// Eval returns the mean training loss (Train) or the population risk
// E ½(⟨x,w⟩ − y)² = ½‖w − w*‖² + ½Noise² (Test); accuracy is NaN.
func (t *LinReg) Eval(w []float64, s Split) (loss, acc float64) {
	if s == Test {
		for j, x := range w {
			loss += (x - t.wstar[j]) * (x - t.wstar[j])
		}
		return (loss + t.cfg.Noise*t.cfg.Noise) / 2, math.NaN()
	}
	d := t.cfg.D
	for e := range t.y {
		row := t.x[e*d : (e+1)*d]
		r := -t.y[e]
		for j, x := range row {
			r += x * w[j]
		}
		loss += r * r / 2
	}
	return loss / float64(len(t.y)), math.NaN()
}

// ExcessLoss returns f(w) − f(w*) on the training set, with w* the generating weights.
func (t *LinReg) ExcessLoss(w []float64) float64 {
	l, _ := t.Eval(w, Train)
	return l - t.optLoss
}

// OptLoss returns f(w*) on the training set.
func (t *LinReg) OptLoss() float64 { return t.optLoss }
