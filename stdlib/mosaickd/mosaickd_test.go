package mosaickd

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gonote/gonote/stdlib/nn"
	"gonum.org/v1/gonum/mat"
)

func mustWorld(t testing.TB, seed uint64) *World {
	t.Helper()
	w, err := NewWorld(DefaultWorld(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWorldStructure(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		w := mustWorld(t, seed)
		K := w.Cfg.Motifs
		for k := 0; k < K; k++ {
			if n := mat.Norm(w.Motif.RowView(k), 2); math.Abs(n-1) > 1e-12 {
				t.Errorf("seed %d: motif %d has norm %v", seed, k, n)
			}
			for q := 0; q < k; q++ {
				if d := dist(w.Motif.RawRowView(k), w.Motif.RawRowView(q)); d <= w.Cfg.MinMotifDist {
					t.Errorf("seed %d: motifs %d and %d at distance %v", seed, k, q, d)
				}
			}
		}
		for p := 0; p < w.Cfg.Positions; p++ {
			all := append(append([]int(nil), w.InVocab[p]...), w.OutVocab[p]...)
			seen := map[int]bool{}
			for _, k := range all {
				seen[k] = true
			}
			if len(w.InVocab[p]) != 2 || len(all) != K || len(seen) != K {
				t.Errorf("seed %d position %d: vocabularies %v / %v do not split the %d motifs", seed, p, w.InVocab[p], w.OutVocab[p], K)
			}
		}
	}
}

func TestSamplesFollowTheRules(t *testing.T) {
	tests := []struct {
		rule string
		kind string
	}{{"simple", "id"}, {"xor", "id"}, {"simple", "ood"}}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.kind, func(t *testing.T) {
			cfg := DefaultWorld()
			cfg.Rule = tt.rule
			w, err := NewWorld(cfg, 4)
			if err != nil {
				t.Fatal(err)
			}
			var x *mat.Dense
			var y []int
			if tt.kind == "id" {
				x, y, err = w.SampleID(500, 9)
			} else {
				x, err = w.SampleOOD(500, 9)
			}
			if err != nil {
				t.Fatal(err)
			}
			arr, _, err := w.NearestMotifs(x)
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]int, Classes)
			for i, a := range arr {
				for p, k := range a {
					in := k == w.InVocab[p][0] || k == w.InVocab[p][1]
					if in != (tt.kind == "id") {
						t.Fatalf("sample %d position %d: nearest motif %d, in-vocabulary %v", i, p, k, in)
					}
				}
				if tt.kind != "id" {
					continue
				}
				s := make([]int, len(a))
				for p, k := range a {
					if k == w.InVocab[p][1] {
						s[p] = 1
					}
				}
				if got := w.label(s); got != y[i] {
					t.Fatalf("sample %d: label %d, the nearest motifs give %d", i, y[i], got)
				}
				counts[y[i]]++
			}
			if tt.kind == "id" {
				for c, n := range counts {
					if n < 90 || n > 160 {
						t.Errorf("class %d has %d of 500 samples, want about 125", c, n)
					}
				}
				if m, _ := MeanSqNorm(x); math.Abs(m-4.4) > 0.2 {
					t.Errorf("mean squared norm %.3f, want ≈ 4.4", m)
				}
			}
		})
	}
}

func TestSamplingIsSeeded(t *testing.T) {
	w := mustWorld(t, 1)
	a, ya, _ := w.SampleID(20, 5)
	b, yb, _ := w.SampleID(20, 5)
	c, _, _ := w.SampleID(20, 6)
	if !mat.Equal(a, b) || !reflect.DeepEqual(ya, yb) {
		t.Error("same seed, different samples")
	}
	if mat.Equal(a, c) {
		t.Error("different seeds, same samples")
	}
	w2 := mustWorld(t, 1)
	if !mat.Equal(w.Motif, w2.Motif) || !reflect.DeepEqual(w.InVocab, w2.InVocab) {
		t.Error("same seed, different worlds")
	}
}

// constGenerator returns a generator whose output is (almost exactly) x0
// for every z: zero weights, bias x0, and a bound so large that the tanh is
// the identity to 1e-10.
func constGenerator(x0 []float64) *Generator {
	m, _ := nn.NewMLP(rand.New(rand.NewPCG(1, 1)), []int{2, len(x0)}, nn.Identity, 0)
	m.Layers[0].W.Zero()
	copy(m.Layers[0].B, x0)
	return &Generator{Net: m, ZDim: 2, Bound: 1e5}
}

func TestGeneratorStats(t *testing.T) {
	w := mustWorld(t, 2)
	teacher, _ := nn.NewMLP(rand.New(rand.NewPCG(3, 3)), []int{w.Dim(), 8, Classes}, nn.ReLU, 0)
	D := w.Cfg.PatchDim
	mosaicOf := func(pick func(p int) int) []float64 {
		x := make([]float64, w.Dim())
		for p := 0; p < w.Cfg.Positions; p++ {
			copy(x[p*D:], w.Motif.RawRowView(pick(p)))
		}
		return x
	}
	tests := []struct {
		name               string
		x0                 []float64
		near, inDom, sqNrm float64
	}{
		{"in-domain mosaic", mosaicOf(func(p int) int { return w.InVocab[p][1] }), 1, 1, 4},
		{"OOD mosaic", mosaicOf(func(p int) int { return w.OutVocab[p][0] }), 1, 0, 4},
		{"zero input", make([]float64, w.Dim()), 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := GeneratorStats(w, teacher, constGenerator(tt.x0), 50, 1)
			if err != nil {
				t.Fatal(err)
			}
			if st.PatchNearMotif != tt.near || st.ArrInDomain != tt.inDom || math.Abs(st.MeanSqNorm-tt.sqNrm) > 1e-6 {
				t.Errorf("got near %v, in-domain %v, ‖x‖² %v; want %v, %v, %v", st.PatchNearMotif, st.ArrInDomain, st.MeanSqNorm, tt.near, tt.inDom, tt.sqNrm)
			}
			total, maxc := 0, 0
			for _, c := range st.ClassHist {
				total += c
				maxc = max(maxc, c)
			}
			if total != 50 || maxc != 50 {
				t.Errorf("class histogram %v: a constant generator must put all 50 samples in one class", st.ClassHist)
			}
		})
	}
}

// TestGeneratorLossGradient is check A1 for L_G end to end: the gradient
// of Adv·L_adv + Align·L_align + Local·L_local + Balance·L_balance w.r.t.
// the generator's weights, through the frozen teacher, student and
// discriminator and the tanh bound.
func TestGeneratorLossGradient(t *testing.T) {
	w := mustWorld(t, 1)
	teacher, _ := nn.NewMLP(rand.New(rand.NewPCG(8, 8)), []int{w.Dim(), 64, 64, Classes}, nn.ReLU, 0)
	ood, _ := w.SampleOOD(50, 1)
	tests := []struct {
		name string
		edit func(c *MosaicConfig)
	}{
		{"mosaic/patch D", func(c *MosaicConfig) {}},
		{"full-image D", func(c *MosaicConfig) { c.Disc, c.DiscHidden = FullImageD, []int{32} }},
		{"no D (data-free)", func(c *MosaicConfig) { c.Disc, c.Local = NoD, 0 }},
		{"switch λ_big", func(c *MosaicConfig) { c.Lambda, c.Eps, c.LambdaBig = SwitchLambda, 0, 3 }},
		{"unequal weights, small bound", func(c *MosaicConfig) { c.Adv, c.Align, c.Local, c.Balance, c.GenBound = 0.7, 1.3, 2, 5, 0.5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := Preset("mosaic")
			cfg.Batch = 8
			tt.edit(&cfg)
			m, err := newMosaicRun(w, teacher, ood, cfg, 5)
			if err != nil {
				t.Fatal(err)
			}
			// Move the student and the discriminator off their
			// initialisation, so every term has a non-trivial gradient.
			for i := 0; i < 20; i++ {
				if _, err := m.iteration(); err != nil {
					t.Fatal(err)
				}
			}
			fillNormal(m.z, rand.New(rand.NewPCG(1, 2)))
			loss := func() float64 {
				h, err := m.gen.Net.Forward(m.z)
				if err != nil {
					t.Fatal(err)
				}
				m.gen.bounded(m.x, h)
				l, err := m.generatorGrad()
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			m.gen.Net.ZeroGrad()
			loss()
			if cfg.Lambda == SwitchLambda && m.lambda != 3 {
				t.Fatalf("λ = %v, want λ_big = 3 with ε = 0", m.lambda)
			}
			w0, g0 := m.gen.Net.Params()
			grads := make([][]float64, len(g0)) // the checks' loss calls accumulate into g0
			for i := range g0 {
				grads[i] = append([]float64(nil), g0[i]...)
			}
			for i := range w0 {
				g := grads[i]
				rel, err := nn.GradCheck(loss, w0[i], g, 1e-5, 50, uint64(i))
				if err != nil {
					t.Fatal(err)
				}
				if rel > 1e-5 {
					t.Errorf("generator parameter block %d: max relative error %.3g > 1e-5", i, rel)
				}
			}
		})
	}
}

func TestPresets(t *testing.T) {
	base, err := Preset("mosaic")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		check func(c MosaicConfig) bool
	}{
		{"mosaic", func(c MosaicConfig) bool { return reflect.DeepEqual(c, base) }},
		{"lambda0", func(c MosaicConfig) bool { return c.Align == 0 && c.Local == 0 && c.Disc == PatchD && c.Adv == 1 }},
		{"no_local", func(c MosaicConfig) bool { return c.Local == 0 && c.Align == 1 && c.Disc == PatchD }},
		{"no_align", func(c MosaicConfig) bool { return c.Align == 0 && c.Local == 1 }},
		{"no_adv", func(c MosaicConfig) bool { return c.Adv == 0 && c.Local == 1 && c.Align == 1 }},
		{"fullimage_d", func(c MosaicConfig) bool { return c.Disc == FullImageD && c.Local == 1 }},
		{"no_ood_in_s", func(c MosaicConfig) bool { return !c.OODInStudent && c.Disc == PatchD }},
		{"datafree", func(c MosaicConfig) bool { return c.Disc == NoD && !c.OODInStudent && c.Align == 1 && c.Balance == 10 }},
		{"dfad", func(c MosaicConfig) bool { return c.Disc == NoD && c.Adv == 1 && c.Align == 0 && c.Balance == 0 }},
		{"switch", func(c MosaicConfig) bool { return c.Lambda == SwitchLambda && c.Eps == 3.5 && c.LambdaBig == 3 }},
	}
	if len(tests) != len(PresetNames()) {
		t.Fatalf("%d presets, %d checked", len(PresetNames()), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Preset(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("preset %s: %+v", tt.name, c)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	w := mustWorld(t, 1)
	teacher, _ := nn.NewMLP(rand.New(rand.NewPCG(1, 1)), []int{w.Dim(), 4, Classes}, nn.ReLU, 0)
	x, y, _ := w.SampleID(10, 1)
	cfgWith := func(edit func(c *MosaicConfig)) MosaicConfig {
		c, _ := Preset("mosaic")
		edit(&c)
		return c
	}
	run := func(c MosaicConfig, ood *mat.Dense) error {
		_, err := RunMosaic(w, teacher, ood, x, y, c, 1)
		return err
	}
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"world motifs", func() error { c := DefaultWorld(); c.Motifs = 2; _, err := NewWorld(c, 1); return err }, "Motifs = 2"},
		{"world rule", func() error { c := DefaultWorld(); c.Rule = "and"; _, err := NewWorld(c, 1); return err }, `Rule = "and"`},
		{"world xor positions", func() error {
			c := DefaultWorld()
			c.Rule, c.Positions = "xor", 3
			_, err := NewWorld(c, 1)
			return err
		}, "needs ≥ 4"},
		{"world impossible spacing", func() error {
			c := DefaultWorld()
			c.Motifs, c.PatchDim, c.MinMotifDist = 40, 2, 1.9
			_, err := NewWorld(c, 1)
			return err
		}, "could not place motif"},
		{"sample n", func() error { _, _, err := w.SampleID(0, 1); return err }, "n = 0"},
		{"noise std", func() error { _, err := w.SampleNoise(3, -1, 1); return err }, "std = -1"},
		{"nearest motifs width", func() error { _, _, err := w.NearestMotifs(mat.NewDense(2, 5, nil)); return err }, "5 columns"},
		{"teacher epochs", func() error {
			c := DefaultTeacher()
			c.Epochs = 0
			_, err := TrainTeacher(w, x, y, c, 1)
			return err
		}, "Epochs = 0"},
		{"teacher labels", func() error { _, err := TrainTeacher(w, x, y[:3], DefaultTeacher(), 1); return err }, "3 labels for 10 rows"},
		{"teacher label range", func() error {
			yy := append([]int(nil), y...)
			yy[4] = 7
			_, err := TrainTeacher(w, x, yy, DefaultTeacher(), 1)
			return err
		}, "y[4] = 7"},
		{"student temp", func() error {
			c := DefaultStudent()
			c.Temp = 0
			_, err := DistillFixed(teacher, x, c, 1, 1, 1)
			return err
		}, "Temp = 0"},
		{"distill batch", func() error { _, err := DistillFixed(teacher, x, DefaultStudent(), 1, 0, 1); return err }, "batch = 0"},
		{"distill width", func() error {
			_, err := DistillFixed(teacher, mat.NewDense(3, 5, nil), DefaultStudent(), 1, 1, 1)
			return err
		}, "data is 3×5"},
		{"preset name", func() error { _, err := Preset("mosiac"); return err }, `unknown name "mosiac"`},
		{"iters", func() error { return run(cfgWith(func(c *MosaicConfig) { c.Iters = 0 }), x) }, "Iters = 0"},
		{"bound", func() error { return run(cfgWith(func(c *MosaicConfig) { c.GenBound = 0 }), x) }, "GenBound = 0"},
		{"negative weight", func() error { return run(cfgWith(func(c *MosaicConfig) { c.Balance = -1 }), x) }, "Balance = -1"},
		{"local without D", func() error { return run(cfgWith(func(c *MosaicConfig) { c.Disc = NoD }), x) }, "needs a discriminator"},
		{"missing OOD", func() error { return run(cfgWith(func(c *MosaicConfig) {}), nil) }, "ood is nil"},
		{"student config", func() error { return run(cfgWith(func(c *MosaicConfig) { c.Student.LR = -1 }), x) }, "Student: mosaickd: StudentConfig.LR = -1"},
		{"suite parallel", func() error { _, err := (&Suite{}).Run([]string{"mosaic"}, 0); return err }, "parallel = 0"},
		{"suite condition", func() error { _, err := (&Suite{}).Run([]string{"kd_fake"}, 1); return err }, `unknown condition "kd_fake"`},
		{"suite sizes", func() error { c := DefaultSuite(); c.NTest = 0; _, err := NewSuiteWith(c, 1); return err }, "NTest = 0"},
		{"mean squared norm of nothing", func() error { _, err := MeanSqNorm(nil); return err }, "nil or empty"},
		{"generator without network", func() error { _, err := (&Generator{ZDim: 2, Bound: 1}).Sample(3, 1); return err }, "no network"},
		{"find", func() error { _, err := Results(nil).Find("mosaic"); return err }, `"mosaic"`},
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

// smallSuite is a fast suite for determinism checks (not calibrated).
func smallSuite(t testing.TB, seed uint64) *Suite {
	cfg := DefaultSuite()
	cfg.NTrain, cfg.NTest, cfg.NOOD, cfg.NNoise = 400, 200, 400, 400
	cfg.Teacher.Epochs = 3
	cfg.BaselineSteps = 50
	s, err := NewSuiteWith(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSuiteRunIndependentOfParallelism(t *testing.T) {
	s := smallSuite(t, 3)
	names := []string{"mosaic", "datafree", "fullimage_d", "switch", "no_ood_in_s"}
	cfgs := make([]MosaicConfig, len(names))
	for i, n := range names {
		cfgs[i], _ = Preset(n)
		cfgs[i].Iters, cfgs[i].EvalEvery = 30, 10
	}
	serial, err := s.RunConfigs(names, cfgs, 1)
	if err != nil {
		t.Fatal(err)
	}
	parallel, err := s.RunConfigs(names, cfgs, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		a, b := serial[i], parallel[i]
		if a.Name != names[i] || b.Name != names[i] {
			t.Fatalf("result %d named %q / %q, want %q", i, a.Name, b.Name, names[i])
		}
		if a.Acc != b.Acc || !reflect.DeepEqual(a.Trace, b.Trace) || !reflect.DeepEqual(a.Stats, b.Stats) {
			t.Errorf("%s: serial and parallel runs differ: %v vs %v", names[i], a.Acc, b.Acc)
		}
		wa, _ := a.Student.Params()
		wb, _ := b.Student.Params()
		ga, _ := a.Gen.Net.Params()
		gb, _ := b.Gen.Net.Params()
		if !reflect.DeepEqual(wa, wb) || !reflect.DeepEqual(ga, gb) {
			t.Errorf("%s: student or generator weights differ", names[i])
		}
	}
	tr := serial[0].Trace
	if !reflect.DeepEqual(tr.Iter, []int{10, 20, 30}) || len(tr.Acc) != 3 || len(tr.R) != 30 || len(tr.Lambda) != 30 {
		t.Errorf("trace: Iter %v, %d accuracies, %d R, %d λ; want [10 20 30], 3, 30, 30", tr.Iter, len(tr.Acc), len(tr.R), len(tr.Lambda))
	}
	for k, r := range tr.R {
		if math.Abs(r-(tr.Align[k]+tr.Local[k])) > 1e-12 || tr.Lambda[k] != 1 {
			t.Fatalf("iteration %d: R %v ≠ Align %v + Local %v, or λ %v ≠ 1 in FixedLambda mode", k+1, r, tr.Align[k], tr.Local[k], tr.Lambda[k])
		}
	}
	for k, l := range serial[3].Trace.Lambda { // switch: λ ∈ {0, λ_big} by the rule
		want := 0.0
		if serial[3].Trace.R[k] > cfgs[3].Eps {
			want = cfgs[3].LambdaBig
		}
		if l != want {
			t.Fatalf("switch iteration %d: R %v, λ %v, want %v", k+1, serial[3].Trace.R[k], l, want)
		}
	}
	if _, err := s.RunConfigs(names[:2], cfgs[:1], 2); err == nil {
		t.Error("RunConfigs accepted 2 names for 1 configuration")
	}
}

func TestSuiteRunOrderAndParallel(t *testing.T) {
	s := smallSuite(t, 4)
	names := []string{"kd_noise", "kd_real", "kd_ood"}
	r1, err := s.Run(names, 1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.Run(names, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		if r1[i].Name != n || r2[i].Name != n || r1[i].Acc != r2[i].Acc {
			t.Errorf("result %d: %s %v / %s %v, want %s with equal accuracies", i, r1[i].Name, r1[i].Acc, r2[i].Name, r2[i].Acc, n)
		}
	}
	if r, err := r2.Find("kd_real"); err != nil || r.Acc != r1[1].Acc {
		t.Errorf("Find(kd_real) = %v, %v", r.Acc, err)
	}
}

func TestMovingAverage(t *testing.T) {
	tests := []struct {
		v      []float64
		window int
		want   []float64
	}{
		{[]float64{1, 2, 3, 4}, 1, []float64{1, 2, 3, 4}},
		{[]float64{1, 2, 3, 4}, 2, []float64{1, 1.5, 2.5, 3.5}},
		{[]float64{3, 0, 6, 3}, 3, []float64{3, 1.5, 3, 3}},
		{nil, 5, []float64{}},
	}
	for _, tt := range tests {
		got, err := MovingAverage(tt.v, tt.window)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MovingAverage(%v, %d) = %v, %v; want %v", tt.v, tt.window, got, err, tt.want)
		}
	}
	if _, err := MovingAverage([]float64{1}, 0); err == nil || !strings.Contains(err.Error(), "window = 0") {
		t.Errorf("window 0: error %v", err)
	}
}

func TestGapRecovery(t *testing.T) {
	tests := []struct{ real, ood, method, want float64 }{
		{64.06, 47.47, 61.01, (61.01 - 47.47) / (64.06 - 47.47)},
		{1, 0.2, 1, 1},
		{1, 0.2, 0.2, 0},
	}
	for _, tt := range tests {
		if got := GapRecovery(tt.real, tt.ood, tt.method); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("GapRecovery(%v, %v, %v) = %v, want %v", tt.real, tt.ood, tt.method, got, tt.want)
		}
	}
}
