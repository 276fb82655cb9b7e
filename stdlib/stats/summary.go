package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes a sample: its size, mean, standard deviation (n−1
// denominator), standard error of the mean, a two-sided 95% Student-t
// confidence interval for the mean [Lo, Hi], and order statistics.
// SD, SE, Lo and Hi are NaN when N = 1.
type Summary struct {
	N                          int
	Mean, SD, SE               float64
	Lo, Hi                     float64
	Min, Q25, Median, Q75, Max float64
}

// String renders the summary as "mean ± se [lo, hi] (n = N)".
func (s Summary) String() string {
	return fmt.Sprintf("%.4g ± %.2g [%.4g, %.4g] (n = %d)", s.Mean, s.SE, s.Lo, s.Hi, s.N)
}

// Describe summarizes x. It fails on an empty sample or on NaN entries.
func Describe(x []float64) (Summary, error) {
	if len(x) == 0 {
		return Summary{}, fmt.Errorf("stats: Describe: x is empty")
	}
	for i, v := range x {
		if math.IsNaN(v) {
			return Summary{}, fmt.Errorf("stats: Describe: x[%d] is NaN", i)
		}
	}
	mean, se := MeanSE(x)
	s := Summary{N: len(x), Mean: mean, SE: se, SD: math.Sqrt(SampleVar(x))}
	if len(x) > 1 {
		h := TQuantile975(len(x)-1) * se
		s.Lo, s.Hi = mean-h, mean+h
	} else {
		s.Lo, s.Hi = math.NaN(), math.NaN()
	}
	sorted := append([]float64(nil), x...)
	sort.Float64s(sorted)
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	s.Q25 = quantileSorted(sorted, 0.25)
	s.Median = quantileSorted(sorted, 0.5)
	s.Q75 = quantileSorted(sorted, 0.75)
	return s, nil
}

// TQuantile975 returns the 0.975 quantile of Student's t with df degrees of
// freedom (the half-width multiplier of a 95% interval); NaN for df < 1.
func TQuantile975(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// MeanSE returns the sample mean and its standard error sd/√n; se is NaN for
// fewer than two values and both are NaN for an empty sample.
func MeanSE(x []float64) (mean, se float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	return mean, math.Sqrt(SampleVar(x) / float64(len(x)))
}

// SampleVar returns the unbiased sample variance (n−1 denominator); NaN for
// fewer than two values.
func SampleVar(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return math.NaN()
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(n)
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return ss / float64(n-1)
}

// Quantile returns the p-quantile of x by linear interpolation between order
// statistics (x sorted, position p·(n−1)). p must be in [0, 1].
func Quantile(x []float64, p float64) (float64, error) {
	if len(x) == 0 {
		return 0, fmt.Errorf("stats: Quantile: x is empty")
	}
	if !(p >= 0 && p <= 1) {
		return 0, fmt.Errorf("stats: Quantile: p = %g, must be in [0, 1]", p)
	}
	sorted := append([]float64(nil), x...)
	sort.Float64s(sorted)
	return quantileSorted(sorted, p), nil
}

func quantileSorted(s []float64, p float64) float64 {
	pos := p * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(lo)
	return s[lo] + f*(s[lo+1]-s[lo])
}

func sqrtOrNaN(v float64) float64 {
	if v < 0 || math.IsNaN(v) {
		return math.NaN()
	}
	return math.Sqrt(v)
}
