package script

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gonote/gonote/display"
	"github.com/gonote/gonote/kernel/runproto"
	"github.com/gonote/gonote/script/complete"
)

// Runner serves the runner protocol for one session: requests arrive on
// one pipe, events leave on another, and the session prints to the
// process's standard output and error, which the supervisor reads.
type Runner struct {
	sess   *Session
	events io.Writer
	stdout *os.File
	stderr *os.File
	comp   completer

	wmu  sync.Mutex // serialises event frames and sync markers
	sync uint64

	mu      sync.Mutex
	curID   string // msg id of the running (or last) execute request
	cancel  context.CancelFunc
	ctx     context.Context
	inputCh chan string
	silent  bool
}

// completer answers complete and inspect requests (package complete).
type completer interface {
	Complete(code string, cursor int) complete.CompleteReply
	Inspect(code string, cursor, detail int) complete.InspectReply
}

// NewRunner creates a runner whose cells print to stdout and stderr.
func NewRunner(events io.Writer, stdout, stderr *os.File) (*Runner, error) {
	sess, err := NewSession(Options{Stdout: stdout, Stderr: stderr, BufferOutput: true, AwaitInterrupted: true})
	if err != nil {
		return nil, err
	}
	r := &Runner{sess: sess, events: events, stdout: stdout, stderr: stderr, inputCh: make(chan string, 1)}
	sess.Hooks = Hooks{
		Result: func(b display.Bundle) {
			r.mu.Lock()
			silent := r.silent
			r.mu.Unlock()
			if !silent {
				r.sendSync(runproto.Event{Kind: runproto.EventResult, Display: dataOf(b, "")})
			}
		},
		AsyncError: func(e *CellError) {
			// The error belongs to the cell that started the goroutine,
			// which may have ended.
			r.sendSync(runproto.Event{Kind: runproto.EventError, ID: e.tag, Error: errorContent(e)})
		},
		Input: r.input,
	}
	sess.Interactive = true
	r.comp = newCompleter(sess)
	display.SetSink(r)
	return r, nil
}

func dataOf(b display.Bundle, id string) *runproto.DisplayData {
	d := &runproto.DisplayData{Data: b.Data, Metadata: b.Metadata}
	if d.Data == nil {
		d.Data = map[string]any{}
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	if id != "" {
		d.Transient = map[string]any{"display_id": id}
	}
	return d
}

func errorContent(e *CellError) *runproto.ErrorContent {
	tb := e.Traceback
	if tb == nil {
		tb = []string{e.Ename + ": " + e.Evalue}
	}
	return &runproto.ErrorContent{Ename: e.Ename, Evalue: e.Evalue, Traceback: tb}
}

// send writes one event frame.
func (r *Runner) send(ev runproto.Event) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.write(ev)
}

func (r *Runner) write(ev runproto.Event) {
	if ev.ID == "" {
		r.mu.Lock()
		ev.ID = r.curID
		r.mu.Unlock()
	}
	if err := runproto.WriteFrame(r.events, ev); err != nil {
		fmt.Fprintf(os.Stderr, "gonote runner: %v\n", err)
	}
}

// sendSync writes a sync marker to both output streams (after the
// interpreter's stderr filter has forwarded what it holds), then the event.
func (r *Runner) sendSync(ev runproto.Event) {
	r.sess.FlushOutput()
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.sync++
	marker := runproto.SyncMarker(r.sync)
	r.stdout.Write(marker)
	r.stderr.Write(marker)
	ev.Sync = r.sync
	r.write(ev)
}

// Display, Update, Clear and Interactive implement display.Sink.
func (r *Runner) Display(b display.Bundle, id string) {
	r.sendSync(runproto.Event{Kind: runproto.EventDisplay, Display: dataOf(b, id)})
}

func (r *Runner) Update(b display.Bundle, id string) {
	r.sendSync(runproto.Event{Kind: runproto.EventUpdate, Display: dataOf(b, id)})
}

func (r *Runner) Clear(wait bool) {
	r.sendSync(runproto.Event{Kind: runproto.EventClear, Wait: wait})
}

func (r *Runner) Interactive() bool { return true }

// input asks the frontend for a line (input_request) and waits for the
// answer or an interrupt.
func (r *Runner) input(prompt string, password bool) (string, error) {
	r.sendSync(runproto.Event{Kind: runproto.EventInputRequest, Prompt: prompt, Password: password})
	r.mu.Lock()
	ctx := r.ctx
	r.mu.Unlock()
	select {
	case line := <-r.inputCh:
		return line, nil
	case <-ctx.Done():
		return "", errors.New("input: interrupted while waiting for input")
	}
}

// Serve reads requests until shutdown or the end of the request stream.
func (r *Runner) Serve(requests io.Reader) error {
	r.send(runproto.Event{Kind: runproto.EventReady})
	work := make(chan runproto.Request, 16)
	readErr := make(chan error, 1)
	go func() {
		defer close(work)
		for {
			var req runproto.Request
			if err := runproto.ReadFrame(requests, &req); err != nil {
				if err != io.EOF {
					readErr <- err
				}
				return
			}
			switch req.Kind {
			case runproto.KindInterrupt:
				r.mu.Lock()
				if r.cancel != nil {
					r.cancel()
				}
				r.mu.Unlock()
			case runproto.KindInput:
				select {
				case r.inputCh <- req.Input:
				default:
				}
			case runproto.KindComplete:
				go r.complete(req)
			case runproto.KindInspect:
				go r.inspect(req)
			default:
				work <- req
			}
		}
	}()
	for req := range work {
		switch req.Kind {
		case runproto.KindExecute:
			r.execute(req)
		case runproto.KindRestore:
			r.restore(req)
		case runproto.KindShutdown:
			r.sess.Close()
			return nil
		default:
			r.send(runproto.Event{Kind: runproto.EventError, ID: req.ID, Error: &runproto.ErrorContent{
				Ename: "ProtocolError", Evalue: fmt.Sprintf("unknown request kind %q", req.Kind)}})
		}
	}
	select {
	case err := <-readErr:
		return err
	default:
		return nil
	}
}

func (r *Runner) execute(req runproto.Request) {
	ex := req.Execute
	if ex == nil {
		r.send(runproto.Event{Kind: runproto.EventExecuteReply, ID: req.ID, ExecuteReply: &runproto.ExecuteReply{
			Status: "error", Ename: "ProtocolError", Evalue: "execute request without content"}})
		return
	}
	if expr, detail, ok := helpRequest(ex.Code); ok {
		r.help(req.ID, expr, detail)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.mu.Lock()
	r.curID = req.ID
	r.cancel = cancel
	r.ctx = ctx
	r.silent = ex.Silent
	r.mu.Unlock()
	// Drop a stale answer to an earlier prompt.
	select {
	case <-r.inputCh:
	default:
	}
	r.sess.setCellTag(req.ID)
	cerr := r.sess.Execute(ctx, ex.Code, ex.ExecutionCount, ex.AllowStdin)
	cancel()
	r.mu.Lock()
	r.cancel = nil
	r.mu.Unlock()
	reply := &runproto.ExecuteReply{Status: "ok"}
	if cerr != nil {
		ec := errorContent(cerr)
		r.sendSync(runproto.Event{Kind: runproto.EventError, Error: ec})
		reply = &runproto.ExecuteReply{Status: "error", Ename: ec.Ename, Evalue: ec.Evalue, Traceback: ec.Traceback}
	}
	reply.Payload = r.sess.TakePayload()
	if len(ex.UserExpressions) > 0 {
		reply.UserExpressions = r.sess.UserExpressions(ex.UserExpressions)
	}
	if snap, err := r.sess.SnapshotIfChanged(); err == nil && snap != nil {
		r.send(runproto.Event{Kind: runproto.EventLedger, Ledger: json.RawMessage(snap)})
	}
	r.sendSync(runproto.Event{Kind: runproto.EventExecuteReply, ExecuteReply: reply})
}

// helpRequest recognises IPython's help syntax: "name?", "name??", "?name".
func helpRequest(code string) (expr string, detail int, ok bool) {
	c := strings.TrimSpace(code)
	if strings.Contains(c, "\n") || c == "" {
		return "", 0, false
	}
	switch {
	case strings.HasSuffix(c, "??"):
		c, detail = strings.TrimSuffix(c, "??"), 1
	case strings.HasSuffix(c, "?"):
		c = strings.TrimSuffix(c, "?")
	case strings.HasPrefix(c, "??"):
		c, detail = strings.TrimPrefix(c, "??"), 1
	case strings.HasPrefix(c, "?"):
		c = strings.TrimPrefix(c, "?")
	default:
		return "", 0, false
	}
	c = strings.TrimSpace(c)
	if _, err := parser.ParseExpr(c); err != nil || c == "" {
		return "", 0, false
	}
	return c, detail, true
}

// help answers "name?" with the inspection of name as a pager payload.
func (r *Runner) help(id, expr string, detail int) {
	r.mu.Lock()
	r.curID = id
	r.mu.Unlock()
	ins := r.comp.Inspect(expr, utf8.RuneCountInString(expr), detail)
	reply := &runproto.ExecuteReply{Status: "ok"}
	if ins.Found {
		data := map[string]any{}
		for k, v := range ins.Data {
			data[k] = v
		}
		reply.Payload = []any{map[string]any{"source": "page", "data": data, "start": 0}}
	} else {
		r.sess.FlushOutput()
		fmt.Fprintf(r.stdout, "no documentation found for %s\n", expr)
	}
	r.sendSync(runproto.Event{Kind: runproto.EventExecuteReply, ID: id, ExecuteReply: reply})
}

func (r *Runner) restore(req runproto.Request) {
	n, lost, err := r.sess.Restore(req.Restore)
	res := &runproto.Restored{Declarations: n, Lost: lost}
	if err != nil {
		res.Err = err.Error()
	}
	r.send(runproto.Event{Kind: runproto.EventRestored, ID: req.ID, Restored: res})
	if snap, err := r.sess.SnapshotIfChanged(); err == nil && snap != nil {
		r.send(runproto.Event{Kind: runproto.EventLedger, ID: req.ID, Ledger: json.RawMessage(snap)})
	}
}

func (r *Runner) complete(req runproto.Request) {
	var reply complete.CompleteReply
	if req.Complete != nil {
		reply = r.comp.Complete(req.Complete.Code, req.Complete.CursorPos)
	}
	b, err := json.Marshal(reply)
	if err != nil {
		b = []byte(`{"status":"error","matches":[],"cursor_start":0,"cursor_end":0,"metadata":{}}`)
	}
	r.send(runproto.Event{Kind: runproto.EventCompleteReply, ID: req.ID, Reply: b})
}

func (r *Runner) inspect(req runproto.Request) {
	var reply complete.InspectReply
	if req.Inspect != nil {
		reply = r.comp.Inspect(req.Inspect.Code, req.Inspect.CursorPos, req.Inspect.DetailLevel)
	}
	b, err := json.Marshal(reply)
	if err != nil {
		b = []byte(`{"status":"error","found":false,"data":{},"metadata":{}}`)
	}
	r.send(runproto.Event{Kind: runproto.EventInspectReply, ID: req.ID, Reply: b})
}

// ServeRunner is the body of the runner process: requests on fd 3, events
// on fd 4, cell output on fd 1 and fd 2.
func ServeRunner() error {
	reqs := os.NewFile(3, "requests")
	events := os.NewFile(4, "events")
	if reqs == nil || events == nil {
		return errors.New("script: the runner needs the request pipe on fd 3 and the event pipe on fd 4")
	}
	// yaegi's compiler logs its internal panics with the standard logger;
	// the session reports them as the cell's one error instead.
	log.SetOutput(io.Discard)
	// Runaway recursion in a cell should end the runner in seconds (the
	// supervisor then restores the session), not eat gigabytes first.
	debug.SetMaxStack(256 << 20)
	r, err := NewRunner(events, os.Stdout, os.Stderr)
	if err != nil {
		return err
	}
	return r.Serve(reqs)
}
