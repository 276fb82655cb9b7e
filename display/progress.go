package display

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
)

// progressInterval is the minimum time between two redraws of a progress
// bar (at most 10 per second), except the first and the final one.
const progressInterval = 100 * time.Millisecond

// ProgressBar reports the progress of a loop: count, percentage, rate and
// ETA. In an interactive sink it is an HTML bar updated in place; otherwise
// a text bar redrawn on standard error. Safe for concurrent use.
type ProgressBar struct {
	mu       sync.Mutex
	total    int
	label    string
	count    int
	start    time.Time
	lastDraw time.Time
	done     bool

	now    func() time.Time
	sink   Sink // nil or non-interactive: text on out
	out    io.Writer
	handle string // display id in an interactive sink
	width  int    // runes of the last text bar, to blank leftovers on redraw
}

// Progress starts a progress bar for n steps (n <= 0: unknown total, only
// the count and the rate are shown) and draws it.
func Progress(n int, label string) *ProgressBar {
	return newProgress(n, label, CurrentSink(), os.Stderr, time.Now)
}

func newProgress(n int, label string, sink Sink, out io.Writer, now func() time.Time) *ProgressBar {
	p := &ProgressBar{total: max(n, 0), label: label, now: now, out: out}
	if sink != nil && sink.Interactive() {
		p.sink = sink
		p.handle = NewDisplayID()
	}
	p.start = now()
	p.lastDraw = p.start
	p.drawLocked(true)
	return p
}

// Add advances the bar by k steps (k <= 0 changes nothing) and redraws it
// when at least 100 ms passed since the last redraw, or when the total is
// reached.
func (p *ProgressBar) Add(k int) {
	if k <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	before := p.count
	p.count += k
	t := p.now()
	reached := p.total > 0 && before < p.total && p.count >= p.total
	if reached || t.Sub(p.lastDraw) >= progressInterval {
		p.lastDraw = t
		p.drawLocked(false)
	}
}

// Done draws the final state (with the elapsed time) and finishes the bar;
// later Add and Done calls do nothing.
func (p *ProgressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	p.lastDraw = p.now()
	p.drawLocked(false)
	if p.sink == nil {
		fmt.Fprintln(p.out)
	}
}

// Count returns the steps done so far.
func (p *ProgressBar) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// String returns the bar's current state as text.
func (p *ProgressBar) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, counts, rate, _ := p.status()
	if p.label != "" {
		counts = p.label + " " + counts
	}
	if rate != "" {
		counts += " · " + rate
	}
	return counts
}

// status returns the figures shown on the bar.
func (p *ProgressBar) status() (frac float64, counts, rate, eta string) {
	elapsed := p.lastDraw.Sub(p.start).Seconds()
	if p.total > 0 {
		frac = math.Min(1, float64(p.count)/float64(p.total))
		counts = fmt.Sprintf("%d/%d (%.0f%%)", p.count, p.total, 100*frac)
	} else {
		counts = fmt.Sprint(p.count)
	}
	if elapsed > 0 && p.count > 0 {
		r := float64(p.count) / elapsed
		rate = formatRate(r)
		if p.done {
			eta = "done in " + formatDuration(elapsed)
		} else if p.total > 0 && p.count < p.total {
			eta = "ETA " + formatDuration(float64(p.total-p.count)/r)
		}
	} else if p.done {
		eta = "done"
	}
	return frac, counts, rate, eta
}

// formatRate writes steps per second with two or three significant digits
// and no exponent.
func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f/s", r)
	case r >= 10:
		return fmt.Sprintf("%.1f/s", r)
	default:
		return fmt.Sprintf("%.2f/s", r)
	}
}

func formatDuration(sec float64) string {
	switch {
	case sec < 10:
		return fmt.Sprintf("%.1fs", sec)
	case sec < 3600:
		s := int(math.Round(sec))
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	default:
		s := int(math.Round(sec))
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
}

func (p *ProgressBar) drawLocked(first bool) {
	frac, counts, rate, eta := p.status()
	parts := []string{counts}
	for _, s := range []string{rate, eta} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	info := strings.Join(parts, " · ")
	label := p.label
	if label != "" {
		label += " "
	}
	if p.sink == nil {
		const width = 30
		bar := ""
		if p.total > 0 {
			full := int(frac * width)
			bar = "[" + strings.Repeat("#", full) + strings.Repeat(".", width-full) + "] "
		}
		line := label + bar + strings.ReplaceAll(info, " · ", "  ")
		n := len([]rune(line))
		fmt.Fprintf(p.out, "\r%s%s", line, strings.Repeat(" ", max(0, p.width-n)))
		p.width = n
		return
	}
	var h strings.Builder
	h.WriteString(`<div class="gonote-progress" style="font-family:monospace">`)
	if p.label != "" {
		fmt.Fprintf(&h, "<span>%s</span> ", html.EscapeString(p.label))
	}
	if p.total > 0 {
		fmt.Fprintf(&h, `<progress value="%d" max="%d" style="width:40%%;vertical-align:middle"></progress> `, min(p.count, p.total), p.total)
	}
	fmt.Fprintf(&h, "<span>%s</span></div>", html.EscapeString(info))
	b := HTMLBundle(h.String())
	b.Data[MIMEText] = label + info
	if first {
		p.sink.Display(b, p.handle)
	} else {
		p.sink.Update(b, p.handle)
	}
}
