package display_test

import (
	"fmt"
	"os"

	"github.com/gonote/gonote/display"
	"gonum.org/v1/gonum/mat"
)

// Outside a notebook (no sink installed, or a TextSink) every display
// prints its text/plain form.
func ExampleTable() {
	prev := display.SetSink(display.TextSink(os.Stdout))
	defer display.SetSink(prev)

	type run struct {
		Seed int
		Loss float64
	}
	_ = display.Table([]run{{1, 0.25}, {2, 1.0 / 3}})
	// Output:
	// 2 rows × 2 columns
	// Seed  Loss
	// 1     0.25
	// 2     0.333333
}

func ExampleRender() {
	b, rich := display.Render(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	fmt.Println(b.Text())
	_, hasHTML := b.Data[display.MIMEHTML]
	fmt.Println(rich, hasHTML)
	// Output:
	// *mat.Dense 2×2
	// ⎡1  2⎤
	// ⎣3  4⎦
	// true true
}
