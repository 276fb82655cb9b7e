package mosaickd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gonote/gonote/stdlib/nn"
	"gonum.org/v1/gonum/mat"
)

// Generator maps latent codes z ∈ R^ZDim to inputs x = Bound·tanh(Net(z)/Bound).
type Generator struct {
	Net   *nn.MLP
	ZDim  int
	Bound float64
}

// bounded writes Bound·tanh(h/Bound) into dst (same shape as h).
func (g *Generator) bounded(dst, h *mat.Dense) {
	b := g.Bound
	d := dst.RawMatrix().Data
	for i, v := range h.RawMatrix().Data {
		d[i] = b * math.Tanh(v/b)
	}
}

// Generate maps the rows of z (n×ZDim) to n generated inputs.
func (g *Generator) Generate(z *mat.Dense) (*mat.Dense, error) {
	if g == nil || g.Net == nil {
		return nil, fmt.Errorf("mosaickd: Generator.Generate: generator has no network")
	}
	if !(g.Bound > 0) || math.IsInf(g.Bound, 1) {
		return nil, fmt.Errorf("mosaickd: Generator.Generate: Bound = %v, must be in (0, ∞)", g.Bound)
	}
	h, err := g.Net.Predict(z)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: Generator.Generate: %w", err)
	}
	g.bounded(h, h)
	return h, nil
}

// Sample draws n latent codes N(0, I) (stream StreamGenSample) and returns
// the generated inputs.
func (g *Generator) Sample(n int, seed uint64) (*mat.Dense, error) {
	if err := checkN("Generator.Sample", n); err != nil {
		return nil, err
	}
	if g == nil || g.ZDim < 1 {
		return nil, fmt.Errorf("mosaickd: Generator.Sample: generator is nil or has ZDim < 1")
	}
	rng := rand.New(rand.NewPCG(seed, StreamGenSample))
	z := mat.NewDense(n, g.ZDim, nil)
	fillNormal(z, rng)
	return g.Generate(z)
}

func fillNormal(z *mat.Dense, rng *rand.Rand) {
	for i, d := 0, z.RawMatrix().Data; i < len(d); i++ {
		d[i] = rng.NormFloat64()
	}
}

// Trace is the training record of a run. Acc[k] is the student's test
// accuracy after iteration Iter[k] (every EvalEvery iterations). The other
// fields have one entry per iteration (index = iteration − 1): LossD
// (discriminator loss, 0 without D), LossS (mean student loss of the
// iteration), Adv (L_adv = −KL), Align (L_align), Local (L_local, 0 without
// D), Balance (L_balance), R = Align + Local (the restriction term) and
// Lambda (the λ used; in FixedLambda mode always 1, meaning the weights as
// configured).
type Trace struct {
	Iter                                        []int
	Acc                                         []float64
	LossD, LossS, Adv, Align, Local, Balance, R []float64
	Lambda                                      []float64
}

// IterX returns Iter as float64 (x values for charts of Acc).
func (t Trace) IterX() []float64 {
	out := make([]float64, len(t.Iter))
	for i, v := range t.Iter {
		out[i] = float64(v)
	}
	return out
}

// Steps returns 1, 2, …, len(R) (x values for charts of the per-iteration
// fields).
func (t Trace) Steps() []float64 {
	out := make([]float64, len(t.R))
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

// GenStats describes generated samples: TeacherConf is the teacher's mean
// max-probability; PatchNearMotif the fraction of patches within distance
// 0.5 of their nearest motif; ArrInDomain the fraction of samples whose
// nearest-motif arrangement is an in-domain one (World.InVocabulary);
// MeanSqNorm the mean squared norm (in-domain data ≈ 4.4); ClassHist the
// counts of the teacher's predicted classes.
type GenStats struct {
	TeacherConf, PatchNearMotif, ArrInDomain, MeanSqNorm float64
	ClassHist                                            []int
}

// NearMotifDist is the distance under which a patch counts as "near a
// motif" in GenStats.
const NearMotifDist = 0.5

// Result is the outcome of one condition: the final test accuracy of the
// student, the trained networks (Gen and Disc are nil when not used), the
// trace, the generator statistics (zero without a generator) and the wall
// time in seconds (the only field that varies between identical runs).
type Result struct {
	Name    string
	Acc     float64
	Student *nn.MLP
	Gen     *Generator
	Disc    *nn.MLP
	Trace   Trace
	Stats   GenStats
	Seconds float64
}

// GenStatsN is the number of generated samples behind Result.Stats.
const GenStatsN = 500

// patchView reinterprets the contiguous n×(P·D) matrix x as (n·P)×D, one
// patch per row, sharing its data.
func patchView(x *mat.Dense, patchDim int) *mat.Dense {
	raw := x.RawMatrix()
	return mat.NewDense(raw.Rows*raw.Cols/patchDim, patchDim, raw.Data[:raw.Rows*raw.Cols])
}

// mosaicRun holds the networks and buffers of one run.
type mosaicRun struct {
	cfg            MosaicConfig
	w              *World
	tG, tS         *nn.MLP // teacher views for the G step and the S step
	s, sG          *nn.MLP // student and its view for the G step
	gen            *Generator
	d              *nn.MLP
	optS           *nn.Adam
	optG, optD     *nn.Adam
	ood            *mat.Dense
	rng            *rand.Rand
	z, x, xo, sb   *mat.Dense
	dx             *mat.Dense
	lossD          float64
	adv, align     float64
	local, balance float64
	r, lambda      float64
}

// RunMosaic trains a generator (and a discriminator, unless NoD) against
// the frozen teacher and distils the teacher into a fresh student on the
// generated samples (plus OOD samples when OODInStudent), as in §1.3 of the
// spec: per iteration one D step, one G step on the same samples, then
// StudentSteps student steps on fresh samples. ood may be nil when neither
// the discriminator nor the student uses it. Streams: StreamStudentInit,
// StreamGenInit, StreamDiscInit (weights), StreamMosaicSample (latent
// codes and OOD minibatches).
func RunMosaic(w *World, teacher *nn.MLP, ood, testX *mat.Dense, testY []int, cfg MosaicConfig, seed uint64) (Result, error) {
	start := time.Now()
	if w == nil || teacher == nil {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: world and teacher must not be nil")
	}
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	d := w.Dim()
	if teacher.In() != d || teacher.Out() != Classes {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: teacher maps %d→%d, the world needs %d→%d", teacher.In(), teacher.Out(), d, Classes)
	}
	needOOD := cfg.Disc != NoD || cfg.OODInStudent
	if needOOD {
		if ood == nil {
			return Result{}, fmt.Errorf("mosaickd: RunMosaic: ood is nil but Disc = %v / OODInStudent = %v need OOD data", cfg.Disc, cfg.OODInStudent)
		}
		if r, c := ood.Dims(); r == 0 || c != d {
			return Result{}, fmt.Errorf("mosaickd: RunMosaic: ood is %d×%d, need rows > 0 and %d columns", r, c, d)
		}
	}
	if testX == nil {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: testX is nil")
	}
	if r, c := testX.Dims(); r != len(testY) || c != d {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: testX is %d×%d with %d labels, need %d columns and one label per row", r, c, len(testY), d)
	}
	m, err := newMosaicRun(w, teacher, ood, cfg, seed)
	if err != nil {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: %w", err)
	}
	tr := Trace{
		LossD: make([]float64, cfg.Iters), LossS: make([]float64, cfg.Iters),
		Adv: make([]float64, cfg.Iters), Align: make([]float64, cfg.Iters),
		Local: make([]float64, cfg.Iters), Balance: make([]float64, cfg.Iters),
		R: make([]float64, cfg.Iters), Lambda: make([]float64, cfg.Iters),
	}
	for it := 1; it <= cfg.Iters; it++ {
		lossS, err := m.iteration()
		if err != nil {
			return Result{}, fmt.Errorf("mosaickd: RunMosaic: iteration %d: %w", it, err)
		}
		k := it - 1
		tr.LossD[k], tr.LossS[k], tr.Adv[k], tr.Align[k] = m.lossD, lossS, m.adv, m.align
		tr.Local[k], tr.Balance[k], tr.R[k], tr.Lambda[k] = m.local, m.balance, m.r, m.lambda
		if cfg.EvalEvery > 0 && it%cfg.EvalEvery == 0 {
			a, err := Accuracy(m.s, testX, testY)
			if err != nil {
				return Result{}, fmt.Errorf("mosaickd: RunMosaic: %w", err)
			}
			tr.Iter = append(tr.Iter, it)
			tr.Acc = append(tr.Acc, a)
		}
	}
	res := Result{Student: m.s, Gen: m.gen, Disc: m.d, Trace: tr}
	if res.Acc, err = Accuracy(m.s, testX, testY); err != nil {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: %w", err)
	}
	if res.Stats, err = GeneratorStats(w, teacher, m.gen, GenStatsN, seed); err != nil {
		return Result{}, fmt.Errorf("mosaickd: RunMosaic: %w", err)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func shareWeights(m *nn.MLP) *nn.MLP {
	return &nn.MLP{Layers: m.Layers, Hidden: m.Hidden, Leak: m.Leak}
}

func newMosaicRun(w *World, teacher *nn.MLP, ood *mat.Dense, cfg MosaicConfig, seed uint64) (*mosaicRun, error) {
	d := w.Dim()
	B := cfg.Batch
	m := &mosaicRun{cfg: cfg, w: w, ood: ood}
	// The teacher is only read: views with their own caches are safe to
	// run next to other runs sharing the same weights.
	m.tG, m.tS = shareWeights(teacher), shareWeights(teacher)
	var err error
	if m.s, m.optS, err = newStudent(d, cfg.Student, seed); err != nil {
		return nil, err
	}
	m.sG = shareWeights(m.s)
	gnet, err := nn.NewMLP(rand.New(rand.NewPCG(seed, StreamGenInit)), sizes(cfg.ZDim, cfg.GenHidden, d), nn.LeakyReLU, 0.2)
	if err != nil {
		return nil, err
	}
	m.gen = &Generator{Net: gnet, ZDim: cfg.ZDim, Bound: cfg.GenBound}
	if m.optG, err = nn.NewAdam(cfg.LRG, 0.5, 0.999, 0); err != nil {
		return nil, err
	}
	switch cfg.Disc {
	case PatchD:
		m.d, err = nn.NewMLP(rand.New(rand.NewPCG(seed, StreamDiscInit)), sizes(w.Cfg.PatchDim, cfg.DiscHidden, 1), nn.LeakyReLU, 0.2)
	case FullImageD:
		m.d, err = nn.NewMLP(rand.New(rand.NewPCG(seed, StreamDiscInit)), sizes(d, cfg.DiscHidden, 1), nn.LeakyReLU, 0.2)
	}
	if err != nil {
		return nil, err
	}
	if m.d != nil {
		if m.optD, err = nn.NewAdam(cfg.LRD, 0.5, 0.999, 0); err != nil {
			return nil, err
		}
	}
	m.rng = rand.New(rand.NewPCG(seed, StreamMosaicSample))
	m.z = mat.NewDense(B, cfg.ZDim, nil)
	m.x = mat.NewDense(B, d, nil)
	m.xo = mat.NewDense(B, d, nil)
	m.dx = mat.NewDense(B, d, nil)
	sRows := B
	if cfg.OODInStudent {
		sRows = 2 * B
	}
	m.sb = mat.NewDense(sRows, d, nil)
	return m, nil
}

// fillOOD copies len(rows of dst) random OOD rows into dst.
func (m *mosaicRun) fillOOD(dst *mat.Dense) {
	n, _ := m.ood.Dims()
	r, _ := dst.Dims()
	for i := 0; i < r; i++ {
		copy(dst.RawRowView(i), m.ood.RawRowView(m.rng.IntN(n)))
	}
}

// discIn returns the discriminator's view of a batch.
func (m *mosaicRun) discIn(x *mat.Dense) *mat.Dense {
	if m.cfg.Disc == PatchD {
		return patchView(x, m.w.Cfg.PatchDim)
	}
	return x
}

// iteration runs one D step, one G step and the student steps; it returns
// the mean student loss and leaves the G-step losses in m.
func (m *mosaicRun) iteration() (float64, error) {
	cfg := m.cfg
	B := float64(cfg.Batch)
	// Synthetic batch for the D and G steps.
	fillNormal(m.z, m.rng)
	h, err := m.gen.Net.Forward(m.z)
	if err != nil {
		return 0, err
	}
	m.gen.bounded(m.x, h)
	m.lossD = 0
	if m.d != nil {
		m.fillOOD(m.xo)
		m.d.ZeroGrad()
		for _, side := range []struct {
			x      *mat.Dense
			target float64
		}{{m.x, 0}, {m.xo, 1}} {
			s, err := m.d.Forward(m.discIn(side.x))
			if err != nil {
				return 0, err
			}
			l, g, err := nn.BCEWithLogits(s, side.target, 2*B)
			if err != nil {
				return 0, err
			}
			m.lossD += l
			if err := m.d.BackwardParams(g); err != nil {
				return 0, err
			}
		}
		if err := m.optD.Step(m.d); err != nil {
			return 0, err
		}
	}
	if err := m.generatorStep(); err != nil {
		return 0, err
	}
	lossS := 0.0
	for k := 0; k < cfg.StudentSteps; k++ {
		fillNormal(m.z, m.rng)
		h, err := m.gen.Net.Forward(m.z)
		if err != nil {
			return 0, err
		}
		top := m.sb.Slice(0, cfg.Batch, 0, m.w.Dim()).(*mat.Dense)
		m.gen.bounded(top, h)
		if cfg.OODInStudent {
			rows, _ := m.sb.Dims()
			m.fillOOD(m.sb.Slice(cfg.Batch, rows, 0, m.w.Dim()).(*mat.Dense))
		}
		l, err := studentStepLoss(m.tS, m.s, m.optS, m.sb, cfg.Student.Temp)
		if err != nil {
			return 0, err
		}
		lossS += l
	}
	if cfg.StudentSteps > 0 {
		lossS /= float64(cfg.StudentSteps)
	}
	return lossS, nil
}

// generatorGrad computes the generator loss on the current batch m.x (the
// generator's last Forward) and accumulates its gradient into the
// generator's GW/GB. T, S and D are frozen. It records the loss terms in m.
func (m *mosaicRun) generatorGrad() (float64, error) {
	cfg := m.cfg
	B := float64(cfg.Batch)
	zt, err := m.tG.Forward(m.x)
	if err != nil {
		return 0, err
	}
	zs, err := m.sG.Forward(m.x)
	if err != nil {
		return 0, err
	}
	kl, dT, dS, err := nn.KLDistill(zt, zs, 1)
	if err != nil {
		return 0, err
	}
	ent, dH, err := nn.Entropy(zt)
	if err != nil {
		return 0, err
	}
	bal, dBal, err := nn.NegEntropyOfMean(zt, false)
	if err != nil {
		return 0, err
	}
	local := 0.0
	var dLocal *mat.Dense
	if m.d != nil {
		sd, err := m.d.Forward(m.discIn(m.x))
		if err != nil {
			return 0, err
		}
		if local, dLocal, err = nn.BCEWithLogits(sd, 1, B); err != nil {
			return 0, err
		}
	}
	m.adv, m.align, m.local, m.balance = -kl, ent, local, bal
	m.r = ent + local
	wAlign, wLocal := cfg.Align, cfg.Local
	m.lambda = 1
	if cfg.Lambda == SwitchLambda {
		m.lambda = 0
		if m.r > cfg.Eps {
			m.lambda = cfg.LambdaBig
		}
		wAlign *= m.lambda
		wLocal *= m.lambda
	}
	loss := cfg.Adv*m.adv + wAlign*ent + wLocal*local + cfg.Balance*bal
	// Teacher-logit gradient: −Adv·dKL/dT + wAlign·dH + Balance·dBal.
	gt, gb := dT.RawMatrix().Data, dBal.RawMatrix().Data
	for i, h := range dH.RawMatrix().Data {
		gt[i] = -cfg.Adv*gt[i] + wAlign*h + cfg.Balance*gb[i]
	}
	dxT, err := m.tG.Backward(dT, false)
	if err != nil {
		return 0, err
	}
	dx := m.dx.RawMatrix().Data
	copy(dx, dxT.RawMatrix().Data)
	if cfg.Adv != 0 {
		gs := dS.RawMatrix().Data
		for i := range gs {
			gs[i] *= -cfg.Adv
		}
		dxS, err := m.sG.Backward(dS, false)
		if err != nil {
			return 0, err
		}
		for i, v := range dxS.RawMatrix().Data {
			dx[i] += v
		}
	}
	if dLocal != nil && wLocal != 0 {
		gl := dLocal.RawMatrix().Data
		for i := range gl {
			gl[i] *= wLocal
		}
		dxD, err := m.d.Backward(dLocal, false)
		if err != nil {
			return 0, err
		}
		for i, v := range dxD.RawMatrix().Data { // same layout as x
			dx[i] += v
		}
	}
	// Through the bound x = b·tanh(h/b): dx/dh = 1 − (x/b)².
	b := m.gen.Bound
	for i, v := range m.x.RawMatrix().Data {
		u := v / b
		dx[i] *= 1 - u*u
	}
	if err := m.gen.Net.BackwardParams(m.dx); err != nil {
		return 0, err
	}
	return loss, nil
}

func (m *mosaicRun) generatorStep() error {
	m.gen.Net.ZeroGrad()
	if _, err := m.generatorGrad(); err != nil {
		return err
	}
	return m.optG.Step(m.gen.Net)
}

// GeneratorStats draws n samples from gen (stream StreamGenSample) and
// describes them with the world and the teacher (see GenStats).
func GeneratorStats(w *World, teacher *nn.MLP, gen *Generator, n int, seed uint64) (GenStats, error) {
	var st GenStats
	if w == nil || teacher == nil || gen == nil {
		return st, fmt.Errorf("mosaickd: GeneratorStats: world, teacher and generator must not be nil")
	}
	x, err := gen.Sample(n, seed)
	if err != nil {
		return st, fmt.Errorf("mosaickd: GeneratorStats: %w", err)
	}
	arr, dist, err := w.NearestMotifs(x)
	if err != nil {
		return st, fmt.Errorf("mosaickd: GeneratorStats: %w", err)
	}
	near, inDom, patches := 0, 0, 0
	for i := range arr {
		for _, d := range dist[i] {
			patches++
			if d < NearMotifDist {
				near++
			}
		}
		if w.InVocabulary(arr[i]) {
			inDom++
		}
	}
	st.PatchNearMotif = float64(near) / float64(patches)
	st.ArrInDomain = float64(inDom) / float64(n)
	st.MeanSqNorm = meanSqNorm(x)
	z, err := teacher.Predict(x)
	if err != nil {
		return st, fmt.Errorf("mosaickd: GeneratorStats: %w", err)
	}
	p, err := nn.SoftmaxRows(z, 1)
	if err != nil {
		return st, fmt.Errorf("mosaickd: GeneratorStats: %w", err)
	}
	st.ClassHist = make([]int, Classes)
	for i := 0; i < n; i++ {
		row := p.RawRowView(i)
		k := argmax(row)
		st.ClassHist[k]++
		st.TeacherConf += row[k]
	}
	st.TeacherConf /= float64(n)
	return st, nil
}

// MovingAverage returns the trailing mean of v over the last window entries
// (fewer at the start), for smoothing the per-iteration Trace fields.
func MovingAverage(v []float64, window int) ([]float64, error) {
	if window < 1 {
		return nil, fmt.Errorf("mosaickd: MovingAverage: window = %d, must be ≥ 1", window)
	}
	out := make([]float64, len(v))
	sum := 0.0
	for i, x := range v {
		sum += x
		if i >= window {
			sum -= v[i-window]
		}
		out[i] = sum / float64(min(i+1, window))
	}
	return out, nil
}
