// Package robust holds robust and differentially private mean estimators:
// corruption models for synthetic data, the empirical mean, the coordinate-wise
// median and trimmed mean, the non-private spectral filter, private building
// blocks (DP range finding, clipping, the DP mean, a CoinPress-style
// estimator, the one-dimensional private median) and PRIME (Liu, Kong,
// Kakade, Oh, NeurIPS 2021) with its trace and privacy ledger, plus seeded
// experiment drivers that compare them.
//
// Data matrices are *mat.Dense, n×d, one sample per row. Every stochastic
// function takes an explicit *rand.Rand; bad parameters return errors that
// name the parameter and its valid range.
package robust

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// ErrParam is wrapped by every error about an invalid parameter.
var ErrParam = errors.New("robust: invalid parameter")

func paramErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrParam}, args...)...)
}

// CorruptionKind selects how the bad rows are drawn.
type CorruptionKind int

const (
	NoCorruption CorruptionKind = iota // every row is good
	ShiftAll                           // bad rows ~ N(μ + s·𝟙, I): the reference experiment
	RandDir                            // bad rows ~ N(μ + s·u, I), u a fixed random unit vector
	ShiftOne                           // bad rows ~ N(μ + s·e₁, I)
	PointMass                          // every bad row equals μ + s·e₁
)

var kindNames = [...]string{"none", "shiftall", "randdir", "shiftone", "pointmass"}

// String names the kind.
func (k CorruptionKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("CorruptionKind(%d)", int(k))
	}
	return kindNames[k]
}

// Corruption describes the contamination: the last ⌊Alpha·n⌋ rows are bad.
type Corruption struct {
	Kind    CorruptionKind
	Alpha   float64 // fraction of rows replaced, 0 ≤ Alpha < 0.5
	Shift   float64 // s, the size of the shift
	DirSeed uint64  // RandDir: u = N(0, I_d) from PCG(DirSeed, d), normalised
}

// Dataset is a sample with the ground truth of which rows are bad. The
// estimators never read Bad; it serves diagnostics only.
type Dataset struct {
	X   *mat.Dense
	Bad []bool
	Mu  []float64 // the true mean of the good distribution
}

// ShiftVector returns the shift of the bad rows' mean from μ for dimension d.
func (c Corruption) ShiftVector(d int) []float64 {
	v := make([]float64, d)
	switch c.Kind {
	case ShiftAll:
		for j := range v {
			v[j] = c.Shift
		}
	case RandDir:
		rng := rand.New(rand.NewPCG(c.DirSeed, uint64(d)))
		norm := 0.0
		for j := range v {
			v[j] = rng.NormFloat64()
			norm += v[j] * v[j]
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] *= c.Shift / norm
		}
	case ShiftOne, PointMass:
		v[0] = c.Shift
	}
	return v
}

func (c Corruption) validate() error {
	if c.Kind < NoCorruption || c.Kind > PointMass {
		return paramErr("corruption kind = %d, want one of NoCorruption..PointMass", int(c.Kind))
	}
	if math.IsNaN(c.Alpha) || c.Alpha < 0 || c.Alpha >= 0.5 {
		return paramErr("corruption alpha = %g, want 0 <= alpha < 0.5", c.Alpha)
	}
	if math.IsNaN(c.Shift) || math.IsInf(c.Shift, 0) {
		return paramErr("corruption shift = %g, want a finite number", c.Shift)
	}
	return nil
}

// NumBad is the number of bad rows, ⌊Alpha·n⌋ (0 for NoCorruption).
func (c Corruption) NumBad(n int) int {
	if c.Kind == NoCorruption {
		return 0
	}
	return int(c.Alpha * float64(n))
}

// Generate draws n rows in ℝ^d: good rows ~ N(mu, I) (mu = nil means 0) and
// the last ⌊αn⌋ rows from the corruption model. Rows are filled in order,
// coordinate by coordinate, from rng.
func Generate(rng *rand.Rand, n, d int, mu []float64, c Corruption) (*Dataset, error) {
	if n < 1 {
		return nil, paramErr("n = %d, want n >= 1", n)
	}
	if d < 1 {
		return nil, paramErr("d = %d, want d >= 1", d)
	}
	if mu != nil && len(mu) != d {
		return nil, paramErr("len(mu) = %d, want d = %d", len(mu), d)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	m := make([]float64, d)
	copy(m, mu)
	shift := c.ShiftVector(d)
	nb := c.NumBad(n)
	X := mat.NewDense(n, d, nil)
	raw := X.RawMatrix()
	bad := make([]bool, n)
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		isBad := i >= n-nb
		bad[i] = isBad
		switch {
		case isBad && c.Kind == PointMass:
			for j := range row {
				row[j] = m[j] + shift[j]
			}
		case isBad:
			for j := range row {
				row[j] = m[j] + shift[j] + rng.NormFloat64()
			}
		default:
			for j := range row {
				row[j] = m[j] + rng.NormFloat64()
			}
		}
	}
	return &Dataset{X: X, Bad: bad, Mu: m}, nil
}

// Error is the ℓ2 distance ‖est − mu‖.
func Error(est, mu []float64) float64 {
	s := 0.0
	for j := range est {
		var m float64
		if mu != nil {
			m = mu[j]
		}
		s += (est[j] - m) * (est[j] - m)
	}
	return math.Sqrt(s)
}

func checkData(X *mat.Dense) (n, d int, err error) {
	if X == nil {
		return 0, 0, paramErr("X is nil, want an n×d matrix")
	}
	n, d = X.Dims()
	if n < 1 || d < 1 {
		return 0, 0, paramErr("X is %d×%d, want at least 1×1", n, d)
	}
	raw := X.RawMatrix()
	for i := 0; i < n; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+d] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, paramErr("X[%d, %d] = %g, want finite data", i, j, v)
			}
		}
	}
	return n, d, nil
}
