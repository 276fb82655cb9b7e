package display

import (
	"sync"
)

// call is one recorded sink call.
type call struct {
	op     string // "display", "update", "clear"
	bundle Bundle
	id     string
	wait   bool
}

// fakeSink records what reaches it.
type fakeSink struct {
	mu          sync.Mutex
	interactive bool
	calls       []call
}

func (s *fakeSink) Display(b Bundle, id string) { s.record(call{op: "display", bundle: b, id: id}) }
func (s *fakeSink) Update(b Bundle, id string)  { s.record(call{op: "update", bundle: b, id: id}) }
func (s *fakeSink) Clear(wait bool)             { s.record(call{op: "clear", wait: wait}) }
func (s *fakeSink) Interactive() bool           { return s.interactive }

func (s *fakeSink) record(c call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *fakeSink) snapshot() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.calls...)
}

// install sets s as the sink for one test and restores the previous sink.
func install(t interface{ Cleanup(func()) }, s Sink) {
	prev := SetSink(s)
	t.Cleanup(func() { SetSink(prev) })
}
