// Package sketch holds a Count Sketch (Charikar, Chen and Farach-Colton) built for
// communication-efficient distributed SGD: linear updates (dense, scaled and sparse),
// merging of sketches that share hash functions, point and bulk median queries, the
// ℓ2-norm estimate, top-k and ℓ2 heavy-hitter recovery, unsketching and the HEAVYMIX
// selection of Ivkin et al. (NeurIPS 2019). Hashes are the 2-wise (bucket) and 4-wise
// (sign) independent polynomial families modulo the Mersenne prime 2^61-1, computed with
// exact 128-bit products and tabulated once per (d, rows, cols, seed).
package sketch

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
)

// ErrIncompatible is returned (wrapped) when two sketches with different hash functions
// are merged: only sketches built on the same (d, rows, cols, seed) may be added.
var ErrIncompatible = errors.New("sketch: sketches have different hash functions")

// ErrInvalid is wrapped by every error about a bad parameter; the message names the
// parameter and its valid range.
var ErrInvalid = errors.New("sketch: invalid parameter")

const (
	p61 = 1<<61 - 1
	// hashStream is the PCG stream from which the hash coefficients are drawn.
	hashStream = 0x5ce7c4
	// MaxCols is the largest supported number of columns (buckets are packed in 31 bits).
	MaxCols = 1 << 30
	// narrowCols is the largest number of columns whose table entries fit a uint16 (15-bit
	// bucket and the sign bit), which halves the memory the hot loops stream.
	narrowCols = 1 << 15
	// MaxRows is the largest supported number of rows.
	MaxRows = 255
	// MaxDim is the largest supported dimension.
	MaxDim = 1 << 31
)

func mulmod61(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	r := (lo & p61) + (lo >> 61) + (hi << 3) // 2^64 = 8 (mod p)
	r = (r & p61) + (r >> 61)
	if r >= p61 {
		r -= p61
	}
	return r
}

func addmod61(a, b uint64) uint64 {
	r := a + b
	if r >= p61 {
		r -= p61
	}
	return r
}

// Hash is an immutable family of rows bucket and sign hashes for the indices 0..d-1.
// For row j with coefficients (a, b, c, e, f, g) drawn uniformly from [0, 2^61-1):
//
//	bucket_j(i) = ((a·i + b) mod p) mod cols
//	sign_j(i)   = +1 if (((c·i + e)·i + f)·i + g) mod p is odd, else -1
//
// The table packs each row's bucket and sign into one entry per coordinate: a uint16 (bucket in
// bits 0–14, sign in bit 15) when cols ≤ 2^15, else a uint32 (bucket in bits 0–30, sign in
// bit 31). A Hash is safe for concurrent use; share one among all sketches that will be merged.
type Hash struct {
	d, rows, cols int
	seed          uint64
	coef          [][6]uint64
	p16           []uint16 // rows*d, row-major, when cols ≤ narrowCols
	p32           []uint32 // rows*d, row-major, otherwise
	shift         uint     // position of the sign bit: 15 or 31
}

// NewHash tabulates the hash family for dimension d with the given rows and cols, drawn
// from seed. Valid ranges: 1 ≤ d ≤ 2^31, 1 ≤ rows ≤ 255, 1 ≤ cols ≤ 2^30. An odd number of
// rows makes the median a single row estimate.
func NewHash(d, rows, cols int, seed uint64) (*Hash, error) {
	if d < 1 || d > MaxDim {
		return nil, fmt.Errorf("%w: d = %d, want 1..%d", ErrInvalid, d, MaxDim)
	}
	if rows < 1 || rows > MaxRows {
		return nil, fmt.Errorf("%w: rows = %d, want 1..%d", ErrInvalid, rows, MaxRows)
	}
	if cols < 1 || cols > MaxCols {
		return nil, fmt.Errorf("%w: cols = %d, want 1..%d", ErrInvalid, cols, MaxCols)
	}
	h := &Hash{d: d, rows: rows, cols: cols, seed: seed, coef: make([][6]uint64, rows)}
	rng := rand.New(rand.NewPCG(seed, hashStream))
	for j := range h.coef {
		for q := range h.coef[j] {
			h.coef[j][q] = rng.Uint64N(p61)
		}
	}
	if cols <= narrowCols {
		h.shift, h.p16 = 15, make([]uint16, rows*d)
	} else {
		h.shift, h.p32 = 31, make([]uint32, rows*d)
	}
	parallelRanges(rows*d, rows*d >= 1<<15, 0, func(lo, hi int) {
		for pos := lo; pos < hi; pos++ {
			j, i := pos/d, pos%d
			b, neg := hashOne(h.coef[j], uint64(i), uint64(cols))
			if h.p16 != nil {
				h.p16[pos] = uint16(b) | uint16(neg)<<15
			} else {
				h.p32[pos] = uint32(b) | uint32(neg)<<31
			}
		}
	})
	return h, nil
}

// hashOne returns bucket_j(i) and 1 if sign_j(i) = −1 (the polynomial value is even), else 0.
func hashOne(c [6]uint64, i, cols uint64) (bucket uint64, neg uint64) {
	b := addmod61(mulmod61(c[0], i), c[1]) % cols
	s := addmod61(mulmod61(c[2], i), c[3])
	s = addmod61(mulmod61(s, i), c[4])
	s = addmod61(mulmod61(s, i), c[5])
	return b, 1 - s&1
}

// at returns the bucket of table position pos (row·d + i) and the sign as a float64 sign-bit
// mask (0 for +1, 1<<63 for −1).
func (h *Hash) at(pos int) (bucket int, neg uint64) {
	if h.p16 != nil {
		p := h.p16[pos]
		return int(p & (1<<15 - 1)), uint64(p>>15) << 63
	}
	p := h.p32[pos]
	return int(p & (1<<31 - 1)), uint64(p>>31) << 63
}

// Dim returns the dimension d of the hashed vectors.
func (h *Hash) Dim() int { return h.d }

// Rows returns the number of rows r.
func (h *Hash) Rows() int { return h.rows }

// Cols returns the number of columns (buckets per row) c.
func (h *Hash) Cols() int { return h.cols }

// Seed returns the seed the coefficients were drawn from.
func (h *Hash) Seed() uint64 { return h.seed }

// Bucket returns bucket_row(i) in 0..cols-1, or -1 if row or i is out of range.
func (h *Hash) Bucket(row, i int) int {
	if row < 0 || row >= h.rows || i < 0 || i >= h.d {
		return -1
	}
	b, _ := h.at(row*h.d + i)
	return b
}

// Sign returns sign_row(i) as ±1, or 0 if row or i is out of range.
func (h *Hash) Sign(row, i int) float64 {
	if row < 0 || row >= h.rows || i < 0 || i >= h.d {
		return 0
	}
	if _, neg := h.at(row*h.d + i); neg != 0 {
		return -1
	}
	return 1
}

// Compatible reports whether o describes the same hash functions (same d, rows, cols and seed).
func (h *Hash) Compatible(o *Hash) bool {
	if h == nil || o == nil {
		return false
	}
	return h == o || (h.d == o.d && h.rows == o.rows && h.cols == o.cols && h.seed == o.seed)
}

// String describes the family.
func (h *Hash) String() string {
	return fmt.Sprintf("sketch.Hash{d: %d, rows: %d, cols: %d, seed: %d}", h.d, h.rows, h.cols, h.seed)
}

// flip returns v with its sign flipped when neg is the float64 sign-bit mask.
func flip(v float64, neg uint64) float64 {
	return math.Float64frombits(math.Float64bits(v) ^ neg)
}

// parallelRanges splits [0, n) into contiguous chunks and runs fn on each, in goroutines when
// parallel is true and more than one processor is available. Each chunk is owned by exactly one
// call, so results never depend on scheduling. workers ≤ 0 means GOMAXPROCS.
func parallelRanges(n int, parallel bool, workers int, fn func(lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if !parallel || workers <= 1 || n < 2 {
		fn(0, n)
		return
	}
	if workers > n {
		workers = n
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
