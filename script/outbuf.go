package script

import (
	"os"
	"sync"
	"time"
)

// outFlushDelay bounds how long buffered cell output waits before it is
// written, so that output of a running cell stays live.
const outFlushDelay = 2 * time.Millisecond

// outBufferLimit is the size at which buffered output is written at once.
const outBufferLimit = 64 << 10

// outBuffer is the interpreter's standard output (fmt.Print*, print,
// println). While buffering is on (a cell of a session with
// Options.BufferOutput that does not touch the real file descriptors
// itself), writes are collected and written in one system call at the
// latest outFlushDelay later, at every Flush (the runner flushes before
// each sync marker, event and input request) and when buffering is turned
// off at the end of the cell. Otherwise every write goes to the file at
// once, after what is pending, so output is never reordered or lost.
type outBuffer struct {
	f *os.File

	mu       sync.Mutex
	buf      []byte
	buffered bool
	armed    bool // a timed flush is scheduled
	timer    *time.Timer
}

func newOutBuffer(f *os.File) *outBuffer {
	b := &outBuffer{f: f}
	b.timer = time.AfterFunc(time.Hour, b.timedFlush)
	b.timer.Stop()
	return b
}

// Write implements io.Writer.
func (b *outBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.buffered {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		return b.f.Write(p)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= outBufferLimit {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if !b.armed {
		b.armed = true
		b.timer.Reset(outFlushDelay)
	}
	return len(p), nil
}

// Flush writes what is pending.
func (b *outBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *outBuffer) timedFlush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	b.flushLocked()
}

func (b *outBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.f.Write(b.buf)
	if cap(b.buf) > 4*outBufferLimit {
		b.buf = nil // do not keep a large buffer after a burst
	} else {
		b.buf = b.buf[:0]
	}
	return err
}

// setBuffered turns buffering on or off; turning it off writes what is
// pending.
func (b *outBuffer) setBuffered(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buffered = on
	if !on {
		b.flushLocked()
	}
}
