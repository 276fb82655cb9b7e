package experiment

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/gonote/gonote/stdlib/stats"
)

// Table holds a sweep's results: for each grid value X[p], the raw trial
// metrics Raw[p][trial][metric] and their summaries Stats[metric][p].
type Table struct {
	Title   string
	XName   string
	X       []float64
	Metrics []string
	Stats   [][]stats.Summary
	Raw     [][][]float64
}

// Band is one metric of a Table as plain slices for a mean ± CI band chart:
// Lo and Hi are the 95% confidence limits of the mean, SE its standard error.
type Band struct {
	Name                string
	X, Mean, SE, Lo, Hi []float64
}

// NewTable builds a Table from raw trial metrics raw[point][trial][metric],
// for drivers that run their own trials. Each point needs at least one trial
// and every trial len(metrics) values.
func NewTable(title, xname string, x []float64, metrics []string, raw [][][]float64) (*Table, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("experiment: NewTable: x is empty")
	}
	if len(raw) != len(x) {
		return nil, fmt.Errorf("experiment: NewTable: raw has %d points, x has %d", len(raw), len(x))
	}
	if len(metrics) == 0 {
		return nil, fmt.Errorf("experiment: NewTable: metrics is empty")
	}
	t := &Table{Title: title, XName: xName(xname), X: append([]float64(nil), x...),
		Metrics: append([]string(nil), metrics...), Raw: raw, Stats: make([][]stats.Summary, len(metrics))}
	for m := range t.Stats {
		t.Stats[m] = make([]stats.Summary, len(x))
	}
	for p, rows := range raw {
		if len(rows) == 0 || len(rows[0]) != len(metrics) {
			return nil, fmt.Errorf("experiment: NewTable: raw[%d] needs >= 1 trial of %d metrics", p, len(metrics))
		}
		sums, err := Summarize(rows)
		if err != nil {
			return nil, fmt.Errorf("experiment: NewTable: point %d: %w", p, err)
		}
		for m, s := range sums {
			t.Stats[m][p] = s
		}
	}
	return t, nil
}

func (t *Table) metricIndex(name string) (int, error) {
	for i, m := range t.Metrics {
		if m == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("experiment: metric %q not in table (have %v)", name, t.Metrics)
}

// Band returns metric `name` as plain slices (x, mean, se, 95% lo/hi).
func (t *Table) Band(name string) (Band, error) {
	m, err := t.metricIndex(name)
	if err != nil {
		return Band{}, err
	}
	b := Band{Name: name, X: append([]float64(nil), t.X...)}
	for _, s := range t.Stats[m] {
		b.Mean = append(b.Mean, s.Mean)
		b.SE = append(b.SE, s.SE)
		b.Lo = append(b.Lo, s.Lo)
		b.Hi = append(b.Hi, s.Hi)
	}
	return b, nil
}

// Means returns the per-point means of metric `name`.
func (t *Table) Means(name string) ([]float64, error) {
	b, err := t.Band(name)
	return b.Mean, err
}

// Samples returns the raw trial values of metric `name` at point p.
func (t *Table) Samples(name string, p int) ([]float64, error) {
	m, err := t.metricIndex(name)
	if err != nil {
		return nil, err
	}
	if p < 0 || p >= len(t.X) {
		return nil, fmt.Errorf("experiment: Samples: p = %d, must be in [0, %d)", p, len(t.X))
	}
	out := make([]float64, len(t.Raw[p]))
	for i, r := range t.Raw[p] {
		out[i] = r[m]
	}
	return out, nil
}

func (t *Table) rows() ([]string, [][]string) {
	header := []string{t.XName, "trials"}
	for _, m := range t.Metrics {
		header = append(header, m+" mean", m+" ± se", m+" 95% CI")
	}
	var rows [][]string
	for p, x := range t.X {
		row := []string{FormatNumber(x), fmt.Sprint(len(t.Raw[p]))}
		for m := range t.Metrics {
			s := t.Stats[m][p]
			row = append(row, FormatNumber(s.Mean), FormatNumber(s.SE),
				"["+FormatNumber(s.Lo)+", "+FormatNumber(s.Hi)+"]")
		}
		rows = append(rows, row)
	}
	return header, rows
}

// HTML renders the table (one row per grid value; mean, standard error and
// 95% interval per metric). display/ picks this method up by duck typing.
func (t *Table) HTML() string {
	h, r := t.rows()
	return HTMLTable(t.Title, h, r)
}

// String renders the table as aligned text for scripts and logs.
func (t *Table) String() string {
	h, r := t.rows()
	return TextTable(t.Title, h, r)
}

// FormatNumber formats v with 4 significant digits (integers in full).
func FormatNumber(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// HTMLTable renders a caption, header and rows as an HTML table with escaped
// cells; other packages' result types use it for their HTML() methods.
func HTMLTable(caption string, header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table class="gonote-table">`)
	if caption != "" {
		b.WriteString("<caption>" + html.EscapeString(caption) + "</caption>")
	}
	b.WriteString("<thead><tr>")
	for _, h := range header {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// TextTable renders a caption, header and rows as space-aligned text.
func TextTable(caption string, header []string, rows [][]string) string {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(width) {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
	}
	var b strings.Builder
	if caption != "" {
		b.WriteString(caption + "\n")
	}
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := 0
			if i < len(width) {
				pad = width[i] - len([]rune(c))
			}
			b.WriteString(strings.Repeat(" ", pad) + c)
		}
		b.WriteString("\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return b.String()
}
