package plotting

import "gonum.org/v1/gonum/mat"

// One-call constructors: each starts a new Figure with one series, to be
// continued with the Figure methods.

// Line returns a new figure with a line through (xs[i], ys[i]).
func Line(xs, ys []float64, label string) *Figure { return New().Line(xs, ys, label) }

// Scatter returns a new figure with points (xs[i], ys[i]).
func Scatter(xs, ys []float64, label string) *Figure { return New().Scatter(xs, ys, label) }

// Band returns a new figure with a mean line and a lo..hi band.
func Band(xs, mean, lo, hi []float64, label string) *Figure {
	return New().Band(xs, mean, lo, hi, label)
}

// Hist returns a new figure with a histogram of values.
func Hist(values []float64, bins int, label string) *Figure { return New().Hist(values, bins, label) }

// Bars returns a new figure with a bar chart (errs may be nil).
func Bars(categories []string, heights, errs []float64, label string) *Figure {
	return New().Bars(categories, heights, errs, label)
}

// Heatmap returns a new figure showing m with a colour bar.
func Heatmap(m mat.Matrix) *Figure { return New().Heatmap(m) }
