package dtlearn

import (
	"math"
	"sync"
)

// Impurity is an impurity function G: [0,1] → [0,1], concave, symmetric
// about ½, with G(0) = G(1) = 0 and G(½) = 1. All three below satisfy
// G(p) ≥ 2·min(p, 1−p), so the error of a tree's majority labelling is at
// most ½·(its G-impurity).
type Impurity func(p float64) float64

// Gini is CART's impurity G(p) = 4p(1−p).
func Gini(p float64) float64 { return 4 * p * (1 - p) }

// Entropy is ID3's and C4.5's impurity G(p) = −p·log₂p − (1−p)·log₂(1−p).
// (C4.5's gain ratio equals the information gain here: every split of the
// uniform cube is balanced.)
func Entropy(p float64) float64 {
	if p <= 0 || p >= 1 {
		return 0
	}
	return -p*math.Log2(p) - (1-p)*math.Log2(1-p)
}

// KearnsMansour is the impurity G(p) = 2·√(p(1−p)).
func KearnsMansour(p float64) float64 {
	if p <= 0 || p >= 1 {
		return 0
	}
	return 2 * math.Sqrt(p*(1-p))
}

// parallel2 runs fn on the two halves [0, n/2) and [n/2, n) of an index
// range, on two goroutines when n ≥ 2.
func parallel2(n int, fn func(lo, hi int)) {
	if n < 2 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fn(0, n/2)
	}()
	fn(n/2, n)
	wg.Wait()
}
