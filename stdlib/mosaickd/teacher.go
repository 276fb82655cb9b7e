package mosaickd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gonote/gonote/stdlib/nn"
	"gonum.org/v1/gonum/mat"
)

// TeacherConfig sets up the teacher: an MLP with hidden widths Hidden (ReLU)
// trained Epochs passes over the in-domain training set in batches of Batch
// with Adam (LR, weight decay WD). Every batch also carries Batch junk
// inputs with a uniform target and weight OEWeight (outlier exposure: half
// N(0, JunkNoiseStd²·I), half in-domain samples with their patches
// permuted) and Batch/2 points of a fixed fooling set of FoolN points
// uniform in [−FoolRange, FoolRange]^d with random labels, memorised.
// FoolN = 0 disables the fooling set; OEWeight = 0 disables the junk.
type TeacherConfig struct {
	Hidden        []int
	Epochs, Batch int
	LR, WD        float64
	OEWeight      float64
	JunkNoiseStd  float64
	FoolN         int
	FoolRange     float64
}

// DefaultTeacher is the calibrated teacher: Hidden {64, 64}, 30 epochs,
// batch 64, LR 3e-3, WD 1e-4, OEWeight 1, JunkNoiseStd 0.3, FoolN 400,
// FoolRange 1.
func DefaultTeacher() TeacherConfig {
	return TeacherConfig{Hidden: []int{64, 64}, Epochs: 30, Batch: 64, LR: 3e-3, WD: 1e-4,
		OEWeight: 1, JunkNoiseStd: 0.3, FoolN: 400, FoolRange: 1}
}

// Validate reports the first invalid field.
func (c TeacherConfig) Validate() error {
	if err := checkHidden("TeacherConfig.Hidden", c.Hidden); err != nil {
		return err
	}
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("mosaickd: TeacherConfig.Epochs = %d, must be ≥ 1", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("mosaickd: TeacherConfig.Batch = %d, must be ≥ 2", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 1):
		return fmt.Errorf("mosaickd: TeacherConfig.LR = %v, must be in (0, ∞)", c.LR)
	case !(c.WD >= 0) || math.IsInf(c.WD, 1):
		return fmt.Errorf("mosaickd: TeacherConfig.WD = %v, must be finite and ≥ 0", c.WD)
	case !(c.OEWeight >= 0) || math.IsInf(c.OEWeight, 1):
		return fmt.Errorf("mosaickd: TeacherConfig.OEWeight = %v, must be finite and ≥ 0", c.OEWeight)
	case !(c.JunkNoiseStd >= 0) || math.IsInf(c.JunkNoiseStd, 1):
		return fmt.Errorf("mosaickd: TeacherConfig.JunkNoiseStd = %v, must be finite and ≥ 0", c.JunkNoiseStd)
	case c.FoolN < 0:
		return fmt.Errorf("mosaickd: TeacherConfig.FoolN = %d, must be ≥ 0", c.FoolN)
	case c.FoolN > 0 && (!(c.FoolRange > 0) || math.IsInf(c.FoolRange, 1)):
		return fmt.Errorf("mosaickd: TeacherConfig.FoolRange = %v, must be in (0, ∞) when FoolN > 0", c.FoolRange)
	}
	return nil
}

func checkHidden(name string, h []int) error {
	for i, v := range h {
		if v <= 0 {
			return fmt.Errorf("mosaickd: %s[%d] = %d, must be positive", name, i, v)
		}
	}
	return nil
}

func sizes(in int, hidden []int, out int) []int {
	s := append([]int{in}, hidden...)
	return append(s, out)
}

// TeacherReport summarises a teacher on fresh samples: ID accuracy and mean
// max-probability on ID, OOD, noise (N(0, JunkNoiseStd²·I)) and on its
// fooling set (0 when there is none).
type TeacherReport struct {
	Acc, ConfID, ConfOOD, ConfNoise, ConfFool float64
}

// Teacher is a trained teacher with its fooling set (FoolX, FoolY; nil when
// FoolN = 0) and its report.
type Teacher struct {
	Net    *nn.MLP
	FoolX  *mat.Dense
	FoolY  []int
	Report TeacherReport
}

// ReportEvalN is the number of fresh samples per kind behind a TeacherReport.
const ReportEvalN = 2000

// TrainTeacher trains a teacher on the in-domain set (x, y) of world w.
// Streams: StreamTeacherInit (weights), StreamTeacherBatch (shuffles, junk),
// StreamFoolSet (fooling set); the report uses ReportEvalN fresh ID, OOD
// and noise samples drawn with seeds derived from seed.
func TrainTeacher(w *World, x *mat.Dense, y []int, cfg TeacherConfig, seed uint64) (*Teacher, error) {
	if w == nil {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: world is nil")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: x is nil")
	}
	n, d := x.Dims()
	if d != w.Dim() {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: x has %d columns, the world has dimension %d", d, w.Dim())
	}
	if len(y) != n || n == 0 {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: %d labels for %d rows (need equal and positive)", len(y), n)
	}
	for i, v := range y {
		if v < 0 || v >= Classes {
			return nil, fmt.Errorf("mosaickd: TrainTeacher: label y[%d] = %d, valid range [0, %d)", i, v, Classes)
		}
	}
	net, err := nn.NewMLP(rand.New(rand.NewPCG(seed, StreamTeacherInit)), sizes(d, cfg.Hidden, Classes), nn.ReLU, 0)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
	}
	opt, err := nn.NewAdam(cfg.LR, 0.9, 0.999, cfg.WD)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
	}
	t := &Teacher{Net: net}
	frng := rand.New(rand.NewPCG(seed, StreamFoolSet))
	if cfg.FoolN > 0 {
		t.FoolX = mat.NewDense(cfg.FoolN, d, nil)
		for i, v := 0, t.FoolX.RawMatrix().Data; i < len(v); i++ {
			v[i] = cfg.FoolRange * (2*frng.Float64() - 1)
		}
		t.FoolY = make([]int, cfg.FoolN)
		for i := range t.FoolY {
			t.FoolY[i] = frng.IntN(Classes)
		}
	}
	rng := rand.New(rand.NewPCG(seed, StreamTeacherBatch))
	B := cfg.Batch
	nJunk := 0
	if cfg.OEWeight > 0 {
		nJunk = B
	}
	nFool := 0
	if cfg.FoolN > 0 {
		nFool = B / 2
	}
	P, D := w.Cfg.Positions, w.Cfg.PatchDim
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	perm := make([]int, P)
	uniform := 1 / float64(Classes)
	for ep := 0; ep < cfg.Epochs; ep++ {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < n; start += B {
			nb := min(B, n-start)
			rows := nb + nFool + nJunk
			bx := mat.NewDense(rows, d, nil)
			bt := mat.NewDense(rows, Classes, nil)
			for i := 0; i < nb; i++ {
				copy(bx.RawRowView(i), x.RawRowView(order[start+i]))
				bt.Set(i, y[order[start+i]], 1)
			}
			for i := 0; i < nFool; i++ {
				k := rng.IntN(cfg.FoolN)
				copy(bx.RawRowView(nb+i), t.FoolX.RawRowView(k))
				bt.Set(nb+i, t.FoolY[k], 1)
			}
			for i := 0; i < nJunk; i++ {
				r := nb + nFool + i
				row := bx.RawRowView(r)
				if i < nJunk/2 {
					for j := range row {
						row[j] = cfg.JunkNoiseStd * rng.NormFloat64()
					}
				} else {
					src := x.RawRowView(rng.IntN(n))
					permNonIdentity(rng, perm)
					for p, q := range perm {
						copy(row[p*D:(p+1)*D], src[q*D:(q+1)*D])
					}
				}
				for c := 0; c < Classes; c++ {
					bt.Set(r, c, uniform)
				}
			}
			logits, err := net.Forward(bx)
			if err != nil {
				return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
			}
			_, g, err := nn.SoftTargetCE(logits, bt)
			if err != nil {
				return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
			}
			if cfg.OEWeight != 1 {
				for r := nb + nFool; r < rows; r++ {
					row := g.RawRowView(r)
					for j := range row {
						row[j] *= cfg.OEWeight
					}
				}
			}
			net.ZeroGrad()
			if err := net.BackwardParams(g); err != nil {
				return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
			}
			if err := opt.Step(net); err != nil {
				return nil, fmt.Errorf("mosaickd: TrainTeacher: %w", err)
			}
		}
	}
	rep, err := teacherReport(w, t, cfg, seed)
	if err != nil {
		return nil, err
	}
	t.Report = rep
	return t, nil
}

// permNonIdentity fills perm with a uniform random permutation other than
// the identity (so a permuted sample is never an unchanged ID sample).
func permNonIdentity(rng *rand.Rand, perm []int) {
	for {
		for i := range perm {
			perm[i] = i
		}
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for i, v := range perm {
			if v != i {
				return
			}
		}
		if len(perm) < 2 {
			return
		}
	}
}

func teacherReport(w *World, t *Teacher, cfg TeacherConfig, seed uint64) (TeacherReport, error) {
	var r TeacherReport
	xid, yid, err := w.SampleID(ReportEvalN, derive(seed, StreamTeacherEval, 1))
	if err != nil {
		return r, err
	}
	xood, err := w.SampleOOD(ReportEvalN, derive(seed, StreamTeacherEval, 2))
	if err != nil {
		return r, err
	}
	xn, err := w.SampleNoise(ReportEvalN, cfg.JunkNoiseStd, derive(seed, StreamTeacherEval, 3))
	if err != nil {
		return r, err
	}
	if r.Acc, err = Accuracy(t.Net, xid, yid); err != nil {
		return r, err
	}
	if r.ConfID, err = MeanMaxProb(t.Net, xid); err != nil {
		return r, err
	}
	if r.ConfOOD, err = MeanMaxProb(t.Net, xood); err != nil {
		return r, err
	}
	if r.ConfNoise, err = MeanMaxProb(t.Net, xn); err != nil {
		return r, err
	}
	if t.FoolX != nil {
		if r.ConfFool, err = MeanMaxProb(t.Net, t.FoolX); err != nil {
			return r, err
		}
	}
	return r, nil
}

// derive maps (seed, purpose, index) to a new seed (splitmix64 mixing), so
// that one user seed gives independent data sets for different purposes.
func derive(seed, purpose, index uint64) uint64 {
	z := seed ^ purpose*0x9e3779b97f4a7c15 ^ index*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Accuracy is the fraction of rows of x whose argmax output equals y.
func Accuracy(m *nn.MLP, x *mat.Dense, y []int) (float64, error) {
	if m == nil {
		return 0, fmt.Errorf("mosaickd: Accuracy: network is nil")
	}
	z, err := m.Predict(x)
	if err != nil {
		return 0, fmt.Errorf("mosaickd: Accuracy: %w", err)
	}
	n, _ := z.Dims()
	if len(y) != n {
		return 0, fmt.Errorf("mosaickd: Accuracy: %d labels for %d rows", len(y), n)
	}
	hit := 0
	for i := 0; i < n; i++ {
		if argmax(z.RawRowView(i)) == y[i] {
			hit++
		}
	}
	return float64(hit) / float64(n), nil
}

func argmax(v []float64) int {
	b := 0
	for j, x := range v {
		if x > v[b] {
			b = j
		}
	}
	return b
}

// MaxProbs returns, per row of x, the network's largest softmax
// probability (its confidence).
func MaxProbs(m *nn.MLP, x *mat.Dense) ([]float64, error) {
	if m == nil {
		return nil, fmt.Errorf("mosaickd: MaxProbs: network is nil")
	}
	z, err := m.Predict(x)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: MaxProbs: %w", err)
	}
	p, err := nn.SoftmaxRows(z, 1)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: MaxProbs: %w", err)
	}
	n, _ := p.Dims()
	out := make([]float64, n)
	for i := range out {
		row := p.RawRowView(i)
		out[i] = row[argmax(row)]
	}
	return out, nil
}

// MeanMaxProb is the mean of MaxProbs.
func MeanMaxProb(m *nn.MLP, x *mat.Dense) (float64, error) {
	v, err := MaxProbs(m, x)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for _, p := range v {
		s += p
	}
	return s / float64(len(v)), nil
}
