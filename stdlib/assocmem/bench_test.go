package assocmem

// Benchmarks of one Muon step at d = 256, N = 2048 (α = 1.5, population
// gradient) and of its parts; bench/numpy_muon.py times the same operations
// with NumPy. Run: go test -run '^$' -bench . -benchtime 10x ./stdlib/assocmem

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/linalg"
	"github.com/gonote/gonote/stdlib/spectral"
)

const benchD, benchN, benchKq = 256, 2048, 1024

func benchTask(b *testing.B) (*Task, *mat.Dense) {
	b.Helper()
	t, err := NewTask(benchD, benchN, 1.5, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		b.Fatal(err)
	}
	g0, err := t.NegGradZero(t.P)
	if err != nil {
		b.Fatal(err)
	}
	return t, g0
}

// BenchmarkG0 forms G_0 = Σ p_i (y_i − ȳ) x_iᵀ (a d×N by N×d product).
func BenchmarkG0(b *testing.B) {
	t, _ := benchTask(b)
	for b.Loop() {
		if _, err := t.NegGradZero(t.P); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPolarSVD is the exact polar factor U Vᵀ of the 256×256 G_0.
func BenchmarkPolarSVD(b *testing.B) {
	_, g0 := benchTask(b)
	for b.Loop() {
		if _, err := linalg.Polar(g0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNS5 is five quintic Newton–Schulz iterations on the 256×256 G_0.
func BenchmarkNS5(b *testing.B) {
	_, g0 := benchTask(b)
	for b.Loop() {
		if _, err := linalg.NewtonSchulz(g0, 5, linalg.KellerJordanCoeffs()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMuonStepSVD is a full Muon step from W = 0: G_0, then W_1 = U Vᵀ.
func BenchmarkMuonStepSVD(b *testing.B) {
	t, _ := benchTask(b)
	for b.Loop() {
		g0, _ := t.NegGradZero(t.P)
		g0.Scale(-1, g0)
		if _, err := spectral.MuonStep(nil, g0, 1, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMuonStepNS5 is the same step with 5 Newton–Schulz iterations.
func BenchmarkMuonStepNS5(b *testing.B) {
	t, _ := benchTask(b)
	for b.Loop() {
		g0, _ := t.NegGradZero(t.P)
		g0.Scale(-1, g0)
		if _, err := spectral.MuonStep(nil, g0, 1, 0, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecovered evaluates the recovery of the top 1024 items against all
// 2048 outputs (float32 screen + float64 fallback), the notebook's main cost.
func BenchmarkRecovered(b *testing.B) {
	t, g0 := benchTask(b)
	w1, err := linalg.Polar(g0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := t.Recovered(w1, benchKq); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecoveredFloat64 is the same evaluation with float64 products only
// (the baseline for the float32 screen).
func BenchmarkRecoveredFloat64(b *testing.B) {
	t, g0 := benchTask(b)
	w1, err := linalg.Polar(g0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var wty, z mat.Dense
		wty.Mul(w1.T(), t.Y)
		z.Mul(t.xt.Slice(0, benchKq, 0, benchD), &wty)
		for k := 0; k < benchKq; k++ {
			strictArgmax(z.RawRowView(k), k)
		}
	}
}
