package sysid

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/experiment"
	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/mat"
)

// The predictions below are squared errors for N samples (N = T for one
// trajectory, N = m·τ pooled), in "rate form": constants and log(1/δ) terms
// of the finite-sample bounds dropped unless delta < 1 is given.

func checkPair(op string, sigmaW, gamma mat.Symmetric, nSamples int) error {
	if sigmaW == nil {
		return fmt.Errorf("sysid: %s: sigmaW is nil", op)
	}
	if gamma == nil {
		return fmt.Errorf("sysid: %s: gamma is nil", op)
	}
	if sigmaW.SymmetricDim() != gamma.SymmetricDim() {
		return fmt.Errorf("sysid: %s: sigmaW is %d×%d but gamma is %d×%d", op, sigmaW.SymmetricDim(), sigmaW.SymmetricDim(), gamma.SymmetricDim(), gamma.SymmetricDim())
	}
	if nSamples < 1 {
		return fmt.Errorf("sysid: %s: nSamples = %d, must be >= 1", op, nSamples)
	}
	return nil
}

type spectra struct {
	trSW, opSW, trGInv, opGInv, lminG float64
}

func spectraOf(op string, sigmaW, gamma mat.Symmetric) (spectra, error) {
	sw, _, err := linalg.SymEigen(sigmaW)
	if err != nil {
		return spectra{}, fmt.Errorf("sysid: %s: sigmaW: %w", op, err)
	}
	g, _, err := linalg.SymEigen(gamma)
	if err != nil {
		return spectra{}, fmt.Errorf("sysid: %s: gamma: %w", op, err)
	}
	if g[0] <= 0 {
		return spectra{}, fmt.Errorf("sysid: %s: gamma must be positive definite (smallest eigenvalue %g)", op, g[0])
	}
	if sw[0] < 0 {
		return spectra{}, fmt.Errorf("sysid: %s: sigmaW must be positive semidefinite (smallest eigenvalue %g)", op, sw[0])
	}
	var s spectra
	for _, v := range sw {
		s.trSW += v
	}
	s.opSW = sw[len(sw)-1]
	for _, v := range g {
		s.trGInv += 1 / v
	}
	s.lminG = g[0]
	s.opGInv = 1 / g[0]
	return s, nil
}

// CLTFro returns the CLT prediction tr(Σ_w)·tr(Γ^{-1})/N of E‖Â − A‖_F².
func CLTFro(sigmaW, gamma mat.Symmetric, nSamples int) (float64, error) {
	if err := checkPair("CLTFro", sigmaW, gamma, nSamples); err != nil {
		return 0, err
	}
	s, err := spectraOf("CLTFro", sigmaW, gamma)
	if err != nil {
		return 0, err
	}
	return s.trSW * s.trGInv / float64(nSamples), nil
}

// CLTOpMC returns the CLT prediction E‖Σ_w^{1/2} Z Γ^{-1/2}‖_op²/N of
// E‖Â − A‖_op², Z an n×n standard Gaussian matrix, averaged over `draws`
// draws of Z from rng (each draw: n² normals, row-major).
func CLTOpMC(sigmaW, gamma mat.Symmetric, nSamples, draws int, rng *rand.Rand) (float64, error) {
	if err := checkPair("CLTOpMC", sigmaW, gamma, nSamples); err != nil {
		return 0, err
	}
	if draws < 1 {
		return 0, fmt.Errorf("sysid: CLTOpMC: draws = %d, must be >= 1", draws)
	}
	if rng == nil {
		return 0, fmt.Errorf("sysid: CLTOpMC: rng is nil")
	}
	left, err := linalg.SqrtPSD(sigmaW)
	if err != nil {
		return 0, fmt.Errorf("sysid: CLTOpMC: sigmaW: %w", err)
	}
	right, err := linalg.InvSqrtPSD(gamma, 0)
	if err != nil {
		return 0, fmt.Errorf("sysid: CLTOpMC: gamma: %w", err)
	}
	n := sigmaW.SymmetricDim()
	var tmp, m mat.Dense
	sum := 0.0
	for d := 0; d < draws; d++ {
		z, err := linalg.GaussianMatrix(n, n, 1, rng)
		if err != nil {
			return 0, fmt.Errorf("sysid: CLTOpMC: %w", err)
		}
		tmp.Mul(left, z)
		m.Mul(&tmp, right)
		op, err := linalg.OpNorm(&m)
		if err != nil {
			return 0, fmt.Errorf("sysid: CLTOpMC: %w", err)
		}
		sum += op * op
	}
	return sum / float64(draws) / float64(nSamples), nil
}

// CLTOpBounds returns exact bounds lo ≤ E‖Σ_w^{1/2} Z Γ^{-1/2}‖_op²/N ≤ hi:
// lo = max(tr Σ_w ‖Γ^{-1}‖, ‖Σ_w‖ tr Γ^{-1})/N and
// hi = ((√(tr Σ_w ‖Γ^{-1}‖) + √(‖Σ_w‖ tr Γ^{-1}))² + ‖Σ_w‖‖Γ^{-1}‖)/N.
func CLTOpBounds(sigmaW, gamma mat.Symmetric, nSamples int) (lo, hi float64, err error) {
	if err := checkPair("CLTOpBounds", sigmaW, gamma, nSamples); err != nil {
		return 0, 0, err
	}
	s, err := spectraOf("CLTOpBounds", sigmaW, gamma)
	if err != nil {
		return 0, 0, err
	}
	a := s.trSW * s.opGInv
	b := s.opSW * s.trGInv
	N := float64(nSamples)
	lo = math.Max(a, b) / N
	r := math.Sqrt(a) + math.Sqrt(b)
	hi = (r*r + s.opSW*s.opGInv) / N
	return lo, hi, nil
}

func logTerm(op string, delta float64) (float64, error) {
	if !(delta > 0 && delta <= 1) {
		return 0, fmt.Errorf("sysid: %s: delta = %g, must be in (0, 1]", op, delta)
	}
	return math.Log(1 / delta), nil
}

// PriorOpRate returns the rate form of the older self-normalized bound,
// ‖Σ_w‖(n + log(1/δ))/(N λ_min(Γ)); delta = 1 drops the log term.
func PriorOpRate(sigmaW, gamma mat.Symmetric, nSamples int, delta float64) (float64, error) {
	if err := checkPair("PriorOpRate", sigmaW, gamma, nSamples); err != nil {
		return 0, err
	}
	lt, err := logTerm("PriorOpRate", delta)
	if err != nil {
		return 0, err
	}
	s, err := spectraOf("PriorOpRate", sigmaW, gamma)
	if err != nil {
		return 0, err
	}
	n := float64(sigmaW.SymmetricDim())
	return s.opSW * (n + lt) / (float64(nSamples) * s.lminG), nil
}

// PriorFroRate returns the trace form of the older bound for the Frobenius
// norm, tr(Σ_w)(n + log(1/δ))/(N λ_min(Γ)); delta = 1 drops the log term.
func PriorFroRate(sigmaW, gamma mat.Symmetric, nSamples int, delta float64) (float64, error) {
	if err := checkPair("PriorFroRate", sigmaW, gamma, nSamples); err != nil {
		return 0, err
	}
	lt, err := logTerm("PriorFroRate", delta)
	if err != nil {
		return 0, err
	}
	s, err := spectraOf("PriorFroRate", sigmaW, gamma)
	if err != nil {
		return 0, err
	}
	n := float64(sigmaW.SymmetricDim())
	return s.trSW * (n + lt) / (float64(nSamples) * s.lminG), nil
}

// WishartExactFro returns tr(Σ_w) tr(Σ_0^{-1})/(m − n − 1), the exact
// E‖Â − A‖_F² for m one-step trajectories with x_0 ~ N(0, Σ_0) (any A);
// m must exceed n + 1.
func WishartExactFro(sigmaW, sigma0 mat.Symmetric, m int) (float64, error) {
	if err := checkPair("WishartExactFro", sigmaW, sigma0, 1); err != nil {
		return 0, err
	}
	n := sigmaW.SymmetricDim()
	if m <= n+1 {
		return 0, fmt.Errorf("sysid: WishartExactFro: m = %d, must be > n + 1 = %d", m, n+1)
	}
	s, err := spectraOf("WishartExactFro", sigmaW, sigma0)
	if err != nil {
		return 0, err
	}
	return s.trSW * s.trGInv / float64(m-n-1), nil
}

// Prediction collects, for one stable instance, the quantities of the
// paper's comparison for N = 1 sample (divide by T for a trajectory of
// length T): the CLT rates, the bounds on the spectral CLT rate, the prior
// rates (delta = 1) and their ratios (the predicted gaps).
type Prediction struct {
	Name                           string
	N                              int     // state dimension
	LambdaMinGamma, TrGammaInv     float64 // λ_min(Γ_∞), tr Γ_∞^{-1}
	EffRankGammaInv, EffRankSigmaW float64 // r(Γ^{-1}), r(Σ_w)
	MixingTime                     float64
	CLTFro, CLTOp                  float64 // T·CLT rates (CLTOp by Monte Carlo)
	CLTOpLo, CLTOpHi               float64 // T·CLTOpBounds
	PriorFro, PriorOp              float64 // T·prior rates
	GapFro, GapOp                  float64 // PriorFro/CLTFro, PriorOp/CLTOp
}

// Predict computes the Prediction of a stable system, with CLTOp from `draws`
// Monte-Carlo draws using rand.New(rand.NewPCG(seed, 0)).
func Predict(s *LDS, draws int, seed uint64) (Prediction, error) {
	if s == nil {
		return Prediction{}, fmt.Errorf("sysid: Predict: s is nil")
	}
	gamma, err := s.StationaryCov()
	if err != nil {
		return Prediction{}, fmt.Errorf("sysid: Predict: %w", err)
	}
	p := Prediction{Name: s.Name, N: s.n, MixingTime: s.MixingTime()}
	sp, err := spectraOf("Predict", s.SigmaW, gamma)
	if err != nil {
		return Prediction{}, err
	}
	p.LambdaMinGamma, p.TrGammaInv = sp.lminG, sp.trGInv
	p.EffRankGammaInv = sp.trGInv / sp.opGInv
	p.EffRankSigmaW = sp.trSW / sp.opSW
	if p.CLTFro, err = CLTFro(s.SigmaW, gamma, 1); err != nil {
		return Prediction{}, err
	}
	if p.CLTOp, err = CLTOpMC(s.SigmaW, gamma, 1, draws, rand.New(rand.NewPCG(seed, 0))); err != nil {
		return Prediction{}, err
	}
	if p.CLTOpLo, p.CLTOpHi, err = CLTOpBounds(s.SigmaW, gamma, 1); err != nil {
		return Prediction{}, err
	}
	if p.PriorFro, err = PriorFroRate(s.SigmaW, gamma, 1, 1); err != nil {
		return Prediction{}, err
	}
	if p.PriorOp, err = PriorOpRate(s.SigmaW, gamma, 1, 1); err != nil {
		return Prediction{}, err
	}
	p.GapFro = p.PriorFro / p.CLTFro
	p.GapOp = p.PriorOp / p.CLTOp
	return p, nil
}

// Predictions is a list of instance predictions shown as one table.
type Predictions []Prediction

func (ps Predictions) rows() ([]string, [][]string) {
	header := []string{"instance", "n", "λmin(Γ)", "tr Γ⁻¹", "r(Γ⁻¹)", "r(Σw)", "t_mix",
		"T·CLT_F", "T·CLT_op (MC)", "T·CLT_op bounds", "T·Prior_F", "T·Prior_op", "gap F", "gap op"}
	f := experiment.FormatNumber
	var rows [][]string
	for _, p := range ps {
		rows = append(rows, []string{p.Name, fmt.Sprint(p.N), f(p.LambdaMinGamma), f(p.TrGammaInv),
			f(p.EffRankGammaInv), f(p.EffRankSigmaW), f(p.MixingTime), f(p.CLTFro), f(p.CLTOp),
			"[" + f(p.CLTOpLo) + ", " + f(p.CLTOpHi) + "]", f(p.PriorFro), f(p.PriorOp), f(p.GapFro), f(p.GapOp)})
	}
	return header, rows
}

// HTML renders the predictions as a table (display picks it up).
func (ps Predictions) HTML() string {
	h, r := ps.rows()
	return experiment.HTMLTable("CLT and prior rates (squared error × T)", h, r)
}

// String renders the predictions as aligned text.
func (ps Predictions) String() string {
	h, r := ps.rows()
	return experiment.TextTable("CLT and prior rates (squared error × T)", h, r)
}
