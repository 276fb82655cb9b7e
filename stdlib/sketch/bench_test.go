//go:build linux

package sketch

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// cpuTimer reports process CPU time per operation ("cpu-ms/op") beside the wall time, which
// is steadier on a shared machine. Call it after setup; it reports when the benchmark ends.
func cpuTimer(b *testing.B) {
	start := cpuNow()
	b.Cleanup(func() { b.ReportMetric((cpuNow()-start)/float64(b.N)/1e6, "cpu-ms/op") })
}

func cpuNow() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}

// Benchmark sizes from the issue: a dense 1,000,000-dimensional vector, r = 5, c = 20,000.
// bench/numpy_sketch.py runs these beside NumPy versions of the same operations.
const (
	benchD    = 1_000_000
	benchRows = 5
	benchCols = 20_000
	benchK    = 1000 // coordinates per update in Unsketch and the sketched-SGD round
	benchP    = 4
	benchW    = 4
)

var benchOnce = sync.OnceValues(func() (*Hash, []float64) {
	h, err := NewHash(benchD, benchRows, benchCols, 1)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	v := make([]float64, benchD)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return h, v
})

func benchSketch(b *testing.B, workers int) (*CountSketch, []float64) {
	h, v := benchOnce()
	s, _ := New(h)
	_ = s.SetWorkers(workers)
	_ = s.Add(v)
	return s, v
}

func BenchmarkAddDense(b *testing.B) {
	for _, w := range []int{1, 0} {
		b.Run("workers="+workersName(w), func(b *testing.B) {
			s, v := benchSketch(b, w)
			b.SetBytes(int64(8 * len(v)))
			b.ResetTimer()
			cpuTimer(b)
			for range b.N {
				_ = s.Add(v)
			}
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	s, _ := benchSketch(b, 1)
	o := s.Clone()
	b.ResetTimer()
	cpuTimer(b)
	for range b.N {
		_ = s.Merge(o)
	}
}

func BenchmarkQueryAll(b *testing.B) {
	for _, w := range []int{1, 0} {
		b.Run("workers="+workersName(w), func(b *testing.B) {
			s, _ := benchSketch(b, w)
			dst := make([]float64, benchD)
			b.ResetTimer()
			cpuTimer(b)
			for range b.N {
				dst = s.QueryAll(dst)
			}
		})
	}
}

// BenchmarkQuery1000 answers 1000 point queries (QueryMany) at fixed pseudo-random indices.
func BenchmarkQuery1000(b *testing.B) {
	s, _ := benchSketch(b, 1)
	idx := pointIndices()
	var dst []float64
	b.ResetTimer()
	cpuTimer(b)
	for range b.N {
		dst, _ = s.QueryMany(idx, dst)
	}
}

func pointIndices() []int {
	rng := rand.New(rand.NewPCG(3, 3))
	idx := make([]int, 1000)
	for n := range idx {
		idx[n] = rng.IntN(benchD)
	}
	return idx
}

func BenchmarkUnsketch(b *testing.B) {
	for _, w := range []int{1, 0} {
		b.Run("workers="+workersName(w), func(b *testing.B) {
			s, _ := benchSketch(b, w)
			b.ResetTimer()
			cpuTimer(b)
			for range b.N {
				_, _ = s.Unsketch(benchK)
			}
		})
	}
}

// BenchmarkSketchedRound is one communication round of Sketched-SGD (Algorithm 3) on given
// error accumulators: W = 4 workers sketch their dense d = 10^6 vectors, the server sums the
// sketches, queries all coordinates, takes the top P·k = 4000 candidates, gathers their
// exact sums (second round), applies the top k = 1000 and the workers zero them.
func BenchmarkSketchedRound(b *testing.B) {
	for _, w := range []int{1, 0} {
		b.Run("workers="+workersName(w), func(b *testing.B) {
			h, v := benchOnce()
			vs := make([][]float64, benchW)
			for i := range vs {
				vs[i] = make([]float64, benchD)
			}
			sketches := make([]*CountSketch, benchW)
			for i := range sketches {
				sketches[i], _ = New(h)
				_ = sketches[i].SetWorkers(w)
			}
			server, _ := New(h)
			_ = server.SetWorkers(w)
			var sel Selector
			est := make([]float64, benchD)
			var cand, pick []int
			vals := make([]float64, benchP*benchK)
			b.ResetTimer()
			cpuTimer(b)
			for range b.N {
				b.StopTimer()
				for i := range vs {
					copy(vs[i], v)
				}
				b.StartTimer()
				server.Zero()
				for i, s := range sketches {
					s.Zero()
					_ = s.Add(vs[i])
					_ = server.Merge(s)
				}
				est = server.QueryAll(est)
				cand = sel.TopK(est, benchP*benchK, cand)
				for q, j := range cand {
					x := 0.0
					for i := range vs {
						x += vs[i][j]
					}
					vals[q] = x
				}
				pick = sel.TopK(vals, benchK, pick)
				for _, q := range pick {
					for i := range vs {
						vs[i][cand[q]] = 0
					}
				}
			}
		})
	}
}

// BenchmarkNewHash tabulates the hashes (done once per configuration, not per update).
func BenchmarkNewHash(b *testing.B) {
	for range b.N {
		_, _ = NewHash(benchD, benchRows, benchCols, 1)
	}
}

func workersName(w int) string {
	if w == 0 {
		return "gomaxprocs"
	}
	return strconv.Itoa(w)
}
