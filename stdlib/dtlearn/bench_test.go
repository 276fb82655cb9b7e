package dtlearn

import (
	"strconv"
	"testing"
)

// Benchmarks in the spec's setting (n = 32, |S| = 2^18, Gini, maj15 and ltf).
// Each iteration of BestFirst and EstimateError starts from a fresh Oracle and
// Learner (cold node cache), so it includes every label and node computation.
// Results: BENCHMARKS.dtlearn.md.

type benchSetting struct {
	S, pool *Cube
	fams    []Func
}

func newBenchSetting(b *testing.B) benchSetting {
	b.Helper()
	fams, err := Families(32, 1)
	if err != nil {
		b.Fatal(err)
	}
	return benchSetting{S: mustCube(b, 32, 1<<18, 1, 7), pool: mustCube(b, 32, 1<<16, 1, 55), fams: fams}
}

func BenchmarkBestFirst(b *testing.B) {
	s := newBenchSetting(b)
	for _, k := range []int{0, 3} {
		f := s.fams[k]
		for _, batch := range []int{0, 128} {
			for _, size := range []int{256, 1024} {
				b.Run(f.Name()+"/b="+strconv.Itoa(batch)+"/t="+strconv.Itoa(size), func(b *testing.B) {
					for b.Loop() {
						l := mustLearner(b, f, s.S, Config{G: Gini, Batch: batch})
						if _, _, err := l.BestFirst(size); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkEstimateError runs the learnability estimator (m = 600 local
// queries, b = 128) on T_{τ_t} with a cold learner: the cost of estimating the
// error of the size-t tree without building it.
func BenchmarkEstimateError(b *testing.B) {
	s := newBenchSetting(b)
	for _, k := range []int{0, 3} {
		f := s.fams[k]
		for _, size := range []int{256, 1024} {
			_, tau, err := mustLearner(b, f, s.S, Config{G: Gini, Batch: 128}).BestFirst(size)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(f.Name()+"/b=128/t="+strconv.Itoa(size), func(b *testing.B) {
				for b.Loop() {
					l := mustLearner(b, f, s.S, Config{G: Gini, Batch: 128})
					if _, err := EstimateError(l, f, tau, s.pool, 600, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLocalWarm is one Local query once the nodes of its path are cached
// (the per-point cost of the exactness check), against Tree.Eval of T_τ.
func BenchmarkLocalWarm(b *testing.B) {
	s := newBenchSetting(b)
	f := s.fams[0]
	l := mustLearner(b, f, s.S, Config{G: Gini, Batch: 128})
	_, tau, err := l.BestFirst(1024)
	if err != nil {
		b.Fatal(err)
	}
	thr := l.Threshold(tau)
	xs := s.pool.X
	b.Run("Local", func(b *testing.B) {
		i := 0
		for b.Loop() {
			l.Local(xs[i&(len(xs)-1)], tau)
			i++
		}
	})
	b.Run("TreeEval", func(b *testing.B) {
		i := 0
		for b.Loop() {
			thr.Eval(xs[i&(len(xs)-1)])
			i++
		}
	})
}
