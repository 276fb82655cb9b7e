package robust

import (
	"context"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gonote/gonote/stdlib/dp"
	"github.com/gonote/gonote/stdlib/experiment"
)

// Estimator names accepted by TrialConfig.Estimators; they are also the
// metric names of the tables Sweep returns (ℓ2 error of each estimate).
const (
	EstMean          = "mean"
	EstDPMean        = "dp mean"
	EstCoordMedian   = "coord median"
	EstFilter        = "filter"
	EstPrime         = "prime"
	EstPrimeRef      = "prime reference"
	EstCoinPress     = "coinpress"
	EstTrimmedMean   = "trimmed mean"
	EstPrivateMedian = "private median" // d = 1 only
)

// defaultEstimators is the comparison set of the paper figure.
var defaultEstimators = []string{EstMean, EstDPMean, EstCoordMedian, EstFilter, EstPrime}

// DefaultEstimators returns the default comparison set.
func DefaultEstimators() []string { return append([]string(nil), defaultEstimators...) }

// TrialConfig describes one synthetic experiment: a dataset and the
// estimators run on it.
type TrialConfig struct {
	N          int         // samples; 0 → 100,000
	D          int         // dimension; 0 → 10
	Corruption Corruption  // the contamination of the data
	Eps        float64     // total ε of every private estimator; 0 → 10
	Delta      float64     // total δ; 0 → 0.01
	PrimeAlpha float64     // α assumed by PRIME and the filter; 0 → Corruption.Alpha, or 0.05 if that is 0
	Estimators []string    // nil → DefaultEstimators()
	Prime      PrimeConfig // extra PRIME settings (Mode, Alpha and Budget are overwritten)
}

func (c TrialConfig) withDefaults() (TrialConfig, error) {
	if c.N == 0 {
		c.N = 100000
	}
	if c.D == 0 {
		c.D = 10
	}
	if c.Eps == 0 {
		c.Eps = 10
	}
	if c.Delta == 0 {
		c.Delta = 0.01
	}
	if c.PrimeAlpha == 0 {
		c.PrimeAlpha = c.Corruption.Alpha
		if c.Corruption.Kind == NoCorruption || c.PrimeAlpha == 0 {
			c.PrimeAlpha = 0.05
		}
	}
	if c.Estimators == nil {
		c.Estimators = DefaultEstimators()
	}
	if c.N < 10 || c.N > 100_000_000 {
		return c, paramErr("N = %d, want 10 <= N <= 1e8", c.N)
	}
	if c.D < 1 || c.D > 1000 {
		return c, paramErr("D = %d, want 1 <= D <= 1000", c.D)
	}
	if err := (dp.Budget{Eps: c.Eps, Delta: c.Delta}).Validate(); err != nil {
		return c, fmt.Errorf("robust: trial budget: %w", err)
	}
	if err := c.Corruption.validate(); err != nil {
		return c, err
	}
	if len(c.Estimators) == 0 {
		return c, paramErr("Estimators is empty, want at least one of %v", allEstimators)
	}
	for _, e := range c.Estimators {
		if !knownEstimator(e) {
			return c, paramErr("estimator %q unknown, want one of %v", e, allEstimators)
		}
		if e == EstPrivateMedian && c.D != 1 {
			return c, paramErr("estimator %q needs D = 1, have D = %d", e, c.D)
		}
	}
	return c, nil
}

var allEstimators = []string{EstMean, EstDPMean, EstCoordMedian, EstFilter, EstPrime, EstPrimeRef, EstCoinPress, EstTrimmedMean, EstPrivateMedian}

func knownEstimator(e string) bool {
	for _, k := range allEstimators {
		if e == k {
			return true
		}
	}
	return false
}

// trialOutcome is one trial's estimates.
type trialOutcome struct {
	errs   []float64
	prime  *PrimeResult
	primeR *PrimeResult
}

// runTrial draws one dataset from rng and runs the estimators in order on it,
// all consuming the same generator.
func runTrial(rng *rand.Rand, c TrialConfig) (trialOutcome, *Dataset, error) {
	ds, err := Generate(rng, c.N, c.D, nil, c.Corruption)
	if err != nil {
		return trialOutcome{}, nil, err
	}
	b := dp.Budget{Eps: c.Eps, Delta: c.Delta}
	out := trialOutcome{errs: make([]float64, len(c.Estimators))}
	for k, name := range c.Estimators {
		var est []float64
		switch name {
		case EstMean:
			est, err = Mean(ds.X)
		case EstDPMean:
			est, err = DPMeanAuto(rng, ds.X, b, DPMeanAutoConfig{})
		case EstCoordMedian:
			est, err = CoordMedian(ds.X)
		case EstTrimmedMean:
			est, err = TrimmedMean(ds.X, c.PrimeAlpha)
		case EstFilter:
			est, _, err = Filter(rng, ds.X, FilterConfig{Alpha: c.PrimeAlpha})
		case EstPrime, EstPrimeRef:
			pc := c.Prime
			pc.Mode = PrimePaper
			if name == EstPrimeRef {
				pc = PrimeConfig{Mode: PrimeReference}
			}
			pc.Alpha, pc.Budget = c.PrimeAlpha, b
			var res *PrimeResult
			res, err = PRIME(rng, ds.X, pc, ds.Bad)
			if err == nil {
				est = res.Mean
				if name == EstPrime {
					out.prime = res
				} else {
					out.primeR = res
				}
			}
		case EstCoinPress:
			est, err = CoinPressBudget(rng, ds.X, b, 3, 10)
		case EstPrivateMedian:
			col := column(ds.X, 0, nil)
			var m float64
			m, err = PrivateMedian1D(rng, col, -10, 10, c.Eps)
			est = []float64{m}
		}
		if err != nil {
			return trialOutcome{}, nil, fmt.Errorf("%s: %w", name, err)
		}
		out.errs[k] = Error(est, ds.Mu)
	}
	return out, ds, nil
}

// SweepConfig describes a sweep of one parameter of a TrialConfig.
type SweepConfig struct {
	Title   string
	Param   string    // "d", "alpha" (data and assumed α together), "eps", "n" or "shift"
	Values  []float64 // grid
	Base    TrialConfig
	Trials  int // per grid value; 0 → 3
	Seed    uint64
	Options experiment.Options
}

func applyParam(base TrialConfig, param string, v float64) (TrialConfig, error) {
	c := base
	switch param {
	case "d":
		c.D = int(v)
	case "n":
		c.N = int(v)
	case "eps":
		c.Eps = v
	case "alpha":
		c.Corruption.Alpha = v
		c.PrimeAlpha = v
	case "shift":
		c.Corruption.Shift = v
	default:
		return c, paramErr("sweep Param = %q, want one of d, n, eps, alpha, shift", param)
	}
	if (param == "d" || param == "n") && v != math.Trunc(v) {
		return c, paramErr("sweep %s value %g, want an integer", param, v)
	}
	return c.withDefaults()
}

// Sweep runs Trials seeded trials of the experiment at every grid value
// (experiment.Sweep: trial t at point p uses PCG(Seed, p<<32|t)) and returns
// the table of ℓ2 errors, one metric per estimator. The result does not
// depend on GOMAXPROCS.
func Sweep(ctx context.Context, cfg SweepConfig) (*experiment.Table, error) {
	if len(cfg.Values) == 0 {
		return nil, paramErr("sweep Values is empty, want at least one grid value")
	}
	if cfg.Trials == 0 {
		cfg.Trials = 3
	}
	if cfg.Trials < 1 || cfg.Trials > 10000 {
		return nil, paramErr("sweep Trials = %d, want 1..10000", cfg.Trials)
	}
	configs := make([]TrialConfig, len(cfg.Values))
	for p, v := range cfg.Values {
		c, err := applyParam(cfg.Base, cfg.Param, v)
		if err != nil {
			return nil, err
		}
		configs[p] = c
	}
	metrics := configs[0].Estimators
	return experiment.Sweep(ctx, experiment.SweepSpec{
		Title: cfg.Title, XName: cfg.Param, X: cfg.Values, Metrics: metrics,
		Trials: cfg.Trials, Seed: cfg.Seed, Options: cfg.Options,
	}, func(point int, _ float64, _ int, rng *rand.Rand) ([]float64, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o, _, err := runTrial(rng, configs[point])
		if err != nil {
			return nil, err
		}
		return o.errs, nil
	})
}

// Comparison is the outcome of Compare: the errors of every estimator on one
// dataset, and PRIME's full result (trace and ledger).
type Comparison struct {
	Config     TrialConfig
	Estimators []string
	Errors     []float64
	Prime      *PrimeResult // nil unless EstPrime was run
	PrimeRef   *PrimeResult // nil unless EstPrimeRef was run
	NumBad     int
}

// ErrorOf returns the ℓ2 error of the named estimator.
func (c *Comparison) ErrorOf(name string) (float64, error) {
	for k, e := range c.Estimators {
		if e == name {
			return c.Errors[k], nil
		}
	}
	return 0, paramErr("estimator %q not in this comparison (have %v)", name, c.Estimators)
}

// HTML renders the errors, then PRIME's summary, trace and ledger.
func (c *Comparison) HTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p>n = %d, d = %d, corruption %s (α = %g, shift %g, %d bad rows), ε = %g, δ = %g</p>\n",
		c.Config.N, c.Config.D, c.Config.Corruption.Kind, c.Config.Corruption.Alpha, c.Config.Corruption.Shift, c.NumBad, c.Config.Eps, c.Config.Delta)
	rows := make([][]string, len(c.Estimators))
	for k, e := range c.Estimators {
		rows[k] = []string{html.EscapeString(e), experiment.FormatNumber(c.Errors[k])}
	}
	b.WriteString(experiment.HTMLTable("ℓ2 error ‖μ̂ − μ‖", []string{"estimator", "error"}, rows))
	if c.Prime != nil {
		b.WriteString("\n")
		b.WriteString(c.Prime.HTML())
	}
	return b.String()
}

// String renders the errors as text.
func (c *Comparison) String() string {
	var b strings.Builder
	for k, e := range c.Estimators {
		fmt.Fprintf(&b, "%-16s %.4f\n", e, c.Errors[k])
	}
	return strings.TrimRight(b.String(), "\n")
}

// Compare draws one dataset with rand.New(rand.NewPCG(seed, 0)) and runs the
// estimators on it, keeping PRIME's trace and ledger.
func Compare(ctx context.Context, cfg TrialConfig, seed uint64) (*Comparison, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	o, ds, err := runTrial(rand.New(rand.NewPCG(seed, 0)), c)
	if err != nil {
		return nil, fmt.Errorf("robust: Compare: %w", err)
	}
	nb := 0
	for _, v := range ds.Bad {
		if v {
			nb++
		}
	}
	return &Comparison{Config: c, Estimators: c.Estimators, Errors: o.errs, Prime: o.prime, PrimeRef: o.primeR, NumBad: nb}, nil
}

// MeanBias is the bias of the empirical mean under corruption c in
// dimension d: α·‖shift‖ (0 without corruption).
func MeanBias(c Corruption, d int) float64 {
	if c.Kind == NoCorruption {
		return 0
	}
	return c.Alpha * Error(c.ShiftVector(d), nil)
}

// CoordMedianBias is the asymptotic bias of the coordinate-wise median under
// ShiftAll(s) with fraction α in dimension d: m·√d, where m solves
// (1−α)Φ(m) + αΦ(m − s) = ½.
func CoordMedianBias(alpha, shift float64, d int) (float64, error) {
	if math.IsNaN(alpha) || alpha < 0 || alpha >= 0.5 {
		return 0, paramErr("alpha = %g, want 0 <= alpha < 0.5", alpha)
	}
	if d < 1 {
		return 0, paramErr("d = %d, want d >= 1", d)
	}
	f := func(m float64) float64 { return (1-alpha)*dp.Phi(m) + alpha*dp.Phi(m-shift) - 0.5 }
	lo, hi := -50.0, 50.0
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if f(mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return math.Abs((lo+hi)/2) * math.Sqrt(float64(d)), nil
}

// RobustRate is the information-theoretic robust error scale α·√ln(1/α).
func RobustRate(alpha float64) float64 {
	if alpha <= 0 || alpha >= 1 {
		return 0
	}
	return alpha * math.Sqrt(math.Log(1/alpha))
}

// OnesCosine is the cosine between v and the all-ones direction 𝟙/√d: the
// only direction the reference code's element-wise-exp weights can see.
func OnesCosine(v []float64) float64 {
	s, nrm := 0.0, 0.0
	for _, x := range v {
		s += x
		nrm += x * x
	}
	if nrm == 0 {
		return 0
	}
	return s / math.Sqrt(nrm*float64(len(v)))
}
