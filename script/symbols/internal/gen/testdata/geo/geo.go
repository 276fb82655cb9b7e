// Package geo is a fixture for the documentation extractor.
package geo

import "io"

// Unit is a length unit.
type Unit int

// Units.
const (
	Metre Unit = iota // Metre is the SI unit.
	Foot
	inch
)

// Big is a value too long to be stored verbatim.
var Big = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100}

// Point is a point.
type Point struct {
	// X is the abscissa.
	X, Y      float64
	io.Reader // embedded
	hidden    int
}

// NewPoint makes a point.
func NewPoint(x, y float64) Point { return Point{X: x, Y: y} }

// Norm is the length.
func (p Point) Norm() float64 { return p.X }

func (p Point) secret() {}

// Shape has an area.
type Shape interface {
	// Area is the area.
	Area() float64
	private()
}

// Map applies f.
func Map[T any](xs []T, f func(T) T) []T { return xs }

// Pair is generic.
type Pair[K comparable, V any] struct {
	K K
	V V
}
