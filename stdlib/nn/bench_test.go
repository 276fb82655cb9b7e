package nn

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The benchmarks time one training step (forward, cross-entropy, backward,
// Adam) of the MosaicToy teacher (160×48 → 64 → 64 → 4, ReLU) and student
// (128×48 → 16 → 4). The baseline is the same step written naively with
// the allocating gonum mat API (new matrices per layer, At/Set element
// access), to show what the buffered RawMatrix implementation buys.

// stepFixture is a network, its optimiser and one labelled batch, the same
// for the buffered step and the naive baseline.
func stepFixture(sizes []int, batch int) (*MLP, *Adam, *mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, _ := NewMLP(rng, sizes, ReLU, 0)
	opt, _ := NewAdam(1e-3, 0.9, 0.999, 1e-4)
	x := randDense(rng, batch, sizes[0], 1)
	y := make([]int, batch)
	for i := range y {
		y[i] = rng.IntN(sizes[len(sizes)-1])
	}
	return m, opt, x, y
}

func benchStep(b *testing.B, sizes []int, batch int) {
	m, opt, x, y := stepFixture(sizes, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		z, _ := m.Forward(x)
		_, g, _ := CrossEntropy(z, y)
		m.ZeroGrad()
		m.BackwardParams(g)
		opt.Step(m)
	}
}

func BenchmarkTrainStepTeacher(b *testing.B) { benchStep(b, []int{48, 64, 64, 4}, 160) }
func BenchmarkTrainStepStudent(b *testing.B) { benchStep(b, []int{48, 16, 4}, 128) }

// naiveStep is the baseline: the same computation through the allocating
// mat API and per-element accessors.
func naiveStep(m *MLP, opt *Adam, x *mat.Dense, y []int) {
	acts := []*mat.Dense{x}
	pres := []*mat.Dense{}
	a := x
	for l, layer := range m.Layers {
		var z mat.Dense
		z.Mul(a, layer.W)
		r, c := z.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				z.Set(i, j, z.At(i, j)+layer.B[j])
			}
		}
		pres = append(pres, &z)
		out := mat.DenseCopyOf(&z)
		if l < len(m.Layers)-1 {
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					if out.At(i, j) < 0 {
						out.Set(i, j, 0)
					}
				}
			}
		}
		acts = append(acts, out)
		a = out
	}
	_, g, _ := CrossEntropy(a, y)
	m.ZeroGrad()
	delta := mat.Matrix(g)
	for l := len(m.Layers) - 1; l >= 0; l-- {
		var gw mat.Dense
		gw.Mul(acts[l].T(), delta)
		m.Layers[l].GW.Copy(&gw)
		r, c := delta.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Layers[l].GB[j] += delta.At(i, j)
			}
		}
		if l == 0 {
			break
		}
		var d mat.Dense
		d.Mul(delta, m.Layers[l].W.T())
		dr, dc := d.Dims()
		for i := 0; i < dr; i++ {
			for j := 0; j < dc; j++ {
				if pres[l-1].At(i, j) < 0 {
					d.Set(i, j, 0)
				}
			}
		}
		delta = &d
	}
	opt.Step(m)
}

func benchNaive(b *testing.B, sizes []int, batch int) {
	m, opt, x, y := stepFixture(sizes, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		naiveStep(m, opt, x, y)
	}
}

func BenchmarkTrainStepTeacherNaive(b *testing.B) { benchNaive(b, []int{48, 64, 64, 4}, 160) }
func BenchmarkTrainStepStudentNaive(b *testing.B) { benchNaive(b, []int{48, 16, 4}, 128) }

// TestNaiveStepMatches keeps the benchmark baseline honest: it computes
// the same update as the buffered path.
func TestNaiveStepMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	a, _ := NewMLP(rng, []int{5, 6, 3}, ReLU, 0)
	b := a.Clone()
	oa, _ := NewAdam(1e-2, 0.9, 0.999, 1e-4)
	ob, _ := NewAdam(1e-2, 0.9, 0.999, 1e-4)
	x := randDense(rng, 7, 5, 1)
	y := []int{0, 1, 2, 0, 1, 2, 0}
	for it := 0; it < 3; it++ {
		z, _ := a.Forward(x)
		_, g, _ := CrossEntropy(z, y)
		a.ZeroGrad()
		a.Backward(g, true)
		oa.Step(a)
		naiveStep(b, ob, x, y)
	}
	wa, _ := a.Params()
	wb, _ := b.Params()
	for i := range wa {
		for j := range wa[i] {
			if d := wa[i][j] - wb[i][j]; d > 1e-12 || d < -1e-12 {
				t.Fatalf("block %d entry %d: %v vs %v", i, j, wa[i][j], wb[i][j])
			}
		}
	}
}
