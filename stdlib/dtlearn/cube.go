package dtlearn

import (
	"fmt"
	"math/rand/v2"
)

// MaxN is the largest number of variables: a point is one uint64.
const MaxN = 64

// Cube is an ordered list of points of {±1}^N, each packed in a uint64
// (bit i set ⇔ x_i = +1; bits ≥ N are zero).
type Cube struct {
	N int
	X []uint64
}

// UniformCube draws size points uniformly from {±1}^n with the generator
// rand.New(rand.NewPCG(seed, stream)). It needs 1 ≤ n ≤ 64 and size ≥ 1.
func UniformCube(n, size int, seed, stream uint64) (*Cube, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: UniformCube: %w", err)
	}
	if size < 1 {
		return nil, fmt.Errorf("dtlearn: UniformCube: size = %d, want ≥ 1", size)
	}
	rng := rand.New(rand.NewPCG(seed, stream))
	mask := lowMask(n)
	x := make([]uint64, size)
	for j := range x {
		x[j] = rng.Uint64() & mask
	}
	return &Cube{N: n, X: x}, nil
}

// Size is the number of points.
func (c *Cube) Size() int { return len(c.X) }

// Head returns the cube of the first k points (sharing storage); it needs
// 1 ≤ k ≤ Size().
func (c *Cube) Head(k int) (*Cube, error) {
	if k < 1 || k > len(c.X) {
		return nil, fmt.Errorf("dtlearn: Cube.Head: k = %d, want 1 ≤ k ≤ %d", k, len(c.X))
	}
	return &Cube{N: c.N, X: c.X[:k:k]}, nil
}

func checkN(n int) error {
	if n < 1 || n > MaxN {
		return fmt.Errorf("n = %d, want 1 ≤ n ≤ %d", n, MaxN)
	}
	return nil
}

func checkCube(name string, c *Cube) error {
	if c == nil || len(c.X) == 0 {
		return fmt.Errorf("%s is nil or empty, want at least one point", name)
	}
	if err := checkN(c.N); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func lowMask(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<uint(n) - 1
}
