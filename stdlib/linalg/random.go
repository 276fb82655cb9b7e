package linalg

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// GaussianMatrix returns an r×c matrix of iid N(0, std²) entries drawn from rng
// in row-major order (row 0 left to right, then row 1, ...), so a seed
// determines the matrix.
func GaussianMatrix(r, c int, std float64, rng *rand.Rand) (*mat.Dense, error) {
	if r <= 0 || c <= 0 {
		return nil, fmt.Errorf("linalg: GaussianMatrix: r = %d, c = %d, both must be >= 1", r, c)
	}
	if std < 0 {
		return nil, fmt.Errorf("linalg: GaussianMatrix: std = %g, must be >= 0", std)
	}
	if rng == nil {
		return nil, fmt.Errorf("linalg: GaussianMatrix: rng %w", errNil)
	}
	data := make([]float64, r*c)
	for i := range data {
		data[i] = std * rng.NormFloat64()
	}
	return mat.NewDense(r, c, data), nil
}

// RandomOrthogonal returns a Haar-distributed n×n orthogonal matrix: the Q
// factor of the QR decomposition of a Gaussian matrix (GaussianMatrix order),
// with columns multiplied by the signs of R's diagonal.
func RandomOrthogonal(n int, rng *rand.Rand) (*mat.Dense, error) {
	if n <= 0 {
		return nil, fmt.Errorf("linalg: RandomOrthogonal: n = %d, must be >= 1", n)
	}
	g, err := GaussianMatrix(n, n, 1, rng)
	if err != nil {
		return nil, fmt.Errorf("linalg: RandomOrthogonal: %w", err)
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := 0; j < n; j++ {
		if r.At(j, j) < 0 {
			for i := 0; i < n; i++ {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q, nil
}
