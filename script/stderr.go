package script

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
)

// panicLine matches yaegi's pseudo-traceback lines ("3:9: panic: main.f(...)").
var panicLine = regexp.MustCompile(`^(?:[^\s:]*\.go:)?(\d+):(\d+): panic: (.*)\(\.\.\.\)$`)

// panicFrame is one line of yaegi's pseudo-traceback.
type panicFrame struct {
	Line, Col int
	Func      string // "main", "main.helper", "main.helper.func"
}

// stderrFilter sits between the interpreter's standard error and the real
// one: it removes yaegi's panic pseudo-traceback (the runner folds it into
// the one error it reports) and forwards everything else unchanged.
type stderrFilter struct {
	w   *os.File // given to the interpreter as Stderr
	r   *os.File
	out io.Writer

	// writes counts writes through the filter's writer (the interpreter's
	// Stderr); synced is its value at the last sync, so that a sync with
	// nothing new to forward is skipped (see syncIfWritten).
	writes atomic.Uint64
	synced atomic.Uint64

	mu      sync.Mutex
	frames  []panicFrame // the most recent frames, oldest first
	nframes int          // frames seen so far (the sequence number of the next)
	waiters map[string]chan struct{}
	seq     int
	done    chan struct{}
}

const flushPrefix = "\x00gonote-flush-"

// maxFrames bounds the frames kept: old ones belong to panics that were
// recovered or already reported.
const maxFrames = 256

func newStderrFilter(out io.Writer) (*stderrFilter, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("script: stderr pipe: %w", err)
	}
	f := &stderrFilter{w: w, r: r, out: out, waiters: map[string]chan struct{}{}, done: make(chan struct{})}
	go f.loop()
	return f, nil
}

func (f *stderrFilter) loop() {
	defer close(f.done)
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := f.r.Read(buf)
		if n > 0 {
			data := append(carry, buf[:n]...)
			carry = nil
			var out bytes.Buffer
			for len(data) > 0 {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					if bytes.HasPrefix(data, []byte(flushPrefix)) || bytes.HasPrefix([]byte(flushPrefix), data) {
						carry = append([]byte(nil), data...)
					} else {
						out.Write(data)
					}
					break
				}
				line := data[:i]
				data = data[i+1:]
				if bytes.HasPrefix(line, []byte(flushPrefix)) {
					if out.Len() > 0 {
						f.out.Write(out.Bytes())
						out.Reset()
					}
					f.mu.Lock()
					if ch, ok := f.waiters[string(line)]; ok {
						close(ch)
						delete(f.waiters, string(line))
					}
					f.mu.Unlock()
					continue
				}
				if m := panicLine.FindSubmatch(line); m != nil {
					var fr panicFrame
					fmt.Sscan(string(m[1]), &fr.Line)
					fmt.Sscan(string(m[2]), &fr.Col)
					fr.Func = string(m[3])
					f.mu.Lock()
					f.frames = append(f.frames, fr)
					f.nframes++
					if len(f.frames) > maxFrames {
						f.frames = f.frames[len(f.frames)-maxFrames:]
					}
					f.mu.Unlock()
					continue
				}
				out.Write(line)
				out.WriteByte('\n')
			}
			if out.Len() > 0 {
				f.out.Write(out.Bytes())
			}
		}
		if err != nil {
			return
		}
	}
}

// countingWriter is the interpreter's Stderr: the filter's pipe, with a
// count of writes.
type countingWriter stderrFilter

func (c *countingWriter) Write(p []byte) (int, error) {
	f := (*stderrFilter)(c)
	f.writes.Add(1)
	return f.w.Write(p)
}

// writer returns the interpreter's Stderr.
func (f *stderrFilter) writer() io.Writer { return (*countingWriter)(f) }

// syncIfWritten is sync when something was written through writer since
// the last sync. Writes to the pipe file itself (os.Stderr in a cell) are
// not counted: the caller syncs unconditionally when cells may make them.
func (f *stderrFilter) syncIfWritten() {
	if f.writes.Load() != f.synced.Load() {
		f.sync()
	}
}

// sync returns once everything written to the filter before the call has
// been forwarded or captured.
func (f *stderrFilter) sync() {
	f.synced.Store(f.writes.Load())
	f.mu.Lock()
	f.seq++
	token := fmt.Sprintf("%s%d", flushPrefix, f.seq)
	ch := make(chan struct{})
	f.waiters[token] = ch
	f.mu.Unlock()
	if _, err := f.w.Write([]byte(token + "\n")); err != nil {
		return
	}
	select {
	case <-ch:
	case <-f.done:
	}
}

// mark returns the sequence number of the next frame.
func (f *stderrFilter) mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nframes
}

// since returns the frames captured after mark, once everything written
// so far has been read. Frames are kept per sequence number so that a
// goroutine's panic and a cell's panic do not take each other's frames.
func (f *stderrFilter) since(mark int) []panicFrame {
	f.sync()
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nframes - mark // frames after mark
	if n <= 0 {
		return nil
	}
	if n > len(f.frames) {
		n = len(f.frames)
	}
	return append([]panicFrame(nil), f.frames[len(f.frames)-n:]...)
}

func (f *stderrFilter) close() {
	f.w.Close()
	<-f.done
	f.r.Close()
}
