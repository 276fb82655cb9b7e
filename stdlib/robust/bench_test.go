package robust

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gonote/gonote/stdlib/dp"
	"gonum.org/v1/gonum/mat"
)

// Benchmarks at the paper-figure scale (d = 20, n = 10⁵, shiftall 1.5,
// α = 0.05, ε = 10, δ = 0.01). bench/numpy_prime.py runs the same algorithm
// in NumPy; BENCHMARKS.md records both.

// cpuTime is the process's user+system CPU time. The machine is shared, so
// the benchmarks report CPU ms per op beside wall time: it is less sensitive
// to other processes than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/1e6/float64(b.N), "cpu-ms/op")
}

// benchData is the benchmark dataset. bench/numpy_prime.py --with-go sets
// GONOTE_PRIME_BENCH_DATA to a file of 100000×20 little-endian float64
// (row-major) so that Go and NumPy run on identical data.
func benchData(b *testing.B) *Dataset {
	b.Helper()
	if path := os.Getenv("GONOTE_PRIME_BENCH_DATA"); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		const n, d = 100000, 20
		if len(raw) != n*d*8 {
			b.Fatalf("%s: %d bytes, want %d (100000×20 float64)", path, len(raw), n*d*8)
		}
		x := make([]float64, n*d)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return &Dataset{X: mat.NewDense(n, d, x)}
	}
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
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		res, err := PRIME(rand.New(rand.NewPCG(2, uint64(i))), ds.X, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		steps += res.Iters
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(steps)/float64(b.N), "inner-steps/op")
}

func BenchmarkDPMean(b *testing.B) {
	ds := benchData(b)
	budget := dp.Budget{Eps: 10, Delta: 0.01}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := DPMeanAuto(rand.New(rand.NewPCG(2, uint64(i))), ds.X, budget, DPMeanAutoConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

func BenchmarkFilter(b *testing.B) {
	ds := benchData(b)
	for i := 0; i < b.N; i++ {
		if _, _, err := Filter(rand.New(rand.NewPCG(2, uint64(i))), ds.X, FilterConfig{Alpha: 0.05}); err != nil {
			b.Fatal(err)
		}
	}
}
