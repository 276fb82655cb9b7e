package mosaickd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/nn"
	"gonum.org/v1/gonum/mat"
)

// StudentConfig sets up a student: an MLP with hidden widths Hidden (ReLU),
// trained with Adam (LR, weight decay WD, β = (0.9, 0.999)) on the
// distillation loss at temperature Temp.
type StudentConfig struct {
	Hidden       []int
	LR, WD, Temp float64
}

// DefaultStudent is the calibrated student: Hidden {16}, LR 2e-3, WD 1e-4,
// Temp 1.
func DefaultStudent() StudentConfig {
	return StudentConfig{Hidden: []int{16}, LR: 2e-3, WD: 1e-4, Temp: 1}
}

// Validate reports the first invalid field.
func (c StudentConfig) Validate() error {
	if err := checkHidden("StudentConfig.Hidden", c.Hidden); err != nil {
		return err
	}
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 1):
		return fmt.Errorf("mosaickd: StudentConfig.LR = %v, must be in (0, ∞)", c.LR)
	case !(c.WD >= 0) || math.IsInf(c.WD, 1):
		return fmt.Errorf("mosaickd: StudentConfig.WD = %v, must be finite and ≥ 0", c.WD)
	case !(c.Temp > 0) || math.IsInf(c.Temp, 1):
		return fmt.Errorf("mosaickd: StudentConfig.Temp = %v, must be in (0, ∞)", c.Temp)
	}
	return nil
}

// newStudent draws the student's initial weights (stream StreamStudentInit,
// so every condition run with the same seed starts from the same student).
func newStudent(in int, sc StudentConfig, seed uint64) (*nn.MLP, *nn.Adam, error) {
	s, err := nn.NewMLP(rand.New(rand.NewPCG(seed, StreamStudentInit)), sizes(in, sc.Hidden, Classes), nn.ReLU, 0)
	if err != nil {
		return nil, nil, err
	}
	opt, err := nn.NewAdam(sc.LR, 0.9, 0.999, sc.WD)
	if err != nil {
		return nil, nil, err
	}
	return s, opt, nil
}

// DistillFixed distils teacher into a fresh student on a fixed data set:
// steps Adam steps, each on batch rows drawn uniformly with replacement
// (stream StreamStudentBatch), minimising
// τ²·KL(softmax(T(x)/τ) ‖ softmax(S(x)/τ)).
func DistillFixed(teacher *nn.MLP, data *mat.Dense, sc StudentConfig, steps, batch int, seed uint64) (*nn.MLP, error) {
	if teacher == nil {
		return nil, fmt.Errorf("mosaickd: DistillFixed: teacher is nil")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("mosaickd: DistillFixed: data is nil")
	}
	n, d := data.Dims()
	if d != teacher.In() || n == 0 {
		return nil, fmt.Errorf("mosaickd: DistillFixed: data is %d×%d, need rows > 0 and %d columns", n, d, teacher.In())
	}
	if steps < 0 {
		return nil, fmt.Errorf("mosaickd: DistillFixed: steps = %d, must be ≥ 0", steps)
	}
	if batch < 1 {
		return nil, fmt.Errorf("mosaickd: DistillFixed: batch = %d, must be ≥ 1", batch)
	}
	t := teacher.Clone()
	s, opt, err := newStudent(d, sc, seed)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: DistillFixed: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, StreamStudentBatch))
	bx := mat.NewDense(batch, d, nil)
	for it := 0; it < steps; it++ {
		for i := 0; i < batch; i++ {
			copy(bx.RawRowView(i), data.RawRowView(rng.IntN(n)))
		}
		if err := studentStep(t, s, opt, bx, sc.Temp); err != nil {
			return nil, fmt.Errorf("mosaickd: DistillFixed: %w", err)
		}
	}
	return s, nil
}

// studentStep takes one distillation step of s towards t on x and returns
// the loss.
func studentStep(t, s *nn.MLP, opt *nn.Adam, x *mat.Dense, temp float64) error {
	_, err := studentStepLoss(t, s, opt, x, temp)
	return err
}

func studentStepLoss(t, s *nn.MLP, opt *nn.Adam, x *mat.Dense, temp float64) (float64, error) {
	zt, err := t.Forward(x)
	if err != nil {
		return 0, err
	}
	zs, err := s.Forward(x)
	if err != nil {
		return 0, err
	}
	loss, _, dS, err := nn.KLDistill(zt, zs, temp)
	if err != nil {
		return 0, err
	}
	s.ZeroGrad()
	if err := s.BackwardParams(dS); err != nil {
		return 0, err
	}
	return loss, opt.Step(s)
}
