package plotting_test

import (
	"fmt"
	"math"

	"github.com/gonote/gonote/plotting"
)

// A scaling-law chart: mean ± band over seeds on log-log axes with the
// predicted slope. In a notebook the figure is the cell's last expression.
func ExampleBand() {
	ns := []float64{10, 100, 1000, 10000}
	mean, lo, hi := make([]float64, 4), make([]float64, 4), make([]float64, 4)
	for i, n := range ns {
		mean[i] = 1 / math.Sqrt(n)
		lo[i], hi[i] = 0.8*mean[i], 1.2*mean[i]
	}
	fig := plotting.Band(ns, mean, lo, hi, "error").Slope(1, -0.5, "n^-1/2").LogLog().
		Labels("Error vs samples", "n", "error")
	b, err := fig.Bundle()
	fmt.Println(b.Text(), b.Metadata["image/png"], err)
	// Output: <chart 6×4in> map[height:384 width:576] <nil>
}

// Bad input does not panic: the first error is kept and reported.
func ExampleFigure_Err() {
	fig := plotting.Line([]float64{1, 2}, []float64{1, 2, 3}, "loss").LogY()
	fmt.Println(fig.Err())
	// Output: plotting: Line "loss": len(xs) = 2 but len(ys) = 3
}
