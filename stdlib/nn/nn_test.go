package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randDense(rng *rand.Rand, r, c int, scale float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i, d := 0, m.RawMatrix().Data; i < len(d); i++ {
		d[i] = scale * rng.NormFloat64()
	}
	return m
}

func randProbs(rng *rand.Rand, r, c int) *mat.Dense {
	p, _ := SoftmaxRows(randDense(rng, r, c, 1.5), 1)
	return p
}

// TestLossGradients is check A1 for the losses: central differences agree
// with the analytic gradients w.r.t. the logits.
func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	z := randDense(rng, 6, 5, 2)
	other := randDense(rng, 6, 5, 2)
	target := randProbs(rng, 6, 5)
	labels := []int{0, 4, 2, 2, 1, 3}
	type lossFn func(z *mat.Dense) (float64, *mat.Dense)
	tests := []struct {
		name string
		f    lossFn
	}{
		{"CrossEntropy", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := CrossEntropy(z, labels); return l, g }},
		{"SoftTargetCE", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := SoftTargetCE(z, target); return l, g }},
		{"KLDistill/student τ=1", func(z *mat.Dense) (float64, *mat.Dense) { l, _, g, _ := KLDistill(other, z, 1); return l, g }},
		{"KLDistill/teacher τ=1", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _, _ := KLDistill(z, other, 1); return l, g }},
		{"KLDistill/student τ=4", func(z *mat.Dense) (float64, *mat.Dense) { l, _, g, _ := KLDistill(other, z, 4); return l, g }},
		{"KLDistill/teacher τ=4", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _, _ := KLDistill(z, other, 4); return l, g }},
		{"Entropy", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := Entropy(z); return l, g }},
		{"NegEntropyOfMean/ln", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := NegEntropyOfMean(z, false); return l, g }},
		{"NegEntropyOfMean/log2", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := NegEntropyOfMean(z, true); return l, g }},
		{"BCEWithLogits/0", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := BCEWithLogits(z, 0, 3); return l, g }},
		{"BCEWithLogits/1", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := BCEWithLogits(z, 1, 3); return l, g }},
		{"BCEWithLogits/0.3", func(z *mat.Dense) (float64, *mat.Dense) { l, g, _ := BCEWithLogits(z, 0.3, 7); return l, g }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := mat.DenseCopyOf(z)
			_, g := tt.f(x)
			w := x.RawMatrix().Data
			rel, err := GradCheck(func() float64 { l, _ := tt.f(x); return l }, w, g.RawMatrix().Data, 1e-5, 50, 3)
			if err != nil {
				t.Fatal(err)
			}
			if rel > 1e-5 {
				t.Errorf("max relative error %.3g > 1e-5", rel)
			}
		})
	}
}

// TestLossValues checks closed-form values.
func TestLossValues(t *testing.T) {
	zero := mat.NewDense(3, 4, nil)
	peaked := mat.NewDense(1, 2, []float64{0, math.Log(3)}) // p = (1/4, 3/4)
	ln4 := math.Log(4)
	tests := []struct {
		name string
		got  func() (float64, error)
		want float64
	}{
		{"CE of zero logits is log C", func() (float64, error) { l, _, err := CrossEntropy(zero, []int{0, 1, 3}); return l, err }, ln4},
		{"CE of peaked row", func() (float64, error) { l, _, err := CrossEntropy(peaked, []int{0}); return l, err }, math.Log(4)},
		{"KL of equal logits is 0", func() (float64, error) { l, _, _, err := KLDistill(peaked, peaked, 2); return l, err }, 0},
		{"KL closed form", func() (float64, error) {
			l, _, _, err := KLDistill(peaked, mat.NewDense(1, 2, nil), 1)
			return l, err
		}, 0.25*math.Log(0.5) + 0.75*math.Log(1.5)},
		{"entropy of zero logits is log C", func() (float64, error) { l, _, err := Entropy(zero); return l, err }, ln4},
		{"entropy of (1/4,3/4)", func() (float64, error) { l, _, err := Entropy(peaked); return l, err }, -(0.25*math.Log(0.25) + 0.75*math.Log(0.75))},
		{"neg entropy of uniform mean, ln", func() (float64, error) { l, _, err := NegEntropyOfMean(zero, false); return l, err }, -ln4},
		{"neg entropy of uniform mean, log2", func() (float64, error) { l, _, err := NegEntropyOfMean(zero, true); return l, err }, -2},
		{"neg entropy with an underflowed class is finite", func() (float64, error) {
			l, g, err := NegEntropyOfMean(mat.NewDense(2, 2, []float64{0, -2000, 0, -2000}), false)
			if err == nil && math.IsNaN(mat.Sum(g)) {
				return math.NaN(), nil
			}
			return l, err
		}, 0},
		{"BCE at 0 is log 2 per entry", func() (float64, error) { l, _, err := BCEWithLogits(zero, 1, 12); return l, err }, math.Ln2},
		{"BCE large logit is stable", func() (float64, error) {
			l, _, err := BCEWithLogits(mat.NewDense(1, 1, []float64{-800}), 1, 1)
			return l, err
		}, 800},
		{"soft CE with uniform target", func() (float64, error) {
			u := mat.NewDense(3, 4, []float64{.25, .25, .25, .25, .25, .25, .25, .25, .25, .25, .25, .25})
			l, _, err := SoftTargetCE(zero, u)
			return l, err
		}, ln4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > 1e-12*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("got %.15g, want %.15g", got, tt.want)
			}
		})
	}
}

// TestMLPGradients is check A1 for back-propagation: parameter and input
// gradients of a random linear functional of the outputs, per activation.
func TestMLPGradients(t *testing.T) {
	for _, act := range []Act{ReLU, LeakyReLU, Tanh, Identity} {
		t.Run(act.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(act)))
			m, err := NewMLP(rng, []int{5, 7, 6, 3}, act, 0.2)
			if err != nil {
				t.Fatal(err)
			}
			x := randDense(rng, 4, 5, 1)
			r := randDense(rng, 4, 3, 1)
			loss := func() float64 {
				y, err := m.Predict(x)
				if err != nil {
					t.Fatal(err)
				}
				return mat.Sum(elemMul(y, r))
			}
			if _, err := m.Forward(x); err != nil {
				t.Fatal(err)
			}
			m.ZeroGrad()
			dx, err := m.Backward(r, true)
			if err != nil {
				t.Fatal(err)
			}
			dxCopy := mat.DenseCopyOf(dx)
			w, g := m.Params()
			for i := range w {
				rel, err := GradCheck(loss, w[i], g[i], 1e-6, 50, uint64(i))
				if err != nil {
					t.Fatal(err)
				}
				if rel > 1e-5 {
					t.Errorf("parameter block %d: max relative error %.3g > 1e-5", i, rel)
				}
			}
			rel, err := GradCheck(loss, x.RawMatrix().Data, dxCopy.RawMatrix().Data, 1e-6, 50, 99)
			if err != nil {
				t.Fatal(err)
			}
			if rel > 1e-5 {
				t.Errorf("input gradient: max relative error %.3g > 1e-5", rel)
			}
		})
	}
}

func elemMul(a, b *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.MulElem(a, b)
	return &c
}

func TestBackwardAccumulateAndFrozen(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, _ := NewMLP(rng, []int{3, 4, 2}, Tanh, 0)
	x := randDense(rng, 5, 3, 1)
	dy := randDense(rng, 5, 2, 1)
	m.Forward(x)
	m.ZeroGrad()
	m.Backward(dy, true)
	once := append([]float64(nil), m.Layers[0].GW.RawMatrix().Data...)
	m.Backward(dy, true)
	for i, v := range m.Layers[0].GW.RawMatrix().Data {
		if math.Abs(v-2*once[i]) > 1e-12 {
			t.Fatalf("accumulate: GW[%d] = %v, want twice %v", i, v, once[i])
		}
	}
	m.ZeroGrad()
	dx1, _ := m.Backward(dy, false)
	dx1c := mat.DenseCopyOf(dx1)
	for _, l := range m.Layers {
		if mat.Sum(l.GW) != 0 || l.GB[0] != 0 {
			t.Fatal("Backward without accumulate changed the gradients")
		}
	}
	dx2, _ := m.Backward(dy, true)
	if !mat.Equal(dx1c, dx2) {
		t.Error("input gradient depends on accumulate")
	}
	full := append([]float64(nil), m.Layers[0].GW.RawMatrix().Data...)
	m.ZeroGrad()
	if err := m.BackwardParams(dy); err != nil {
		t.Fatal(err)
	}
	for i, v := range m.Layers[0].GW.RawMatrix().Data {
		if v != full[i] {
			t.Fatalf("BackwardParams: GW[%d] = %v, Backward gives %v", i, v, full[i])
		}
	}
}

func TestPredictMatchesForwardAndIsDeterministic(t *testing.T) {
	a, _ := NewMLP(rand.New(rand.NewPCG(5, 0)), []int{4, 8, 3}, ReLU, 0)
	b, _ := NewMLP(rand.New(rand.NewPCG(5, 0)), []int{4, 8, 3}, ReLU, 0)
	c := a.Clone()
	x := randDense(rand.New(rand.NewPCG(6, 0)), 10, 4, 1)
	ya, _ := a.Forward(x)
	yp, _ := a.Predict(x)
	yb, _ := b.Predict(x)
	yc, _ := c.Predict(x)
	if !mat.Equal(ya, yp) || !mat.Equal(yp, yb) || !mat.Equal(yp, yc) {
		t.Fatal("Forward, Predict, a same-seed network and a clone disagree")
	}
	c.Layers[0].W.Set(0, 0, 42)
	if a.Layers[0].W.At(0, 0) == 42 {
		t.Fatal("Clone shares weights")
	}
	if a.NumParams() != 4*8+8+8*3+3 {
		t.Errorf("NumParams = %d", a.NumParams())
	}
}

func TestOptimizerFirstSteps(t *testing.T) {
	newNet := func() *MLP {
		m, _ := NewMLP(rand.New(rand.NewPCG(3, 0)), []int{2, 2}, Identity, 0)
		m.Layers[0].GW.Set(0, 0, 0.5)
		m.Layers[0].GW.Set(1, 1, -2)
		m.Layers[0].GB[1] = 1e-3
		return m
	}
	t.Run("Adam moves by lr·sign(g) on the first step", func(t *testing.T) {
		m := newNet()
		w0 := mat.DenseCopyOf(m.Layers[0].W)
		opt, err := NewAdam(0.01, 0.9, 0.999, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(m); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			i, j int
			want float64
		}{{0, 0, -0.01}, {1, 1, 0.01}, {0, 1, 0}} {
			got := m.Layers[0].W.At(c.i, c.j) - w0.At(c.i, c.j)
			if math.Abs(got-c.want) > 1e-9 {
				t.Errorf("W[%d,%d] moved %v, want %v", c.i, c.j, got, c.want)
			}
		}
		if got := m.Layers[0].B[1]; math.Abs(got+0.01) > 1e-7 {
			t.Errorf("bias moved to %v, want −0.01", got)
		}
	})
	t.Run("SGD with weight decay", func(t *testing.T) {
		m := newNet()
		w00 := m.Layers[0].W.At(0, 0)
		opt, err := NewSGD(0.1, 0.9, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		opt.Step(m)
		want := w00 - 0.1*(0.5+0.01*w00)
		if got := m.Layers[0].W.At(0, 0); math.Abs(got-want) > 1e-15 {
			t.Errorf("W[0,0] = %v, want %v", got, want)
		}
		v1 := 0.5 + 0.01*w00
		w1 := want
		opt.Step(m) // same gradient: momentum doubles up
		want2 := w1 - 0.1*(0.9*v1+0.5+0.01*w1)
		if got := m.Layers[0].W.At(0, 0); math.Abs(got-want2) > 1e-15 {
			t.Errorf("second step W[0,0] = %v, want %v", got, want2)
		}
	})
}

func TestAdamFitsLinearRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	m, _ := NewMLP(rng, []int{3, 1}, Identity, 0)
	x := randDense(rng, 64, 3, 1)
	truth := []float64{1.5, -2, 0.5}
	y := mat.NewDense(64, 1, nil)
	for i := 0; i < 64; i++ {
		y.Set(i, 0, mat.Dot(x.RowView(i), mat.NewVecDense(3, truth))+0.25)
	}
	opt, _ := NewAdam(0.05, 0.9, 0.999, 0)
	for it := 0; it < 2000; it++ {
		out, _ := m.Forward(x)
		var d mat.Dense
		d.Sub(out, y)
		d.Scale(2.0/64, &d)
		m.ZeroGrad()
		m.Backward(&d, true)
		opt.Step(m)
	}
	for j, want := range truth {
		if got := m.Layers[0].W.At(j, 0); math.Abs(got-want) > 1e-3 {
			t.Errorf("w[%d] = %v, want %v", j, got, want)
		}
	}
	if got := m.Layers[0].B[0]; math.Abs(got-0.25) > 1e-3 {
		t.Errorf("b = %v, want 0.25", got)
	}
}

func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, _ := NewMLP(rng, []int{3, 2}, ReLU, 0)
	other, _ := NewMLP(rng, []int{4, 2}, ReLU, 0)
	z := mat.NewDense(2, 3, nil)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"NewMLP one size", func() error { _, err := NewMLP(rng, []int{3}, ReLU, 0); return err }, "at least 2"},
		{"NewMLP zero width", func() error { _, err := NewMLP(rng, []int{3, 0, 2}, ReLU, 0); return err }, "sizes[1] = 0"},
		{"NewMLP nil rng", func() error { _, err := NewMLP(nil, []int{3, 2}, ReLU, 0); return err }, "rng is nil"},
		{"NewMLP bad act", func() error { _, err := NewMLP(rng, []int{3, 2}, Act(9), 0); return err }, "activation"},
		{"Forward wrong width", func() error { _, err := m.Forward(mat.NewDense(2, 4, nil)); return err }, "expects 3"},
		{"Forward without layers", func() error { _, err := (&MLP{}).Forward(z); return err }, "no layers"},
		{"Adam nil network", func() error { o, _ := NewAdam(1e-3, 0.9, 0.999, 0); return o.Step(nil) }, "network is nil"},
		{"Predict nil", func() error { _, err := m.Predict(nil); return err }, "nil"},
		{"Backward wrong shape", func() error {
			m.Forward(z)
			_, err := m.Backward(mat.NewDense(3, 2, nil), true)
			return err
		}, "dy is 3×2"},
		{"Backward before Forward", func() error { _, err := other.Backward(mat.NewDense(1, 2, nil), true); return err }, "no Forward"},
		{"BackwardParams wrong shape", func() error { m.Forward(z); return m.BackwardParams(mat.NewDense(2, 3, nil)) }, "BackwardParams: dy is 2×3"},
		{"Adam lr", func() error { _, err := NewAdam(0, 0.9, 0.999, 0); return err }, "lr = 0"},
		{"Adam beta1", func() error { _, err := NewAdam(1e-3, 1, 0.999, 0); return err }, "beta1 = 1, valid range [0, 1)"},
		{"SGD momentum", func() error { _, err := NewSGD(0.1, -0.1, 0); return err }, "momentum"},
		{"SGD weight decay", func() error { _, err := NewSGD(0.1, 0, math.NaN()); return err }, "weightDecay"},
		{"optimizer shape change", func() error {
			o, _ := NewAdam(1e-3, 0.9, 0.999, 0)
			o.Step(m)
			return o.Step(other)
		}, "parameter block 0"},
		{"CE labels length", func() error { _, _, err := CrossEntropy(z, []int{0}); return err }, "1 labels for 2 rows"},
		{"CE label range", func() error { _, _, err := CrossEntropy(z, []int{0, 3}); return err }, "y[1] = 3"},
		{"soft CE shape", func() error { _, _, err := SoftTargetCE(z, mat.NewDense(2, 2, nil)); return err }, "target is 2×2"},
		{"KL shape", func() error { _, _, _, err := KLDistill(z, mat.NewDense(1, 3, nil), 1); return err }, "student logits are 1×3"},
		{"KL temperature", func() error { _, _, _, err := KLDistill(z, z, 0); return err }, "temperature = 0"},
		{"softmax temperature", func() error { _, err := SoftmaxRows(z, -1); return err }, "temperature = -1"},
		{"BCE target", func() error { _, _, err := BCEWithLogits(z, 2, 1); return err }, "target = 2"},
		{"BCE norm", func() error { _, _, err := BCEWithLogits(z, 1, 0); return err }, "norm = 0"},
		{"entropy nil", func() error { _, _, err := Entropy(nil); return err }, "nil"},
		{"GradCheck eps", func() error {
			_, err := GradCheck(func() float64 { return 0 }, []float64{1}, []float64{0}, 0, 1, 0)
			return err
		}, "eps = 0"},
		{"GradCheck lengths", func() error {
			_, err := GradCheck(func() float64 { return 0 }, []float64{1}, nil, 1e-5, 1, 0)
			return err
		}, "same positive length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestGradCheckDetectsWrongGradient makes sure the checker can fail.
func TestGradCheckDetectsWrongGradient(t *testing.T) {
	w := []float64{1, 2, 3}
	loss := func() float64 { return w[0]*w[0] + w[1]*w[2] }
	good := []float64{2, 3, 2}
	bad := []float64{2, 3, 2.1}
	rg, _ := GradCheck(loss, w, good, 1e-5, 3, 0)
	rb, _ := GradCheck(loss, w, bad, 1e-5, 3, 0)
	if rg > 1e-8 || rb < 1e-2 {
		t.Errorf("good gradient rel %.3g (want ≤ 1e-8), bad gradient rel %.3g (want ≥ 1e-2)", rg, rb)
	}
	if w[0] != 1 || w[1] != 2 || w[2] != 3 {
		t.Errorf("GradCheck did not restore w: %v", w)
	}
}
