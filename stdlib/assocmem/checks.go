package assocmem

import (
	"fmt"
	"html"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gonote/gonote/stdlib/stats"
)

// PaperRuns collects the experiments of the notebook that the acceptance
// checks (build spec §6.2, M1–M15) read.
type PaperRuns struct {
	// Capacity15 and Capacity20 are one-step sweeps over d ∈ {32, 64, 128,
	// 256} at α = 1.5 (Muon, NS5, NS10, Newton, SGD) and α = 2 (Muon, NS5,
	// SGD), B = ∞.
	Capacity15, Capacity20 Rows
	// Batch is a BatchSweep at α = 1.5, d ∈ {64, 128}, SGD and Muon, over a
	// grid containing 64, 256, 1024, 4096 and ∞.
	Batch Rows
	// MuonRuns and GDRuns are exact full-batch training runs (one per η) on
	// the same task.
	MuonRuns, GDRuns [][]TrainPoint
}

// Check is one acceptance check: Value must lie in [Lo, Hi].
type Check struct {
	ID, Name string
	Value    float64
	Lo, Hi   float64
	Pass     bool
}

// Checks is a list of checks; in a notebook it shows as an HTML table.
type Checks []Check

// AllPass reports whether every check passed.
func (c Checks) AllPass() bool {
	for _, x := range c {
		if !x.Pass {
			return false
		}
	}
	return len(c) > 0
}

// Values maps "ID name" to the check's value, for machine-readable (JSON)
// output; a non-finite value becomes the string "+Inf", "-Inf" or "NaN".
func (c Checks) Values() map[string]any {
	out := make(map[string]any, len(c))
	for _, x := range c {
		var v any = x.Value
		switch {
		case math.IsNaN(x.Value):
			v = "NaN"
		case math.IsInf(x.Value, 1):
			v = "+Inf"
		case math.IsInf(x.Value, -1):
			v = "-Inf"
		}
		out[x.ID+" "+x.Name] = v
	}
	return out
}

func bound(v float64) string {
	if math.IsInf(v, 0) {
		return "∞"
	}
	return fmt.Sprintf("%.4g", v)
}

func verdict(p bool) string {
	if p {
		return "PASS"
	}
	return "FAIL"
}

// String renders the checks as text, one per line.
func (c Checks) String() string {
	var sb strings.Builder
	for _, x := range c {
		fmt.Fprintf(&sb, "%-4s %-44s %10.4g  [%s, %s]  %s\n", x.ID, x.Name, x.Value, bound(x.Lo), bound(x.Hi), verdict(x.Pass))
	}
	return sb.String()
}

// HTML renders the checks as a table.
func (c Checks) HTML() string {
	var sb strings.Builder
	sb.WriteString("<table><thead><tr><th>check</th><th>quantity</th><th>value</th><th>required</th><th></th></tr></thead><tbody>")
	for _, x := range c {
		color := "#1a7f37"
		if !x.Pass {
			color = "#cf222e"
		}
		fmt.Fprintf(&sb, "<tr><td>%s</td><td>%s</td><td>%.4g</td><td>[%s, %s]</td><td style=\"color:%s\"><b>%s</b></td></tr>",
			html.EscapeString(x.ID), html.EscapeString(x.Name), x.Value, bound(x.Lo), bound(x.Hi), color, verdict(x.Pass))
	}
	sb.WriteString("</tbody></table>")
	return sb.String()
}

type checker struct {
	out Checks
	err error
}

func (k *checker) add(id, name string, v, lo, hi float64) {
	k.out = append(k.out, Check{ID: id, Name: name, Value: v, Lo: lo, Hi: hi, Pass: v >= lo && v <= hi})
}

func (k *checker) val(r Rows, method string, d, b int, field string) float64 {
	v, err := r.Value(method, d, b, field)
	if err != nil && k.err == nil {
		k.err = err
	}
	return v
}

func (k *checker) slope(x, y []float64) float64 {
	fit, err := stats.LogLogFit(x, y)
	if err != nil {
		if k.err == nil {
			k.err = err
		}
		return math.NaN()
	}
	return fit.Slope
}

func (k *checker) dimSlope(r Rows, method, field string) float64 {
	var x, y []float64
	for _, d := range []int{64, 128, 256} {
		x = append(x, float64(d))
		y = append(y, k.val(r, method, d, 0, field))
	}
	return k.slope(x, y)
}

func (k *checker) critical(r Rows, method string, d int) float64 {
	var bs []int
	var e []float64
	for _, x := range r.Method(method).Dim(d) {
		bs = append(bs, x.B)
		e = append(e, x.Mean.E01)
	}
	b, err := CriticalBatch(bs, e, 0.1)
	if err != nil {
		if k.err == nil {
			k.err = err
		}
		return math.NaN()
	}
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(b)
}

// PaperChecks evaluates the acceptance checks M1–M15 of the build spec on the
// notebook's runs. (M16, the notebook's runtime, is measured outside.)
func PaperChecks(r PaperRuns) (Checks, error) {
	k := &checker{}
	inf := math.Inf(1)
	alphas := []struct {
		name string
		rows Rows
	}{{"α=1.5", r.Capacity15}, {"α=2", r.Capacity20}}
	for _, a := range alphas {
		k.add("M1", "K90 Muon/SGD, d=128, "+a.name, k.val(a.rows, Muon, 128, 0, "K90")/k.val(a.rows, SGD, 128, 0, "K90"), 10, inf)
	}
	for _, a := range alphas {
		sm := k.dimSlope(a.rows, Muon, "K90")
		ss := k.dimSlope(a.rows, SGD, "NRec")
		k.add("M2", "slope of K90 Muon vs d, "+a.name, sm, 1.15, 1.65)
		k.add("M3", "slope of NRec SGD vs d, "+a.name, ss, 0.05, 0.7)
		k.add("M4", "exponent gap M2−M3, "+a.name, sm-ss, 0.7, 1.4)
	}
	k.add("M5", "NRec Muon(256)/256, α=1.5", k.val(r.Capacity15, Muon, 256, 0, "NRec")/256, 1.1, inf)
	k.add("M5", "NRec Muon(256)/256, α=2", k.val(r.Capacity20, Muon, 256, 0, "NRec")/256, 1.05, inf)
	for _, d := range []int{128, 256} {
		k.add("M6", fmt.Sprintf("K90 Newton/Muon, d=%d", d), k.val(r.Capacity15, Newton, d, 0, "K90")/k.val(r.Capacity15, Muon, d, 0, "K90"), 0.85, 1.15)
	}
	for _, d := range []int{128, 256} {
		k.add("M7", fmt.Sprintf("NRec NS10/Muon, d=%d", d), k.val(r.Capacity15, "NS10", d, 0, "NRec")/k.val(r.Capacity15, Muon, d, 0, "NRec"), 0.9, 1.05)
	}
	k.add("M8", "K90 NS5/Muon, α=2, d=256", k.val(r.Capacity20, "NS5", 256, 0, "K90")/k.val(r.Capacity20, Muon, 256, 0, "K90"), 0, 0.5)
	k.add("M8", "K90 NS5/Muon, α=2, d=32", k.val(r.Capacity20, "NS5", 32, 0, "K90")/k.val(r.Capacity20, Muon, 32, 0, "K90"), 0.85, inf)
	k.add("M9", "B_crit Muon/SGD, d=64", k.critical(r.Batch, Muon, 64)/k.critical(r.Batch, SGD, 64), 16, inf)
	k.add("M10", "B_crit Muon d=128 / d=64", k.critical(r.Batch, Muon, 128)/k.critical(r.Batch, Muon, 64), 4, inf)
	k.add("M11", "E01 SGD(B=256)/E01 SGD(∞), d=64", k.val(r.Batch, SGD, 64, 256, "E01")/k.val(r.Batch, SGD, 64, 0, "E01"), 0, 1.1)
	var bx, by []float64
	for _, b := range []int{64, 256, 1024, 4096} {
		bx = append(bx, float64(b))
		by = append(by, k.val(r.Batch, Muon, 128, b, "K90"))
	}
	k.add("M12", "slope of K90 Muon vs B, d=128", k.slope(bx, by), 0.3, 0.8)
	mu, err := Envelope(r.MuonRuns)
	if err != nil {
		return nil, fmt.Errorf("assocmem: Muon runs: %w", err)
	}
	gd, err := Envelope(r.GDRuns)
	if err != nil {
		return nil, fmt.Errorf("assocmem: GD runs: %w", err)
	}
	if len(mu) != len(gd) || len(mu) == 0 {
		return nil, fmt.Errorf("assocmem: Muon runs have %d steps, GD runs %d; need equal, non-zero lengths", len(mu), len(gd))
	}
	last := len(mu) - 1
	r1 := float64(mu[0]) / float64(gd[0])
	rl := float64(mu[last]) / float64(gd[last])
	k.add("M13", "best NRec Muon/GD at t=1", r1, 2.5, inf)
	minGap := inf
	for s := range mu {
		minGap = math.Min(minGap, float64(mu[s]-gd[s]))
	}
	k.add("M14", "min over t of NRec Muon − GD (envelopes)", minGap, 0, inf)
	k.add("M14", fmt.Sprintf("ratio(t=%d)/ratio(t=1), must be < 1", last+1), rl/r1, 0, math.Nextafter(1, 0))
	k.add("M15", "E01 Muon/SGD, d=256, α=1.5", k.val(r.Capacity15, Muon, 256, 0, "E01")/k.val(r.Capacity15, SGD, 256, 0, "E01"), 0, 0.15)
	if k.err != nil {
		return nil, fmt.Errorf("assocmem: acceptance checks: %w", k.err)
	}
	return k.out, nil
}

// G0Spectrum returns the singular values of G_0 = NegGradZero(w) in
// decreasing order.
func (t *Task) G0Spectrum(w []float64) ([]float64, error) {
	g0, err := t.NegGradZero(w)
	if err != nil {
		return nil, err
	}
	var svd mat.SVD
	if !svd.Factorize(g0, mat.SVDNone) {
		return nil, fmt.Errorf("assocmem: SVD of G_0 did not converge")
	}
	return svd.Values(nil), nil
}

// OneStepRaster returns a len(methods)×kq matrix whose row m holds 1 where
// the one-step update of methods[m] recovers the item and 0 elsewhere, with
// the capacity of each row. lambda is used by HLambda (0 = p_d).
func (t *Task) OneStepRaster(w []float64, methods []string, lambda float64, kq int) (*mat.Dense, []Capacity, error) {
	if len(methods) == 0 {
		return nil, nil, fmt.Errorf("assocmem: methods is empty; need at least one method")
	}
	if err := t.checkKq(kq); err != nil {
		return nil, nil, err
	}
	g0, err := t.NegGradZero(w)
	if err != nil {
		return nil, nil, err
	}
	if lambda == 0 {
		lambda = t.P[min(t.D, t.N)-1]
	}
	raster := mat.NewDense(len(methods), kq, nil)
	caps := make([]Capacity, len(methods))
	for m, name := range methods {
		if err := CheckMethod(name); err != nil {
			return nil, nil, err
		}
		w1, err := t.stepFromG0(g0, w, name, lambda)
		if err != nil {
			return nil, nil, err
		}
		rec, err := t.Recovered(w1, kq)
		if err != nil {
			return nil, nil, err
		}
		for k, ok := range rec {
			if ok {
				raster.Set(m, k, 1)
			}
		}
		if caps[m], err = Summarize(rec, t.P); err != nil {
			return nil, nil, err
		}
	}
	return raster, caps, nil
}

// NRecCurve returns the NRec of a training run as floats, for charts.
func NRecCurve(run []TrainPoint) []float64 {
	out := make([]float64, len(run))
	for i, p := range run {
		out[i] = float64(p.NRec)
	}
	return out
}
