package stats

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// BootstrapResult is a nonparametric bootstrap of a statistic: its value on
// the data, the bootstrap standard error, and the 95% percentile interval.
type BootstrapResult struct {
	Estimate, SE, Lo, Hi float64
	Resamples            int
}

// String renders the result as "estimate ± se [lo, hi]".
func (b BootstrapResult) String() string {
	return fmt.Sprintf("%.4g ± %.2g [%.4g, %.4g] (%d resamples)", b.Estimate, b.SE, b.Lo, b.Hi, b.Resamples)
}

// Bootstrap resamples x with replacement `resamples` times (≥ 2) using one
// generator rand.New(rand.NewPCG(seed, 0)), evaluates stat on each resample
// and returns the estimate stat(x), the standard deviation of the resampled
// statistics, and their 2.5% and 97.5% quantiles. The same seed gives the same
// result.
func Bootstrap(x []float64, stat func([]float64) float64, resamples int, seed uint64) (BootstrapResult, error) {
	if len(x) == 0 {
		return BootstrapResult{}, fmt.Errorf("stats: Bootstrap: x is empty")
	}
	if stat == nil {
		return BootstrapResult{}, fmt.Errorf("stats: Bootstrap: stat is nil")
	}
	if resamples < 2 {
		return BootstrapResult{}, fmt.Errorf("stats: Bootstrap: resamples = %d, must be >= 2", resamples)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	vals := make([]float64, resamples)
	buf := make([]float64, len(x))
	for b := range vals {
		for i := range buf {
			buf[i] = x[rng.IntN(len(x))]
		}
		vals[b] = stat(buf)
	}
	res := BootstrapResult{Estimate: stat(append([]float64(nil), x...)), Resamples: resamples}
	res.SE = sqrtOrNaN(SampleVar(vals))
	sort.Float64s(vals)
	res.Lo = quantileSorted(vals, 0.025)
	res.Hi = quantileSorted(vals, 0.975)
	return res, nil
}
