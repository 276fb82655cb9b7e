package kernel

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

type published struct {
	mu   sync.Mutex
	msgs []string
}

func (p *published) publish(parent json.RawMessage, msgType string, content any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := content.(map[string]string)
	p.msgs = append(p.msgs, fmt.Sprintf("%s:%s:%s", parent, c["name"], c["text"]))
}

func (p *published) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := strings.Join(p.msgs, "|")
	p.msgs = nil
	return s
}

func TestStreamBatcherHoldsTextAfterAPendingMarker(t *testing.T) {
	var p published
	b := newStreamBatcher(0, p.publish)
	b.startCell(json.RawMessage("P1"))
	b.write("stdout", []byte("a\n"))
	b.mark("stdout", 1)
	b.write("stdout", []byte("b\n"))
	b.write("stderr", []byte("e\n")) // stderr has not reached marker 1 yet
	b.mark("stderr", 1)
	b.write("stderr", []byte("f\n"))
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"flush before the event", b.flush, "P1:stdout:a\n|P1:stderr:e\n"},
		{"before event 1", func() { b.beforeEvent(1) }, ""},
		{"after event 1", func() { b.afterEvent(1); b.flush() }, "P1:stdout:b\n|P1:stderr:f\n"},
		{"next cell", func() { b.startCell(json.RawMessage("P2")); b.write("stdout", []byte("c")); b.flush() }, "P2:stdout:c"},
		{"stale marker of an old runner", func() {
			b.write("stdout", []byte("x"))
			b.mark("stdout", 7)
			b.write("stdout", []byte("y"))
			b.resetMarkers()
		}, "P2:stdout:xy"},
	}
	for _, s := range steps {
		s.do()
		if got := p.take(); got != s.want {
			t.Errorf("%s: published %q, want %q", s.name, got, s.want)
		}
	}
}

func TestStreamBatcherCap(t *testing.T) {
	var p published
	b := newStreamBatcher(10, p.publish)
	b.startCell(json.RawMessage("P"))
	b.write("stdout", []byte("0123456"))
	b.write("stdout", []byte("789abcdef"))
	b.write("stdout", []byte("LOST"))
	b.flush()
	got := p.take()
	if !strings.HasPrefix(got, "P:stdout:0123456789|P:stderr:") || !strings.Contains(got, "exceeded 10 bytes") || strings.Contains(got, "LOST") {
		t.Errorf("published %q", got)
	}
	b.startCell(json.RawMessage("Q"))
	b.write("stdout", []byte("fresh"))
	b.flush()
	if got := p.take(); got != "Q:stdout:fresh" {
		t.Errorf("after a new cell: %q", got)
	}
}
