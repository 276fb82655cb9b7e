package kernel

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Output batching parameters. The first bytes after a quiet period are
// published after firstFlush; while output keeps coming the interval grows
// up to maxFlush, so a long burst becomes few large stream messages. A
// buffer reaching flushBytes is published at once.
const (
	firstFlush      = 20 * time.Millisecond
	maxFlush        = 250 * time.Millisecond
	flushBytes      = 256 << 10
	quietResetAfter = 100 * time.Millisecond
	// DefaultCellCap bounds the stream output of one cell.
	DefaultCellCap = 16 << 20
)

// streamIndex numbers the two output streams.
var streamIndex = map[string]int{"stdout": 0, "stderr": 1}

// outItem is either output text of a stream or a sync marker seen in it.
type outItem struct {
	stream int
	text   []byte
	marker uint64 // > 0 for a marker
}

// streamBatcher collects the runner's stdout and stderr and publishes them
// as stream messages on iopub, in order, under the parent header of the
// current (or last) execute request.
//
// Text that follows a sync marker is held until the event carrying that
// marker's number has been published (release), so that a display sent
// after a print never overtakes text printed after it.
type streamBatcher struct {
	publish func(parent json.RawMessage, msgType string, content any)
	cellCap int

	mu        sync.Mutex
	parent    json.RawMessage
	items     []outItem
	size      int
	released  uint64 // markers up to this number have had their event published
	cellBytes int
	capped    bool
	timer     *time.Timer
	interval  time.Duration
	lastFlush time.Time
}

func newStreamBatcher(cellCap int, publish func(parent json.RawMessage, msgType string, content any)) *streamBatcher {
	if cellCap <= 0 {
		cellCap = DefaultCellCap
	}
	return &streamBatcher{publish: publish, cellCap: cellCap, interval: firstFlush}
}

// startCell flushes what is pending under the old parent and directs later
// output to parent with a fresh output budget.
func (b *streamBatcher) startCell(parent json.RawMessage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.parent = parent
	b.cellBytes = 0
	b.capped = false
	b.interval = firstFlush
}

// write appends output of stream name ("stdout" or "stderr").
func (b *streamBatcher) write(name string, text []byte) {
	if len(text) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.capped {
		return
	}
	if b.cellBytes+len(text) > b.cellCap {
		text = text[:b.cellCap-b.cellBytes]
		b.capped = true
	}
	b.cellBytes += len(text)
	idx := streamIndex[name]
	if n := len(b.items); n > 0 && b.items[n-1].marker == 0 && b.items[n-1].stream == idx {
		b.items[n-1].text = append(b.items[n-1].text, text...)
	} else if len(text) > 0 {
		b.items = append(b.items, outItem{stream: idx, text: append([]byte(nil), text...)})
	}
	b.size += len(text)
	if b.capped {
		b.items = append(b.items, outItem{stream: 1, text: []byte(
			"\n[gonote] output of this cell exceeded " + sizeText(b.cellCap) + "; the rest of its output is dropped\n")})
		b.flushLocked()
		return
	}
	if b.size >= flushBytes {
		b.flushLocked()
		return
	}
	b.armLocked()
}

// mark records that stream name reached sync marker n.
func (b *streamBatcher) mark(name string, n uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n <= b.released {
		return
	}
	b.items = append(b.items, outItem{stream: streamIndex[name], marker: n})
}

// beforeEvent publishes the output written before marker n: the event
// with Sync n is published next. Text after the marker stays pending.
func (b *streamBatcher) beforeEvent(n uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.released = max(b.released, n-1)
	b.flushLocked()
}

// afterEvent lets the text written after marker n flow, now that the event
// with Sync n has been published.
func (b *streamBatcher) afterEvent(n uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.released = max(b.released, n)
	b.armLocked()
}

// resetMarkers forgets the markers of a runner that ended: its events will
// never come, so everything pending is published and a new runner counts
// from 1 again.
func (b *streamBatcher) resetMarkers() {
	b.mu.Lock()
	defer b.mu.Unlock()
	var kept []outItem
	for _, it := range b.items {
		if it.marker == 0 {
			kept = append(kept, it)
		}
	}
	b.items = kept
	b.flushLocked()
	b.released = 0
}

func (b *streamBatcher) armLocked() {
	if b.timer == nil && b.size > 0 {
		if time.Since(b.lastFlush) > quietResetAfter {
			b.interval = firstFlush
		}
		b.timer = time.AfterFunc(b.interval, b.timedFlush)
	}
}

func (b *streamBatcher) timedFlush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer = nil
	b.flushLocked()
	b.interval = min(b.interval*2, maxFlush)
}

// flush publishes everything that may be published now.
func (b *streamBatcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

// flushLocked publishes the text of each stream up to its first marker
// whose event has not been released; the rest stays pending.
func (b *streamBatcher) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	var blocked [2]bool
	var kept []outItem
	var out []outItem // merged runs to publish
	for _, it := range b.items {
		switch {
		case it.marker > 0 && it.marker <= b.released && !blocked[it.stream]:
			// passed: drop it
		case it.marker > 0:
			blocked[it.stream] = true
			kept = append(kept, it)
		case blocked[it.stream]:
			kept = append(kept, it)
		default:
			if n := len(out); n > 0 && out[n-1].stream == it.stream {
				out[n-1].text = append(out[n-1].text, it.text...)
			} else {
				out = append(out, outItem{stream: it.stream, text: it.text})
			}
			b.size -= len(it.text)
		}
	}
	b.items = kept
	for _, it := range out {
		name := "stdout"
		if it.stream == 1 {
			name = "stderr"
		}
		b.publish(b.parent, "stream", map[string]string{"name": name, "text": toValidUTF8(it.text)})
	}
	if len(out) > 0 {
		b.lastFlush = time.Now()
	}
	if b.size < 0 {
		b.size = 0
	}
	b.armLocked()
}

// sizeText writes a byte count for people: "16 MiB", or "1000 bytes".
func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
