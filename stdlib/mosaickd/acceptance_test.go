package mosaickd

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gonote/gonote/stdlib/internal/slowtest"
)

// The acceptance checks A2–A11 of §1.9 of the build spec, on seeds 1–5.
// They run only with GONOTE_SLOW=1 (about a minute on 2 cores): every seed
// builds its suite (world, data, teacher), then the 45 (seed, condition)
// runs are spread over 2 goroutines. The conditions are those the checks
// need; no_align, no_adv, no_ood_in_s and switch are not run.

var acceptanceSeeds = []uint64{1, 2, 3, 4, 5}

var acceptanceConditions = []string{"kd_real", "kd_ood", "kd_noise", "mosaic", "lambda0",
	"no_local", "fullimage_d", "datafree", "dfad"}

type acceptanceRuns struct {
	suites []*Suite
	res    map[string][]Result // condition → one result per seed
}

var (
	acceptOnce sync.Once
	accept     acceptanceRuns
	acceptErr  error
)

func runAcceptance() (acceptanceRuns, error) {
	acceptOnce.Do(func() {
		a := acceptanceRuns{suites: make([]*Suite, len(acceptanceSeeds)), res: map[string][]Result{}}
		if err := onWorkers(len(acceptanceSeeds), func(i int) (err error) {
			a.suites[i], err = NewSuite(acceptanceSeeds[i])
			return err
		}); err != nil {
			acceptErr = err
			return
		}
		for _, c := range acceptanceConditions {
			a.res[c] = make([]Result, len(acceptanceSeeds))
		}
		if err := onWorkers(len(acceptanceSeeds)*len(acceptanceConditions), func(j int) (err error) {
			si, ci := j/len(acceptanceConditions), j%len(acceptanceConditions)
			c := acceptanceConditions[ci]
			a.res[c][si], err = a.suites[si].RunOne(c)
			return err
		}); err != nil {
			acceptErr = err
			return
		}
		accept = a
	})
	return accept, acceptErr
}

// onWorkers runs job(0..n-1) on two goroutines (each job writes only its
// own slots) and returns the first error in index order.
func onWorkers(n int, job func(i int) error) error {
	const workers = 2
	errs := make([]error, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = job(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (a acceptanceRuns) accs(c string) []float64 {
	out := make([]float64, len(a.res[c]))
	for i, r := range a.res[c] {
		out[i] = r.Acc
	}
	return out
}

func (a acceptanceRuns) mean(c string) float64 { return meanOf(a.accs(c)) }

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func TestMosaicAcceptance(t *testing.T) {
	slowtest.Require(t, "MosaicKD acceptance checks A2–A11 (5 seeds)")
	a, err := runAcceptance()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s", "condition")
	for _, s := range acceptanceSeeds {
		fmt.Fprintf(&b, "  seed%d", s)
	}
	fmt.Fprintf(&b, "   mean   ‖x‖²\n")
	for _, c := range acceptanceConditions {
		fmt.Fprintf(&b, "%-12s", c)
		for _, v := range a.accs(c) {
			fmt.Fprintf(&b, "  %.3f", v)
		}
		sq := 0.0
		for _, r := range a.res[c] {
			sq += r.Stats.MeanSqNorm
		}
		fmt.Fprintf(&b, "  %.3f  %5.1f\n", a.mean(c), sq/float64(len(acceptanceSeeds)))
	}
	t.Logf("ID test accuracy per seed:\n%s", b.String())

	t.Run("A2 teacher", func(t *testing.T) {
		for i, s := range a.suites {
			r := s.Teacher.Report
			t.Logf("seed %d: %+v", acceptanceSeeds[i], r)
			if r.Acc < 0.98 || r.ConfID < 0.95 || r.ConfOOD > 0.40 || r.ConfNoise > 0.40 || r.ConfFool < 0.90 {
				t.Errorf("seed %d: teacher report %+v outside Acc ≥ 0.98, ConfID ≥ 0.95, ConfOOD ≤ 0.40, ConfNoise ≤ 0.40, ConfFool ≥ 0.90", acceptanceSeeds[i], r)
			}
		}
	})
	t.Run("A3 kd_real on every seed", func(t *testing.T) {
		for i, v := range a.accs("kd_real") {
			if v < 0.97 {
				t.Errorf("seed %d: kd_real %.3f < 0.97", acceptanceSeeds[i], v)
			}
		}
	})
	t.Run("A4 kd_ood fails", func(t *testing.T) {
		if m := a.mean("kd_ood"); m > 0.50 {
			t.Errorf("mean kd_ood %.3f > 0.50", m)
		}
	})
	t.Run("A5 mosaic works", func(t *testing.T) {
		if m := a.mean("mosaic"); m < 0.78 {
			t.Errorf("mean mosaic %.3f < 0.78", m)
		}
		for i, v := range a.accs("mosaic") {
			if v < 0.60 {
				t.Errorf("seed %d: mosaic %.3f < 0.60", acceptanceSeeds[i], v)
			}
		}
	})
	t.Run("A6 gap recovery", func(t *testing.T) {
		g := GapRecovery(a.mean("kd_real"), a.mean("kd_ood"), a.mean("mosaic"))
		t.Logf("gap recovery %.3f (paper 0.82 for wrn40-2→wrn16-1)", g)
		if g < 0.60 {
			t.Errorf("gap recovery %.3f < 0.60", g)
		}
	})
	t.Run("A7 beats data-free and noise", func(t *testing.T) {
		best := math.Max(a.mean("kd_noise"), math.Max(a.mean("datafree"), a.mean("dfad")))
		if d := a.mean("mosaic") - best; d < 0.20 {
			t.Errorf("mosaic − max(kd_noise, datafree, dfad) = %.3f < 0.20", d)
		}
	})
	t.Run("A8 restriction matters", func(t *testing.T) {
		for _, c := range []string{"lambda0", "no_local"} {
			if d := a.mean("mosaic") - a.mean(c); d < 0.25 {
				t.Errorf("mosaic − %s = %.3f < 0.25", c, d)
			}
		}
	})
	t.Run("A9 patch beats full image", func(t *testing.T) {
		if d := a.mean("mosaic") - a.mean("fullimage_d"); d < 0.20 {
			t.Errorf("mosaic − fullimage_d = %.3f < 0.20", d)
		}
	})
	t.Run("A10 data scale", func(t *testing.T) {
		for _, c := range []string{"mosaic", "lambda0", "no_local", "datafree"} {
			ratio := 0.0
			for i, r := range a.res[c] {
				id, err := MeanSqNorm(a.suites[i].TrainX)
				if err != nil {
					t.Fatal(err)
				}
				ratio += r.Stats.MeanSqNorm / id
			}
			ratio /= float64(len(acceptanceSeeds))
			t.Logf("%s: generated ‖x‖² / ID ‖x‖² = %.2f", c, ratio)
			if c == "mosaic" && (ratio < 0.7 || ratio > 1.6) {
				t.Errorf("mosaic norm ratio %.2f outside [0.7, 1.6]", ratio)
			}
			if c != "mosaic" && ratio < 4 {
				t.Errorf("%s norm ratio %.2f < 4", c, ratio)
			}
		}
	})
	t.Run("A11 no class collapse", func(t *testing.T) {
		for i, r := range a.res["mosaic"] {
			for k, n := range r.Stats.ClassHist {
				if frac := float64(n) / GenStatsN; frac < 0.15 {
					t.Errorf("seed %d: class %d has %.1f%% of generated samples < 15%%", acceptanceSeeds[i], k, 100*frac)
				}
			}
		}
	})
}
