package plotting

import (
	"flag"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "regenerate the golden images in testdata/")

// Tolerances of the golden-image comparison: font rasterisation and
// anti-aliasing may shift a few pixels between platforms, a changed chart
// moves many.
const (
	maxMeanDiff     = 0.5   // mean absolute difference per channel, of 255
	maxChangedShare = 0.001 // share of pixels whose largest channel difference exceeds changedLevel
	changedLevel    = 64
)

// goldenCharts are small charts covering the main chart types.
func goldenCharts() map[string]*Figure {
	xs, ys, lo, hi := powerLaw(40)
	steps := make([]float64, 200)
	train, val := make([]float64, 200), make([]float64, 200)
	for i := range steps {
		steps[i] = float64(i)
		train[i] = 2*math.Exp(-steps[i]/40) + 0.1
		val[i] = 2.2*math.Exp(-steps[i]/50) + 0.15 + 0.02*math.Sin(steps[i]/5)
	}
	heat := mat.NewDense(6, 8, nil)
	for i := range 6 {
		for j := range 8 {
			heat.Set(i, j, math.Sin(float64(i)/2)*math.Cos(float64(j)/3))
		}
	}
	return map[string]*Figure{
		"scaling": Band(xs, ys, lo, hi, "error ± CI").Slope(2, -0.5, "slope -1/2").LogLog().
			Labels("Error vs samples", "n", "error").Size(4, 3),
		"curves": Line(steps, train, "train").Line(steps, val, "val").Dashed().LogY().HLine(0.2, "target").
			Labels("Loss", "step", "loss").Size(4, 3),
		"bars": Bars([]string{"SGD", "Muon", "Adam"}, []float64{0.42, 0.71, 0.55}, []float64{0.03, 0.05, 0.04}, "d=64").
			Bars([]string{"SGD", "Muon", "Adam"}, []float64{0.38, 0.66, 0.5}, []float64{0.02, 0.04, 0.03}, "d=128").
			Labels("Capacity", "", "recall").Legend("top-left").Size(4, 3),
		"heatmap": Heatmap(heat).Labels("Weights", "column", "row").Size(4, 3),
	}
}

func TestGoldenCharts(t *testing.T) {
	for name, fig := range goldenCharts() {
		t.Run(name, func(t *testing.T) {
			raw, err := fig.RenderPNG()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".png")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./plotting -run Golden -update to create it)", err)
			}
			mean, changed, err := imageDiff(decode(t, want), decode(t, raw))
			if err != nil {
				t.Fatal(err)
			}
			if mean > maxMeanDiff || changed > maxChangedShare {
				t.Errorf("%s differs from the golden image: mean diff %.3f (max %.1f), changed pixels %.4f (max %.4f); if intended, rerun with -update",
					name, mean, maxMeanDiff, changed, maxChangedShare)
			}
		})
	}
}

// imageDiff compares two images of the same size: the mean absolute
// difference per channel (0..255) and the share of pixels whose largest
// channel difference exceeds changedLevel.
func imageDiff(a, b image.Image) (mean, changed float64, err error) {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 0, 0, errSize{a.Bounds().Size(), b.Bounds().Size()}
	}
	ra, rb := a.Bounds(), b.Bounds()
	var sum float64
	var nChanged int
	for y := 0; y < ra.Dy(); y++ {
		for x := 0; x < ra.Dx(); x++ {
			r1, g1, b1, _ := a.At(ra.Min.X+x, ra.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			d := []float64{absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2)}
			sum += d[0] + d[1] + d[2]
			if max(d[0], d[1], d[2]) > changedLevel {
				nChanged++
			}
		}
	}
	n := float64(ra.Dx() * ra.Dy())
	return sum / (3 * n), float64(nChanged) / n, nil
}

func absDiff(a, b uint32) float64 { return math.Abs(float64(a>>8) - float64(b>>8)) }

type errSize struct{ want, got image.Point }

func (e errSize) Error() string {
	return "image size " + e.got.String() + ", golden " + e.want.String()
}

// TestGoldenComparisonDetectsChanges makes sure the tolerance is not so
// loose that a different chart passes.
func TestGoldenComparisonDetectsChanges(t *testing.T) {
	xs, ys, lo, hi := powerLaw(40)
	base := Band(xs, ys, lo, hi, "error ± CI").Slope(2, -0.5, "slope -1/2").LogLog().Labels("Error vs samples", "n", "error").Size(4, 3)
	variants := map[string]*Figure{
		"steeper slope": Band(xs, ys, lo, hi, "error ± CI").Slope(2, -1, "slope -1/2").LogLog().Labels("Error vs samples", "n", "error").Size(4, 3),
		"linear axes":   Band(xs, ys, lo, hi, "error ± CI").Slope(2, -0.5, "slope -1/2").Labels("Error vs samples", "n", "error").Size(4, 3),
		"no band":       Line(xs, ys, "error ± CI").Slope(2, -0.5, "slope -1/2").LogLog().Labels("Error vs samples", "n", "error").Size(4, 3),
	}
	ref, err := base.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	same, err := base.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	if mean, changed, err := imageDiff(decode(t, ref), decode(t, same)); err != nil || mean != 0 || changed != 0 {
		t.Fatalf("rendering is not deterministic: mean %v changed %v err %v", mean, changed, err)
	}
	for name, fig := range variants {
		raw, err := fig.RenderPNG()
		if err != nil {
			t.Fatal(err)
		}
		mean, changed, err := imageDiff(decode(t, ref), decode(t, raw))
		if err != nil {
			t.Fatal(err)
		}
		if mean <= maxMeanDiff && changed <= maxChangedShare {
			t.Errorf("%s passes the golden tolerance (mean %.3f, changed %.4f)", name, mean, changed)
		}
	}
}
