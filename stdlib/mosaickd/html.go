package mosaickd

import (
	"fmt"
	"strings"

	"github.com/gonote/gonote/stdlib/experiment"
	"gonum.org/v1/gonum/mat"
)

// HTML renders the report as a table (with the acceptance bounds of the
// build spec, check A2).
func (r TeacherReport) HTML() string {
	f := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	return experiment.HTMLTable("Teacher on fresh samples (mean max-probability = confidence)",
		[]string{"ID accuracy", "conf ID", "conf OOD", "conf noise", "conf fooling set"},
		[][]string{
			{f(r.Acc), f(r.ConfID), f(r.ConfOOD), f(r.ConfNoise), f(r.ConfFool)},
			{"≥ 0.98", "≥ 0.95", "≤ 0.40", "≤ 0.40", "≥ 0.90"},
		})
}

// Names lists the result names in order.
func (rs Results) Names() []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// Accs lists the final accuracies in order.
func (rs Results) Accs() []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.Acc
	}
	return out
}

// HTML renders the results as a table: accuracy, and for generator runs
// the GenStats of GenStatsN samples.
func (rs Results) HTML() string {
	rows := make([][]string, len(rs))
	for i, r := range rs {
		row := []string{r.Name, fmt.Sprintf("%.3f", r.Acc)}
		if r.Gen == nil {
			row = append(row, "–", "–", "–", "–", "–")
		} else {
			st := r.Stats
			row = append(row, fmt.Sprintf("%.2f", st.MeanSqNorm), fmt.Sprintf("%.3f", st.TeacherConf),
				fmt.Sprintf("%.3f", st.PatchNearMotif), fmt.Sprintf("%.3f", st.ArrInDomain), fmt.Sprint(st.ClassHist))
		}
		rows[i] = row
	}
	return experiment.HTMLTable("Student ID test accuracy; generator statistics on 500 samples",
		[]string{"condition", "ID acc", "gen ‖x‖²", "teacher conf", "patches near a motif", "in-domain arrangement", "class histogram"}, rows)
}

// Describe annotates each row of x with its nearest motifs, e.g.
// "m3 m5 m1 m7 in-domain" or "m2 m0 m6 m4 OOD (max dist 0.71)": the motif per
// position, then "in-domain" or "OOD" for the arrangement, and the
// largest nearest-motif distance when a patch is farther than NearMotifDist.
func (w *World) Describe(x *mat.Dense) ([]string, error) {
	arr, dist, err := w.NearestMotifs(x)
	if err != nil {
		return nil, fmt.Errorf("mosaickd: Describe: %w", err)
	}
	out := make([]string, len(arr))
	for i, a := range arr {
		var b strings.Builder
		worst := 0.0
		for p, k := range a {
			if p > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "m%d", k)
			worst = max(worst, dist[i][p])
		}
		if w.InVocabulary(a) {
			b.WriteString(" in-domain")
		} else {
			b.WriteString(" OOD")
		}
		if worst > NearMotifDist {
			fmt.Fprintf(&b, " (max dist %.2f)", worst)
		}
		out[i] = b.String()
	}
	return out, nil
}
