package robust

import (
	"errors"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gonote/gonote/stdlib/dp"
	"gonum.org/v1/gonum/mat"
)

// ErrTooManyRemoved is returned when PRIME's filter has removed so many points
// that the active set fell below KeepFrac·n (its sensitivity bounds no longer
// hold); the assumed corruption level is probably too small.
var ErrTooManyRemoved = errors.New("robust: PRIME removed too many points (active set below KeepFrac·n)")

// PrimeMode selects the PRIME variant.
type PrimeMode int

const (
	// PrimePaper is the corrected algorithm of the build spec: matrix
	// exponential MMW weights, step η = 1, T2 = ⌊2 ln d⌋, ℓ2-ball clipping,
	// conservative sensitivities, analytic Gaussian calibration and a ledger
	// that sums to exactly (ε, δ) under basic composition.
	PrimePaper PrimeMode = iota
	// PrimeReference follows the published code (xiyangl3/robust_dp):
	// element-wise exp for the weights, its constants and noise scales, box
	// clipping, 1% of the budget for the range and its privacy split, whose
	// ledger exceeds (ε, δ). The range centre uses the bin midpoint (the code
	// doubles it) and an exhausted run releases the mean instead of crashing.
	PrimeReference
)

// String names the mode.
func (m PrimeMode) String() string {
	switch m {
	case PrimePaper:
		return "paper"
	case PrimeReference:
		return "reference"
	}
	return fmt.Sprintf("PrimeMode(%d)", int(m))
}

// PrimeConfig configures PRIME. Zero fields take the mode's defaults.
type PrimeConfig struct {
	Mode       PrimeMode
	Alpha      float64   // assumed corruption level, 0 < Alpha < 0.25, with ⌊Alpha·n⌋ ≥ 1 (required)
	Budget     dp.Budget // total (ε, δ), 0 < δ < 1 (required)
	RangeFrac  float64   // share of (ε, δ) for DPRange: 0.10 (Reference 0.01)
	Range      RangeConfig
	BoxClip    bool    // clip to the box x̄ ± B instead of the ball of radius BallRadius(d) (always on in Reference)
	T1, T2     int     // epochs and inner steps; 0 → max(1, ⌊ln(B√d)⌋) and max(1, ⌊2 ln d⌋) (Reference ⌊ln d⌋); d = 1 → 2, 2
	C          float64 // stop when the private λ < C·α·ln(1/α); default 2
	Eta        float64 // MMW step α_s = Eta/λ_s; default 1 (Reference 1/(10·(0.01/C + 1.01)))
	PsiFrac    float64 // filter only if ψ_t > PsiFrac·λ_t; default 1/5.5
	EpochFrac  float64 // end the epoch when λ_t < EpochFrac·λ_s; default 0.5
	TailMult   float64 // tail = the top TailMult·⌊αn⌋ scores; default 2
	KeepFrac   float64 // fail if the active set drops below KeepFrac·n; default 0.55
	ThreshFrac float64 // DPThreshold keeps the largest ρ whose tail excess ≥ ThreshFrac·ψ_T; default 0.3
	OutputFrac float64 // share of the filter budget ε_F for the final release; default 0.25 (Paper only)
	SharedZ    bool    // one uniform per filtering step instead of one per point
}

// epochNormFrac is the share of ε_F for the T1 epoch-level norm releases.
const epochNormFrac = 0.15

// PrimeTrace is one row of PRIME's diagnostic trace. LambdaTrue, PsiTrue and
// RemovedBad are non-private diagnostics; the algorithm never reads them.
type PrimeTrace struct {
	Epoch, Iter int // Iter = 0 for the epoch-level check
	Event       string
	Lambda      float64 // private ‖M(S) − I‖
	LambdaTrue  float64
	Psi         float64 // private ⟨M(S) − I, U⟩ (inner steps)
	PsiTrue     float64
	Rho         float64 // DPThreshold's ρ (0 if none)
	Size        int     // |S| before the step
	Removed     int
	RemovedBad  int
}

// PrimeResult is PRIME's output.
type PrimeResult struct {
	Mean       []float64
	Mode       PrimeMode
	Converged  bool // false if T1 epochs were exhausted before the stopping test passed
	Epochs     int
	Iters      int
	Removed    int
	RemovedBad int // needs the bad mask; diagnostics only
	T1, T2     int
	Center     []float64 // DPRange centre x̄
	HalfWidth  float64   // DPRange B
	Radius     float64   // clipping radius r (ball) or B√d (box)
	SigmaOut   float64   // σ of the final Gaussian release
	Ledger     dp.Ledger // planned uses; sums to ≤ Budget in PrimePaper mode
	Budget     dp.Budget
	Trace      []PrimeTrace
}

// HTML renders a summary, the trace and the ledger.
func (r *PrimeResult) HTML() string {
	var b strings.Builder
	t := r.Ledger.Total()
	fmt.Fprintf(&b, "<p><b>PRIME (%s mode)</b>: converged = %v, epochs = %d, inner steps = %d, removed = %d (bad %d), T1 = %d, T2 = %d, clip radius = %.3g, σ_out = %.3g; privacy spent (ε, δ) = (%.6g, %.6g) of (%.6g, %.6g)</p>\n",
		r.Mode, r.Converged, r.Epochs, r.Iters, r.Removed, r.RemovedBad, r.T1, r.T2, r.Radius, r.SigmaOut, t.Eps, t.Delta, r.Budget.Eps, r.Budget.Delta)
	b.WriteString(r.TraceHTML())
	b.WriteString("\n")
	b.WriteString(r.Ledger.HTML())
	return b.String()
}

// TraceHTML renders the trace as a table.
func (r *PrimeResult) TraceHTML() string {
	var b strings.Builder
	b.WriteString("<table>\n<thead><tr><th>epoch</th><th>step</th><th>event</th><th>λ (private)</th><th>λ (true)</th><th>ψ (private)</th><th>ψ (true)</th><th>ρ</th><th>|S|</th><th>removed</th><th>removed bad</th></tr></thead>\n<tbody>\n")
	for _, t := range r.Trace {
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%.4g</td><td>%.4g</td><td>%.4g</td><td>%.4g</td><td>%.4g</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
			t.Epoch, t.Iter, html.EscapeString(t.Event), t.Lambda, t.LambdaTrue, t.Psi, t.PsiTrue, t.Rho, t.Size, t.Removed, t.RemovedBad)
	}
	b.WriteString("</tbody>\n</table>")
	return b.String()
}

func (cfg PrimeConfig) withDefaults(n, d int) (PrimeConfig, error) {
	if cfg.Mode != PrimePaper && cfg.Mode != PrimeReference {
		return cfg, paramErr("PRIME mode = %d, want PrimePaper or PrimeReference", int(cfg.Mode))
	}
	if math.IsNaN(cfg.Alpha) || cfg.Alpha <= 0 || cfg.Alpha >= 0.25 {
		return cfg, paramErr("PRIME alpha = %g, want 0 < alpha < 0.25", cfg.Alpha)
	}
	if int(cfg.Alpha*float64(n)) < 1 {
		return cfg, paramErr("PRIME alpha·n = %g, want alpha·n >= 1", cfg.Alpha*float64(n))
	}
	if err := cfg.Budget.Validate(); err != nil {
		return cfg, fmt.Errorf("robust: PRIME budget: %w", err)
	}
	if cfg.Budget.Delta == 0 {
		return cfg, fmt.Errorf("robust: PRIME budget: %w: delta = 0, want 0 < delta < 1", dp.ErrInvalid)
	}
	ref := cfg.Mode == PrimeReference
	def := func(p *float64, paper, reference float64) {
		if *p == 0 {
			if ref {
				*p = reference
			} else {
				*p = paper
			}
		}
	}
	def(&cfg.C, 2, 2)
	def(&cfg.RangeFrac, 0.10, 0.01)
	def(&cfg.Eta, 1, 1/(10*(0.01/cfg.C+1.01)))
	def(&cfg.PsiFrac, 1/5.5, 1/5.5)
	def(&cfg.EpochFrac, 0.5, 0.5)
	def(&cfg.TailMult, 2, 2)
	def(&cfg.KeepFrac, 0.55, 0.55)
	def(&cfg.ThreshFrac, 0.3, 0.3)
	def(&cfg.OutputFrac, 0.25, 0.25)
	if ref {
		cfg.BoxClip = true
	}
	checks := []struct {
		name   string
		v      float64
		lo, hi float64
	}{
		{"RangeFrac", cfg.RangeFrac, 0, 1},
		{"C", cfg.C, 0, 1e6},
		{"Eta", cfg.Eta, 0, 1e6},
		{"PsiFrac", cfg.PsiFrac, 0, 1e6},
		{"EpochFrac", cfg.EpochFrac, 0, 1},
		{"TailMult", cfg.TailMult, 0, 1 / cfg.Alpha},
		{"KeepFrac", cfg.KeepFrac, 0, 1},
		{"ThreshFrac", cfg.ThreshFrac, 0, 1e6},
		{"OutputFrac", cfg.OutputFrac, 0, 1 - epochNormFrac},
	}
	for _, c := range checks {
		if math.IsNaN(c.v) || c.v <= c.lo || c.v >= c.hi {
			return cfg, paramErr("PRIME %s = %g, want %g < %s < %g", c.name, c.v, c.lo, c.name, c.hi)
		}
	}
	if cfg.T1 < 0 || cfg.T2 < 0 || cfg.T1 > 1000 || cfg.T2 > 1000 {
		return cfg, paramErr("PRIME T1 = %d, T2 = %d, want 0 (default) or 1..1000", cfg.T1, cfg.T2)
	}
	rc, err := cfg.Range.withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.Range = rc
	B := RangeHalfWidth(d, n)
	if d == 1 {
		if cfg.T1 == 0 {
			cfg.T1 = 2
		}
		if cfg.T2 == 0 {
			cfg.T2 = 2
		}
	}
	if cfg.T1 == 0 {
		cfg.T1 = max(1, int(math.Log(B*math.Sqrt(float64(d)))))
	}
	if cfg.T2 == 0 {
		if ref {
			cfg.T2 = max(1, int(math.Log(float64(d))))
		} else {
			cfg.T2 = max(1, int(2*math.Log(float64(d))))
		}
	}
	return cfg, nil
}

// primeNoise holds the per-release budgets and noise scales of one run.
type primeNoise struct {
	epochLap, innerLap, psiLap, tailLap float64 // Laplace scales
	sigmaSigma, sigmaMu, sigmaOut       float64 // Gaussian σ
	eps2, delta2                        float64 // per inner mechanism (histogram)
	tauMax                              float64
}

// Ledger rows, in order.
const (
	rowRange = iota
	rowEpochNorm
	rowInnerNorm
	rowSigma
	rowPsi
	rowMu
	rowTail
	rowHist
	rowOutput
	numRows
)

// planPrime fixes every per-mechanism budget and noise scale before the data
// are touched, and writes the planned ledger.
func planPrime(cfg PrimeConfig, n, d int, r float64) (primeNoise, dp.Ledger, error) {
	var pn primeNoise
	nf, df := float64(n), float64(d)
	T1, T2 := cfg.T1, cfg.T2
	inner := T1 * T2
	eps, delta := cfg.Budget.Eps, cfg.Budget.Delta
	epsR, deltaR := cfg.RangeFrac*eps, cfg.RangeFrac*delta
	var epsLam, eps2, delta2, epsOut, deltaOut float64
	var err error
	if cfg.Mode == PrimePaper {
		epsF, deltaF := eps-epsR, delta-deltaR
		epsOut, deltaOut = cfg.OutputFrac*epsF, 0.20*deltaF
		epsLam = epochNormFrac * epsF / float64(T1)
		eps2 = (1 - cfg.OutputFrac - epochNormFrac) * epsF / float64(6*inner)
		delta2 = 0.80 * deltaF / float64(3*inner)
		r2 := r * r
		pn.epochLap = 5 * r2 / nf / epsLam
		pn.innerLap = 5 * r2 / nf / eps2
		pn.psiLap = 5 * r2 / nf / eps2
		pn.tailLap = 8 * r2 / nf / eps2
		pn.tauMax = 4 * r2
		if pn.sigmaSigma, err = dp.GaussianSigma(6*r2/nf, eps2, delta2); err != nil {
			return pn, nil, fmt.Errorf("robust: PRIME covariance release: %w", err)
		}
		if pn.sigmaMu, err = dp.GaussianSigma(2*r/(cfg.KeepFrac*nf), eps2, delta2); err != nil {
			return pn, nil, fmt.Errorf("robust: PRIME centre release: %w", err)
		}
		if pn.sigmaOut, err = dp.GaussianSigma(2*r/(cfg.KeepFrac*nf), epsOut, deltaOut); err != nil {
			return pn, nil, fmt.Errorf("robust: PRIME final release: %w", err)
		}
	} else {
		// The reference code's split and noise scales (with B²d = r² for the box).
		epsF, deltaF := eps-epsR, delta-deltaR
		epsLam = epsF / float64(4*T1)
		epsOut, deltaOut = epsLam, deltaF/float64(4*T1)
		eps2 = epsF / float64(4*inner)
		delta2 = deltaF / float64(4*inner)
		B := r / math.Sqrt(df)
		b2d := B * B * df
		pn.epochLap = 2 * b2d / (nf * epsLam)
		pn.innerLap = 2 * b2d / (nf * eps2)
		pn.psiLap = pn.innerLap
		pn.tailLap = b2d / (nf * eps2)
		pn.tauMax = b2d
		pn.sigmaSigma = 2 * b2d * math.Sqrt(2*math.Log(1/delta2)) / (nf * eps2)
		pn.sigmaMu = 2 * B * math.Sqrt(2*df*math.Log(1/delta2)) / (nf * eps2)
		pn.sigmaOut = 2 * B * math.Sqrt(2*df*math.Log(1.25/deltaOut)) / (nf * epsLam)
	}
	pn.eps2, pn.delta2 = eps2, delta2
	ledger := make(dp.Ledger, numRows)
	ledger[rowRange] = dp.Entry{Label: "DPRange (per coordinate)", Mechanism: "stable histogram", Per: dp.Budget{Eps: epsR / df, Delta: deltaR / df}, Count: d}
	ledger[rowEpochNorm] = dp.Entry{Label: "λ_s epoch norm ‖M−I‖", Mechanism: "Laplace", Per: dp.Budget{Eps: epsLam}, Count: T1, Scale: pn.epochLap}
	ledger[rowInnerNorm] = dp.Entry{Label: "λ_t inner norm ‖M−I‖", Mechanism: "Laplace", Per: dp.Budget{Eps: eps2}, Count: inner, Scale: pn.innerLap}
	ledger[rowSigma] = dp.Entry{Label: "Σ_t noisy M(S)", Mechanism: "Gaussian (symmetric)", Per: dp.Budget{Eps: eps2, Delta: delta2}, Count: inner, Sigma: pn.sigmaSigma}
	ledger[rowPsi] = dp.Entry{Label: "ψ_t = ⟨M−I, U_t⟩", Mechanism: "Laplace", Per: dp.Budget{Eps: eps2}, Count: inner, Scale: pn.psiLap}
	ledger[rowMu] = dp.Entry{Label: "μ_t noisy centre", Mechanism: "Gaussian", Per: dp.Budget{Eps: eps2, Delta: delta2}, Count: inner, Sigma: pn.sigmaMu}
	ledger[rowTail] = dp.Entry{Label: "ψ_T tail excess", Mechanism: "Laplace", Per: dp.Budget{Eps: eps2}, Count: inner, Scale: pn.tailLap}
	ledger[rowHist] = dp.Entry{Label: "τ histogram (DPThreshold)", Mechanism: "stable histogram", Per: dp.Budget{Eps: eps2, Delta: delta2}, Count: inner}
	ledger[rowOutput] = dp.Entry{Label: "final release μ(S)", Mechanism: "Gaussian", Per: dp.Budget{Eps: epsOut, Delta: deltaOut}, Count: 1, Sigma: pn.sigmaOut}
	if cfg.Mode == PrimePaper {
		// The accountant refuses a plan that exceeds the target.
		acc, err := dp.NewAccountant(cfg.Budget)
		if err != nil {
			return pn, nil, err
		}
		for _, e := range ledger {
			if err := acc.Record(e); err != nil {
				return pn, nil, fmt.Errorf("robust: PRIME budget plan: %w", err)
			}
		}
	}
	return pn, ledger, nil
}

// primeState holds a run's workspaces.
type primeState struct {
	X        *mat.Dense // clipped data
	n, d     int
	S        []int
	ws       []float64
	y, z     []float64
	tau      []float64
	tailBuf  []float64
	bad      []bool
	ledger   dp.Ledger
	rng      *rand.Rand
	cfg      PrimeConfig
	noise    primeNoise
	res      *PrimeResult
	covS     *mat.SymDense
	muS      []float64
	covDirty bool
}

func (st *primeState) use(row int) { st.ledger[row].Used++ }

// stats returns M(S) and μ(S), recomputed only when S changed.
func (st *primeState) stats() (*mat.SymDense, []float64) {
	if st.covDirty {
		st.muS = meanOf(st.X, st.S)
		st.covS = scatter(st.X, st.S, st.muS, &st.ws)
		st.covS.ScaleSym(1/float64(st.n), st.covS)
		st.covDirty = false
	}
	return st.covS, st.muS
}

// PRIME runs the robust and differentially private mean estimator of Liu,
// Kong, Kakade and Oh (2021) as specified in the build spec: DPRange with
// RangeFrac of the budget, clipping, then up to T1 epochs of the DP
// matrix-multiplicative-weights filter (T2 inner steps each, with
// DPThreshold choosing the randomized removal threshold), and a final
// Gaussian release of the active mean. bad (nil allowed) is used only for
// the diagnostic counts in the trace. Every per-mechanism budget is fixed
// before the data are read; the ledger lists the planned (maximal) uses and,
// in PrimePaper mode, sums to at most cfg.Budget. It returns ErrRangeFailed
// or ErrTooManyRemoved (wrapped) when a private step cannot succeed.
func PRIME(rng *rand.Rand, X *mat.Dense, cfg PrimeConfig, bad []bool) (*PrimeResult, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if bad != nil && len(bad) != n {
		return nil, paramErr("len(bad) = %d, want n = %d or nil", len(bad), n)
	}
	cfg, err = cfg.withDefaults(n, d)
	if err != nil {
		return nil, err
	}
	// Stage 1: private range.
	rangeB := dp.Budget{Eps: cfg.RangeFrac * cfg.Budget.Eps, Delta: cfg.RangeFrac * cfg.Budget.Delta}
	center, B, err := DPRange(rng, X, rangeB, cfg.Range)
	if err != nil {
		return nil, fmt.Errorf("robust: PRIME: %w", err)
	}
	// Stage 2: clip.
	var Xc *mat.Dense
	var r float64
	if cfg.BoxClip {
		r = B * math.Sqrt(float64(d))
		Xc, err = ClipBox(X, center, B)
	} else {
		r = BallRadius(d)
		Xc, err = ClipBall(X, center, r)
	}
	if err != nil {
		return nil, err
	}
	pn, ledger, err := planPrime(cfg, n, d, r)
	if err != nil {
		return nil, err
	}
	ledger[rowRange].Used = d
	res := &PrimeResult{Mode: cfg.Mode, T1: cfg.T1, T2: cfg.T2, Center: center, HalfWidth: B, Radius: r,
		SigmaOut: pn.sigmaOut, Budget: cfg.Budget}
	st := &primeState{X: Xc, n: n, d: d, S: allRows(n), tau: make([]float64, n), bad: bad, ledger: ledger,
		rng: rng, cfg: cfg, noise: pn, res: res, covDirty: true}
	if err := st.filter(); err != nil {
		return nil, err
	}
	res.Ledger = st.ledger
	return res, nil
}

func (st *primeState) release(converged bool) {
	_, mu := st.stats()
	st.res.Mean = dp.GaussianWithSigma(st.rng, mu, st.noise.sigmaOut)
	st.res.Converged = converged
	st.use(rowOutput)
	st.res.Trace = append(st.res.Trace, PrimeTrace{Epoch: st.res.Epochs, Event: "release", Size: len(st.S)})
}

func (st *primeState) tooSmall() error {
	if float64(len(st.S)) < st.cfg.KeepFrac*float64(st.n) {
		return fmt.Errorf("robust: PRIME: |S| = %d < %.3g·n = %.0f after removing %d points (alpha = %g): %w",
			len(st.S), st.cfg.KeepFrac, st.cfg.KeepFrac*float64(st.n), st.res.Removed, st.cfg.Alpha, ErrTooManyRemoved)
	}
	return nil
}

func (st *primeState) filter() error {
	cfg := st.cfg
	stop := cfg.C * cfg.Alpha * math.Log(1/cfg.Alpha)
	for s := 1; s <= cfg.T1; s++ {
		st.res.Epochs = s
		M, _ := st.stats()
		lamTrue, err := opNormMinusI(M)
		if err != nil {
			return err
		}
		lamS := lamTrue + dp.LaplaceNoise(st.rng, st.noise.epochLap)
		st.use(rowEpochNorm)
		st.res.Trace = append(st.res.Trace, PrimeTrace{Epoch: s, Event: "epoch", Lambda: lamS, LambdaTrue: lamTrue, Size: len(st.S)})
		if err := st.tooSmall(); err != nil {
			return err
		}
		if lamS < stop {
			st.release(true)
			return nil
		}
		step := cfg.Eta / lamS
		sum := mat.NewSymDense(st.d, nil)
		for t := 1; t <= cfg.T2; t++ {
			if err := st.tooSmall(); err != nil {
				return err
			}
			st.res.Iters++
			if done, err := st.innerStep(s, t, lamS, step, sum); err != nil {
				return err
			} else if done {
				break
			}
		}
	}
	st.release(false)
	return nil
}

// innerStep runs one MMW step; done reports the end of the epoch.
func (st *primeState) innerStep(s, t int, lamS, step float64, sum *mat.SymDense) (bool, error) {
	cfg, pn, rng := st.cfg, st.noise, st.rng
	d := st.d
	M, mu := st.stats()
	lamTrue, err := opNormMinusI(M)
	if err != nil {
		return false, err
	}
	lamT := lamTrue + dp.LaplaceNoise(rng, pn.innerLap)
	st.use(rowInnerNorm)
	tr := PrimeTrace{Epoch: s, Iter: t, Lambda: lamT, LambdaTrue: lamTrue, Size: len(st.S)}
	if lamT < cfg.EpochFrac*lamS {
		tr.Event = "epoch done"
		st.res.Trace = append(st.res.Trace, tr)
		return true, nil
	}
	// Σ_t = M + Z; sum += Σ_t − I.
	noisy := dp.GaussianSymWithSigma(rng, M, pn.sigmaSigma)
	st.use(rowSigma)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			v := sum.At(i, j) + noisy.At(i, j)
			if i == j {
				v--
			}
			sum.SetSym(i, j, v)
		}
	}
	var U *mat.SymDense
	if cfg.Mode == PrimeReference {
		U = elementwiseExpWeights(sum, step)
	} else {
		U, err = expmWeights(sum, step)
		if err != nil {
			return false, err
		}
	}
	psiTrue := 0.0
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			m := M.At(i, j)
			if i == j {
				m--
			}
			psiTrue += m * U.At(i, j)
		}
	}
	psi := psiTrue + dp.LaplaceNoise(rng, pn.psiLap)
	st.use(rowPsi)
	tr.Psi, tr.PsiTrue = psi, psiTrue
	if psi <= cfg.PsiFrac*lamT {
		tr.Event = "no filter"
		st.res.Trace = append(st.res.Trace, tr)
		return false, nil
	}
	muT := dp.GaussianWithSigma(rng, mu, pn.sigmaMu)
	st.use(rowMu)
	st.scores(muT, U)
	// Tail: the top TailMult·⌊αn⌋ scores of S (ties kept).
	m := int(cfg.TailMult * float64(int(cfg.Alpha*float64(st.n))))
	st.tailBuf = st.tailBuf[:0]
	for _, i := range st.S {
		st.tailBuf = append(st.tailBuf, st.tau[i])
	}
	var thr float64
	if m >= len(st.S) {
		thr = math.Inf(-1)
	} else {
		thr = selectKth(st.tailBuf, len(st.S)-m)
	}
	tail := make([]int, 0, m+8)
	for _, i := range st.S {
		if st.tau[i] >= thr {
			tail = append(tail, i)
		}
	}
	rho, ok, err := st.dpThreshold(tail)
	if err != nil {
		return false, err
	}
	st.use(rowTail)
	st.use(rowHist)
	if !ok {
		tr.Event = "no threshold"
		st.res.Trace = append(st.res.Trace, tr)
		return false, nil
	}
	tr.Rho = rho
	remove := make(map[int]bool, len(tail))
	shared := 0.0
	if cfg.SharedZ {
		shared = rng.Float64()
	}
	for _, i := range tail {
		z := shared
		if !cfg.SharedZ {
			z = rng.Float64()
		}
		if st.tau[i] >= z*rho {
			remove[i] = true
			tr.Removed++
			if st.bad != nil && st.bad[i] {
				tr.RemovedBad++
			}
		}
	}
	if tr.Removed > 0 {
		keep := st.S[:0]
		for _, i := range st.S {
			if !remove[i] {
				keep = append(keep, i)
			}
		}
		st.S = keep
		st.covDirty = true
	}
	st.res.Removed += tr.Removed
	st.res.RemovedBad += tr.RemovedBad
	tr.Event = "filtered"
	st.res.Trace = append(st.res.Trace, tr)
	return false, nil
}

// scores sets tau[i] = (x_i − μ_t)ᵀ U (x_i − μ_t) for every i in S.
func (st *primeState) scores(muT []float64, U *mat.SymDense) {
	d := st.d
	k := len(st.S)
	if cap(st.y) < k*d {
		st.y = make([]float64, k*d)
		st.z = make([]float64, k*d)
	}
	y, z := st.y[:k*d], st.z[:k*d]
	raw := st.X.RawMatrix()
	for r, i := range st.S {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		out := y[r*d : r*d+d]
		for j, v := range row {
			out[j] = v - muT[j]
		}
	}
	Y := mat.NewDense(k, d, y)
	Z := mat.NewDense(k, d, z)
	Z.Mul(Y, mat.DenseCopyOf(U)) // general gemm: faster than symm here
	for r, i := range st.S {
		a, b := y[r*d:r*d+d], z[r*d:r*d+d]
		s := 0.0
		for j := range a {
			s += a[j] * b[j]
		}
		st.tau[i] = s
	}
}

// GeomEdges returns m geometrically spaced edges from lo to hi.
func GeomEdges(lo, hi float64, m int) []float64 {
	e := make([]float64, m)
	ratio := math.Log(hi / lo)
	for k := range e {
		e[k] = lo * math.Exp(ratio*float64(k)/float64(m-1))
	}
	e[m-1] = hi
	return e
}

// dpThreshold is PRIME's private 1-D filter: it releases the tail excess
// ψ_T = (1/n)Σ_{i∈T}(τ_i − 1) + Lap and a stable histogram of the tail scores
// on geometric edges from 1/4 to τ_max, and returns the largest edge ρ whose
// estimated excess mass above it is at least ThreshFrac·ψ_T.
func (st *primeState) dpThreshold(tail []int) (float64, bool, error) {
	cfg, pn, rng := st.cfg, st.noise, st.rng
	paper := cfg.Mode == PrimePaper
	nf := float64(st.n)
	vals := make([]float64, len(tail))
	sum := 0.0
	for k, i := range tail {
		v := st.tau[i]
		if paper { // clip so that the sensitivity bound holds
			v = math.Min(math.Max(v, 0), pn.tauMax)
		}
		vals[k] = v
		sum += v - 1
	}
	psiT := sum/nf + dp.LaplaceNoise(rng, pn.tailLap)
	nEdges := 2 + int(math.Log(pn.tauMax))
	edges := GeomEdges(0.25, pn.tauMax, nEdges)
	counts := make([]float64, nEdges-1)
	histogramCounts(vals, edges, paper, counts)
	h, err := dp.StableHistogram(rng, counts, st.n, pn.eps2, pn.delta2)
	if err != nil {
		return 0, false, fmt.Errorf("robust: PRIME DPThreshold: %w", err)
	}
	if paper && psiT <= 0 { // no private evidence of excess mass in the tail
		return 0, false, nil
	}
	for l := len(h) - 1; l >= 0; l-- {
		excess := 0.0
		for q := l; q < len(h); q++ {
			excess += (edges[q+1] - edges[l]) * h[q]
		}
		if excess >= cfg.ThreshFrac*psiT {
			return edges[l], true, nil
		}
	}
	return 0, false, nil
}

// expmWeights returns expm(step·A)/tr(expm(step·A)) for symmetric A, via the
// eigendecomposition with the largest eigenvalue subtracted (no overflow).
func expmWeights(A *mat.SymDense, step float64) (*mat.SymDense, error) {
	var es mat.EigenSym
	if !es.Factorize(A, true) {
		return nil, fmt.Errorf("robust: PRIME: eigendecomposition of the MMW sum did not converge")
	}
	vals := es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	mx := math.Inf(-1)
	for _, v := range vals {
		mx = math.Max(mx, step*v)
	}
	w := make([]float64, len(vals))
	tot := 0.0
	for k, v := range vals {
		w[k] = math.Exp(step*v - mx)
		tot += w[k]
	}
	d := len(vals)
	U := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				s += V.At(i, k) * w[k] * V.At(j, k)
			}
			U.SetSym(i, j, s/tot)
		}
	}
	return U, nil
}

// elementwiseExpWeights is the reference code's weight matrix:
// exp(step·A) entry by entry, divided by the trace of that matrix.
func elementwiseExpWeights(A *mat.SymDense, step float64) *mat.SymDense {
	d := A.SymmetricDim()
	mx := math.Inf(-1)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			mx = math.Max(mx, step*A.At(i, j))
		}
	}
	tr := 0.0
	for i := 0; i < d; i++ {
		tr += math.Exp(step*A.At(i, i) - mx)
	}
	U := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			U.SetSym(i, j, math.Exp(step*A.At(i, j)-mx)/tr)
		}
	}
	return U
}
