package robust

import (
	"math/rand/v2"
	"testing"

	"github.com/gonote/gonote/stdlib/dp"
)

// Benchmarks at the paper-figure scale (d = 20, n = 10⁵, shiftall 1.5,
// α = 0.05, ε = 10, δ = 0.01). bench/numpy_prime.py runs the same algorithm
// in NumPy; BENCHMARKS.prime.md records both.

func benchData(b *testing.B) *Dataset {
	b.Helper()
	ds, err := Generate(rand.New(rand.NewPCG(1, 0)), 100000, 20, nil, Corruption{Kind: ShiftAll, Alpha: 0.05, Shift: 1.5})
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

func BenchmarkPRIME(b *testing.B) {
	ds := benchData(b)
	cfg := PrimeConfig{Alpha: 0.05, Budget: dp.Budget{Eps: 10, Delta: 0.01}}
	steps := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := PRIME(rand.New(rand.NewPCG(2, uint64(i))), ds.X, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		steps += res.Iters
	}
	b.ReportMetric(float64(steps)/float64(b.N), "inner-steps/op")
}

func BenchmarkDPMean(b *testing.B) {
	ds := benchData(b)
	budget := dp.Budget{Eps: 10, Delta: 0.01}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DPMeanAuto(rand.New(rand.NewPCG(2, uint64(i))), ds.X, budget, DPMeanAutoConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilter(b *testing.B) {
	ds := benchData(b)
	for i := 0; i < b.N; i++ {
		if _, _, err := Filter(rand.New(rand.NewPCG(2, uint64(i))), ds.X, FilterConfig{Alpha: 0.05}); err != nil {
			b.Fatal(err)
		}
	}
}
