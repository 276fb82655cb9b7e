package linalg

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkLyapunov solves Γ = AΓAᵀ + I for a random 64×64 A with spectral
// radius 0.95 by doubling. bench/numpy_sysid.py runs the same iteration.
func BenchmarkLyapunov(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 0))
	a, _ := GaussianMatrix(64, 64, 1, rng)
	rho, _ := SpectralRadius(a)
	a.Scale(0.95/rho, a)
	q := mat.NewDiagDense(64, nil)
	for i := 0; i < 64; i++ {
		q.SetDiag(i, 1)
	}
	for b.Loop() {
		if _, err := Lyapunov(a, q); err != nil {
			b.Fatal(err)
		}
	}
}
