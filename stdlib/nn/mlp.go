package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Act is a hidden-layer activation.
type Act int

// The hidden activations. LeakyReLU uses MLP.Leak as its negative slope.
const (
	ReLU Act = iota
	LeakyReLU
	Tanh
	Identity
)

// String names the activation.
func (a Act) String() string {
	switch a {
	case ReLU:
		return "ReLU"
	case LeakyReLU:
		return "LeakyReLU"
	case Tanh:
		return "Tanh"
	case Identity:
		return "Identity"
	}
	return fmt.Sprintf("Act(%d)", int(a))
}

// Dense is one affine layer y = x·W + B with its gradient accumulators.
type Dense struct {
	W, GW *mat.Dense // in×out weights and their gradient
	B, GB []float64  // out biases and their gradient
}

// MLP is a multi-layer perceptron: hidden layers use Hidden, the last layer
// is linear. Leak is the negative slope of LeakyReLU.
type MLP struct {
	Layers []*Dense
	Hidden Act
	Leak   float64

	// Forward caches (one in-flight Forward per MLP): the input, and per
	// layer the pre-activation and the post-activation output.
	in   *mat.Dense
	pre  []*mat.Dense
	post []*mat.Dense
	// Backward buffers: per layer the gradient w.r.t. that layer's input.
	din []*mat.Dense
}

// NewMLP builds an MLP with layer widths sizes (input first, output last, at
// least two entries, all positive). Weights are drawn N(0, 2/fanIn) (He
// initialisation) from rng; biases start at zero.
func NewMLP(rng *rand.Rand, sizes []int, hidden Act, leak float64) (*MLP, error) {
	if rng == nil {
		return nil, fmt.Errorf("nn: NewMLP: rng is nil")
	}
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nn: NewMLP: sizes has %d entries, need at least 2 (input and output)", len(sizes))
	}
	for i, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("nn: NewMLP: sizes[%d] = %d, must be positive", i, s)
		}
	}
	if hidden < ReLU || hidden > Identity {
		return nil, fmt.Errorf("nn: NewMLP: hidden activation %d unknown (valid: ReLU, LeakyReLU, Tanh, Identity)", int(hidden))
	}
	if math.IsNaN(leak) || math.IsInf(leak, 0) {
		return nil, fmt.Errorf("nn: NewMLP: leak = %v, must be finite", leak)
	}
	m := &MLP{Hidden: hidden, Leak: leak}
	for l := 0; l+1 < len(sizes); l++ {
		in, out := sizes[l], sizes[l+1]
		w := make([]float64, in*out)
		std := math.Sqrt(2 / float64(in))
		for i := range w {
			w[i] = std * rng.NormFloat64()
		}
		m.Layers = append(m.Layers, &Dense{
			W: mat.NewDense(in, out, w), GW: mat.NewDense(in, out, nil),
			B: make([]float64, out), GB: make([]float64, out),
		})
	}
	return m, nil
}

// In is the input width.
func (m *MLP) In() int { r, _ := m.Layers[0].W.Dims(); return r }

// Out is the output width.
func (m *MLP) Out() int { _, c := m.Layers[len(m.Layers)-1].W.Dims(); return c }

// NumParams is the number of weights and biases.
func (m *MLP) NumParams() int {
	n := 0
	for _, l := range m.Layers {
		r, c := l.W.Dims()
		n += r*c + c
	}
	return n
}

// Clone returns a deep copy of the weights (gradients zeroed, no caches), so
// that another goroutine can run it.
func (m *MLP) Clone() *MLP {
	c := &MLP{Hidden: m.Hidden, Leak: m.Leak}
	for _, l := range m.Layers {
		r, k := l.W.Dims()
		c.Layers = append(c.Layers, &Dense{
			W: mat.DenseCopyOf(l.W), GW: mat.NewDense(r, k, nil),
			B: append([]float64(nil), l.B...), GB: make([]float64, k),
		})
	}
	return c
}

// ZeroGrad sets every gradient accumulator to zero.
func (m *MLP) ZeroGrad() {
	for _, l := range m.Layers {
		clear(l.GW.RawMatrix().Data)
		clear(l.GB)
	}
}

// Params returns flat views of the parameters and of their gradients, layer
// by layer (weights then biases). Writing through them changes the network.
func (m *MLP) Params() (w, g [][]float64) {
	for _, l := range m.Layers {
		w = append(w, l.W.RawMatrix().Data, l.B)
		g = append(g, l.GW.RawMatrix().Data, l.GB)
	}
	return w, g
}

func (m *MLP) checkInput(what string, x *mat.Dense) error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("nn: %s: the network has no layers (build it with NewMLP)", what)
	}
	if x == nil {
		return fmt.Errorf("nn: %s: input is nil", what)
	}
	r, c := x.Dims()
	if c != m.In() {
		return fmt.Errorf("nn: %s: input has %d columns, the network expects %d", what, c, m.In())
	}
	if r == 0 {
		return fmt.Errorf("nn: %s: input has no rows", what)
	}
	return nil
}

// ensure returns buf if it is r×c, else a new r×c matrix.
func ensure(buf *mat.Dense, r, c int) *mat.Dense {
	if buf != nil {
		br, bc := buf.Dims()
		if br == r && bc == c {
			return buf
		}
	}
	return mat.NewDense(r, c, nil)
}

// gemmRows sets c = a·op(b) + beta·c, where op(b) is b or bᵀ, in chunks of
// rows of a and c. gonum's Dgemm hands products with at least 4 blocks of
// 64×64 outputs to goroutines; for the small layers here (256 patch rows ×
// 16 units, say) that costs more than it saves, and it competes with the
// conditions Suite.Run already runs in parallel. Each output row depends
// only on its own input row, so chunking does not change any result.
func gemmRows(tB blas.Transpose, a, b blas64.General, beta float64, c blas64.General) {
	const block = 64
	nBlocks := (c.Cols + block - 1) / block
	chunk := block * max(1, 3/nBlocks) // < 4 blocks per call: gonum stays serial
	for r := 0; r < a.Rows; r += chunk {
		n := min(chunk, a.Rows-r)
		as := blas64.General{Rows: n, Cols: a.Cols, Stride: a.Stride, Data: a.Data[r*a.Stride:]}
		cs := blas64.General{Rows: n, Cols: c.Cols, Stride: c.Stride, Data: c.Data[r*c.Stride:]}
		blas64.Gemm(blas.NoTrans, tB, 1, as, b, beta, cs)
	}
}

// affine sets dst = x·W + b.
func affine(dst, x *mat.Dense, l *Dense) {
	gemmRows(blas.NoTrans, x.RawMatrix(), l.W.RawMatrix(), 0, dst.RawMatrix())
	raw := dst.RawMatrix()
	k := raw.Cols
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+k]
		for j, b := range l.B {
			row[j] += b
		}
	}
}

// activate sets dst = act(src) elementwise (dst may equal src).
func (m *MLP) activate(dst, src *mat.Dense) {
	s := src.RawMatrix().Data
	d := dst.RawMatrix().Data
	switch m.Hidden {
	case ReLU:
		d = d[:len(s)]
		for i, v := range s {
			d[i] = max(v, 0) // branch-free: signs are random, a branch mispredicts half the time
		}
	case LeakyReLU:
		d = d[:len(s)]
		leak := m.Leak
		for i, v := range s {
			d[i] = max(v, 0) + leak*min(v, 0)
		}
	case Tanh:
		for i, v := range s {
			d[i] = math.Tanh(v)
		}
	default:
		copy(d, s)
	}
}

// Forward computes the outputs (logits) for the rows of x and caches what
// Backward needs. x must stay unchanged until Backward. The returned matrix
// belongs to the network (overwritten by the next Forward).
func (m *MLP) Forward(x *mat.Dense) (*mat.Dense, error) {
	if err := m.checkInput("Forward", x); err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	L := len(m.Layers)
	if len(m.pre) != L {
		m.pre = make([]*mat.Dense, L)
		m.post = make([]*mat.Dense, L)
		m.din = make([]*mat.Dense, L)
	}
	m.in = x
	a := x
	for l, layer := range m.Layers {
		_, out := layer.W.Dims()
		m.pre[l] = ensure(m.pre[l], n, out)
		affine(m.pre[l], a, layer)
		if l == L-1 {
			m.post[l] = m.pre[l]
		} else {
			m.post[l] = ensure(m.post[l], n, out)
			m.activate(m.post[l], m.pre[l])
		}
		a = m.post[l]
	}
	return a, nil
}

// Predict computes the outputs for the rows of x into a new matrix, without
// touching the Forward caches.
func (m *MLP) Predict(x *mat.Dense) (*mat.Dense, error) {
	if err := m.checkInput("Predict", x); err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	a := x
	for l, layer := range m.Layers {
		_, out := layer.W.Dims()
		z := mat.NewDense(n, out, nil)
		affine(z, a, layer)
		if l < len(m.Layers)-1 {
			m.activate(z, z)
		}
		a = z
	}
	return a, nil
}

// actGrad multiplies d in place by act'(pre) (post = act(pre)).
func (m *MLP) actGrad(d, pre, post *mat.Dense) {
	dd := d.RawMatrix().Data
	switch m.Hidden {
	case ReLU:
		for i, v := range pre.RawMatrix().Data {
			if v < 0 {
				dd[i] = 0
			}
		}
	case LeakyReLU:
		for i, v := range pre.RawMatrix().Data {
			if v < 0 {
				dd[i] *= m.Leak
			}
		}
	case Tanh:
		for i, a := range post.RawMatrix().Data {
			dd[i] *= 1 - a*a
		}
	}
}

// Backward back-propagates dy (the gradient of the loss w.r.t. the outputs
// of the last Forward) and returns the gradient w.r.t. that Forward's input.
// With accumulate it adds the parameter gradients to GW and GB; without, the
// parameters' gradients are left alone (a frozen network that only passes
// gradients through). The returned matrix belongs to the network.
func (m *MLP) Backward(dy *mat.Dense, accumulate bool) (*mat.Dense, error) {
	return m.backward("Backward", dy, accumulate, true)
}

// BackwardParams adds the parameter gradients for dy (the gradient w.r.t.
// the outputs of the last Forward) to GW and GB, like Backward with
// accumulate, but skips the gradient w.r.t. the input (a training step
// that does not need it saves one matrix product of the first layer).
func (m *MLP) BackwardParams(dy *mat.Dense) error {
	_, err := m.backward("BackwardParams", dy, true, false)
	return err
}

func (m *MLP) backward(what string, dy *mat.Dense, accumulate, needInput bool) (*mat.Dense, error) {
	if m.in == nil {
		return nil, fmt.Errorf("nn: %s: no Forward to back-propagate through", what)
	}
	n, _ := m.in.Dims()
	if dy == nil {
		return nil, fmt.Errorf("nn: %s: dy is nil", what)
	}
	if r, c := dy.Dims(); r != n || c != m.Out() {
		return nil, fmt.Errorf("nn: %s: dy is %d×%d, the last Forward produced %d×%d", what, r, c, n, m.Out())
	}
	delta := dy
	for l := len(m.Layers) - 1; l >= 0; l-- {
		layer := m.Layers[l]
		a := m.in
		if l > 0 {
			a = m.post[l-1]
		}
		if accumulate {
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, a.RawMatrix(), delta.RawMatrix(), 1, layer.GW.RawMatrix())
			raw := delta.RawMatrix()
			for i := 0; i < raw.Rows; i++ {
				row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
				for j, v := range row {
					layer.GB[j] += v
				}
			}
		}
		if l == 0 && !needInput {
			return nil, nil
		}
		in, _ := layer.W.Dims()
		m.din[l] = ensure(m.din[l], n, in)
		gemmRows(blas.Trans, delta.RawMatrix(), layer.W.RawMatrix(), 0, m.din[l].RawMatrix())
		if l > 0 {
			m.actGrad(m.din[l], m.pre[l-1], m.post[l-1])
		}
		delta = m.din[l]
	}
	return delta, nil
}
