package mosaickd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gonote/gonote/stdlib/nn"
)

// BenchmarkMosaicIteration times one MosaicKD iteration of the "mosaic"
// preset (1 D step, 1 G step, 2 student steps of 128 rows); the baseline
// BenchmarkDistillStep is one fixed-data student step (batch 128), the
// unit of the kd_* baselines. A random (untrained) teacher of the real
// size is used: the cost does not depend on its weights.

func benchSetup(b *testing.B) (*World, *nn.MLP) {
	w, err := NewWorld(DefaultWorld(), 1)
	if err != nil {
		b.Fatal(err)
	}
	t, _ := nn.NewMLP(rand.New(rand.NewPCG(1, 2)), []int{w.Dim(), 64, 64, Classes}, nn.ReLU, 0)
	return w, t
}

func benchIteration(b *testing.B, preset string) {
	w, teacher := benchSetup(b)
	ood, _ := w.SampleOOD(4000, 1)
	cfg, _ := Preset(preset)
	m, err := newMosaicRun(w, teacher, ood, cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.iteration(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMosaicIteration(b *testing.B)   { benchIteration(b, "mosaic") }
func BenchmarkDataFreeIteration(b *testing.B) { benchIteration(b, "datafree") }

func BenchmarkDistillStep(b *testing.B) {
	w, teacher := benchSetup(b)
	x, _, _ := w.SampleID(128, 1)
	s, opt, err := newStudent(w.Dim(), DefaultStudent(), 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := studentStep(teacher, s, opt, x, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSuiteRun runs two full conditions (mosaic and datafree, 1000
// iterations each) on 1 or 2 goroutines: the speed-up of Suite.Run's
// condition-level parallelism (results are identical either way). Use
// -benchtime 1x.
func BenchmarkSuiteRun(b *testing.B) {
	s, err := NewSuite(1)
	if err != nil {
		b.Fatal(err)
	}
	for _, par := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallel=%d", par), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Run([]string{"mosaic", "datafree"}, par); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
