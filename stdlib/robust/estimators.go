package robust

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Mean returns the empirical mean of the rows of X, summed in row order.
func Mean(X *mat.Dense) ([]float64, error) {
	n, _, err := checkData(X)
	if err != nil {
		return nil, err
	}
	return meanOf(X, allRows(n)), nil
}

func allRows(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// meanOf returns the mean of the rows listed in S (in that order).
func meanOf(X *mat.Dense, S []int) []float64 {
	raw := X.RawMatrix()
	d := raw.Cols
	mu := make([]float64, d)
	for _, i := range S {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for j, v := range row {
			mu[j] += v
		}
	}
	inv := 1 / float64(len(S))
	for j := range mu {
		mu[j] *= inv
	}
	return mu
}

// column copies column j of X.
func column(X *mat.Dense, j int, buf []float64) []float64 {
	raw := X.RawMatrix()
	buf = buf[:0]
	for i := 0; i < raw.Rows; i++ {
		buf = append(buf, raw.Data[i*raw.Stride+j])
	}
	return buf
}

// CoordMedian returns the coordinate-wise median (the average of the two
// middle values when n is even).
func CoordMedian(X *mat.Dense) ([]float64, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, d)
	buf := make([]float64, 0, n)
	for j := 0; j < d; j++ {
		buf = column(X, j, buf)
		out[j] = median(buf)
	}
	return out, nil
}

// median returns the median of a, reordering a.
func median(a []float64) float64 {
	n := len(a)
	hi := selectKth(a, n/2)
	if n%2 == 1 {
		return hi
	}
	lo := a[0]
	for _, v := range a[:n/2] {
		lo = math.Max(lo, v)
	}
	return (lo + hi) / 2
}

// selectKth reorders a so that a[k] is the k-th smallest (0-based) value,
// everything before it ≤ a[k] and everything after ≥ a[k], and returns a[k].
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		// median-of-three pivot
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

// TrimmedMean returns the coordinate-wise mean after dropping the frac·n
// smallest and largest values of each coordinate.
func TrimmedMean(X *mat.Dense, frac float64) ([]float64, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(frac) || frac < 0 || frac >= 0.5 {
		return nil, paramErr("trim fraction = %g, want 0 <= frac < 0.5", frac)
	}
	k := int(frac * float64(n))
	out := make([]float64, d)
	buf := make([]float64, 0, n)
	for j := 0; j < d; j++ {
		buf = column(X, j, buf)
		if k > 0 {
			selectKth(buf, k)
			selectKth(buf[k:], n-2*k-1)
		}
		s := 0.0
		for _, v := range buf[k : n-k] {
			s += v
		}
		out[j] = s / float64(n-2*k)
	}
	return out, nil
}

// scatter returns Σ_{i∈S}(x_i − mu)(x_i − mu)ᵀ, using ws as the |S|×d
// workspace for the centred rows.
func scatter(X *mat.Dense, S []int, mu []float64, ws *[]float64) *mat.SymDense {
	raw := X.RawMatrix()
	d := raw.Cols
	need := len(S) * d
	if cap(*ws) < need {
		*ws = make([]float64, need)
	}
	buf := (*ws)[:need]
	for r, i := range S {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		out := buf[r*d : r*d+d]
		for j, v := range row {
			out[j] = v - mu[j]
		}
	}
	Y := mat.NewDense(len(S), d, buf)
	// Yᵀ·Y through gemm, which gonum blocks better than syrk for tall Y.
	full := mat.NewDense(d, d, nil)
	full.Mul(Y.T(), Y)
	c := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			c.SetSym(i, j, full.At(i, j))
		}
	}
	return c
}

// CovN returns M(S) = (1/n)·Σ_{i∈S}(x_i − μ_S)(x_i − μ_S)ᵀ, normalised by n
// (not |S|) as in PRIME, and μ_S. S = nil means every row.
func CovN(X *mat.Dense, S []int, n int) (*mat.SymDense, []float64, error) {
	rows, _, err := checkData(X)
	if err != nil {
		return nil, nil, err
	}
	if S == nil {
		S = allRows(rows)
	}
	if len(S) == 0 {
		return nil, nil, paramErr("S is empty, want at least one row")
	}
	for _, i := range S {
		if i < 0 || i >= rows {
			return nil, nil, paramErr("S contains row %d, want 0 <= i < %d", i, rows)
		}
	}
	if n < 1 {
		return nil, nil, paramErr("n = %d, want n >= 1", n)
	}
	mu := meanOf(X, S)
	var ws []float64
	c := scatter(X, S, mu, &ws)
	c.ScaleSym(1/float64(n), c)
	return c, mu, nil
}

// topEigen returns the largest eigenvalue of a and its unit eigenvector.
func topEigen(a *mat.SymDense) (float64, []float64, error) {
	var es mat.EigenSym
	if !es.Factorize(a, true) {
		return 0, nil, fmt.Errorf("robust: symmetric eigendecomposition did not converge")
	}
	vals := es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	k := len(vals) - 1 // gonum returns ascending eigenvalues
	v := make([]float64, len(vals))
	for j := range v {
		v[j] = V.At(j, k)
	}
	return vals[k], v, nil
}

// opNormMinusI returns ‖A − I‖ in spectral norm (max |eigenvalue − 1|).
func opNormMinusI(a *mat.SymDense) (float64, error) {
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return 0, fmt.Errorf("robust: symmetric eigendecomposition did not converge")
	}
	m := 0.0
	for _, v := range es.Values(nil) {
		m = math.Max(m, math.Abs(v-1))
	}
	return m, nil
}

// FilterConfig configures the non-private filter. Zero fields take defaults.
type FilterConfig struct {
	Alpha   float64 // assumed corruption level, 0 < Alpha < 0.5 (required)
	C       float64 // stop when λ_max(Cov) − 1 < C·α·ln(1/α); default 2
	MaxIter int     // default 100
}

// FilterStats reports what the filter did.
type FilterStats struct {
	Iters, Removed int
	Converged      bool // false if MaxIter was reached before the stopping test passed
}

// Filter is the non-private randomized spectral filter (Diakonikolas et al.
// 2017, simplified): while the top eigenvalue λ of the covariance of the
// active set exceeds 1 + C·α·ln(1/α), score each active point by its squared
// projection τ_i on the top eigenvector (centred at the active mean) and
// remove it with probability τ_i/max τ. It returns the active mean.
func Filter(rng *rand.Rand, X *mat.Dense, cfg FilterConfig) ([]float64, FilterStats, error) {
	n, d, err := checkData(X)
	if err != nil {
		return nil, FilterStats{}, err
	}
	if math.IsNaN(cfg.Alpha) || cfg.Alpha <= 0 || cfg.Alpha >= 0.5 {
		return nil, FilterStats{}, paramErr("filter alpha = %g, want 0 < alpha < 0.5", cfg.Alpha)
	}
	if cfg.C == 0 {
		cfg.C = 2
	}
	if cfg.MaxIter == 0 {
		cfg.MaxIter = 100
	}
	if cfg.C < 0 || math.IsNaN(cfg.C) || cfg.MaxIter < 0 {
		return nil, FilterStats{}, paramErr("filter C = %g, MaxIter = %d, want C > 0 and MaxIter > 0", cfg.C, cfg.MaxIter)
	}
	stop := cfg.C * cfg.Alpha * math.Log(1/cfg.Alpha)
	S := allRows(n)
	raw := X.RawMatrix()
	var ws []float64
	tau := make([]float64, n)
	var st FilterStats
	for st.Iters = 0; st.Iters < cfg.MaxIter; st.Iters++ {
		if len(S) < 2 {
			return nil, st, fmt.Errorf("robust: filter removed all but %d points; alpha = %g is too small for this data", len(S), cfg.Alpha)
		}
		mu := meanOf(X, S)
		cov := scatter(X, S, mu, &ws)
		cov.ScaleSym(1/float64(len(S)), cov)
		lam, v, err := topEigen(cov)
		if err != nil {
			return nil, st, err
		}
		if lam-1 < stop {
			st.Converged = true
			return mu, st, nil
		}
		maxTau := 0.0
		for _, i := range S {
			row := raw.Data[i*raw.Stride : i*raw.Stride+d]
			p := 0.0
			for j, x := range row {
				p += v[j] * (x - mu[j])
			}
			tau[i] = p * p
			maxTau = math.Max(maxTau, tau[i])
		}
		keep := S[:0]
		for _, i := range S {
			if rng.Float64()*maxTau < tau[i] {
				st.Removed++
				continue
			}
			keep = append(keep, i)
		}
		S = keep
	}
	return meanOf(X, S), st, nil
}
