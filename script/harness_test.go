package script

import (
	"context"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gonote/gonote/display"
)

// harness runs cells through a real Session and collects what they print,
// display and fail with.
type harness struct {
	t       *testing.T
	s       *Session
	outR    *os.File
	errR    *os.File
	mu      sync.Mutex
	out     strings.Builder
	errOut  strings.Builder
	results []display.Bundle
	shown   []string // one line per display, update and clear
	wg      sync.WaitGroup
	count   int
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, outR: outR, errR: errR}
	h.wg.Add(2)
	go h.pump(outR, &h.out)
	go h.pump(errR, &h.errOut)
	s, err := NewSession(Options{Stdout: outW, Stderr: errW, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Hooks.Result = func(b display.Bundle) {
		h.mu.Lock()
		h.results = append(h.results, b)
		h.mu.Unlock()
	}
	h.s = s
	prev := display.SetSink(recordingSink{h})
	t.Cleanup(func() {
		display.SetSink(prev)
		s.Close()
		outW.Close()
		errW.Close()
		h.wg.Wait()
	})
	return h
}

func (h *harness) pump(r io.Reader, b *strings.Builder) {
	defer h.wg.Done()
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		h.mu.Lock()
		b.Write(buf[:n])
		h.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// recordingSink records displays as "kind mimes: text" lines.
type recordingSink struct{ h *harness }

func (r recordingSink) add(kind string, b display.Bundle, id string) {
	var mimes []string
	for m := range b.Data {
		mimes = append(mimes, m)
	}
	sort.Strings(mimes)
	text, _ := b.Data["text/plain"].(string)
	line := kind + " " + strings.Join(mimes, ",")
	if id != "" {
		line += " (id)"
	}
	r.h.mu.Lock()
	r.h.shown = append(r.h.shown, line+": "+text)
	r.h.mu.Unlock()
}

func (r recordingSink) Display(b display.Bundle, id string) { r.add("display", b, id) }
func (r recordingSink) Update(b display.Bundle, id string)  { r.add("update", b, id) }
func (r recordingSink) Clear(wait bool) {
	r.h.mu.Lock()
	r.h.shown = append(r.h.shown, "clear")
	r.h.mu.Unlock()
}
func (r recordingSink) Interactive() bool { return true }

// cellOutcome is what one cell produced.
type cellOutcome struct {
	Stdout string
	Stderr string
	Result string // text/plain of the final value, "" when none
	Bundle *display.Bundle
	Err    *CellError
	Shown  []string
	Mimes  []string // MIME types of the final value
}

// run executes one cell and waits until its output has arrived.
func (h *harness) run(code string) cellOutcome {
	h.t.Helper()
	h.mu.Lock()
	h.out.Reset()
	h.errOut.Reset()
	h.results = nil
	h.shown = nil
	h.mu.Unlock()
	h.count++
	e := h.s.Execute(context.Background(), code, h.count, false)
	h.sync()
	h.mu.Lock()
	defer h.mu.Unlock()
	o := cellOutcome{Stdout: h.out.String(), Stderr: h.errOut.String(), Err: e, Shown: h.shown}
	if len(h.results) > 0 {
		b := h.results[len(h.results)-1]
		o.Bundle = &b
		o.Result, _ = b.Data["text/plain"].(string)
		for m := range b.Data {
			o.Mimes = append(o.Mimes, m)
		}
		sort.Strings(o.Mimes)
	}
	return o
}

// sync waits until both output pipes have delivered what was written.
func (h *harness) sync() {
	h.s.errf.sync()
	const mark = "\x01sync\x01"
	h.s.opts.Stdout.WriteString(mark)
	h.s.opts.Stderr.WriteString(mark)
	for {
		h.mu.Lock()
		o, e := h.out.String(), h.errOut.String()
		if strings.HasSuffix(o, mark) && strings.HasSuffix(e, mark) {
			h.out.Reset()
			h.out.WriteString(strings.TrimSuffix(o, mark))
			h.errOut.Reset()
			h.errOut.WriteString(strings.TrimSuffix(e, mark))
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		runtimeGosched()
	}
}
