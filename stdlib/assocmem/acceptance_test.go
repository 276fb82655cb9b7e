package assocmem

// Acceptance checks M1–M15 of the build spec (papers/sysid-muon.md §6.2),
// with the settings of notebooks/muon-assocmem.ipynb. They take about a
// minute on 2 cores and run only with GONOTE_SLOW=1 (as .ci/run sets).
// M16 (notebook runtime) is measured by running the notebook, not asserted.

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/gonote/gonote/stdlib/internal/slowtest"
	"github.com/gonote/gonote/stdlib/stats"
)

// PaperSeed is the seed of the notebook and of these checks.
const paperSeed = 20260327

func slow(t *testing.T) {
	t.Helper()
	slowtest.Require(t, "acceptance check")
}

type paperResults struct {
	capacity map[float64]Rows // α → Muon, NS5 (+ NS10, Newton at α = 1.5) and SGD rows
	batch    Rows
	muonRuns [][]TrainPoint
	gdRuns   [][]TrainPoint
	err      error
}

var (
	paperOnce sync.Once
	paper     paperResults
)

// results runs the notebook's experiments once for all checks.
func results(t *testing.T) *paperResults {
	t.Helper()
	paperOnce.Do(func() {
		ctx := context.Background()
		paper.capacity = map[float64]Rows{}
		for _, alpha := range []float64{1.5, 2} {
			methods := []string{Muon, "NS5"}
			if alpha == 1.5 {
				methods = append(methods, "NS10", Newton)
			}
			cfg := OneStepConfig{Ds: []int{32, 64, 128, 256}, N: 2048, Alpha: alpha, Seeds: 3, Seed: paperSeed,
				Methods: methods, KqMuon: 1024, KqSGD: 64}
			spec, err := OneStepSweep(ctx, cfg)
			if err != nil {
				paper.err = err
				return
			}
			cfg.Methods, cfg.Seeds = []string{SGD}, 12
			sgd, err := OneStepSweep(ctx, cfg)
			if err != nil {
				paper.err = err
				return
			}
			paper.capacity[alpha] = append(spec, sgd...)
		}
		bcfg := OneStepConfig{Ds: []int{64, 128}, N: 2048, Alpha: 1.5, Seeds: 4, Seed: paperSeed,
			Methods: []string{SGD, Muon}, KqMuon: 512, KqSGD: 64}
		paper.batch, paper.err = BatchSweep(ctx, bcfg, batchGrid())
		if paper.err != nil {
			return
		}
		task, _, err := OneStepTrial(OneStepConfig{N: 1024, Alpha: 1.5, Seed: paperSeed}, 32, 0)
		if err != nil {
			paper.err = err
			return
		}
		var cfgs []TrainConfig
		for _, eta := range []float64{1, 3, 10} {
			cfgs = append(cfgs, TrainConfig{Method: Muon, Eta: eta, Steps: 12})
		}
		for _, eta := range []float64{100, 300, 1000} {
			cfgs = append(cfgs, TrainConfig{Method: SGD, Eta: eta, Steps: 12})
		}
		runs, err := TrainGrid(ctx, task, cfgs)
		if err != nil {
			paper.err = err
			return
		}
		paper.muonRuns, paper.gdRuns = runs[:3], runs[3:]
	})
	if paper.err != nil {
		t.Fatal(paper.err)
	}
	return &paper
}

func batchGrid() []int { return []int{4, 16, 64, 256, 1024, 4096, 16384, 65536, 0} }

func val(t *testing.T, r Rows, method string, d, b int, field string) float64 {
	t.Helper()
	v, err := r.Value(method, d, b, field)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func slope(t *testing.T, r Rows, method, field string, ds []int) float64 {
	t.Helper()
	var x, y []float64
	for _, d := range ds {
		x = append(x, float64(d))
		y = append(y, val(t, r, method, d, 0, field))
	}
	fit, err := stats.LogLogFit(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return fit.Slope
}

func inRange(t *testing.T, name string, v, lo, hi float64) {
	t.Helper()
	t.Logf("%s = %.4g (need [%g, %g])", name, v, lo, hi)
	if !(v >= lo && v <= hi) {
		t.Errorf("%s = %.4g outside [%g, %g]", name, v, lo, hi)
	}
}

var big = []int{64, 128, 256}

func TestM1MuonBeatsSGD(t *testing.T) {
	slow(t)
	p := results(t)
	for _, a := range []float64{1.5, 2} {
		r := p.capacity[a]
		inRange(t, "K90 Muon/SGD at d=128, α="+ftoa(a), val(t, r, Muon, 128, 0, "K90")/val(t, r, SGD, 128, 0, "K90"), 10, 1e9)
	}
}

func TestM2toM4CapacityExponents(t *testing.T) {
	slow(t)
	p := results(t)
	for _, a := range []float64{1.5, 2} {
		r := p.capacity[a]
		sm := slope(t, r, Muon, "K90", big)
		ss := slope(t, r, SGD, "NRec", big)
		inRange(t, "M2 slope K90_Muon α="+ftoa(a), sm, 1.15, 1.65)
		inRange(t, "M3 slope NRec_SGD α="+ftoa(a), ss, 0.05, 0.7)
		inRange(t, "M4 exponent gap α="+ftoa(a), sm-ss, 0.7, 1.4)
	}
}

func TestM5BeatsEmbeddingDimension(t *testing.T) {
	slow(t)
	p := results(t)
	inRange(t, "NRec_Muon(256)/256 α=1.5", val(t, p.capacity[1.5], Muon, 256, 0, "NRec")/256, 1.1, 1e9)
	inRange(t, "NRec_Muon(256)/256 α=2", val(t, p.capacity[2], Muon, 256, 0, "NRec")/256, 1.05, 1e9)
}

func TestM6MuonMatchesNewton(t *testing.T) {
	slow(t)
	r := results(t).capacity[1.5]
	for _, d := range []int{128, 256} {
		inRange(t, "K90 Newton/Muon d="+itoa(d), val(t, r, Newton, d, 0, "K90")/val(t, r, Muon, d, 0, "K90"), 0.85, 1.15)
	}
}

func TestM7NS10MatchesPolar(t *testing.T) {
	slow(t)
	r := results(t).capacity[1.5]
	for _, d := range []int{128, 256} {
		inRange(t, "NRec NS10/Muon d="+itoa(d), val(t, r, "NS10", d, 0, "NRec")/val(t, r, Muon, d, 0, "NRec"), 0.9, 1.05)
	}
}

func TestM8NS5UnderAmplifiesTail(t *testing.T) {
	slow(t)
	r := results(t).capacity[2]
	inRange(t, "K90 NS5/Muon α=2 d=256", val(t, r, "NS5", 256, 0, "K90")/val(t, r, Muon, 256, 0, "K90"), 0, 0.5)
	inRange(t, "K90 NS5/Muon α=2 d=32", val(t, r, "NS5", 32, 0, "K90")/val(t, r, Muon, 32, 0, "K90"), 0.85, 1e9)
}

func critical(t *testing.T, r Rows, method string, d int) int {
	t.Helper()
	sel := r.Method(method).Dim(d)
	var bs []int
	var e []float64
	for _, x := range sel {
		bs = append(bs, x.B)
		e = append(e, x.Mean.E01)
	}
	b, err := CriticalBatch(bs, e, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if b == 0 {
		t.Fatalf("%s d=%d: only B = ∞ is within 10%% of E01(∞)", method, d)
	}
	t.Logf("B_crit %s d=%d: %d (E01 %v)", method, d, b, e)
	return b
}

func TestM9CriticalBatchRatio(t *testing.T) {
	slow(t)
	r := results(t).batch
	inRange(t, "B_crit Muon/SGD d=64", float64(critical(t, r, Muon, 64))/float64(critical(t, r, SGD, 64)), 16, 1e9)
}

func TestM10MuonCriticalBatchGrows(t *testing.T) {
	slow(t)
	r := results(t).batch
	inRange(t, "B_crit Muon d=128 / d=64", float64(critical(t, r, Muon, 128))/float64(critical(t, r, Muon, 64)), 4, 1e9)
}

func TestM11SGDSaturatesEarly(t *testing.T) {
	slow(t)
	r := results(t).batch
	inRange(t, "E01_SGD(256)/E01_SGD(∞) d=64", val(t, r, SGD, 64, 256, "E01")/val(t, r, SGD, 64, 0, "E01"), 0, 1.1)
}

func TestM12MuonBatchGrowth(t *testing.T) {
	slow(t)
	r := results(t).batch
	var x, y []float64
	for _, b := range []int{64, 256, 1024, 4096} {
		x = append(x, float64(b))
		y = append(y, val(t, r, Muon, 128, b, "K90"))
	}
	fit, err := stats.LogLogFit(x, y)
	if err != nil {
		t.Fatal(err)
	}
	inRange(t, "slope K90_Muon vs B, d=128", fit.Slope, 0.3, 0.8)
}

func TestM13M14MultiStep(t *testing.T) {
	slow(t)
	p := results(t)
	mu, err := Envelope(p.muonRuns)
	if err != nil {
		t.Fatal(err)
	}
	gd, err := Envelope(p.gdRuns)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Muon envelope %v\nGD envelope   %v", mu, gd)
	r1 := float64(mu[0]) / float64(gd[0])
	r12 := float64(mu[11]) / float64(gd[11])
	inRange(t, "M13 Muon/GD NRec at t=1", r1, 2.5, 1e9)
	for s := range mu {
		if mu[s] < gd[s] {
			t.Errorf("M14: at t=%d the Muon envelope %d < GD envelope %d", s+1, mu[s], gd[s])
		}
	}
	if !(r12 < r1) {
		t.Errorf("M14: ratio at t=12 (%.3g) not below ratio at t=1 (%.3g)", r12, r1)
	}
}

func TestM15RecallError(t *testing.T) {
	slow(t)
	r := results(t).capacity[1.5]
	inRange(t, "E01 Muon/SGD d=256", val(t, r, Muon, 256, 0, "E01")/val(t, r, SGD, 256, 0, "E01"), 0, 0.15)
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
func itoa(v int) string     { return strconv.Itoa(v) }

// PaperChecks (what the notebook's last cell shows) passes on the same runs
// and reports the values computed independently above.
func TestPaperChecks(t *testing.T) {
	slow(t)
	p := results(t)
	checks, err := PaperChecks(PaperRuns{Capacity15: p.capacity[1.5], Capacity20: p.capacity[2], Batch: p.batch,
		MuonRuns: p.muonRuns, GDRuns: p.gdRuns})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + checks.String())
	if len(checks) != 24 || !checks.AllPass() {
		t.Fatalf("%d checks, all pass = %v", len(checks), checks.AllPass())
	}
	m1 := val(t, p.capacity[1.5], Muon, 128, 0, "K90") / val(t, p.capacity[1.5], SGD, 128, 0, "K90")
	m9 := float64(critical(t, p.batch, Muon, 64)) / float64(critical(t, p.batch, SGD, 64))
	mu, _ := Envelope(p.muonRuns)
	gd, _ := Envelope(p.gdRuns)
	for _, c := range []struct {
		got  Check
		want float64
	}{{checks[0], m1}, {checks[16], m9}, {checks[20], float64(mu[0]) / float64(gd[0])}} {
		if c.got.Value != c.want {
			t.Errorf("%s %s = %v, independent value %v", c.got.ID, c.got.Name, c.got.Value, c.want)
		}
	}
}
