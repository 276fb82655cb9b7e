package sketch

import "math"

// entry is a packed table entry: the bucket in the low bits and the sign bit at position
// shift (15 for uint16, 31 for uint32). The kernels below are instantiated once per width.
type entry interface{ ~uint16 | ~uint32 }

// signedBy returns v, negated when p's sign bit is set.
func signedBy[P entry](v float64, p P, shift uint) float64 {
	return math.Float64frombits(math.Float64bits(v) ^ uint64(p>>shift)<<63)
}

// addPair adds x (times a when scaled) into two rows at once, so x is read once for both.
func addPair[P entry](r0, r1 []float64, h0, h1 []P, x []float64, a float64, scaled bool, shift uint) {
	mask := P(1)<<shift - 1
	h0, h1 = h0[:len(x)], h1[:len(x)]
	if scaled {
		for i, xi := range x {
			p0, p1 := h0[i], h1[i]
			ax := a * xi
			r0[p0&mask] += signedBy(ax, p0, shift)
			r1[p1&mask] += signedBy(ax, p1, shift)
		}
		return
	}
	for i, xi := range x {
		p0, p1 := h0[i], h1[i]
		r0[p0&mask] += signedBy(xi, p0, shift)
		r1[p1&mask] += signedBy(xi, p1, shift)
	}
}

// addOne adds x (times a when scaled) into one row.
func addOne[P entry](row []float64, hp []P, x []float64, a float64, scaled bool, shift uint) {
	mask := P(1)<<shift - 1
	hp = hp[:len(x)]
	for i, xi := range x {
		p := hp[i]
		if scaled {
			xi *= a
		}
		row[p&mask] += signedBy(xi, p, shift)
	}
}

// gather writes the single-row estimates sign·row[bucket] of consecutive coordinates into g.
func gather[P entry](g, row []float64, hp []P, shift uint) {
	mask := P(1)<<shift - 1
	g = g[:len(hp)]
	for t, p := range hp {
		g[t] = signedBy(row[p&mask], p, shift)
	}
}
