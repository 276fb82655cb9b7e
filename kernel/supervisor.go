package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
)

// Timeouts of the supervisor's conversations with the runner.
const (
	syncTimeout     = 2 * time.Second  // wait for output markers before an event
	readyTimeout    = 30 * time.Second // a new runner says ready
	restoreTimeout  = 60 * time.Second // a new runner restores the ledger
	shutdownTimeout = 2 * time.Second  // a runner exits after KindShutdown
	// DefaultInterruptGrace is how long an interrupted cell may take to stop
	// before its runner is killed and replaced.
	DefaultInterruptGrace = 2 * time.Second
)

// inputFunc asks the frontend for a line of input.
type inputFunc func(prompt string, password bool, cancel <-chan struct{}) (string, error)

// cellRun is the state of the cell being executed.
type cellRun struct {
	id        string
	parent    json.RawMessage
	count     int
	proc      *runnerProc
	reply     chan runproto.Event
	ask       inputFunc
	cancel    chan struct{} // closed on interrupt: pending input is abandoned
	cancelled bool
	killTimer *time.Timer
}

// recentCell remembers where output of an earlier cell goes.
type recentCell struct {
	parent json.RawMessage
	count  int
}

// supervisor starts the runner, relays requests and events, orders events
// after output, and replaces the runner when it dies.
type supervisor struct {
	argv  []string
	env   []string
	grace time.Duration
	out   *streamBatcher
	pub   func(parent json.RawMessage, msgType string, content any)

	lifeMu sync.Mutex // held while starting or replacing the runner

	mu          sync.Mutex
	cur         *runnerProc
	closing     bool
	ledger      json.RawMessage
	cell        *cellRun
	pending     map[string]chan runproto.Event
	recent      map[string]recentCell
	recentOrder []string
	restored    chan runproto.Restored
}

func newSupervisor(argv, env []string, grace time.Duration, out *streamBatcher,
	pub func(parent json.RawMessage, msgType string, content any)) *supervisor {
	if grace <= 0 {
		grace = DefaultInterruptGrace
	}
	return &supervisor{
		argv: argv, env: env, grace: grace, out: out, pub: pub,
		pending: map[string]chan runproto.Event{},
		recent:  map[string]recentCell{},
	}
}

// start starts the first runner.
func (s *supervisor) start() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	_, err := s.replaceLocked(nil)
	return err
}

// replaceLocked starts a new runner in place of old (nil at first start),
// restores the last ledger into it, and returns the runner's answer. The
// caller holds lifeMu.
func (s *supervisor) replaceLocked(old *runnerProc) (*runproto.Restored, error) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil, errors.New("the kernel is shutting down")
	}
	if s.cur != old && s.cur != nil && !s.cur.isDead() {
		s.mu.Unlock()
		return nil, nil // someone else replaced it already
	}
	ledger := s.ledger
	restored := make(chan runproto.Restored, 1)
	s.restored = restored
	s.mu.Unlock()

	s.out.resetMarkers()
	p, err := startRunner(s.argv, s.env, s.out)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cur = p
	s.mu.Unlock()
	gone := p.gone
	go s.dispatch(p)
	go s.watch(p)
	if old == nil && ledger == nil {
		return nil, nil
	}
	select {
	case <-p.ready:
	case <-gone:
		return nil, fmt.Errorf("the new runner ended at start: %s", p.deathReport())
	case <-time.After(readyTimeout):
		return nil, fmt.Errorf("the new runner did not start within %v", readyTimeout)
	}
	if ledger == nil {
		return &runproto.Restored{}, nil
	}
	if err := p.send(runproto.Request{Kind: runproto.KindRestore, ID: newID(), Restore: ledger}); err != nil {
		return nil, fmt.Errorf("send restore: %w", err)
	}
	select {
	case r := <-restored:
		return &r, nil
	case <-gone:
		return nil, fmt.Errorf("the new runner ended while restoring: %s", p.deathReport())
	case <-time.After(restoreTimeout):
		return nil, fmt.Errorf("the new runner did not restore within %v", restoreTimeout)
	}
}

// current returns the live runner, or nil.
func (s *supervisor) current() *runnerProc {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.cur.isDead() {
		return nil
	}
	return s.cur
}

// dispatch processes the runner's events in order. An event with a sync
// number is handled after the output written before it.
func (s *supervisor) dispatch(p *runnerProc) {
	for ev := range p.events {
		if ev.Sync > 0 {
			p.waitSync(ev.Sync, syncTimeout)
			s.out.beforeEvent(ev.Sync)
		}
		s.handleEvent(p, ev)
		if ev.Sync > 0 {
			s.out.afterEvent(ev.Sync)
		}
	}
	<-p.dead
	s.out.resetMarkers()
	close(p.gone)
}

func (s *supervisor) handleEvent(p *runnerProc, ev runproto.Event) {
	switch ev.Kind {
	case runproto.EventDisplay, runproto.EventUpdate, runproto.EventResult:
		if ev.Display == nil {
			log.Printf("gonote: runner sent %s without display data", ev.Kind)
			return
		}
		parent, count := s.parentFor(ev.ID)
		content := map[string]any{"data": ev.Display.Data, "metadata": orEmpty(ev.Display.Metadata)}
		msgType := ev.Kind
		switch ev.Kind {
		case runproto.EventUpdate:
			msgType = "update_display_data"
			content["transient"] = orEmpty(ev.Display.Transient)
		case runproto.EventResult:
			content["execution_count"] = count
		default:
			content["transient"] = orEmpty(ev.Display.Transient)
		}
		s.out.flush()
		s.pub(parent, msgType, content)
	case runproto.EventClear:
		parent, _ := s.parentFor(ev.ID)
		s.out.flush()
		s.pub(parent, "clear_output", map[string]any{"wait": ev.Wait})
	case runproto.EventError:
		if ev.Error == nil {
			log.Printf("gonote: runner sent error without content")
			return
		}
		parent, _ := s.parentFor(ev.ID)
		s.out.flush()
		s.pub(parent, "error", errorContent(ev.Error))
	case runproto.EventExecuteReply:
		s.out.flush()
		s.mu.Lock()
		c := s.cell
		s.mu.Unlock()
		if c != nil && c.id == ev.ID && c.proc == p {
			c.reply <- ev
		} else {
			log.Printf("gonote: execute reply for %q, which is not running", ev.ID)
		}
	case runproto.EventCompleteReply, runproto.EventInspectReply:
		s.mu.Lock()
		ch := s.pending[ev.ID]
		delete(s.pending, ev.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- ev
		}
	case runproto.EventInputRequest:
		go s.answerInput(p, ev)
	case runproto.EventLedger:
		s.mu.Lock()
		s.ledger = ev.Ledger
		s.mu.Unlock()
	case runproto.EventRestored:
		var r runproto.Restored
		if ev.Restored != nil {
			r = *ev.Restored
		}
		s.mu.Lock()
		ch := s.restored
		s.mu.Unlock()
		if ch != nil {
			select {
			case ch <- r:
			default:
			}
		}
	case runproto.EventReady:
	default:
		log.Printf("gonote: unknown runner event %q", ev.Kind)
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func errorContent(e *runproto.ErrorContent) map[string]any {
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	return map[string]any{"ename": e.Ename, "evalue": e.Evalue, "traceback": tb}
}

// parentFor returns the parent header and execution count of the request
// id, or of the last cell when id is unknown.
func (s *supervisor) parentFor(id string) (json.RawMessage, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.recent[id]; ok {
		return r.parent, r.count
	}
	if n := len(s.recentOrder); n > 0 {
		r := s.recent[s.recentOrder[n-1]]
		return r.parent, r.count
	}
	return nil, 0
}

func (s *supervisor) rememberCell(id string, parent json.RawMessage, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recent[id]; !ok {
		s.recentOrder = append(s.recentOrder, id)
	}
	s.recent[id] = recentCell{parent: parent, count: count}
	for len(s.recentOrder) > 256 {
		delete(s.recent, s.recentOrder[0])
		s.recentOrder = s.recentOrder[1:]
	}
}

// answerInput relays an input request of the running cell to the frontend
// and the answer back to the runner.
func (s *supervisor) answerInput(p *runnerProc, ev runproto.Event) {
	s.mu.Lock()
	c := s.cell
	s.mu.Unlock()
	answer := ""
	if c != nil && c.ask != nil && c.proc == p {
		var err error
		answer, err = c.ask(ev.Prompt, ev.Password, c.cancel)
		if err != nil {
			log.Printf("gonote: input request: %v", err)
		}
	}
	if err := p.send(runproto.Request{Kind: runproto.KindInput, ID: ev.ID, Input: answer}); err != nil {
		log.Printf("gonote: send input: %v", err)
	}
}

func replyOf(ev runproto.Event) runproto.ExecuteReply {
	if ev.ExecuteReply == nil {
		return runproto.ExecuteReply{Status: "ok"}
	}
	return *ev.ExecuteReply
}

// execute runs one cell in the runner and returns its reply. When the
// runner dies or is killed after an interrupt, the cell gets one error
// output that says what happened and a new runner takes over.
func (s *supervisor) execute(id string, parent json.RawMessage, count int, req runproto.ExecuteRequest, ask inputFunc) runproto.ExecuteReply {
	s.rememberCell(id, parent, count)
	c := &cellRun{id: id, parent: parent, count: count, reply: make(chan runproto.Event, 1), ask: ask, cancel: make(chan struct{})}

	s.lifeMu.Lock()
	p := s.current()
	if p == nil {
		if _, err := s.replaceLocked(s.cur); err != nil {
			s.lifeMu.Unlock()
			return s.failCell(parent, "RunnerError", "could not start the runner: "+err.Error(), nil)
		}
		p = s.current()
		if p == nil {
			s.lifeMu.Unlock()
			return s.failCell(parent, "RunnerError", "could not start the runner", nil)
		}
	}
	c.proc = p
	s.mu.Lock()
	s.cell = c
	s.mu.Unlock()
	s.lifeMu.Unlock()

	defer func() {
		s.mu.Lock()
		if c.killTimer != nil {
			c.killTimer.Stop()
		}
		s.cell = nil
		s.mu.Unlock()
		select {
		case <-p.gone:
			// Died right after the cell: the watcher may have seen the
			// cell still running and left the replacement to us.
			go s.watch(p)
		default:
		}
	}()

	var sendErr error
	if sendErr = p.send(runproto.Request{Kind: runproto.KindExecute, ID: id, Execute: &req}); sendErr != nil {
		log.Printf("gonote: send execute: %v", sendErr)
	}
	select {
	case ev := <-c.reply:
		return replyOf(ev)
	case <-p.gone:
	}
	// The dispatcher has handled every event: a reply sent just before the
	// end is in the channel.
	select {
	case ev := <-c.reply:
		return replyOf(ev)
	default:
	}
	return s.cellLostRunner(p, c)
}

// cellLostRunner reports the death of the runner to the running cell,
// replaces the runner and restores the session.
func (s *supervisor) cellLostRunner(p *runnerProc, c *cellRun) runproto.ExecuteReply {
	<-p.dead
	report := p.deathReport()
	s.mu.Lock()
	interrupted := c.cancelled
	s.mu.Unlock()
	s.lifeMu.Lock()
	restored, err := s.replaceLocked(p)
	s.lifeMu.Unlock()
	ename := "RunnerDied"
	evalue := "the runner process died: " + report
	if interrupted {
		ename = "Interrupted"
		evalue = report
	}
	return s.failCell(c.parent, ename, evalue, restoreLines(restored, err))
}

// restoreLines describes a runner replacement for the user.
func restoreLines(r *runproto.Restored, err error) []string {
	if err != nil {
		return []string{"A new runner could not be started: " + err.Error()}
	}
	lines := []string{"A new runner was started."}
	if r == nil {
		return lines
	}
	if r.Declarations > 0 {
		lines = append(lines, fmt.Sprintf("Restored %d imports and declarations.", r.Declarations))
	}
	if len(r.Lost) > 0 {
		lines = append(lines, "Lost variables (run their cells again): "+strings.Join(r.Lost, ", "))
	}
	if r.Err != "" {
		lines = append(lines, "Not restored: "+r.Err)
	}
	return lines
}

// failCell publishes one error output and returns the matching reply.
func (s *supervisor) failCell(parent json.RawMessage, ename, evalue string, more []string) runproto.ExecuteReply {
	tb := append([]string{ename + ": " + evalue}, more...)
	s.out.flush()
	s.pub(parent, "error", map[string]any{"ename": ename, "evalue": evalue, "traceback": tb})
	return runproto.ExecuteReply{Status: "error", Ename: ename, Evalue: evalue, Traceback: tb}
}

// watch replaces a runner that dies while no cell is running and tells the
// user under the last cell.
func (s *supervisor) watch(p *runnerProc) {
	<-p.gone
	s.mu.Lock()
	busy := s.cell != nil && s.cell.proc == p
	closing := s.closing
	s.mu.Unlock()
	if busy || closing {
		return
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.mu.Lock()
	stale := s.cur != p || s.closing || (s.cell != nil && s.cell.proc == p)
	s.mu.Unlock()
	if stale {
		return
	}
	report := p.deathReport()
	parent, _ := s.parentFor("")
	select {
	case <-p.ready:
	default:
		// It never came up: restarting it now could loop. The next cell
		// starts a new runner and reports what goes wrong.
		s.out.flush()
		s.pub(parent, "stream", map[string]string{"name": "stderr",
			"text": "[gonote] the runner process ended before it was ready: " + report + "\n"})
		return
	}
	restored, err := s.replaceLocked(p)
	lines := append([]string{"[gonote] the runner process died between cells: " + report}, restoreLines(restored, err)...)
	s.out.flush()
	s.pub(parent, "stream", map[string]string{"name": "stderr", "text": strings.Join(lines, "\n") + "\n"})
}

// interrupt cancels the running cell; if it has not finished after the
// grace period, the runner is killed and replaced.
func (s *supervisor) interrupt() {
	s.mu.Lock()
	c := s.cell
	if c == nil {
		s.mu.Unlock()
		return
	}
	if !c.cancelled {
		c.cancelled = true
		close(c.cancel)
	}
	if c.killTimer == nil {
		grace := s.grace
		c.killTimer = time.AfterFunc(grace, func() {
			s.mu.Lock()
			still := s.cell == c
			s.mu.Unlock()
			if still {
				c.proc.kill(fmt.Sprintf("the cell did not stop within %v of the interrupt (stuck in compiled code?), so the runner was restarted", grace))
			}
		})
	}
	s.mu.Unlock()
	if err := c.proc.send(runproto.Request{Kind: runproto.KindInterrupt, ID: c.id}); err != nil {
		log.Printf("gonote: send interrupt: %v", err)
	}
}

// ask sends a complete or inspect request and waits for the runner's reply
// content. It reports false when there is no runner or no timely answer.
func (s *supervisor) ask(req runproto.Request, timeout time.Duration) (json.RawMessage, bool) {
	p := s.current()
	if p == nil {
		return nil, false
	}
	ch := make(chan runproto.Event, 1)
	s.mu.Lock()
	s.pending[req.ID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, req.ID)
		s.mu.Unlock()
	}()
	if err := p.send(req); err != nil {
		return nil, false
	}
	select {
	case ev := <-ch:
		return ev.Reply, len(ev.Reply) > 0
	case <-p.gone:
		return nil, false
	case <-time.After(timeout):
		log.Printf("gonote: runner did not answer %s within %v", req.Kind, timeout)
		return nil, false
	}
}

// shutdown stops the runner: politely, then by force.
func (s *supervisor) shutdown() {
	s.mu.Lock()
	s.closing = true
	p := s.cur
	s.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.send(runproto.Request{Kind: runproto.KindShutdown})
	select {
	case <-p.dead:
	case <-time.After(shutdownTimeout):
		p.kill("shutdown")
		<-p.dead
	}
}
