package dp

import (
	"errors"
	"fmt"
	"html"
	"math"
	"strings"
)

// ErrBudgetExceeded is returned when a spend would take the running total
// past the accountant's target.
var ErrBudgetExceeded = errors.New("dp: privacy budget exceeded")

// budgetSlack is the absolute slack allowed for floating-point rounding when
// comparing a running total against a target.
const budgetSlack = 1e-12

// Entry is one line of a privacy ledger: Count uses of a mechanism, each with
// budget Per (basic composition charges Count·Per). Used is how many of the
// Count planned uses a run actually made (0 when not tracked). Sigma is the
// Gaussian standard deviation or Scale the Laplace scale, when applicable.
type Entry struct {
	Label     string
	Mechanism string
	Per       Budget
	Count     int
	Used      int
	Sigma     float64
	Scale     float64
}

// Total is the entry's charge under basic composition: Count·Per.
func (e Entry) Total() Budget {
	c := float64(e.Count)
	return Budget{Eps: c * e.Per.Eps, Delta: c * e.Per.Delta}
}

// Ledger is a list of entries. It renders as an HTML table.
type Ledger []Entry

// Total sums the entries in order (basic composition).
func (l Ledger) Total() Budget {
	var t Budget
	for _, e := range l {
		et := e.Total()
		t.Eps += et.Eps
		t.Delta += et.Delta
	}
	return t
}

// Within reports whether the total is at most target (up to 1e-12 slack).
func (l Ledger) Within(target Budget) bool {
	t := l.Total()
	return t.Eps <= target.Eps+budgetSlack && t.Delta <= target.Delta+budgetSlack
}

func fmtNum(v float64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%.4g", v)
}

// HTML renders the ledger as a table with a total row.
func (l Ledger) HTML() string {
	var b strings.Builder
	b.WriteString("<table>\n<thead><tr><th>step</th><th>mechanism</th><th>uses (planned)</th><th>uses (made)</th><th>ε each</th><th>δ each</th><th>noise</th><th>ε total</th><th>δ total</th></tr></thead>\n<tbody>\n")
	for _, e := range l {
		noise := ""
		switch {
		case e.Sigma > 0:
			noise = "σ = " + fmtNum(e.Sigma)
		case e.Scale > 0:
			noise = "b = " + fmtNum(e.Scale)
		}
		t := e.Total()
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			html.EscapeString(e.Label), html.EscapeString(e.Mechanism), e.Count, e.Used,
			fmtNum(e.Per.Eps), fmtNum(e.Per.Delta), noise, fmtNum(t.Eps), fmtNum(t.Delta))
	}
	t := l.Total()
	fmt.Fprintf(&b, "<tr><th colspan=\"7\">total (basic composition)</th><th>%s</th><th>%s</th></tr>\n</tbody>\n</table>", fmtNum(t.Eps), fmtNum(t.Delta))
	return b.String()
}

// String renders the ledger as plain text.
func (l Ledger) String() string {
	var b strings.Builder
	for _, e := range l {
		t := e.Total()
		fmt.Fprintf(&b, "%-28s %-22s ×%-3d ε=%.4g δ=%.4g\n", e.Label, e.Mechanism, e.Count, t.Eps, t.Delta)
	}
	t := l.Total()
	fmt.Fprintf(&b, "total ε=%.6g δ=%.6g", t.Eps, t.Delta)
	return b.String()
}

// Accountant tracks spending against a target budget under basic composition.
type Accountant struct {
	target Budget
	ledger Ledger
	spent  Budget
}

// NewAccountant returns an accountant for the given target budget.
func NewAccountant(target Budget) (*Accountant, error) {
	if err := target.Validate(); err != nil {
		return nil, fmt.Errorf("dp: accountant target: %w", err)
	}
	return &Accountant{target: target}, nil
}

// Spend charges one use of budget b under label.
func (a *Accountant) Spend(label string, b Budget) error {
	return a.Record(Entry{Label: label, Per: b, Count: 1})
}

// Record charges e.Count uses of e.Per. It returns ErrBudgetExceeded, and
// records nothing, if the running total would exceed the target.
func (a *Accountant) Record(e Entry) error {
	if e.Count < 1 {
		return fmt.Errorf("%w: %s: count = %d, want count >= 1", ErrInvalid, e.Label, e.Count)
	}
	if err := e.Per.Validate(); err != nil {
		return fmt.Errorf("dp: %s: %w", e.Label, err)
	}
	t := e.Total()
	next := Budget{a.spent.Eps + t.Eps, a.spent.Delta + t.Delta}
	if next.Eps > a.target.Eps+budgetSlack || next.Delta > a.target.Delta+budgetSlack {
		return fmt.Errorf("%w: %s would bring the total to %v, target %v", ErrBudgetExceeded, e.Label, next, a.target)
	}
	a.spent = next
	a.ledger = append(a.ledger, e)
	return nil
}

// Spent is the running total.
func (a *Accountant) Spent() Budget { return a.spent }

// Remaining is the target minus the running total (never negative).
func (a *Accountant) Remaining() Budget {
	return Budget{math.Max(0, a.target.Eps-a.spent.Eps), math.Max(0, a.target.Delta-a.spent.Delta)}
}

// Target is the budget the accountant enforces.
func (a *Accountant) Target() Budget { return a.target }

// Ledger returns a copy of the recorded entries.
func (a *Accountant) Ledger() Ledger { return append(Ledger(nil), a.ledger...) }
