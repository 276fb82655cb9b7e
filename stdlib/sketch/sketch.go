package sketch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// parallelMinWork is the number of (row, coordinate) updates above which Add and QueryAll
// split their work over goroutines.
const parallelMinWork = 1 << 17

// queryChunk is the number of coordinates QueryAll gathers per row before taking medians.
const queryChunk = 2048

// CountSketch is an r×c table T with T[j, bucket_j(i)] += sign_j(i)·v_i for every sketched
// vector v. It is linear: the sketch of a sum is the sum of the sketches. A CountSketch is
// not safe for concurrent mutation; its Hash may be shared freely.
type CountSketch struct {
	h       *Hash
	table   []float64 // rows*cols, row-major
	partial []float64 // scratch tables of large dense updates (addChunks-1 tables)
	workers int       // goroutines for bulk operations; 0 = GOMAXPROCS, 1 = serial
}

// New returns an all-zero sketch over the hash family h (nil h is an error).
func New(h *Hash) (*CountSketch, error) {
	if h == nil {
		return nil, fmt.Errorf("%w: hash is nil, want a *Hash from NewHash", ErrInvalid)
	}
	return &CountSketch{h: h, table: make([]float64, h.rows*h.cols)}, nil
}

// SetWorkers sets how many goroutines Add, AddScaled and QueryAll may use on large inputs:
// 0 means GOMAXPROCS (the default), 1 means serial. Large updates are split into a fixed
// number of coordinate blocks with private partial tables summed in block order, and each
// QueryAll coordinate range is owned by one goroutine, so results are bit-identical for
// every setting.
func (s *CountSketch) SetWorkers(n int) error {
	if n < 0 {
		return fmt.Errorf("%w: workers = %d, want ≥ 0 (0 = GOMAXPROCS)", ErrInvalid, n)
	}
	s.workers = n
	return nil
}

// Hash returns the sketch's hash family.
func (s *CountSketch) Hash() *Hash { return s.h }

// Size returns rows·cols, the number of floats a sketch occupies on the wire.
func (s *CountSketch) Size() int { return len(s.table) }

// Table returns a copy of the row-major rows×cols table.
func (s *CountSketch) Table() []float64 { return append([]float64(nil), s.table...) }

// Zero resets the table to 0.
func (s *CountSketch) Zero() { clear(s.table) }

// Clone returns an independent copy sharing the hash family.
func (s *CountSketch) Clone() *CountSketch {
	return &CountSketch{h: s.h, table: s.Table(), workers: s.workers}
}

// String summarises the sketch.
func (s *CountSketch) String() string {
	return fmt.Sprintf("CountSketch{d: %d, rows: %d, cols: %d, seed: %d, ℓ̂2: %.6g}",
		s.h.d, s.h.rows, s.h.cols, s.h.seed, s.L2Estimate())
}

func (s *CountSketch) checkDense(v []float64) error {
	if len(v) != s.h.d {
		return fmt.Errorf("%w: len(v) = %d, want d = %d", ErrInvalid, len(v), s.h.d)
	}
	return nil
}

// Add sketches the dense vector v (len(v) must equal d): T[j, h_j(i)] += s_j(i)·v_i.
func (s *CountSketch) Add(v []float64) error {
	if err := s.checkDense(v); err != nil {
		return err
	}
	s.addRows(v, 1, false)
	return nil
}

// AddScaled sketches a·v, i.e. adds a·S(v) to the table.
func (s *CountSketch) AddScaled(v []float64, a float64) error {
	if err := s.checkDense(v); err != nil {
		return err
	}
	s.addRows(v, a, true)
	return nil
}

// addChunks is the number of coordinate blocks a large dense update is split into. Block 0
// is added straight into the table and blocks 1.. into private partial tables that are then
// added in block order, so the result is the same for every number of goroutines.
const addChunks = 4

func (s *CountSketch) addRows(v []float64, a float64, scaled bool) {
	h := s.h
	if h.rows*h.d < parallelMinWork {
		s.addRange(s.table, v, 0, h.d, a, scaled)
		return
	}
	if len(s.partial) != (addChunks-1)*len(s.table) {
		s.partial = make([]float64, (addChunks-1)*len(s.table))
	}
	n := len(s.table)
	parallelRanges(addChunks, true, s.workers, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			dst := s.table
			if ch > 0 {
				dst = s.partial[(ch-1)*n : ch*n]
				clear(dst)
			}
			s.addRange(dst, v, h.d*ch/addChunks, h.d*(ch+1)/addChunks, a, scaled)
		}
	})
	for ch := 1; ch < addChunks; ch++ {
		addTo(s.table, s.partial[(ch-1)*n:ch*n])
	}
}

// addRange adds the coordinates lo..hi-1 of a·v (or v) into the table dst, two rows per
// pass over v: the two rows' tables stay in cache and their updates overlap.
func (s *CountSketch) addRange(dst, v []float64, lo, hi int, a float64, scaled bool) {
	h := s.h
	d, c := h.d, h.cols
	x := v[lo:hi]
	j := 0
	for ; j+1 < h.rows; j += 2 {
		r0 := dst[j*c : (j+1)*c : (j+1)*c]
		r1 := dst[(j+1)*c : (j+2)*c : (j+2)*c]
		if h.p16 != nil {
			addPair(r0, r1, h.p16[j*d+lo:j*d+hi], h.p16[(j+1)*d+lo:(j+1)*d+hi], x, a, scaled, h.shift)
		} else {
			addPair(r0, r1, h.p32[j*d+lo:j*d+hi], h.p32[(j+1)*d+lo:(j+1)*d+hi], x, a, scaled, h.shift)
		}
	}
	if j < h.rows {
		row := dst[j*c : (j+1)*c : (j+1)*c]
		if h.p16 != nil {
			addOne(row, h.p16[j*d+lo:j*d+hi], x, a, scaled, h.shift)
		} else {
			addOne(row, h.p32[j*d+lo:j*d+hi], x, a, scaled, h.shift)
		}
	}
}

// addTo adds src into dst element-wise (len(src) ≤ len(dst)), eight at a time through
// array pointers so the compiler drops the bounds checks.
func addTo(dst, src []float64) {
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		d8 := (*[8]float64)(dst[i : i+8])
		s8 := (*[8]float64)(src[i : i+8])
		d8[0] += s8[0]
		d8[1] += s8[1]
		d8[2] += s8[2]
		d8[3] += s8[3]
		d8[4] += s8[4]
		d8[5] += s8[5]
		d8[6] += s8[6]
		d8[7] += s8[7]
	}
	for ; i < len(src); i++ {
		dst[i] += src[i]
	}
}

// AddSparse sketches the sparse vector with entries val[t] at indices idx[t]; repeated
// indices add up. Nothing is changed if an index is out of range or the lengths differ.
func (s *CountSketch) AddSparse(idx []int, val []float64) error {
	if len(idx) != len(val) {
		return fmt.Errorf("%w: len(idx) = %d and len(val) = %d, want equal", ErrInvalid, len(idx), len(val))
	}
	d := s.h.d
	for t, i := range idx {
		if i < 0 || i >= d {
			return fmt.Errorf("%w: idx[%d] = %d, want 0..%d", ErrInvalid, t, i, d-1)
		}
	}
	c := s.h.cols
	for j := 0; j < s.h.rows; j++ {
		row := s.table[j*c : (j+1)*c]
		for t, i := range idx {
			b, neg := s.h.at(j*d + i)
			row[b] += flip(val[t], neg)
		}
	}
	return nil
}

// Merge adds o's table into s (S(v1) + S(v2) = S(v1 + v2)). It returns an error wrapping
// ErrIncompatible unless both sketches use the same hash functions.
func (s *CountSketch) Merge(o *CountSketch) error {
	if o == nil {
		return fmt.Errorf("%w: merge with a nil sketch", ErrInvalid)
	}
	if !s.h.Compatible(o.h) {
		return fmt.Errorf("%w: %v vs %v", ErrIncompatible, s.h, o.h)
	}
	addTo(s.table, o.table)
	return nil
}

// Scale multiplies the table by a (S(a·v) = a·S(v)).
func (s *CountSketch) Scale(a float64) {
	for b := range s.table {
		s.table[b] *= a
	}
}

// Sum returns a new sketch equal to the sum of list, added in slice order. All sketches must
// share hash functions (ErrIncompatible otherwise); an empty list is an error.
func Sum(list []*CountSketch) (*CountSketch, error) {
	if len(list) == 0 || list[0] == nil {
		return nil, fmt.Errorf("%w: list has no first sketch, want ≥ 1 non-nil sketch", ErrInvalid)
	}
	out := list[0].Clone()
	for n, o := range list[1:] {
		if err := out.Merge(o); err != nil {
			return nil, fmt.Errorf("sketch: Sum: list[%d]: %w", n+1, err)
		}
	}
	return out, nil
}

// RowEstimates writes the r single-row estimates s_j(i)·T[j, h_j(i)] of v_i into dst (grown
// as needed) and returns it.
func (s *CountSketch) RowEstimates(i int, dst []float64) ([]float64, error) {
	if i < 0 || i >= s.h.d {
		return nil, fmt.Errorf("%w: i = %d, want 0..%d", ErrInvalid, i, s.h.d-1)
	}
	dst = dst[:0]
	d, c := s.h.d, s.h.cols
	for j := 0; j < s.h.rows; j++ {
		b, neg := s.h.at(j*d + i)
		dst = append(dst, flip(s.table[j*c+b], neg))
	}
	return dst, nil
}

// Query returns the median over rows of the row estimates of v_i.
func (s *CountSketch) Query(i int) (float64, error) {
	if i < 0 || i >= s.h.d {
		return 0, fmt.Errorf("%w: i = %d, want 0..%d", ErrInvalid, i, s.h.d-1)
	}
	return s.query(i), nil
}

func (s *CountSketch) query(i int) float64 {
	h := s.h
	d, c := h.d, h.cols
	if h.rows == 5 {
		var e [5]float64
		for j := range e {
			b, neg := h.at(j*d + i)
			e[j] = flip(s.table[j*c+b], neg)
		}
		return med5(e[0], e[1], e[2], e[3], e[4])
	}
	var buf [MaxRows]float64
	est := buf[:h.rows]
	for j := range est {
		b, neg := h.at(j*d + i)
		est[j] = flip(s.table[j*c+b], neg)
	}
	return medianInPlace(est)
}

// QueryMany writes the estimates of the coordinates idx into dst (reused when its capacity
// suffices) and returns it; nothing is written if an index is out of range.
func (s *CountSketch) QueryMany(idx []int, dst []float64) ([]float64, error) {
	for t, i := range idx {
		if i < 0 || i >= s.h.d {
			return nil, fmt.Errorf("%w: idx[%d] = %d, want 0..%d", ErrInvalid, t, i, s.h.d-1)
		}
	}
	if cap(dst) < len(idx) {
		dst = make([]float64, len(idx))
	}
	dst = dst[:len(idx)]
	if s.h.rows != 5 {
		for t, i := range idx {
			dst[t] = s.query(i)
		}
		return dst, nil
	}
	// Five rows: gather a batch's table entries first, so their cache misses overlap, then
	// the table values, then the medians.
	const batch = 64
	var pos [5][batch]int
	var neg [5][batch]uint64
	var val [5][batch]float64
	h := s.h
	d, c := h.d, h.cols
	for lo := 0; lo < len(idx); lo += batch {
		part := idx[lo:min(lo+batch, len(idx))]
		for j := 0; j < 5; j++ {
			for t, i := range part {
				b, ng := h.at(j*d + i)
				pos[j][t], neg[j][t] = j*c+b, ng
			}
		}
		for j := 0; j < 5; j++ {
			for t := range part {
				val[j][t] = flip(s.table[pos[j][t]], neg[j][t])
			}
		}
		out := dst[lo : lo+len(part)]
		for t := range out {
			out[t] = med5(val[0][t], val[1][t], val[2][t], val[3][t], val[4][t])
		}
	}
	return dst, nil
}

// QueryAll returns the estimates of all d coordinates (the median of the row estimates,
// the mean of the two middle ones for an even number of rows). dst is reused when its
// capacity is at least d.
func (s *CountSketch) QueryAll(dst []float64) []float64 {
	d := s.h.d
	if cap(dst) < d {
		dst = make([]float64, d)
	}
	dst = dst[:d]
	chunks := (d + queryChunk - 1) / queryChunk
	parallelRanges(chunks, s.h.rows*d >= parallelMinWork, s.workers, func(lo, hi int) {
		buf := make([]float64, s.h.rows*queryChunk)
		for ch := lo; ch < hi; ch++ {
			a := ch * queryChunk
			b := min(a+queryChunk, d)
			s.queryRange(a, b, buf, dst)
		}
	})
	return dst
}

func (s *CountSketch) queryRange(a, b int, buf, dst []float64) {
	h := s.h
	d, c, r := h.d, h.cols, h.rows
	n := b - a
	for j := 0; j < r; j++ {
		row := s.table[j*c : (j+1)*c]
		g := buf[j*n : (j+1)*n]
		if h.p16 != nil {
			gather(g, row, h.p16[j*d+a:j*d+b], h.shift)
		} else {
			gather(g, row, h.p32[j*d+a:j*d+b], h.shift)
		}
	}
	out := dst[a:b]
	switch r {
	case 1:
		copy(out, buf[:n])
	case 3:
		r0, r1, r2 := buf[:n], buf[n:2*n], buf[2*n:3*n]
		for t := range out {
			out[t] = med3(r0[t], r1[t], r2[t])
		}
	case 5:
		r0, r1, r2, r3, r4 := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:4*n], buf[4*n:5*n]
		for t := range out {
			out[t] = med5(r0[t], r1[t], r2[t], r3[t], r4[t])
		}
	default:
		col := make([]float64, r)
		for t := range out {
			for j := 0; j < r; j++ {
				col[j] = buf[j*n+t]
			}
			out[t] = medianInPlace(col)
		}
	}
}

// L2Estimate returns sqrt(median_j Σ_b T[j,b]²), an estimate of ‖v‖₂ with per-row relative
// standard deviation about sqrt(2/cols) on the squared norm.
func (s *CountSketch) L2Estimate() float64 {
	c := s.h.cols
	sums := make([]float64, s.h.rows)
	for j := range sums {
		var acc float64
		for _, x := range s.table[j*c : (j+1)*c] {
			acc += x * x
		}
		sums[j] = acc
	}
	return math.Sqrt(medianInPlace(sums))
}

// TopK returns the indices of the k largest |QueryAll| estimates, sorted by |estimate|
// descending (ties go to the lower index). Valid k: 1..d.
func (s *CountSketch) TopK(k int) ([]int, error) {
	if k < 1 || k > s.h.d {
		return nil, fmt.Errorf("%w: k = %d, want 1..%d", ErrInvalid, k, s.h.d)
	}
	return TopKIndices(s.QueryAll(nil), k)
}

// HeavyHitters returns {i : est_i² ≥ phi·ℓ̂2²} sorted by |est| descending (ties: lower index).
// Valid phi: 0 < phi ≤ 1.
func (s *CountSketch) HeavyHitters(phi float64) ([]int, error) {
	if !(phi > 0 && phi <= 1) {
		return nil, fmt.Errorf("%w: phi = %v, want 0 < phi ≤ 1", ErrInvalid, phi)
	}
	est := s.QueryAll(nil)
	l2 := s.L2Estimate()
	thr := phi * l2 * l2
	var out []int
	for i, x := range est {
		if x*x >= thr {
			out = append(out, i)
		}
	}
	sortByMagnitude(out, est)
	return out, nil
}

// Unsketch returns the dense vector equal to the estimate on the k coordinates with the
// largest |estimate| and 0 elsewhere (CSVec's unSketch(k)). Valid k: 1..d.
func (s *CountSketch) Unsketch(k int) ([]float64, error) {
	if k < 1 || k > s.h.d {
		return nil, fmt.Errorf("%w: k = %d, want 1..%d", ErrInvalid, k, s.h.d)
	}
	est := s.QueryAll(nil)
	idx, err := TopKIndices(est, k)
	if err != nil {
		return nil, err
	}
	out := make([]float64, s.h.d)
	for _, i := range idx {
		out[i] = est[i]
	}
	return out, nil
}

// UnsketchThreshold returns the estimate on the coordinates with |est_i| ≥ eps·ℓ̂2 and 0
// elsewhere. Valid eps: eps > 0.
func (s *CountSketch) UnsketchThreshold(eps float64) ([]float64, error) {
	if !(eps > 0) || math.IsInf(eps, 1) {
		return nil, fmt.Errorf("%w: eps = %v, want a finite eps > 0", ErrInvalid, eps)
	}
	est := s.QueryAll(nil)
	thr := eps * s.L2Estimate()
	for i, x := range est {
		if math.Abs(x) < thr {
			est[i] = 0
		}
	}
	return est, nil
}

// HeavyMix performs steps 1–4 of Algorithm 1 (HEAVYMIX) of Ivkin et al.: with the estimates
// ĝ and ℓ̂2 of the sketch, heavy = {i : ĝ_i² ≥ ℓ̂2²/k} (the k largest if there are more than k,
// sorted by |ĝ| descending), and fill = k − |heavy| coordinates drawn uniformly without
// replacement from the rest (in draw order). The exact values on heavy ∪ fill come from a
// second round that the caller performs. Valid k: 1..d; rng must not be nil.
func (s *CountSketch) HeavyMix(k int, rng *rand.Rand) (heavy, fill []int, err error) {
	return s.heavyMix(k, rng, nil, nil)
}

func (s *CountSketch) heavyMix(k int, rng *rand.Rand, est []float64, sel *Selector) (heavy, fill []int, err error) {
	d := s.h.d
	if k < 1 || k > d {
		return nil, nil, fmt.Errorf("%w: k = %d, want 1..%d", ErrInvalid, k, d)
	}
	if rng == nil {
		return nil, nil, fmt.Errorf("%w: rng is nil, want a *rand.Rand", ErrInvalid)
	}
	est = s.QueryAll(est)
	l2 := s.L2Estimate()
	thr := l2 * l2 / float64(k)
	isHeavy := make([]bool, d)
	for i, x := range est {
		if x*x >= thr {
			heavy = append(heavy, i)
			isHeavy[i] = true
		}
	}
	if len(heavy) > k {
		if sel == nil {
			sel = &Selector{}
		}
		top := sel.TopK(est, k, nil)
		clear(isHeavy)
		for _, i := range top {
			isHeavy[i] = true
		}
		heavy = append(heavy[:0], top...)
	} else {
		sortByMagnitude(heavy, est)
	}
	l := k - len(heavy)
	if l == 0 {
		return heavy, nil, nil
	}
	rest := make([]int, 0, d-len(heavy))
	for i := 0; i < d; i++ {
		if !isHeavy[i] {
			rest = append(rest, i)
		}
	}
	for t := 0; t < l; t++ { // partial Fisher–Yates
		u := t + rng.IntN(len(rest)-t)
		rest[t], rest[u] = rest[u], rest[t]
	}
	return heavy, append([]int(nil), rest[:l]...), nil
}

// sortByMagnitude sorts idx by |v[i]| descending, ties by index ascending.
func sortByMagnitude(idx []int, v []float64) {
	sort.Slice(idx, func(a, b int) bool {
		x, y := key(v[idx[a]]), key(v[idx[b]])
		if x != y {
			return x > y
		}
		return idx[a] < idx[b]
	})
}
