package dtlearn

import (
	"fmt"
	"math/bits"
)

// Oracle labels the points of a sample S with a target f on demand and
// remembers every label it has given: asking again for a point costs
// nothing, and Count is the number of distinct points labeled.
type Oracle struct {
	f     Func
	s     *Cube
	known []uint64 // bitset: label of S.X[j] computed
	value []uint64 // bitset: f(S.X[j]) = +1
	count int
}

// NewOracle returns an oracle for f on the sample S. It needs a non-nil f
// and a non-empty S with S.N = f.N().
func NewOracle(f Func, S *Cube) (*Oracle, error) {
	if f == nil {
		return nil, fmt.Errorf("dtlearn: NewOracle: f is nil")
	}
	if err := checkCube("S", S); err != nil {
		return nil, fmt.Errorf("dtlearn: NewOracle: %w", err)
	}
	if S.N != f.N() {
		return nil, fmt.Errorf("dtlearn: NewOracle: S.N = %d, want f.N() = %d", S.N, f.N())
	}
	words := (len(S.X) + 63) / 64
	return &Oracle{f: f, s: S, known: make([]uint64, words), value: make([]uint64, words)}, nil
}

// Label returns f(S.X[i]) (true = +1), labeling the point on first use. It
// needs 0 ≤ i < |S|.
func (o *Oracle) Label(i int) (bool, error) {
	if i < 0 || i >= len(o.s.X) {
		return false, fmt.Errorf("dtlearn: Oracle.Label: i = %d, want 0 ≤ i < |S| = %d", i, len(o.s.X))
	}
	return o.label(int32(i)), nil
}

func (o *Oracle) label(i int32) bool {
	w, b := i>>6, uint64(1)<<uint(i&63)
	if o.known[w]&b == 0 {
		o.known[w] |= b
		o.count++
		if o.f.Eval(o.s.X[i]) {
			o.value[w] |= b
		}
	}
	return o.value[w]&b != 0
}

// Count is the number of distinct points of S labeled so far.
func (o *Oracle) Count() int { return o.count }

// Queried lists the indices of the labeled points of S in increasing order.
func (o *Oracle) Queried() []int {
	out := make([]int, 0, o.count)
	for w, word := range o.known {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			out = append(out, w*64+b)
			word &= word - 1
		}
	}
	return out
}

// Sample returns the sample S the oracle labels.
func (o *Oracle) Sample() *Cube { return o.s }

// Target returns the target f.
func (o *Oracle) Target() Func { return o.f }
