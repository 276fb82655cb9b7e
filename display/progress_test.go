package display

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when told to.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressRateLimitInteractive(t *testing.T) {
	tests := []struct {
		name     string
		steps    int
		perStep  time.Duration
		minCalls int // redraws expected at least (the bar must move)
		maxCalls int // first display + at most 10 per second + the final one
	}{
		{"fast loop, 10 s", 10000, time.Millisecond, 90, 1 + 100 + 1},
		{"slow loop, 2 s", 4, 500 * time.Millisecond, 5, 6},
		{"instant loop", 1000, 0, 2, 3},
		{"50 ms steps, 3 s", 60, 50 * time.Millisecond, 25, 1 + 30 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{interactive: true}
			clock := &fakeClock{t: time.Unix(1e9, 0)}
			p := newProgress(tc.steps, "train", sink, nil, clock.now)
			for range tc.steps {
				clock.advance(tc.perStep)
				p.Add(1)
			}
			p.Done()
			p.Done() // idempotent
			p.Add(1) // ignored after Done

			calls := sink.snapshot()
			if len(calls) < tc.minCalls || len(calls) > tc.maxCalls {
				t.Fatalf("%d sink calls, want between %d and %d", len(calls), tc.minCalls, tc.maxCalls)
			}
			id := calls[0].id
			if calls[0].op != "display" || id == "" {
				t.Fatalf("first call = %s %q, want a display with an id", calls[0].op, id)
			}
			for i, c := range calls[1:] {
				if c.op != "update" || c.id != id {
					t.Fatalf("call %d = %s %q, want update %q", i+1, c.op, c.id, id)
				}
			}
			last := calls[len(calls)-1].bundle
			html, _ := last.Data[MIMEHTML].(string)
			wantValue := `<progress value="` + strconv.Itoa(tc.steps) + `" max="` + strconv.Itoa(tc.steps) + `"`
			if !strings.Contains(html, wantValue) || !strings.Contains(last.Text(), "(100%)") || !strings.Contains(last.Text(), "done") {
				t.Errorf("final bar html=%q text=%q", html, last.Text())
			}
			if !strings.HasPrefix(last.Text(), "train ") {
				t.Errorf("label missing: %q", last.Text())
			}
		})
	}
}

func TestProgressRateAndETA(t *testing.T) {
	sink := &fakeSink{interactive: true}
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newProgress(100, "sweep", sink, nil, clock.now)
	for range 50 {
		clock.advance(10 * time.Millisecond) // 100 steps per second
		p.Add(1)
	}
	calls := sink.snapshot()
	text := calls[len(calls)-1].bundle.Text()
	// The last redraw happened at a multiple of 100 ms: 50 steps in 0.5 s.
	for _, want := range []string{"sweep 50/100 (50%)", "100/s", "ETA 0.5s"} {
		if !strings.Contains(text, want) {
			t.Errorf("bar %q lacks %q", text, want)
		}
	}
	if p.Count() != 50 {
		t.Errorf("Count = %d", p.Count())
	}
}

func TestProgressUnknownTotal(t *testing.T) {
	sink := &fakeSink{interactive: true}
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newProgress(0, "", sink, nil, clock.now)
	clock.advance(time.Second)
	p.Add(30)
	p.Done()
	last := sink.snapshot()
	b := last[len(last)-1].bundle
	if strings.Contains(b.Data[MIMEHTML].(string), "<progress") || !strings.Contains(b.Text(), "30 · 30.0/s · done in 1.0s") {
		t.Errorf("unknown-total bar: %q / %q", b.Text(), b.Data[MIMEHTML])
	}
}

func TestProgressTextOnStderrWhenNotInteractive(t *testing.T) {
	for _, sink := range []Sink{nil, &fakeSink{interactive: false}} {
		var out bytes.Buffer
		clock := &fakeClock{t: time.Unix(0, 0)}
		p := newProgress(1000, "runs", sink, &out, clock.now)
		for range 1000 {
			clock.advance(2 * time.Millisecond)
			p.Add(1)
		}
		p.Done()
		if fs, ok := sink.(*fakeSink); ok && len(fs.snapshot()) != 0 {
			t.Errorf("non-interactive sink received %d calls", len(fs.snapshot()))
		}
		s := out.String()
		redraws := strings.Count(s, "\r")
		if redraws < 15 || redraws > 1+20+1 {
			t.Errorf("%d redraws over 2 s, want at most 22", redraws)
		}
		if !strings.HasSuffix(s, "\n") || !strings.Contains(s, "runs [##############################] 1000/1000 (100%)") {
			t.Errorf("final text bar: %q", s[strings.LastIndex(s, "\r"):])
		}
	}
}

func TestProgressTextBlanksLeftovers(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newProgress(0, "n", nil, &out, clock.now)
	clock.advance(time.Second)
	p.Add(1000) // "n 1000  1000/s" is longer than the first draw
	clock.advance(9 * time.Second)
	p.Add(1) // "n 1001  100/s": shorter, padded with blanks
	draws := strings.Split(out.String(), "\r")[1:]
	if len(draws) != 3 {
		t.Fatalf("draws = %q", draws)
	}
	if !strings.HasPrefix(draws[1], "n 1000  1000/s") || !strings.HasPrefix(draws[2], "n 1001  100/s") {
		t.Errorf("draws = %q", draws)
	}
	if len([]rune(draws[2])) < len([]rune(draws[1])) {
		t.Errorf("shorter redraw %q does not cover the previous %q", draws[2], draws[1])
	}
}

func TestFormatDuration(t *testing.T) {
	for sec, want := range map[float64]string{0.26: "0.3s", 9.94: "9.9s", 65: "1:05", 3725: "1:02:05"} {
		if got := formatDuration(sec); got != want {
			t.Errorf("formatDuration(%g) = %q, want %q", sec, got, want)
		}
	}
	for r, want := range map[float64]string{12345.6: "12346/s", 100: "100/s", 12.34: "12.3/s", 0.256: "0.26/s"} {
		if got := formatRate(r); got != want {
			t.Errorf("formatRate(%g) = %q, want %q", r, got, want)
		}
	}
}

func TestProgressAndHandleStrings(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newProgress(10, "fit", &fakeSink{interactive: true}, nil, clock.now)
	clock.advance(time.Second)
	p.Add(4)
	if got, want := p.String(), "fit 4/10 (40%) · 4.00/s"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	b, rich := Render(p)
	if rich || b.Text() != p.String() {
		t.Errorf("Render(progress) = %v %q, want its String as text", rich, b.Text())
	}
	install(t, &fakeSink{interactive: true})
	h := New("x")
	if b, _ := Render(h); b.Text() != "display "+h.ID() {
		t.Errorf("Render(handle) = %q", b.Text())
	}
}

func TestProgressConcurrentAdds(t *testing.T) {
	sink := &fakeSink{interactive: true}
	clock := &syncClock{t: time.Unix(0, 0)}
	p := newProgress(800, "parallel", sink, nil, clock.now)
	done := make(chan struct{})
	for range 8 {
		go func() {
			for range 100 {
				clock.advance(time.Millisecond)
				p.Add(1)
			}
			done <- struct{}{}
		}()
	}
	for range 8 {
		<-done
	}
	p.Done()
	if p.Count() != 800 {
		t.Errorf("Count = %d, want 800", p.Count())
	}
	calls := sink.snapshot()
	if !strings.Contains(calls[len(calls)-1].bundle.Text(), "800/800 (100%)") {
		t.Errorf("final bar %q", calls[len(calls)-1].bundle.Text())
	}
}

// syncClock is a fakeClock safe for concurrent use.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
