package nn

import (
	"fmt"
	"math"
)

// Optimizer updates an MLP's parameters from the gradients in GW and GB.
// An optimizer keeps per-parameter state for the first network it steps and
// refuses a network of another shape.
type Optimizer interface {
	Step(m *MLP) error
}

func checkRate(what, name string, v, lo, hi float64, loOpen, hiOpen bool) error {
	bad := math.IsNaN(v) || v < lo || v > hi || (loOpen && v == lo) || (hiOpen && v == hi)
	if !bad {
		return nil
	}
	l, h := "[", "]"
	if loOpen {
		l = "("
	}
	if hiOpen {
		h = ")"
	}
	return fmt.Errorf("nn: %s: %s = %v, valid range %s%v, %v%s", what, name, v, l, lo, hi, h)
}

// Adam is the Adam optimiser with bias correction, eps 1e-8 and coupled L2
// weight decay (WD·w is added to the gradient before the moment updates).
type Adam struct {
	LR, Beta1, Beta2, WD float64
	t                    int
	m, v                 [][]float64
}

// NewAdam returns an Adam optimiser: lr > 0, beta1 and beta2 in [0, 1),
// weightDecay ≥ 0.
func NewAdam(lr, beta1, beta2, weightDecay float64) (*Adam, error) {
	const what = "NewAdam"
	for _, err := range []error{
		checkRate(what, "lr", lr, 0, math.Inf(1), true, true),
		checkRate(what, "beta1", beta1, 0, 1, false, true),
		checkRate(what, "beta2", beta2, 0, 1, false, true),
		checkRate(what, "weightDecay", weightDecay, 0, math.Inf(1), false, true),
	} {
		if err != nil {
			return nil, err
		}
	}
	return &Adam{LR: lr, Beta1: beta1, Beta2: beta2, WD: weightDecay}, nil
}

func initState(what string, state *[][]float64, w [][]float64) error {
	if *state == nil {
		for _, p := range w {
			*state = append(*state, make([]float64, len(p)))
		}
		return nil
	}
	if len(*state) != len(w) {
		return fmt.Errorf("nn: %s: network has %d parameter blocks, the optimizer was set up for %d", what, len(w), len(*state))
	}
	for i, p := range w {
		if len(p) != len((*state)[i]) {
			return fmt.Errorf("nn: %s: parameter block %d has %d entries, the optimizer was set up for %d", what, i, len(p), len((*state)[i]))
		}
	}
	return nil
}

// Step applies one Adam update to m.
func (o *Adam) Step(m *MLP) error {
	if m == nil {
		return fmt.Errorf("nn: Adam.Step: network is nil")
	}
	w, g := m.Params()
	if err := initState("Adam.Step", &o.m, w); err != nil {
		return err
	}
	if o.v == nil {
		_ = initState("Adam.Step", &o.v, w)
	}
	o.t++
	c1 := 1 - math.Pow(o.Beta1, float64(o.t))
	c2 := 1 - math.Pow(o.Beta2, float64(o.t))
	b1, b2, wd := o.Beta1, o.Beta2, o.WD
	step := o.LR / c1
	sc2 := 1 / c2
	for i, p := range w {
		gi, mi, vi := g[i], o.m[i], o.v[i]
		for j, x := range p {
			gr := gi[j] + wd*x
			mj := b1*mi[j] + (1-b1)*gr
			vj := b2*vi[j] + (1-b2)*gr*gr
			mi[j], vi[j] = mj, vj
			p[j] = x - step*mj/(math.Sqrt(vj*sc2)+1e-8)
		}
	}
	return nil
}

// SGD is stochastic gradient descent with heavy-ball momentum and coupled L2
// weight decay: v ← μ·v + g + WD·w, w ← w − LR·v.
type SGD struct {
	LR, Momentum, WD float64
	v                [][]float64
}

// NewSGD returns an SGD optimiser: lr > 0, momentum in [0, 1),
// weightDecay ≥ 0.
func NewSGD(lr, momentum, weightDecay float64) (*SGD, error) {
	const what = "NewSGD"
	for _, err := range []error{
		checkRate(what, "lr", lr, 0, math.Inf(1), true, true),
		checkRate(what, "momentum", momentum, 0, 1, false, true),
		checkRate(what, "weightDecay", weightDecay, 0, math.Inf(1), false, true),
	} {
		if err != nil {
			return nil, err
		}
	}
	return &SGD{LR: lr, Momentum: momentum, WD: weightDecay}, nil
}

// Step applies one SGD update to m.
func (o *SGD) Step(m *MLP) error {
	if m == nil {
		return fmt.Errorf("nn: SGD.Step: network is nil")
	}
	w, g := m.Params()
	if err := initState("SGD.Step", &o.v, w); err != nil {
		return err
	}
	for i, p := range w {
		gi, vi := g[i], o.v[i]
		for j, x := range p {
			vj := o.Momentum*vi[j] + gi[j] + o.WD*x
			vi[j] = vj
			p[j] = x - o.LR*vj
		}
	}
	return nil
}
