package sysid

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/experiment"
	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/mat"
)

// Metric names of the tables the Monte-Carlo drivers return.
const (
	MetricFro  = "fro2"  // ‖Â − A‖_F²
	MetricOp   = "op2"   // ‖Â − A‖_op²
	MetricMart = "mart2" // ‖M_T Γ_∞^{-1}‖_F² (MCConfig.Decompose)
	MetricRem  = "rem2"  // ‖R_T‖_F² (MCConfig.Decompose)
)

// MCConfig configures MonteCarlo: Trials independent trajectories for each
// length in Ts.
type MCConfig struct {
	Ts        []int  // trajectory lengths T (transitions), each >= 1
	Trials    int    // trials per T, >= 1
	Seed      uint64 // trial (p, k) uses rand.NewPCG(Seed, p<<32|k), see experiment.Sweep
	Start     Start  // Zero or Stationary (Stationary and Decompose need a stable A)
	Decompose bool   // also record the martingale and remainder terms
	Options   experiment.Options
}

// MonteCarlo estimates the OLS error of s over trajectory lengths: for each T
// in cfg.Ts and each trial it simulates one trajectory x_0..x_T (x_0 first,
// then the noise), fits OLS and records ‖Â−A‖_F² and ‖Â−A‖_op² (and, with
// Decompose, ‖M_TΓ^{-1}‖_F² and ‖R_T‖_F²). The table's X are the T values.
func MonteCarlo(ctx context.Context, s *LDS, cfg MCConfig) (*experiment.Table, error) {
	if s == nil {
		return nil, fmt.Errorf("sysid: MonteCarlo: s is nil")
	}
	if len(cfg.Ts) == 0 {
		return nil, fmt.Errorf("sysid: MonteCarlo: Ts is empty")
	}
	xs := make([]float64, len(cfg.Ts))
	for i, T := range cfg.Ts {
		if T < 1 {
			return nil, fmt.Errorf("sysid: MonteCarlo: Ts[%d] = %d, must be >= 1", i, T)
		}
		xs[i] = float64(T)
	}
	if cfg.Start != Zero && cfg.Start != Stationary {
		return nil, fmt.Errorf("sysid: MonteCarlo: Start = %d, must be Zero or Stationary", cfg.Start)
	}
	if (cfg.Start == Stationary || cfg.Decompose) && !s.Stable() {
		return nil, fmt.Errorf("sysid: MonteCarlo: %s: stationary start and Decompose need a stable A, got spectral radius %g", s.Name, s.rho)
	}
	metrics := []string{MetricFro, MetricOp}
	if cfg.Decompose {
		metrics = append(metrics, MetricMart, MetricRem)
	}
	tab, err := experiment.Sweep(ctx, experiment.SweepSpec{
		Title: "OLS error, " + s.Name, XName: "T", X: xs, Metrics: metrics,
		Trials: cfg.Trials, Seed: cfg.Seed, Options: cfg.Options,
	}, func(p int, _ float64, _ int, rng *rand.Rand) ([]float64, error) {
		return s.trial(cfg.Ts[p], cfg.Start, cfg.Decompose, rng)
	})
	if err != nil {
		return nil, fmt.Errorf("sysid: MonteCarlo: %w", err)
	}
	return tab, nil
}

// trial runs one single-trajectory experiment and returns its metrics.
func (s *LDS) trial(T int, start Start, decomp bool, rng *rand.Rand) ([]float64, error) {
	x0, err := s.initial("MonteCarlo", start, rng)
	if err != nil {
		return nil, err
	}
	x, w, err := s.simulate("MonteCarlo", T, x0, rng, decomp)
	if err != nil {
		return nil, err
	}
	ahat, err := OLS(x)
	if err != nil {
		return nil, err
	}
	out, err := s.errorNorms(ahat)
	if err != nil {
		return nil, err
	}
	if decomp {
		d := decompose(s.A, ahat, x.Slice(0, T, 0, s.n), w, s.gammaInv, T)
		out = append(out, linalg.FroNorm2(d.Mart), linalg.FroNorm2(d.Rem))
	}
	return out, nil
}

// ManyConfig configures MonteCarloMany: m independent trajectories of length
// Tau per trial, for each m in Ms.
type ManyConfig struct {
	Ms      []int         // numbers of trajectories, each >= 1 with m·Tau >= n
	Tau     int           // transitions per trajectory, >= 1
	Trials  int           // trials per m, >= 1
	Sigma0  mat.Symmetric // covariance of x_0 (positive definite), nil for x_0 = 0
	Seed    uint64
	Options experiment.Options
}

// MonteCarloMany estimates the pooled OLS error in the many-trajectories
// setting (no stability needed): each trial simulates m trajectories of Tau
// steps (for each trajectory: x_0 ~ N(0, Σ_0) if Sigma0 is set, then the
// noise), pools all m·Tau transitions in OLS and records ‖Â−A‖_F² and
// ‖Â−A‖_op². The table's X are the sample sizes N = m·Tau.
func MonteCarloMany(ctx context.Context, s *LDS, cfg ManyConfig) (*experiment.Table, error) {
	if s == nil {
		return nil, fmt.Errorf("sysid: MonteCarloMany: s is nil")
	}
	if cfg.Tau < 1 {
		return nil, fmt.Errorf("sysid: MonteCarloMany: Tau = %d, must be >= 1", cfg.Tau)
	}
	if len(cfg.Ms) == 0 {
		return nil, fmt.Errorf("sysid: MonteCarloMany: Ms is empty")
	}
	xs := make([]float64, len(cfg.Ms))
	for i, m := range cfg.Ms {
		if m < 1 || m*cfg.Tau < s.n {
			return nil, fmt.Errorf("sysid: MonteCarloMany: Ms[%d] = %d, must be >= 1 with m·Tau >= n = %d", i, m, s.n)
		}
		xs[i] = float64(m * cfg.Tau)
	}
	var l0 *rowOp
	if cfg.Sigma0 != nil {
		if cfg.Sigma0.SymmetricDim() != s.n {
			return nil, fmt.Errorf("sysid: MonteCarloMany: Sigma0 is %d×%d, must be %d×%d", cfg.Sigma0.SymmetricDim(), cfg.Sigma0.SymmetricDim(), s.n, s.n)
		}
		l, err := cholRaw(cfg.Sigma0)
		if err != nil {
			return nil, fmt.Errorf("sysid: MonteCarloMany: Sigma0 must be positive definite (use nil for x_0 = 0): %w", err)
		}
		op := newRowOp(l, s.n)
		l0 = &op
	}
	tab, err := experiment.Sweep(ctx, experiment.SweepSpec{
		Title: fmt.Sprintf("pooled OLS error, %s, τ = %d", s.Name, cfg.Tau), XName: "N = mτ", X: xs,
		Metrics: []string{MetricFro, MetricOp}, Trials: cfg.Trials, Seed: cfg.Seed, Options: cfg.Options,
	}, func(p int, _ float64, _ int, rng *rand.Rand) ([]float64, error) {
		return s.manyTrial(cfg.Ms[p], cfg.Tau, l0, rng)
	})
	if err != nil {
		return nil, fmt.Errorf("sysid: MonteCarloMany: %w", err)
	}
	return tab, nil
}

func (s *LDS) manyTrial(m, tau int, l0 *rowOp, rng *rand.Rand) ([]float64, error) {
	n := s.n
	rows := m * tau
	xp := make([]float64, rows*n)
	xn := make([]float64, rows*n)
	x := make([]float64, n)
	w := make([]float64, n)
	buf := make([]float64, n)
	for j := 0; j < m; j++ {
		if l0 != nil {
			s.gaussian(*l0, x, buf, rng)
		} else {
			clear(x)
		}
		for t := 0; t < tau; t++ {
			r := (j*tau + t) * n
			copy(xp[r:r+n], x)
			s.gaussian(s.noiseOp, w, buf, rng)
			s.aRows.apply(xn[r:r+n], x, w)
			copy(x, xn[r:r+n])
		}
	}
	P := mat.NewDense(rows, n, xp)
	Nx := mat.NewDense(rows, n, xn)
	var sxx, syx mat.Dense
	sxx.Mul(P.T(), P)
	syx.Mul(Nx.T(), P)
	ahat, err := solveOLS(symmetricPart(&sxx), &syx)
	if err != nil {
		return nil, err
	}
	return s.errorNorms(ahat)
}

// errorNorms returns the first two metrics of every Monte-Carlo trial (MonteCarlo and
// MonteCarloMany): ‖Â − A‖_F² and ‖Â − A‖_op².
func (s *LDS) errorNorms(ahat *mat.Dense) ([]float64, error) {
	var e mat.Dense
	e.Sub(ahat, s.A)
	op, err := linalg.OpNorm(&e)
	if err != nil {
		return nil, err
	}
	return []float64{linalg.FroNorm2(&e), op * op}, nil
}

// StandardizedEntries returns the pooled standardized OLS errors
// z_ij = √T (Â−A)_ij / √((Σ_w)_ii (Γ_∞^{-1})_jj), which the CLT makes
// approximately N(0, 1), for `trials` stationary-start trajectories of length
// T (trial k uses rand.NewPCG(seed, k)). The result has trials·n² entries in
// the order trial, then row i, then column j.
func StandardizedEntries(ctx context.Context, s *LDS, T, trials int, seed uint64, opt experiment.Options) ([]float64, error) {
	if s == nil {
		return nil, fmt.Errorf("sysid: StandardizedEntries: s is nil")
	}
	if !s.Stable() {
		return nil, fmt.Errorf("sysid: StandardizedEntries: %s: A must be stable, got spectral radius %g", s.Name, s.rho)
	}
	if T < 1 {
		return nil, fmt.Errorf("sysid: StandardizedEntries: T = %d, must be >= 1", T)
	}
	n := s.n
	scale := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			scale[i*n+j] = math.Sqrt(float64(T) / (s.SigmaW.At(i, i) * s.gammaInv.At(j, j)))
		}
	}
	per, err := experiment.Run(ctx, trials, seed, opt, func(_ int, rng *rand.Rand) ([]float64, error) {
		x, err := s.SimulateFrom(T, Stationary, rng)
		if err != nil {
			return nil, err
		}
		ahat, err := OLS(x)
		if err != nil {
			return nil, err
		}
		z := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				z[i*n+j] = (ahat.At(i, j) - s.A.At(i, j)) * scale[i*n+j]
			}
		}
		return z, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sysid: StandardizedEntries: %w", err)
	}
	out := make([]float64, 0, trials*n*n)
	for _, z := range per {
		out = append(out, z...)
	}
	return out, nil
}
