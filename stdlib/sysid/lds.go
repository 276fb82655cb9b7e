package sysid

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// LDS is the linear dynamical system x_{t+1} = A x_t + w_t with
// w_t ~ N(0, Σ_w) iid. It is immutable after NewLDS and safe for concurrent
// use; the stationary covariance is computed once when A is stable.
type LDS struct {
	Name   string
	A      *mat.Dense
	SigmaW *mat.SymDense

	n        int
	aRows    rowOp   // A, for the simulation loop
	noiseOp  rowOp   // Cholesky factor of Σ_w, for the simulation loop
	rho      float64 // spectral radius of A
	gamma    *mat.SymDense
	gammaInv *mat.SymDense
	gammaOp  rowOp // Cholesky factor of Γ_∞
}

// NewLDS checks A (square) and Σ_w (n×n, positive definite) and returns the
// system. When ρ(A) < 1 it also solves for the stationary covariance Γ_∞.
func NewLDS(name string, a mat.Matrix, sigmaW mat.Symmetric) (*LDS, error) {
	if a == nil {
		return nil, fmt.Errorf("sysid: NewLDS: A is nil")
	}
	if sigmaW == nil {
		return nil, fmt.Errorf("sysid: NewLDS: sigmaW is nil")
	}
	n, c := a.Dims()
	if n != c {
		return nil, fmt.Errorf("sysid: NewLDS: A must be square, got %d×%d", n, c)
	}
	if sigmaW.SymmetricDim() != n {
		return nil, fmt.Errorf("sysid: NewLDS: sigmaW is %d×%d, must match A (%d×%d)", sigmaW.SymmetricDim(), sigmaW.SymmetricDim(), n, n)
	}
	s := &LDS{Name: name, A: mat.DenseCopyOf(a), SigmaW: mat.NewSymDense(n, nil), n: n}
	s.SigmaW.CopySym(sigmaW)
	noiseL, err := cholRaw(s.SigmaW)
	if err != nil {
		return nil, fmt.Errorf("sysid: NewLDS: sigmaW must be positive definite: %w", err)
	}
	s.aRows = newRowOp(append([]float64(nil), s.A.RawMatrix().Data...), n)
	s.noiseOp = newRowOp(noiseL, n)
	if s.rho, err = linalg.SpectralRadius(s.A); err != nil {
		return nil, fmt.Errorf("sysid: NewLDS: %w", err)
	}
	if s.rho < 1 {
		if s.gamma, err = linalg.Lyapunov(s.A, s.SigmaW); err != nil {
			return nil, fmt.Errorf("sysid: NewLDS: stationary covariance: %w", err)
		}
		if s.gammaInv, err = linalg.InvPD(s.gamma); err != nil {
			return nil, fmt.Errorf("sysid: NewLDS: stationary covariance: %w", err)
		}
		gammaL, err := cholRaw(s.gamma)
		if err != nil {
			return nil, fmt.Errorf("sysid: NewLDS: stationary covariance: %w", err)
		}
		s.gammaOp = newRowOp(gammaL, n)
	}
	return s, nil
}

// cholRaw returns the lower Cholesky factor of s as a row-major slice.
func cholRaw(s mat.Symmetric) ([]float64, error) {
	var ch mat.Cholesky
	if !ch.Factorize(s) {
		return nil, fmt.Errorf("Cholesky factorization failed (matrix not positive definite)")
	}
	var l mat.TriDense
	ch.LTo(&l)
	n := s.SymmetricDim()
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			out[i*n+j] = l.At(i, j)
		}
	}
	return out, nil
}

// Dim returns the state dimension n.
func (s *LDS) Dim() int { return s.n }

// SpectralRadius returns ρ(A).
func (s *LDS) SpectralRadius() float64 { return s.rho }

// Stable reports whether ρ(A) < 1.
func (s *LDS) Stable() bool { return s.gamma != nil }

// MixingTime returns 1/(1 − ρ(A)), or +Inf when ρ(A) ≥ 1.
func (s *LDS) MixingTime() float64 {
	if s.rho >= 1 {
		return math.Inf(1)
	}
	return 1 / (1 - s.rho)
}

// StationaryCov returns a copy of Γ_∞ = Σ_k A^k Σ_w (Aᵀ)^k, the solution of
// Γ = AΓAᵀ + Σ_w; it fails for an unstable A.
func (s *LDS) StationaryCov() (*mat.SymDense, error) {
	if s.gamma == nil {
		return nil, fmt.Errorf("sysid: StationaryCov: %s: A must be stable, got spectral radius %g >= 1", s.Name, s.rho)
	}
	out := mat.NewSymDense(s.n, nil)
	out.CopySym(s.gamma)
	return out, nil
}

// AvgGramian returns Γ̄_τ = (1/τ) Σ_{t<τ} Γ_t with Γ_0 = Σ_0 and
// Γ_{t+1} = AΓ_tAᵀ + Σ_w; sigma0 = nil means x_0 = 0. tau must be ≥ 1.
func (s *LDS) AvgGramian(tau int, sigma0 mat.Symmetric) (*mat.SymDense, error) {
	if tau < 1 {
		return nil, fmt.Errorf("sysid: AvgGramian: tau = %d, must be >= 1", tau)
	}
	g := mat.NewDense(s.n, s.n, nil)
	if sigma0 != nil {
		if sigma0.SymmetricDim() != s.n {
			return nil, fmt.Errorf("sysid: AvgGramian: sigma0 is %d×%d, must be %d×%d", sigma0.SymmetricDim(), sigma0.SymmetricDim(), s.n, s.n)
		}
		g.Copy(sigma0)
	}
	sum := mat.NewDense(s.n, s.n, nil)
	var tmp mat.Dense
	for t := 0; t < tau; t++ {
		sum.Add(sum, g)
		tmp.Mul(s.A, g)
		g.Mul(&tmp, s.A.T())
		g.Add(g, s.SigmaW)
	}
	sum.Scale(1/float64(tau), sum)
	out, err := linalg.Symmetrize(sum)
	if err != nil {
		return nil, fmt.Errorf("sysid: AvgGramian: %w", err)
	}
	return out, nil
}

// SampleStationary draws x ~ N(0, Γ_∞); it fails for an unstable A.
func (s *LDS) SampleStationary(rng *rand.Rand) ([]float64, error) {
	if s.gamma == nil {
		return nil, fmt.Errorf("sysid: SampleStationary: %s: A must be stable, got spectral radius %g >= 1", s.Name, s.rho)
	}
	if rng == nil {
		return nil, fmt.Errorf("sysid: SampleStationary: rng is nil")
	}
	x := make([]float64, s.n)
	s.gaussian(s.gammaOp, x, make([]float64, s.n), rng)
	return x, nil
}

// gaussian writes L·z into out for a fresh standard normal vector z
// (drawn into buf in index order).
func (s *LDS) gaussian(l rowOp, out, buf []float64, rng *rand.Rand) {
	for i := range buf {
		buf[i] = rng.NormFloat64()
	}
	l.apply(out, buf, nil)
}

// rowOp is a matrix prepared for repeated matrix–vector products in the
// simulation loops: dense (one BLAS gemv per product, gonum's assembly
// kernels), or only the nonzeros of each row when fewer than half the
// entries are nonzero (diagonal systems are common). Skipping exact zeros
// does not change any floating-point sum.
type rowOp struct {
	n      int
	dense  blas64.General // when not sparse
	start  []int          // row i's nonzeros are idx/val[start[i]:start[i+1]]
	idx    []int
	val    []float64
	sparse bool
}

func newRowOp(m []float64, n int) rowOp {
	nnz := 0
	for _, v := range m {
		if v != 0 {
			nnz++
		}
	}
	if 2*nnz >= n*n {
		return rowOp{n: n, dense: blas64.General{Rows: n, Cols: n, Stride: n, Data: m}}
	}
	op := rowOp{n: n, sparse: true, start: make([]int, n+1)}
	for i := 0; i < n; i++ {
		for j, v := range m[i*n : (i+1)*n] {
			if v != 0 {
				op.idx = append(op.idx, j)
				op.val = append(op.val, v)
			}
		}
		op.start[i+1] = len(op.idx)
	}
	return op
}

// apply sets out = M·x + add (add may be nil); out must not alias x.
func (op rowOp) apply(out, x, add []float64) {
	n := op.n
	if !op.sparse {
		beta := 0.0
		if add != nil {
			copy(out, add)
			beta = 1
		}
		blas64.Gemv(blas.NoTrans, 1, op.dense, blas64.Vector{N: n, Inc: 1, Data: x}, beta, blas64.Vector{N: n, Inc: 1, Data: out})
		return
	}
	for i := 0; i < n; i++ {
		v := 0.0
		if add != nil {
			v = add[i]
		}
		for k := op.start[i]; k < op.start[i+1]; k++ {
			v += op.val[k] * x[op.idx[k]]
		}
		out[i] = v
	}
}

// Start selects the initial state of a simulated trajectory.
type Start int

const (
	// Zero starts at x_0 = 0.
	Zero Start = iota
	// Stationary draws x_0 ~ N(0, Γ_∞) (needs a stable A).
	Stationary
)

// Simulate returns a trajectory x_0..x_T as a (T+1)×n matrix (row t = x_tᵀ)
// from the given x0 (nil means 0). Random draws: for each t, n standard
// normals for w_t in index order.
func (s *LDS) Simulate(T int, x0 []float64, rng *rand.Rand) (*mat.Dense, error) {
	x, _, err := s.simulate("Simulate", T, x0, rng, false)
	return x, err
}

// SimulateWithNoise is Simulate that also returns the noise w_0..w_{T−1} as a
// T×n matrix (row t = w_tᵀ), as Decompose needs.
func (s *LDS) SimulateWithNoise(T int, x0 []float64, rng *rand.Rand) (X, W *mat.Dense, err error) {
	return s.simulate("SimulateWithNoise", T, x0, rng, true)
}

// SimulateFrom is Simulate with the initial state chosen by start; with
// Stationary, x_0 is drawn first from the same generator.
func (s *LDS) SimulateFrom(T int, start Start, rng *rand.Rand) (*mat.Dense, error) {
	x0, err := s.initial("SimulateFrom", start, rng)
	if err != nil {
		return nil, err
	}
	return s.Simulate(T, x0, rng)
}

func (s *LDS) initial(op string, start Start, rng *rand.Rand) ([]float64, error) {
	switch start {
	case Zero:
		return nil, nil
	case Stationary:
		x0, err := s.SampleStationary(rng)
		if err != nil {
			return nil, fmt.Errorf("sysid: %s: %w", op, err)
		}
		return x0, nil
	default:
		return nil, fmt.Errorf("sysid: %s: start = %d, must be Zero or Stationary", op, start)
	}
}

func (s *LDS) simulate(op string, T int, x0 []float64, rng *rand.Rand, keepNoise bool) (*mat.Dense, *mat.Dense, error) {
	n := s.n
	if T < 1 {
		return nil, nil, fmt.Errorf("sysid: %s: T = %d, must be >= 1", op, T)
	}
	if rng == nil {
		return nil, nil, fmt.Errorf("sysid: %s: rng is nil", op)
	}
	if x0 != nil && len(x0) != n {
		return nil, nil, fmt.Errorf("sysid: %s: len(x0) = %d, must be n = %d", op, len(x0), n)
	}
	xs := make([]float64, (T+1)*n)
	copy(xs, x0)
	var ws []float64
	if keepNoise {
		ws = make([]float64, T*n)
	}
	w := make([]float64, n)
	buf := make([]float64, n)
	for t := 0; t < T; t++ {
		s.gaussian(s.noiseOp, w, buf, rng)
		s.aRows.apply(xs[(t+1)*n:(t+2)*n], xs[t*n:(t+1)*n], w)
		if keepNoise {
			copy(ws[t*n:(t+1)*n], w)
		}
	}
	X := mat.NewDense(T+1, n, xs)
	if !keepNoise {
		return X, nil, nil
	}
	return X, mat.NewDense(T, n, ws), nil
}
