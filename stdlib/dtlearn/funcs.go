package dtlearn

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Random streams of the constructors and checks (see the package doc).
const (
	streamDNF      = 0xD1F
	streamLTF      = 0x17F
	streamMonotone = 0x30A0
	streamEstimate = 0xE57
	streamSize     = 0x512E
)

// Func is a Boolean target f: {±1}^N → {±1}; Eval(x) true means f(x) = +1.
type Func interface {
	Eval(x uint64) bool
	N() int
	Name() string
}

type majority struct {
	n    int
	mask uint64
	k    int
	name string
}

func (f *majority) Eval(x uint64) bool { return 2*bits.OnesCount64(x&f.mask) >= f.k }
func (f *majority) N() int             { return f.n }
func (f *majority) Name() string       { return f.name }

// Majority is +1 iff at least half of the listed variables are +1 (ties,
// for an even count, go to +1). It needs 1 ≤ n ≤ 64 and distinct vars in
// [0, n). Its name is "maj<len(vars)>".
func Majority(n int, vars []int) (Func, error) {
	mask, err := varMask(n, vars)
	if err != nil {
		return nil, fmt.Errorf("dtlearn: Majority: %w", err)
	}
	return &majority{n: n, mask: mask, k: len(vars), name: "maj" + strconv.Itoa(len(vars))}, nil
}

type dnf struct {
	n     int
	terms []uint64
	name  string
}

func (f *dnf) Eval(x uint64) bool {
	for _, t := range f.terms {
		if x&t == t {
			return true
		}
	}
	return false
}
func (f *dnf) N() int       { return f.n }
func (f *dnf) Name() string { return f.name }

// Tribes is the OR of terms ANDs of width variables each; term j is the AND of
// x_{j·width} … x_{j·width+width−1}. It needs width ≥ 1, terms ≥ 1 and
// width·terms ≤ n ≤ 64. Its name is "tribes<width>x<terms>".
func Tribes(n, width, terms int) (Func, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: Tribes: %w", err)
	}
	if width < 1 || terms < 1 || width*terms > n {
		return nil, fmt.Errorf("dtlearn: Tribes: width = %d, terms = %d, want width ≥ 1, terms ≥ 1 and width·terms ≤ n = %d", width, terms, n)
	}
	f := &dnf{n: n, name: fmt.Sprintf("tribes%dx%d", width, terms)}
	for j := range terms {
		f.terms = append(f.terms, lowMask(width)<<uint(j*width))
	}
	return f, nil
}

// RandomMonotoneDNF is the OR of terms monotone terms, each the AND of width
// distinct variables drawn uniformly from [0, n) with
// rand.NewPCG(seed, 0xD1F). It needs 1 ≤ width ≤ n ≤ 64 and terms ≥ 1. Its
// name is "rdnf".
func RandomMonotoneDNF(n, width, terms int, seed uint64) (Func, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: RandomMonotoneDNF: %w", err)
	}
	if width < 1 || width > n {
		return nil, fmt.Errorf("dtlearn: RandomMonotoneDNF: width = %d, want 1 ≤ width ≤ n = %d", width, n)
	}
	if terms < 1 {
		return nil, fmt.Errorf("dtlearn: RandomMonotoneDNF: terms = %d, want ≥ 1", terms)
	}
	rng := rand.New(rand.NewPCG(seed, streamDNF))
	f := &dnf{n: n, name: "rdnf"}
	for range terms {
		var t uint64
		for _, i := range rng.Perm(n)[:width] {
			t |= 1 << uint(i)
		}
		f.terms = append(f.terms, t)
	}
	return f, nil
}

type ltf struct {
	n     int
	w     []float64
	theta float64
	name  string
}

func (f *ltf) Eval(x uint64) bool {
	s := 0.0
	for i, w := range f.w {
		if x>>uint(i)&1 == 1 {
			s += w
		} else {
			s -= w
		}
	}
	return s >= f.theta
}
func (f *ltf) N() int       { return f.n }
func (f *ltf) Name() string { return f.name }

// PositiveLTF is the linear threshold function f(x) = +1 ⇔ Σ_i w_i·x_i ≥ theta
// (monotone because every w_i ≥ 0). It needs 1 ≤ n ≤ 64, len(w) = n, finite
// w_i ≥ 0 and a finite theta. Its name is "ltf".
func PositiveLTF(n int, w []float64, theta float64) (Func, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: PositiveLTF: %w", err)
	}
	if len(w) != n {
		return nil, fmt.Errorf("dtlearn: PositiveLTF: len(w) = %d, want n = %d", len(w), n)
	}
	for i, wi := range w {
		if !(wi >= 0) || math.IsInf(wi, 0) {
			return nil, fmt.Errorf("dtlearn: PositiveLTF: w[%d] = %v, want a finite weight ≥ 0", i, wi)
		}
	}
	if math.IsNaN(theta) || math.IsInf(theta, 0) {
		return nil, fmt.Errorf("dtlearn: PositiveLTF: theta = %v, want a finite number", theta)
	}
	return &ltf{n: n, w: append([]float64(nil), w...), theta: theta, name: "ltf"}, nil
}

// RandomMonotoneLTF is PositiveLTF with w_i = |N(0,1)| drawn with
// rand.NewPCG(seed, 0x17F) and theta = 0. It needs 1 ≤ n ≤ 64. Its name is
// "rltf".
func RandomMonotoneLTF(n int, seed uint64) (Func, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: RandomMonotoneLTF: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, streamLTF))
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Abs(rng.NormFloat64())
	}
	return &ltf{n: n, w: w, theta: 0, name: "rltf"}, nil
}

type parity struct {
	n    int
	mask uint64
	name string
}

func (f *parity) Eval(x uint64) bool { return bits.OnesCount64(x&f.mask)%2 == 1 }
func (f *parity) N() int             { return f.n }
func (f *parity) Name() string       { return f.name }

// Parity is the XOR of the listed variables: +1 iff an odd number of them
// is +1. It is not monotone (for two or more variables); it shows why the
// paper assumes monotone targets, since every single-variable purity gain is
// zero. It needs 1 ≤ n ≤ 64 and distinct vars in [0, n). Its name is
// "xor(x0,x1,…)".
func Parity(n int, vars []int) (Func, error) {
	mask, err := varMask(n, vars)
	if err != nil {
		return nil, fmt.Errorf("dtlearn: Parity: %w", err)
	}
	names := make([]string, len(vars))
	for k, i := range vars {
		names[k] = "x" + strconv.Itoa(i)
	}
	return &parity{n: n, mask: mask, name: "xor(" + strings.Join(names, ",") + ")"}, nil
}

type funcOf struct {
	n    int
	name string
	eval func(uint64) bool
}

func (f *funcOf) Eval(x uint64) bool { return f.eval(x) }
func (f *funcOf) N() int             { return f.n }
func (f *funcOf) Name() string       { return f.name }

// NewFunc wraps eval as a Func on n variables named name. It needs
// 1 ≤ n ≤ 64 and a non-nil eval. The package never calls eval from two
// goroutines at once (Influences, ErrorCurves and Study run sequentially
// when a target comes from NewFunc), so eval may be a notebook closure.
func NewFunc(n int, name string, eval func(x uint64) bool) (Func, error) {
	if err := checkN(n); err != nil {
		return nil, fmt.Errorf("dtlearn: NewFunc: %w", err)
	}
	if eval == nil {
		return nil, fmt.Errorf("dtlearn: NewFunc: eval is nil")
	}
	return &funcOf{n: n, name: name, eval: eval}, nil
}

// Families returns the four monotone families of the spec's experiments
// (§2.5) on n variables: maj15 (Majority of x_0…x_14), tribes4x5,
// rdnf (RandomMonotoneDNF with 12 terms of width 3 and the given seed) and
// ltf (PositiveLTF with w_i = 1/(i+1), theta = 0). It needs 20 ≤ n ≤ 64.
func Families(n int, seed uint64) ([]Func, error) {
	if n < 20 || n > MaxN {
		return nil, fmt.Errorf("dtlearn: Families: n = %d, want 20 ≤ n ≤ %d (tribes4x5 uses 20 variables)", n, MaxN)
	}
	vars := make([]int, 15)
	for i := range vars {
		vars[i] = i
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(i+1)
	}
	maj, err := Majority(n, vars)
	if err != nil {
		return nil, err
	}
	tribes, err := Tribes(n, 4, 5)
	if err != nil {
		return nil, err
	}
	rdnf, err := RandomMonotoneDNF(n, 3, 12, seed)
	if err != nil {
		return nil, err
	}
	lt, err := PositiveLTF(n, w, 0)
	if err != nil {
		return nil, err
	}
	return []Func{maj, tribes, rdnf, lt}, nil
}

func varMask(n int, vars []int) (uint64, error) {
	if err := checkN(n); err != nil {
		return 0, err
	}
	if len(vars) == 0 {
		return 0, fmt.Errorf("vars is empty, want at least one variable")
	}
	var mask uint64
	for _, i := range vars {
		if i < 0 || i >= n {
			return 0, fmt.Errorf("variable %d out of range, want 0 ≤ i < n = %d", i, n)
		}
		if mask>>uint(i)&1 == 1 {
			return 0, fmt.Errorf("variable %d listed twice", i)
		}
		mask |= 1 << uint(i)
	}
	return mask, nil
}

// CheckMonotone tests monotonicity on trials random chains: each chain
// starts at a uniform point and sets its −1 coordinates to +1 one at a time
// in random order, and f must never drop from +1 to −1 along it
// (x ≤ y ⇒ f(x) ≤ f(y)). It reports false at the first violation. Draws use
// rand.NewPCG(seed, 0x30A0). It needs a non-nil f and trials ≥ 1.
func CheckMonotone(f Func, trials int, seed uint64) (bool, error) {
	if f == nil {
		return false, fmt.Errorf("dtlearn: CheckMonotone: f is nil")
	}
	if trials < 1 {
		return false, fmt.Errorf("dtlearn: CheckMonotone: trials = %d, want ≥ 1", trials)
	}
	n := f.N()
	if err := checkN(n); err != nil {
		return false, fmt.Errorf("dtlearn: CheckMonotone: f.N(): %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, streamMonotone))
	mask := lowMask(n)
	for range trials {
		x := rng.Uint64() & mask
		prev := f.Eval(x)
		for _, i := range rng.Perm(n) {
			if x>>uint(i)&1 == 1 {
				continue
			}
			x |= 1 << uint(i)
			cur := f.Eval(x)
			if prev && !cur {
				return false, nil
			}
			prev = cur
		}
	}
	return true, nil
}

// Influences returns, for each variable i, the empirical influence
// Pr_{x∈pts}[f(x) ≠ f(x ⊕ e_i)]. It needs a non-nil f and a non-empty pts
// with pts.N = f.N(). The work is split over two goroutines by variable
// (one goroutine for a NewFunc target).
func Influences(f Func, pts *Cube) ([]float64, error) {
	if f == nil {
		return nil, fmt.Errorf("dtlearn: Influences: f is nil")
	}
	if err := checkCube("pts", pts); err != nil {
		return nil, fmt.Errorf("dtlearn: Influences: %w", err)
	}
	if pts.N != f.N() {
		return nil, fmt.Errorf("dtlearn: Influences: pts.N = %d, want f.N() = %d", pts.N, f.N())
	}
	n := pts.N
	fx := make([]bool, len(pts.X))
	for j, x := range pts.X {
		fx[j] = f.Eval(x)
	}
	inf := make([]float64, n)
	count := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e := uint64(1) << uint(i)
			c := 0
			for j, x := range pts.X {
				if f.Eval(x^e) != fx[j] {
					c++
				}
			}
			inf[i] = float64(c) / float64(len(pts.X))
		}
	}
	if _, wrapped := f.(*funcOf); wrapped {
		count(0, n)
	} else {
		parallel2(n, count)
	}
	return inf, nil
}
