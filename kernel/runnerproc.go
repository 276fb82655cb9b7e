package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
)

// crashDivertFor bounds how long stderr text that looks like a Go runtime
// crash report is held back: if the runner dies meanwhile, the text becomes
// the crash message instead of stream output. It is released earlier at the
// next sync marker (the runner is alive and the cell produced an event).
// A dying runtime can take seconds to exit (freeing a 1 GB stack after a
// stack overflow), hence the generous bound.
const crashDivertFor = 30 * time.Second

// outputSink receives the runner's output text and the sync markers found
// in it, in stream order.
type outputSink interface {
	write(name string, text []byte)
	mark(name string, n uint64)
}

// runnerProc is one runner process: its pipes, its stream readers and the
// bookkeeping that orders events after the output written before them.
type runnerProc struct {
	cmd  *exec.Cmd
	reqW *os.File
	evR  *os.File

	writeMu sync.Mutex

	events chan runproto.Event // in order, closed when fd 4 ends
	dead   chan struct{}       // closed when the process has exited and its streams ended
	gone   chan struct{}       // closed after dead, once every event has been dispatched
	ready  chan struct{}       // closed on EventReady

	syncMu   sync.Mutex
	syncCond *sync.Cond
	seen     [2]uint64 // last marker passed by the stdout and stderr readers
	ended    [2]bool

	mu          sync.Mutex
	crashText   bytes.Buffer // diverted stderr of a dying runtime
	exitState   *os.ProcessState
	waitErr     error
	killedFor   string // why the supervisor killed it, if it did
	readyClosed bool
}

// startRunner starts argv with fd 3 = requests, fd 4 = events and stdout and
// stderr sent to out. The runner gets its own process group, so a SIGINT
// sent by a client to the kernel's group does not reach it.
func startRunner(argv []string, env []string, out outputSink) (*runnerProc, error) {
	if len(argv) == 0 {
		return nil, errors.New("kernel: runner command is empty")
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("kernel: runner request pipe: %w", err)
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("kernel: runner event pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(reqR, reqW, evR, evW)
		return nil, fmt.Errorf("kernel: runner stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(reqR, reqW, evR, evW, outR, outW)
		return nil, fmt.Errorf("kernel: runner stderr pipe: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.ExtraFiles = []*os.File{reqR, evW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		closeAll(reqR, reqW, evR, evW, outR, outW, errR, errW)
		return nil, fmt.Errorf("kernel: start runner %s: %w", argv[0], err)
	}
	closeAll(reqR, evW, outW, errW)
	p := &runnerProc{
		cmd:    cmd,
		reqW:   reqW,
		evR:    evR,
		events: make(chan runproto.Event, 64),
		dead:   make(chan struct{}),
		gone:   make(chan struct{}),
		ready:  make(chan struct{}),
	}
	p.syncCond = sync.NewCond(&p.syncMu)
	var streams sync.WaitGroup
	streams.Add(2)
	go func() { defer streams.Done(); p.readStream(0, "stdout", outR, out) }()
	go func() { defer streams.Done(); p.readStream(1, "stderr", errR, out) }()
	go p.readEvents()
	go func() {
		err := cmd.Wait()
		// A grandchild may keep the output pipes open: do not wait for it.
		done := make(chan struct{})
		go func() { streams.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		reqW.Close()
		p.mu.Lock()
		p.exitState = cmd.ProcessState
		p.waitErr = err
		p.mu.Unlock()
		close(p.dead)
	}()
	return p, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// readStream copies one output pipe to out, removing sync markers and
// recording how far it got. Text that looks like a runtime crash report is
// diverted to crashText for a moment.
func (p *runnerProc) readStream(idx int, name string, r *os.File, sink outputSink) {
	out := sink.write
	defer r.Close()
	var scan runproto.MarkerScanner
	var carry []byte // an incomplete UTF-8 sequence at the end of the last chunk
	var diverting bool
	var divertTimer *time.Timer
	release := func() {
		p.mu.Lock()
		text := append([]byte(nil), p.crashText.Bytes()...)
		p.crashText.Reset()
		p.mu.Unlock()
		out(name, text)
	}
	emit := func(text []byte) {
		if len(text) == 0 {
			return
		}
		text = append(carry, text...)
		text, carry = splitUTF8(text)
		carry = append([]byte(nil), carry...)
		if idx == 1 {
			if !diverting {
				if at := crashStart(text); at >= 0 {
					out(name, text[:at])
					text = text[at:]
					diverting = true
					divertTimer = time.AfterFunc(crashDivertFor, func() {
						select {
						case <-p.dead:
						default:
							release()
						}
					})
				}
			}
			if diverting {
				p.mu.Lock()
				if p.crashText.Len() < 64<<10 {
					p.crashText.Write(text)
				}
				p.mu.Unlock()
				return
			}
		}
		out(name, text)
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			texts, markers := scan.Feed(buf[:n])
			for i, t := range texts {
				emit(t)
				if i < len(markers) {
					if diverting {
						// Output continued normally: it was not a crash.
						divertTimer.Stop()
						diverting = false
						release()
					}
					sink.mark(name, markers[i])
					p.syncMu.Lock()
					p.seen[idx] = markers[i]
					p.syncCond.Broadcast()
					p.syncMu.Unlock()
				}
			}
		}
		if err != nil {
			if err != io.EOF {
				log.Printf("gonote: runner %s: %v", name, err)
			}
			emit(scan.Flush())
			if len(carry) > 0 {
				out(name, carry)
			}
			p.syncMu.Lock()
			p.ended[idx] = true
			p.syncCond.Broadcast()
			p.syncMu.Unlock()
			return
		}
	}
}

// crashStart returns the offset of the first line of text that starts a Go
// runtime crash report, or -1.
func crashStart(text []byte) int {
	for off := 0; off < len(text); {
		line := text[off:]
		for _, prefix := range []string{"panic: ", "fatal error: ", "runtime: ", "SIGILL", "SIGSEGV", "SIGBUS"} {
			if bytes.HasPrefix(line, []byte(prefix)) {
				return off
			}
		}
		nl := bytes.IndexByte(line, '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return -1
}

func (p *runnerProc) readEvents() {
	defer close(p.events)
	defer p.evR.Close()
	for {
		var ev runproto.Event
		if err := runproto.ReadFrame(p.evR, &ev); err != nil {
			if err != io.EOF && !errors.Is(err, os.ErrClosed) {
				log.Printf("gonote: runner events: %v", err)
			}
			return
		}
		if ev.Kind == runproto.EventReady {
			p.mu.Lock()
			if !p.readyClosed {
				p.readyClosed = true
				close(p.ready)
			}
			p.mu.Unlock()
		}
		p.events <- ev
	}
}

// waitSync blocks until both stream readers have passed marker n or ended,
// or until timeout (so a misbehaving runner cannot hang the kernel).
func (p *runnerProc) waitSync(n uint64, timeout time.Duration) {
	if n == 0 {
		return
	}
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		p.syncMu.Lock()
		p.syncCond.Broadcast()
		p.syncMu.Unlock()
	})
	defer timer.Stop()
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	for !((p.seen[0] >= n || p.ended[0]) && (p.seen[1] >= n || p.ended[1])) {
		if time.Now().After(deadline) {
			log.Printf("gonote: output sync marker %d did not arrive within %v", n, timeout)
			return
		}
		p.syncCond.Wait()
	}
}

// send writes one request to the runner.
func (p *runnerProc) send(req runproto.Request) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	return runproto.WriteFrame(p.reqW, req)
}

// isDead reports whether the process has exited.
func (p *runnerProc) isDead() bool {
	select {
	case <-p.dead:
		return true
	default:
		return false
	}
}

// kill ends the whole process group of the runner with SIGKILL.
func (p *runnerProc) kill(reason string) {
	p.mu.Lock()
	if p.killedFor == "" {
		p.killedFor = reason
	}
	p.mu.Unlock()
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// deathReport says, in one line, why the runner ended: the first line of a
// Go crash report, its exit status or the signal that killed it. Call it
// after dead is closed.
func (p *runnerProc) deathReport() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killedFor != "" {
		return p.killedFor
	}
	crash := p.crashText.String()
	summary := crashSummary(crash)
	var status string
	if st := p.exitState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			sig := ws.Signal()
			status = fmt.Sprintf("killed by signal %v", sig)
			if sig == syscall.SIGKILL {
				status += " (most likely out of memory)"
			}
		} else {
			status = fmt.Sprintf("exited with status %d", st.ExitCode())
		}
	} else if p.waitErr != nil {
		status = p.waitErr.Error()
	}
	switch {
	case summary != "" && status != "":
		return fmt.Sprintf("%s (the runner %s)", summary, status)
	case summary != "":
		return summary
	case status != "":
		return "the runner " + status
	}
	return "the runner ended"
}

// crashSummary picks the most telling line of a Go runtime crash report:
// "fatal error: ..." or "panic: ..." (with a goroutine stack overflow the
// runtime's first line is kept too).
func crashSummary(text string) string {
	var panicLine, fatalLine, runtimeLine string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "fatal error: ") && fatalLine == "":
			fatalLine = line
		case strings.HasPrefix(line, "panic: ") && panicLine == "":
			panicLine = line
		case strings.HasPrefix(line, "runtime: goroutine stack exceeds") && runtimeLine == "":
			runtimeLine = line
		}
	}
	switch {
	case panicLine != "":
		return panicLine
	case fatalLine != "" && runtimeLine != "":
		return fatalLine + " (" + strings.TrimPrefix(runtimeLine, "runtime: ") + ")"
	case fatalLine != "":
		return fatalLine
	}
	return ""
}
