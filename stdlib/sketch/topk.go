package sketch

import (
	"fmt"
	"math"
	"sort"
)

// key is the ordering key of a value for top-k: |x|, with NaN ranked below every number.
func key(x float64) float64 {
	if x != x {
		return -1
	}
	return math.Abs(x)
}

// sortWinners orders the selected indices idx of v the way every top-k result is ordered:
// by key descending, ties to the lower index. TopK and prefiltered both end with it.
func sortWinners(idx []int, v []float64) {
	sort.Slice(idx, func(a, b int) bool {
		x, y := key(v[idx[a]]), key(v[idx[b]])
		if x != y {
			return x > y
		}
		return idx[a] < idx[b]
	})
}

// TopKIndices returns the indices of the k entries of v with the largest |v_i|, sorted by
// |v_i| descending; ties go to the lower index and NaN ranks below every number. It uses
// quickselect (expected O(d)) and sorts only the k winners. Valid k: 1..len(v).
func TopKIndices(v []float64, k int) ([]int, error) {
	if k < 1 || k > len(v) {
		return nil, fmt.Errorf("%w: k = %d, want 1..%d (len(v))", ErrInvalid, k, len(v))
	}
	var sel Selector
	return sel.TopK(v, k, nil), nil
}

// Selector computes exact top-k index sets and keeps its scratch space between calls, so
// repeated selections over vectors of one size allocate nothing. The zero value is ready.
type Selector struct {
	keys   []float64
	cand   []int
	sample []float64
	rng    uint64
}

// TopK is TopKIndices with reusable scratch: it appends the result to dst[:0] and returns it.
// k is clamped to 0..len(v).
func (sel *Selector) TopK(v []float64, k int, dst []int) []int {
	dst = dst[:0]
	k = max(0, min(k, len(v)))
	if k == 0 {
		return dst
	}
	if idx, ok := sel.prefiltered(v, k, dst); ok {
		return idx
	}
	if cap(sel.keys) < len(v) {
		sel.keys = make([]float64, len(v))
	}
	keys := sel.keys[:len(v)]
	for i, x := range v {
		keys[i] = key(x)
	}
	thr := sel.kthLargest(keys, k-1)
	above := 0
	for _, x := range v {
		if key(x) > thr {
			above++
		}
	}
	ties := k - above
	for i, x := range v {
		kx := key(x)
		if kx > thr {
			dst = append(dst, i)
		} else if kx == thr && ties > 0 {
			dst = append(dst, i)
			ties--
		}
	}
	sortWinners(dst, v)
	return dst
}

// prefiltered handles large vectors with k ≪ len(v): a strided sample of 1024 keys gives a
// threshold t0 a little below the expected k-th largest key; if at least k keys reach t0,
// the top k are among them and only those are selected (exactly, with the same tie rule),
// otherwise ok is false and the caller selects over all of v.
func (sel *Selector) prefiltered(v []float64, k int, dst []int) ([]int, bool) {
	const m = 1024
	n := len(v)
	if n < 8*m || k*16 > n {
		return nil, false
	}
	rank := 2*k*m/n + 8 // 0-based rank in the sample, about twice the expected share of the top k
	sample := sel.sample[:0]
	stride := n / m
	for q := 0; q < m; q++ {
		sample = append(sample, key(v[q*stride]))
	}
	sel.sample = sample
	t0 := sel.kthLargest(sample, rank)
	cand := sel.cand[:0]
	keys := sel.keys[:0]
	for i, x := range v {
		if kx := key(x); kx >= t0 {
			cand = append(cand, i)
			keys = append(keys, kx)
		}
	}
	sel.cand, sel.keys = cand, keys
	if len(cand) < k {
		return nil, false
	}
	work := append(sel.sample[:0], keys...)
	sel.sample = work
	thr := sel.kthLargest(work, k-1)
	above := 0
	for _, kx := range keys {
		if kx > thr {
			above++
		}
	}
	ties := k - above
	for q, kx := range keys {
		if kx > thr {
			dst = append(dst, cand[q])
		} else if kx == thr && ties > 0 {
			dst = append(dst, cand[q])
			ties--
		}
	}
	sortWinners(dst, v)
	return dst, true
}

// next is a xorshift generator used only to choose pivots; the selected value does not
// depend on the pivots, so this never affects results.
func (sel *Selector) next() uint64 {
	if sel.rng == 0 {
		sel.rng = 0x9e3779b97f4a7c15
	}
	x := sel.rng
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	sel.rng = x
	return x
}

// kthLargest returns the value at position k (0-based) of a sorted in descending order,
// reordering a. It uses a three-way partition so runs of equal keys cost nothing extra.
func (sel *Selector) kthLargest(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		n := uint64(hi - lo + 1)
		p := med3(a[lo+int(sel.next()%n)], a[lo+int(sel.next()%n)], a[lo+int(sel.next()%n)])
		lt, i, gt := lo, lo, hi
		for i <= gt {
			x := a[i]
			if x > p {
				a[lt], a[i] = x, a[lt]
				lt++
				i++
			} else if x < p {
				a[i], a[gt] = a[gt], x
				gt--
			} else {
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
	return a[lo]
}

// med3 returns the median of three values without branches (min/max instructions).
func med3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}

// med5 returns the median of five values without branches: after ordering the pairs
// (a, b) and (d, e), min(a, d) ranks at most second and max(b, e) at least fourth, so
// dropping both leaves three values whose median is the median of all five.
func med5(a, b, c, d, e float64) float64 {
	lo1, hi1 := min(a, b), max(a, b)
	lo2, hi2 := min(d, e), max(d, e)
	return med3(max(lo1, lo2), min(hi1, hi2), c)
}

// medianInPlace returns the median of x (mean of the two middle values for even length),
// reordering x. len(x) must be ≥ 1.
func medianInPlace(x []float64) float64 {
	for i := 1; i < len(x); i++ { // insertion sort: x is a handful of row estimates
		v := x[i]
		j := i - 1
		for j >= 0 && x[j] > v {
			x[j+1] = x[j]
			j--
		}
		x[j+1] = v
	}
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}
