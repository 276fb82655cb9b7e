package sysid

import (
	"math/rand/v2"
	"testing"

	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkOLS fits A from one trajectory with n = 50, T = 100,000 (the
// trajectory is simulated once, outside the timer). bench/numpy_sysid.py runs
// the same fit in NumPy.
func BenchmarkOLS(b *testing.B) {
	s, err := Iso(50, 0.9)
	if err != nil {
		b.Fatal(err)
	}
	x, err := s.Simulate(100000, nil, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := OLS(x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimulate simulates n = 50, T = 100,000 with a dense A and Σ_w
// (Iso(50, 0.9) rotated by a random orthogonal matrix), and with the
// diagonal Iso(50, 0.9), where the loop skips the zeros.
func BenchmarkSimulate(b *testing.B) {
	iso, err := Iso(50, 0.9)
	if err != nil {
		b.Fatal(err)
	}
	q, err := linalg.RandomOrthogonal(50, rand.New(rand.NewPCG(2, 0)))
	if err != nil {
		b.Fatal(err)
	}
	dense, err := Rotate(iso, q)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		s    *LDS
	}{{"dense", dense}, {"diagonal", iso}} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 0))
			for b.Loop() {
				if _, err := c.s.Simulate(100000, nil, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGram isolates the two products of OLS: XᵀX by syrk and X₊ᵀX by gemm.
func BenchmarkGram(b *testing.B) {
	s, _ := Iso(50, 0.9)
	x, _ := s.Simulate(100000, nil, rand.New(rand.NewPCG(1, 0)))
	xp := x.Slice(0, 100000, 0, 50)
	xn := x.Slice(1, 100001, 0, 50)
	b.Run("syrk", func(b *testing.B) {
		for b.Loop() {
			var g mat.SymDense
			g.SymOuterK(1, xp.T())
		}
	})
	b.Run("gemm", func(b *testing.B) {
		for b.Loop() {
			var g mat.Dense
			g.Mul(xn.T(), xp)
		}
	})
}
