package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
)

// Options configure a kernel.
type Options struct {
	// RunnerArgv starts the runner process (for gonote: the gonote-runner
	// binary beside gonote, with no arguments). Required.
	RunnerArgv []string
	// RunnerEnv is the runner's environment; nil means the kernel's own
	// environment with GOTRACEBACK=none, so a crash report is one line.
	RunnerEnv []string
	// Version is reported as implementation_version and in the banner.
	Version string
	// HistoryFile keeps the input history; "" means
	// JupyterDataDir()/gonote/history.jsonl, "-" keeps it in memory only.
	HistoryFile string
	// InterruptGrace is how long an interrupted cell may take to stop
	// before its runner is killed and replaced (0: DefaultInterruptGrace).
	InterruptGrace time.Duration
	// CellOutputCap bounds the stream output of one cell (0: DefaultCellCap).
	CellOutputCap int
	// AskTimeout bounds complete and inspect requests to the runner
	// (0: 5 s).
	AskTimeout time.Duration
}

// Kernel is a running gonote kernel: sockets, history and the supervised
// runner.
type Kernel struct {
	info    ConnectionInfo
	opts    Options
	signer  *Signer
	session string

	socks   *sockets
	out     *streamBatcher
	sup     *supervisor
	history *History

	execQueue chan *Message
	inputs    chan *Message
	execCount atomic.Int64 // written only by the execute loop

	cancel       context.CancelFunc
	shutdownOnce sync.Once
	firstInfo    sync.Once
}

// New prepares a kernel for the connection described by info.
func New(info ConnectionInfo, opts Options) (*Kernel, error) {
	if len(opts.RunnerArgv) == 0 {
		return nil, errors.New("kernel: Options.RunnerArgv is empty: the kernel needs a runner command")
	}
	if opts.AskTimeout <= 0 {
		opts.AskTimeout = 5 * time.Second
	}
	if opts.RunnerEnv == nil {
		opts.RunnerEnv = append(os.Environ(), "GOTRACEBACK=none")
	}
	histFile := opts.HistoryFile
	switch histFile {
	case "-":
		histFile = ""
	case "":
		dir, err := JupyterDataDir()
		if err != nil {
			return nil, err
		}
		histFile = filepath.Join(dir, "gonote", "history.jsonl")
	}
	hist, err := OpenHistory(histFile)
	if err != nil {
		return nil, err
	}
	k := &Kernel{
		info:      info,
		opts:      opts,
		signer:    info.Signer(),
		session:   newID(),
		history:   hist,
		execQueue: make(chan *Message, 4096),
		inputs:    make(chan *Message, 16),
	}
	k.out = newStreamBatcher(opts.CellOutputCap, k.publish)
	k.sup = newSupervisor(opts.RunnerArgv, opts.RunnerEnv, opts.InterruptGrace, k.out, k.publish)
	return k, nil
}

// Run serves the connection until ctx ends or a shutdown_request arrives.
func (k *Kernel) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	k.cancel = cancel
	socks, err := listen(ctx, k.info)
	if err != nil {
		return err
	}
	k.socks = socks
	defer socks.close()

	go heartbeat(ctx, socks.hb)
	go func() {
		if err := k.sup.start(); err != nil {
			log.Printf("gonote: %v", err)
		}
	}()
	go k.serve(ctx, socks.shell, k.onShell)
	go k.serve(ctx, socks.control, func(m *Message) { k.handle(socks.control, m) })
	go k.serve(ctx, socks.stdin, k.onStdin)
	go k.executeLoop(ctx)
	k.publish(nil, "status", map[string]string{"execution_state": "starting"})

	<-ctx.Done()
	k.sup.shutdown()
	if err := k.history.Close(); err != nil {
		log.Printf("gonote: %v", err)
	}
	return nil
}

// Interrupt interrupts the running cell, as interrupt_request does. It is
// safe to call from a signal handler goroutine.
func (k *Kernel) Interrupt() { k.sup.interrupt() }

// serve receives, verifies and hands on the messages of one socket.
// Messages that fail to decode or verify are logged and dropped.
func (k *Kernel) serve(ctx context.Context, ch *channel, handle func(*Message)) {
	for {
		raw, err := ch.sock.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Printf("gonote: receive on %s: %v", ch.name, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		m, err := Decode(raw.Frames, k.signer)
		if err != nil {
			log.Printf("gonote: dropped a message on %s: %v", ch.name, err)
			continue
		}
		handle(m)
	}
}

func (k *Kernel) onShell(m *Message) {
	if m.Header.MsgType == "execute_request" {
		k.execQueue <- m
		return
	}
	go k.handle(k.socks.shell, m)
}

func (k *Kernel) onStdin(m *Message) {
	if m.Header.MsgType != "input_reply" {
		log.Printf("gonote: ignored %s on stdin", m.Header.MsgType)
		return
	}
	select {
	case k.inputs <- m:
	default:
		log.Printf("gonote: dropped an input_reply nobody waits for")
	}
}

// publish sends one message on iopub, with a topic frame naming its type.
func (k *Kernel) publish(parent json.RawMessage, msgType string, content any) {
	topic := []byte("kernel." + k.session + "." + msgType)
	frames, err := Encode(k.signer, [][]byte{topic}, newHeader(k.session, msgType), parent, nil, content)
	if err != nil {
		log.Printf("gonote: %v", err)
		return
	}
	if k.socks != nil {
		k.socks.iopub.send(frames)
	}
}

// reply sends the reply to req on ch, the socket req came in on.
func (k *Kernel) reply(ch *channel, req *Message, msgType string, content any) {
	frames, err := Encode(k.signer, req.Identities, newHeader(k.session, msgType), req.RawHeader, nil, content)
	if err != nil {
		log.Printf("gonote: %v", err)
		return
	}
	ch.send(frames)
}

func (k *Kernel) status(req *Message, state string) {
	k.publish(req.RawHeader, "status", map[string]string{"execution_state": state})
}

// executeLoop runs execute requests one after the other.
func (k *Kernel) executeLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-k.execQueue:
			k.status(m, "busy")
			ok, stopOnError := k.execute(m)
			k.out.flush()
			k.status(m, "idle")
			if !ok && stopOnError {
				k.abortQueued()
			}
		}
	}
}

// abortQueued answers every execute request already waiting with status
// "aborted", as ipykernel does after an error when stop_on_error is set.
func (k *Kernel) abortQueued() {
	for {
		select {
		case m := <-k.execQueue:
			k.status(m, "busy")
			k.reply(k.socks.shell, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.execCount.Load()})
			k.status(m, "idle")
		default:
			return
		}
	}
}

type executeContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// execute runs one execute_request and sends its reply. It reports whether
// the cell succeeded and whether its request asked to stop on error.
func (k *Kernel) execute(m *Message) (ok, stopOnError bool) {
	var c executeContent
	if err := json.Unmarshal(m.Content, &c); err != nil {
		k.reply(k.socks.shell, m, "execute_reply", map[string]any{
			"status": "error", "execution_count": k.execCount.Load(), "ename": "BadRequest",
			"evalue": "execute_request content: " + err.Error(), "traceback": []string{},
		})
		return false, false
	}
	storeHistory := boolOr(c.StoreHistory, !c.Silent) && !c.Silent
	allowStdin := boolOr(c.AllowStdin, true)
	stopOnError = boolOr(c.StopOnError, true)
	if storeHistory {
		k.execCount.Add(1)
	}
	count := int(k.execCount.Load())
	if !c.Silent {
		k.publish(m.RawHeader, "execute_input", map[string]any{"code": c.Code, "execution_count": count})
	}
	if storeHistory {
		if err := k.history.Add(count, c.Code); err != nil {
			log.Printf("gonote: %v", err)
		}
	}
	k.out.startCell(m.RawHeader)
	req := runproto.ExecuteRequest{
		Code: c.Code, Silent: c.Silent, StoreHistory: storeHistory, AllowStdin: allowStdin,
		ExecutionCount: count, UserExpressions: c.UserExpressions,
	}
	r := k.sup.execute(m.Header.MsgID, m.RawHeader, count, req, k.inputAsker(m, allowStdin))
	content := map[string]any{"status": r.Status, "execution_count": count}
	switch r.Status {
	case "ok":
		ue := r.UserExpressions
		if ue == nil {
			ue = map[string]any{}
		}
		payload := r.Payload
		if payload == nil {
			payload = []any{}
		}
		content["user_expressions"] = ue
		content["payload"] = payload
	case "error":
		tb := r.Traceback
		if tb == nil {
			tb = []string{}
		}
		content["ename"], content["evalue"], content["traceback"] = r.Ename, r.Evalue, tb
	}
	k.out.flush()
	k.reply(k.socks.shell, m, "execute_reply", content)
	return r.Status == "ok", stopOnError
}

// inputAsker returns the function that relays a cell's input request to
// the frontend that sent the execute request.
func (k *Kernel) inputAsker(m *Message, allowStdin bool) inputFunc {
	return func(prompt string, password bool, cancel <-chan struct{}) (string, error) {
		if !allowStdin {
			return "", errors.New("the frontend does not accept input requests (allow_stdin is false)")
		}
		for drained := false; !drained; { // forget stale replies
			select {
			case <-k.inputs:
			default:
				drained = true
			}
		}
		k.out.flush()
		frames, err := Encode(k.signer, m.Identities, newHeader(k.session, "input_request"), m.RawHeader, nil,
			map[string]any{"prompt": prompt, "password": password})
		if err != nil {
			return "", err
		}
		k.socks.stdin.send(frames)
		select {
		case r := <-k.inputs:
			var c struct {
				Value string `json:"value"`
			}
			if err := json.Unmarshal(r.Content, &c); err != nil {
				return "", fmt.Errorf("input_reply content: %w", err)
			}
			return c.Value, nil
		case <-cancel:
			return "", errors.New("interrupted while waiting for input")
		}
	}
}

// shutdown answers a shutdown_request, stops the runner and ends Run.
func (k *Kernel) shutdown(ch *channel, m *Message) {
	var c struct {
		Restart bool `json:"restart"`
	}
	_ = json.Unmarshal(m.Content, &c)
	content := map[string]any{"status": "ok", "restart": c.Restart}
	k.reply(ch, m, "shutdown_reply", content)
	k.publish(m.RawHeader, "shutdown_reply", content)
	k.shutdownOnce.Do(func() {
		k.sup.shutdown()
		time.Sleep(50 * time.Millisecond) // let the reply leave
		k.cancel()
	})
}
