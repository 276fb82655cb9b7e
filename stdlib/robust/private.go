package robust

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gonote/gonote/stdlib/dp"
	"gonum.org/v1/gonum/mat"
)

// ErrRangeFailed is returned when the private range step suppressed every
// histogram bin of some coordinate, so no centre can be released. The
// reference code silently centres on the first bin instead.
var ErrRangeFailed = errors.New("robust: DP range estimation suppressed every bin; increase n·ε or RangeFrac")

// RangeConfig configures DPRange.
type RangeConfig struct {
	R float64 // prior bound |μ_j| ≤ R; 0 means 10. Edges linspace(−R−½, R+½, 2⌊R⌋).
}

func (c RangeConfig) withDefaults() (RangeConfig, error) {
	if c.R == 0 {
		c.R = 10
	}
	if math.IsNaN(c.R) || c.R < 1 || c.R > 1e6 {
		return c, paramErr("range R = %g, want 1 <= R <= 1e6", c.R)
	}
	return c, nil
}

// RangeEdges returns the fixed histogram edges linspace(−R−½, R+½, 2⌊R⌋).
func RangeEdges(R float64) []float64 {
	m := 2 * int(math.Floor(R))
	e := make([]float64, m)
	for k := range e {
		e[k] = -R - 0.5 + (2*R+1)*float64(k)/float64(m-1)
	}
	return e
}

// RangeHalfWidth is the reference half-width B = 4·√(ln(d·n/0.9)).
func RangeHalfWidth(d, n int) float64 { return 4 * math.Sqrt(math.Log(float64(d)*float64(n)/0.9)) }

// histogramCounts counts vals into the bins of sorted edges (the last bin
// closed on the right); values below the first edge are ignored, values above
// the last one too unless clampHigh puts them into the last bin.
func histogramCounts(vals []float64, edges []float64, clampHigh bool, counts []float64) {
	for k := range counts {
		counts[k] = 0
	}
	nb := len(edges) - 1
	lo, hi := edges[0], edges[nb]
	for _, v := range vals {
		if v < lo {
			continue
		}
		if v > hi {
			if clampHigh {
				counts[nb-1]++
			}
			continue
		}
		k := sort.SearchFloat64s(edges, v) // first edge ≥ v
		if k == len(edges) || edges[k] != v {
			k--
		}
		counts[min(k, nb-1)]++
	}
}

// DPRange privately finds a coarse centre of the data: for every coordinate
// it releases a stable histogram (budget b split evenly over the d
// coordinates) on the fixed edges RangeEdges(R) and returns the midpoint of
// the largest released bin, plus the half-width B = RangeHalfWidth(d, n). If
// some coordinate has every bin suppressed it returns ErrRangeFailed.
func DPRange(rng *rand.Rand, X *mat.Dense, b dp.Budget, cfg RangeConfig) ([]float64, float64, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, 0, err
	}
	if err := b.Validate(); err != nil {
		return nil, 0, fmt.Errorf("robust: DPRange: %w", err)
	}
	if b.Delta == 0 {
		return nil, 0, fmt.Errorf("robust: DPRange: %w: delta = 0, want 0 < delta < 1 (stable histograms need delta > 0)", dp.ErrInvalid)
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, 0, err
	}
	edges := RangeEdges(cfg.R)
	nb := len(edges) - 1
	// One row-major pass fills all d histograms (column access is cache-hostile).
	counts := make([]float64, d*nb)
	raw := X.RawMatrix()
	lo, hi := edges[0], edges[nb]
	w := (hi - lo) / float64(nb)
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for j, v := range row {
			if v < lo || v > hi {
				continue
			}
			k := min(int((v-lo)/w), nb-1)
			for k > 0 && v < edges[k] { // guard against rounding at interior edges
				k--
			}
			for k < nb-1 && v >= edges[k+1] {
				k++
			}
			counts[j*nb+k]++
		}
	}
	center := make([]float64, d)
	per := dp.Budget{Eps: b.Eps / float64(d), Delta: b.Delta / float64(d)}
	for j := 0; j < d; j++ {
		h, err := dp.StableHistogram(rng, counts[j*nb:(j+1)*nb], n, per.Eps, per.Delta)
		if err != nil {
			return nil, 0, fmt.Errorf("robust: DPRange coordinate %d: %w", j, err)
		}
		best, arg := 0.0, -1
		for k, v := range h {
			if v > best {
				best, arg = v, k
			}
		}
		if arg < 0 {
			return nil, 0, fmt.Errorf("robust: DPRange coordinate %d (n = %d, per-coordinate epsilon = %.3g): %w", j, n, per.Eps, ErrRangeFailed)
		}
		center[j] = (edges[arg] + edges[arg+1]) / 2
	}
	return center, RangeHalfWidth(d, n), nil
}

// BallRadius is the default ℓ2 clipping radius 1.6·√d + 4.
func BallRadius(d int) float64 { return 1.6*math.Sqrt(float64(d)) + 4 }

// ClipBall returns a copy of X with every row projected onto the ℓ2 ball
// B(center, radius).
func ClipBall(X *mat.Dense, center []float64, radius float64) (*mat.Dense, error) {
	_, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if len(center) != d {
		return nil, paramErr("len(center) = %d, want d = %d", len(center), d)
	}
	if !(radius > 0) || math.IsInf(radius, 0) {
		return nil, paramErr("radius = %g, want 0 < radius < +Inf", radius)
	}
	out := mat.DenseCopyOf(X)
	raw := out.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		s := 0.0
		for j, v := range row {
			s += (v - center[j]) * (v - center[j])
		}
		if s > radius*radius {
			f := radius / math.Sqrt(s)
			for j, v := range row {
				row[j] = center[j] + (v-center[j])*f
			}
		}
	}
	return out, nil
}

// ClipBox returns a copy of X with every coordinate clipped to
// center_j ± halfWidth.
func ClipBox(X *mat.Dense, center []float64, halfWidth float64) (*mat.Dense, error) {
	_, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if len(center) != d {
		return nil, paramErr("len(center) = %d, want d = %d", len(center), d)
	}
	if !(halfWidth > 0) || math.IsInf(halfWidth, 0) {
		return nil, paramErr("halfWidth = %g, want 0 < halfWidth < +Inf", halfWidth)
	}
	out := mat.DenseCopyOf(X)
	raw := out.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for j, v := range row {
			row[j] = math.Min(math.Max(v, center[j]-halfWidth), center[j]+halfWidth)
		}
	}
	return out, nil
}

// DPMean is the (non-robust) private mean of data already inside the ball
// B(center, radius): the rows are projected onto the ball (a no-op for data
// clipped before), averaged, and released with Gaussian noise for ℓ2
// sensitivity 2·radius/n (replacement neighbours) at budget b, using the
// analytic calibration. It returns the estimate and σ.
func DPMean(rng *rand.Rand, X *mat.Dense, b dp.Budget, center []float64, radius float64) ([]float64, float64, error) {
	n, _, err := checkData(X)
	if err != nil {
		return nil, 0, err
	}
	Xc, err := ClipBall(X, center, radius)
	if err != nil {
		return nil, 0, err
	}
	mu := meanOf(Xc, allRows(n))
	out, sigma, err := dp.Gaussian(rng, mu, 2*radius/float64(n), b.Eps, b.Delta)
	if err != nil {
		return nil, 0, fmt.Errorf("robust: DPMean: %w", err)
	}
	return out, sigma, nil
}

// DPMeanAutoConfig configures DPMeanAuto.
type DPMeanAutoConfig struct {
	RangeFrac float64 // share of the budget for DPRange; 0 means 0.1
	Range     RangeConfig
	Box       bool // clip to the box center ± B (Δ2 = 2B√d/n) instead of the ball of radius BallRadius(d)
}

// DPMeanAuto is the KLSU19-style private mean: DPRange with RangeFrac of the
// budget, clipping, and a Gaussian release of the clipped mean with the rest.
func DPMeanAuto(rng *rand.Rand, X *mat.Dense, b dp.Budget, cfg DPMeanAutoConfig) ([]float64, error) {
	_, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if cfg.RangeFrac == 0 {
		cfg.RangeFrac = 0.1
	}
	if math.IsNaN(cfg.RangeFrac) || cfg.RangeFrac <= 0 || cfg.RangeFrac >= 1 {
		return nil, paramErr("RangeFrac = %g, want 0 < RangeFrac < 1", cfg.RangeFrac)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("robust: DPMeanAuto: %w", err)
	}
	center, B, err := DPRange(rng, X, dp.Budget{Eps: cfg.RangeFrac * b.Eps, Delta: cfg.RangeFrac * b.Delta}, cfg.Range)
	if err != nil {
		return nil, err
	}
	rest := dp.Budget{Eps: (1 - cfg.RangeFrac) * b.Eps, Delta: (1 - cfg.RangeFrac) * b.Delta}
	if !cfg.Box {
		out, _, err := DPMean(rng, X, rest, center, BallRadius(d))
		return out, err
	}
	Xc, err := ClipBox(X, center, B)
	if err != nil {
		return nil, err
	}
	n := Xc.RawMatrix().Rows
	mu := meanOf(Xc, allRows(n))
	out, _, err := dp.Gaussian(rng, mu, 2*B*math.Sqrt(float64(d))/float64(n), rest.Eps, rest.Delta)
	if err != nil {
		return nil, fmt.Errorf("robust: DPMeanAuto: %w", err)
	}
	return out, nil
}

// CoinPress is the iterative private mean of Biswas, Dong, Kamath, Ullman
// (2020) for N(μ, I) data, one step per entry of rhos (ρ-zCDP each; the total
// is Σρ-zCDP): clip to the ball B(c, r_c) with r_c = min(√(r² + 6r + γ²), r + γ),
// γ = √(d + 2√(d ln(1/β)) + 2 ln(1/β)), β = 0.01, release the mean with
// σ = (2r_c/n)/√(2ρ), and shrink r to γ·√(1/n + σ²). c0 and r0 are the prior
// centre and radius (|μ − c0| ≤ r0).
func CoinPress(rng *rand.Rand, X *mat.Dense, rhos []float64, c0 []float64, r0 float64) ([]float64, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if len(rhos) == 0 {
		return nil, paramErr("rhos is empty, want at least one step")
	}
	for i, r := range rhos {
		if !(r > 0) || math.IsInf(r, 0) {
			return nil, paramErr("rhos[%d] = %g, want 0 < rho < +Inf", i, r)
		}
	}
	if len(c0) != d {
		return nil, paramErr("len(c0) = %d, want d = %d", len(c0), d)
	}
	if !(r0 > 0) || math.IsInf(r0, 0) {
		return nil, paramErr("r0 = %g, want 0 < r0 < +Inf", r0)
	}
	const beta = 0.01
	lb := math.Log(1 / beta)
	df := float64(d)
	gamma := math.Sqrt(df + 2*math.Sqrt(df*lb) + 2*lb)
	c := append([]float64(nil), c0...)
	r := r0
	for _, rho := range rhos {
		rc := math.Min(math.Sqrt(r*r+6*r+gamma*gamma), r+gamma)
		Xc, err := ClipBall(X, c, rc)
		if err != nil {
			return nil, err
		}
		mu := meanOf(Xc, allRows(n))
		sd := (2 * rc / float64(n)) / math.Sqrt(2*rho)
		c = dp.GaussianWithSigma(rng, mu, sd)
		r = gamma * math.Sqrt(1/float64(n)+sd*sd)
	}
	return c, nil
}

// CoinPressBudget runs CoinPress with an (ε, δ) budget converted to zCDP and
// split as the CoinPress paper does for t steps: ρ/(4(t−1)) for each of the
// first t−1 steps and 3ρ/4 for the last (t = 1: all of ρ). The prior is the
// centre c0 = 0 and radius R·√d.
func CoinPressBudget(rng *rand.Rand, X *mat.Dense, b dp.Budget, steps int, R float64) ([]float64, error) {
	_, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if steps < 1 || steps > 100 {
		return nil, paramErr("steps = %d, want 1 <= steps <= 100", steps)
	}
	if !(R > 0) || math.IsInf(R, 0) {
		return nil, paramErr("R = %g, want 0 < R < +Inf", R)
	}
	rho, err := dp.ApproxToZCDP(b.Eps, b.Delta)
	if err != nil {
		return nil, fmt.Errorf("robust: CoinPress: %w", err)
	}
	rhos := make([]float64, steps)
	if steps == 1 {
		rhos[0] = rho
	} else {
		for i := 0; i < steps-1; i++ {
			rhos[i] = rho / (4 * float64(steps-1))
		}
		rhos[steps-1] = 0.75 * rho
	}
	return CoinPress(rng, X, rhos, make([]float64, d), R*math.Sqrt(float64(d)))
}

// PrivateMedian1D is the ε-DP median by the exponential mechanism: the data
// are sorted and clamped to [lo, hi], the n+1 intervals between consecutive
// points (with lo and hi as the outer ends) get utility −|q − n/2| (q points
// below; sensitivity 1), an interval is picked with probability
// ∝ length·exp(ε·u/2), and a uniform point inside it is returned.
func PrivateMedian1D(rng *rand.Rand, x []float64, lo, hi, eps float64) (float64, error) {
	if len(x) == 0 {
		return 0, paramErr("x is empty, want at least one value")
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		return 0, paramErr("range [lo, hi] = [%g, %g], want finite lo < hi", lo, hi)
	}
	n := len(x)
	z := make([]float64, 0, n+2)
	z = append(z, lo)
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	for i, v := range s {
		if math.IsNaN(v) {
			return 0, paramErr("x[%d] is NaN", i)
		}
		z = append(z, math.Min(math.Max(v, lo), hi))
	}
	z = append(z, hi)
	u := make([]float64, n+1)
	for q := range u {
		u[q] = -math.Abs(float64(q) - float64(n)/2)
	}
	m, err := dp.ExponentialIntervals(rng, z, u, 1, eps)
	if err != nil {
		return 0, fmt.Errorf("robust: PrivateMedian1D: %w", err)
	}
	return m, nil
}
