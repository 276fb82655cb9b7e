package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestResult is the outcome of a hypothesis test: the statistic, its degrees
// of freedom (0 where not applicable) and the p-value.
type TestResult struct {
	Stat float64
	DF   int
	P    float64
}

// String renders the result as "stat = s, df = d, p = p".
func (r TestResult) String() string {
	return fmt.Sprintf("stat = %.4g, df = %d, p = %.4g", r.Stat, r.DF, r.P)
}

// NormalCDF is the standard normal CDF, for use with KSTest.
func NormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// KolmogorovSurvival returns P(K > lambda) for the Kolmogorov distribution,
// the limiting law of √n·D_n.
func KolmogorovSurvival(lambda float64) float64 {
	if lambda <= 0 {
		return 1
	}
	if lambda < 1.18 {
		// P(K ≤ λ) = √(2π)/λ Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)).
		s := 0.0
		for k := 1; k <= 20; k++ {
			m := float64(2*k - 1)
			s += math.Exp(-m * m * math.Pi * math.Pi / (8 * lambda * lambda))
		}
		return 1 - math.Sqrt(2*math.Pi)/lambda*s
	}
	// P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²).
	s := 0.0
	for k := 1; k <= 20; k++ {
		term := math.Exp(-2 * float64(k*k) * lambda * lambda)
		if k%2 == 0 {
			s -= term
		} else {
			s += term
		}
	}
	return math.Min(1, math.Max(0, 2*s))
}

// ksPValue applies Stephens' small-sample correction to the asymptotic law,
// with ne the (effective) sample size.
func ksPValue(d, ne float64) float64 {
	sq := math.Sqrt(ne)
	return KolmogorovSurvival((sq + 0.12 + 0.11/sq) * d)
}

// KSTest is the one-sample Kolmogorov–Smirnov test of x against the
// continuous CDF cdf: Stat is D = sup |F_n − F|, P its approximate p-value.
func KSTest(x []float64, cdf func(float64) float64) (TestResult, error) {
	if len(x) == 0 {
		return TestResult{}, fmt.Errorf("stats: KSTest: x is empty")
	}
	if cdf == nil {
		return TestResult{}, fmt.Errorf("stats: KSTest: cdf is nil")
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := float64(len(s))
	d := 0.0
	for i, v := range s {
		if math.IsNaN(v) {
			return TestResult{}, fmt.Errorf("stats: KSTest: x contains NaN")
		}
		f := cdf(v)
		d = math.Max(d, math.Max(float64(i+1)/n-f, f-float64(i)/n))
	}
	return TestResult{Stat: d, P: ksPValue(d, n)}, nil
}

// KSNormal returns the one-sample KS distance of x to N(0, 1).
func KSNormal(x []float64) (float64, error) {
	r, err := KSTest(x, NormalCDF)
	return r.Stat, err
}

// KSTwoSample is the two-sample Kolmogorov–Smirnov test: Stat is
// D = sup |F_a − F_b| over the pooled values, P its approximate p-value.
func KSTwoSample(a, b []float64) (TestResult, error) {
	if len(a) == 0 {
		return TestResult{}, fmt.Errorf("stats: KSTwoSample: a is empty")
	}
	if len(b) == 0 {
		return TestResult{}, fmt.Errorf("stats: KSTwoSample: b is empty")
	}
	sa := append([]float64(nil), a...)
	sb := append([]float64(nil), b...)
	sort.Float64s(sa)
	sort.Float64s(sb)
	na, nb := float64(len(sa)), float64(len(sb))
	i, j, d := 0, 0, 0.0
	for i < len(sa) && j < len(sb) {
		v := math.Min(sa[i], sb[j])
		for i < len(sa) && sa[i] == v {
			i++
		}
		for j < len(sb) && sb[j] == v {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/na-float64(j)/nb))
	}
	return TestResult{Stat: d, P: ksPValue(d, na*nb/(na+nb))}, nil
}

// ChiSquareGoF is Pearson's goodness-of-fit test of observed counts against
// expected counts (same length ≥ 2, expected > 0). ddof is the number of
// parameters estimated from the data; DF = len − 1 − ddof must be ≥ 1.
func ChiSquareGoF(observed, expected []float64, ddof int) (TestResult, error) {
	if len(observed) != len(expected) {
		return TestResult{}, fmt.Errorf("stats: ChiSquareGoF: len(observed) = %d, len(expected) = %d, must be equal", len(observed), len(expected))
	}
	df := len(observed) - 1 - ddof
	if ddof < 0 || df < 1 {
		return TestResult{}, fmt.Errorf("stats: ChiSquareGoF: ddof = %d with %d cells leaves df = %d, need ddof >= 0 and df >= 1", ddof, len(observed), df)
	}
	stat := 0.0
	for i := range observed {
		if !(expected[i] > 0) {
			return TestResult{}, fmt.Errorf("stats: ChiSquareGoF: expected[%d] = %g, must be > 0", i, expected[i])
		}
		if observed[i] < 0 || math.IsNaN(observed[i]) {
			return TestResult{}, fmt.Errorf("stats: ChiSquareGoF: observed[%d] = %g, must be >= 0", i, observed[i])
		}
		r := observed[i] - expected[i]
		stat += r * r / expected[i]
	}
	return TestResult{Stat: stat, DF: df, P: distuv.ChiSquared{K: float64(df)}.Survival(stat)}, nil
}

// ChiSquareIndependence is Pearson's test of independence for an r×c
// contingency table of counts (r, c ≥ 2, every row and column sum > 0).
func ChiSquareIndependence(table [][]float64) (TestResult, error) {
	r := len(table)
	if r < 2 {
		return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: table has %d rows, need >= 2", r)
	}
	c := len(table[0])
	if c < 2 {
		return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: table has %d columns, need >= 2", c)
	}
	rows := make([]float64, r)
	cols := make([]float64, c)
	total := 0.0
	for i, row := range table {
		if len(row) != c {
			return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: table row %d has %d columns, want %d", i, len(row), c)
		}
		for j, v := range row {
			if v < 0 || math.IsNaN(v) {
				return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: table[%d][%d] = %g, must be >= 0", i, j, v)
			}
			rows[i] += v
			cols[j] += v
			total += v
		}
	}
	stat := 0.0
	for i := range table {
		if rows[i] == 0 {
			return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: row %d sums to 0", i)
		}
		for j, v := range table[i] {
			if cols[j] == 0 {
				return TestResult{}, fmt.Errorf("stats: ChiSquareIndependence: column %d sums to 0", j)
			}
			e := rows[i] * cols[j] / total
			stat += (v - e) * (v - e) / e
		}
	}
	df := (r - 1) * (c - 1)
	return TestResult{Stat: stat, DF: df, P: distuv.ChiSquared{K: float64(df)}.Survival(stat)}, nil
}
