package assocmem

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Rows is a table of one-step results with filters and column accessors for
// charts; in a notebook it shows itself as an HTML table.
type Rows []OneStepRow

// rowFields lists the fields that Col and Value accept.
const rowFields = "D, B, NRec, KAll, K90, E01, NRecSE, KAllSE, K90SE, E01SE"

// Method keeps the rows of one method.
func (r Rows) Method(m string) Rows {
	return r.filter(func(x OneStepRow) bool { return x.Method == m })
}

// Dim keeps the rows at dimension d.
func (r Rows) Dim(d int) Rows {
	return r.filter(func(x OneStepRow) bool { return x.D == d })
}

// Batch keeps the rows at batch size b (b ≤ 0 selects B = ∞).
func (r Rows) Batch(b int) Rows {
	return r.filter(func(x OneStepRow) bool { return x.B == b || (b <= 0 && x.B <= 0) })
}

func (r Rows) filter(keep func(OneStepRow) bool) Rows {
	var out Rows
	for _, x := range r {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func field(x OneStepRow, name string) (float64, bool) {
	switch name {
	case "D":
		return float64(x.D), true
	case "B":
		if x.B <= 0 {
			return math.Inf(1), true
		}
		return float64(x.B), true
	case "NRec":
		return x.Mean.NRec, true
	case "KAll":
		return x.Mean.KAll, true
	case "K90":
		return x.Mean.K90, true
	case "E01":
		return x.Mean.E01, true
	case "NRecSE":
		return x.SE.NRec, true
	case "KAllSE":
		return x.SE.KAll, true
	case "K90SE":
		return x.SE.K90, true
	case "E01SE":
		return x.SE.E01, true
	}
	return 0, false
}

// Col returns a column: D, B (B = ∞ as +Inf), the means NRec, KAll, K90,
// E01, or their standard errors NRecSE, KAllSE, K90SE, E01SE.
func (r Rows) Col(name string) ([]float64, error) {
	out := make([]float64, len(r))
	for i, x := range r {
		v, ok := field(x, name)
		if !ok {
			return nil, fmt.Errorf("assocmem: column %q; need one of %s", name, rowFields)
		}
		out[i] = v
	}
	return out, nil
}

// Value returns one field of the single row with the given method, dimension
// and batch size (b ≤ 0 = ∞).
func (r Rows) Value(method string, d, b int, name string) (float64, error) {
	sel := r.Method(method).Dim(d).Batch(b)
	if len(sel) != 1 {
		return 0, fmt.Errorf("assocmem: %d rows match method %s, d = %d, B = %d; need exactly one", len(sel), method, d, b)
	}
	v, ok := field(sel[0], name)
	if !ok {
		return 0, fmt.Errorf("assocmem: field %q; need one of %s", name, rowFields)
	}
	return v, nil
}

func batchLabel(b int) string {
	if b <= 0 {
		return "∞"
	}
	return fmt.Sprint(b)
}

// String renders the table as text.
func (r Rows) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-8s %5s %6s %5s %9s %9s %9s %8s %6s\n", "method", "d", "B", "alpha", "NRec", "KAll", "K90", "E01", "seeds")
	for _, x := range r {
		fmt.Fprintf(&sb, "%-8s %5d %6s %5.2g %9.1f %9.1f %9.1f %8.4f %6d\n", x.Method, x.D, batchLabel(x.B), x.Alpha,
			x.Mean.NRec, x.Mean.KAll, x.Mean.K90, x.Mean.E01, len(x.PerSeed))
	}
	return sb.String()
}

// HTML renders the table with means ± standard errors.
func (r Rows) HTML() string {
	var sb strings.Builder
	sb.WriteString("<table><thead><tr><th>method</th><th>d</th><th>B</th><th>α</th><th>NRec</th><th>K_all</th><th>K90</th><th>E01</th><th>seeds</th></tr></thead><tbody>")
	pm := func(m, se float64, prec int) string {
		if math.IsNaN(se) {
			return fmt.Sprintf("%.*f", prec, m)
		}
		return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, se)
	}
	for _, x := range r {
		fmt.Fprintf(&sb, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%g</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>",
			html.EscapeString(x.Method), x.D, batchLabel(x.B), x.Alpha,
			pm(x.Mean.NRec, x.SE.NRec, 1), pm(x.Mean.KAll, x.SE.KAll, 1), pm(x.Mean.K90, x.SE.K90, 1), pm(x.Mean.E01, x.SE.E01, 4), len(x.PerSeed))
	}
	sb.WriteString("</tbody></table>")
	return sb.String()
}
