// Command fakerunner is a stand-in for the gonote runner in the kernel's
// tests: it speaks kernel/runproto on fd 3 and fd 4 and interprets each line
// of a cell as one command:
//
//	print N       print "line 1" .. "line N" to stdout
//	lines N       print "line 1" .. "line N" to stdout, one write per line
//	stderr TEXT   write TEXT and a newline to stderr
//	echo TEXT     write TEXT and a newline to stdout
//	display TEXT  send a text/plain display_data
//	result TEXT   send an execute_result
//	fail TEXT     send an error output and finish with status error
//	set NAME      record NAME as a variable in the ledger
//	input PROMPT  ask for input and print what came back
//	secret PROMPT the same as a password request
//	loop          run until interrupted, then fail with "Interrupted"
//	hang          ignore interrupts and never finish
//	panic TEXT    panic in a goroutine (the process dies)
//	panic-later MS TEXT  panic in a goroutine MS milliseconds after the cell ended
//	fatal TEXT    write a runtime-style "fatal error: TEXT" report to stderr,
//	              take 1.5 s to die, exit with status 2
//	exit N        exit with status N
//	sleep MS      sleep MS milliseconds
//
// On restore it answers with the variables of the ledger as lost.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
)

type runner struct {
	events   *os.File
	mu       sync.Mutex
	sync     uint64
	vars     []string
	inputs   chan string
	interrup chan struct{}
}

func (r *runner) send(ev runproto.Event, synced bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if synced {
		r.sync++
		ev.Sync = r.sync
		os.Stdout.Write(runproto.SyncMarker(r.sync))
		os.Stderr.Write(runproto.SyncMarker(r.sync))
	}
	if err := runproto.WriteFrame(r.events, ev); err != nil {
		fmt.Fprintln(os.Stderr, "fakerunner:", err)
		os.Exit(3)
	}
}

func main() {
	requests := os.NewFile(3, "requests")
	r := &runner{events: os.NewFile(4, "events"), inputs: make(chan string, 1), interrup: make(chan struct{}, 1)}
	r.send(runproto.Event{Kind: runproto.EventReady}, false)
	cells := make(chan runproto.Request, 16)
	go func() {
		for req := range cells {
			r.execute(req)
		}
	}()
	for {
		var req runproto.Request
		if err := runproto.ReadFrame(requests, &req); err != nil {
			os.Exit(0)
		}
		switch req.Kind {
		case runproto.KindExecute:
			cells <- req
		case runproto.KindInput:
			r.inputs <- req.Input
		case runproto.KindInterrupt:
			select {
			case r.interrup <- struct{}{}:
			default:
			}
		case runproto.KindComplete:
			reply, _ := json.Marshal(map[string]any{"status": "ok", "matches": []string{"fake"},
				"cursor_start": 0, "cursor_end": req.Complete.CursorPos, "metadata": map[string]any{}})
			r.send(runproto.Event{Kind: runproto.EventCompleteReply, ID: req.ID, Reply: reply}, false)
		case runproto.KindInspect:
			reply, _ := json.Marshal(map[string]any{"status": "ok", "found": true,
				"data": map[string]any{"text/plain": "fake doc"}, "metadata": map[string]any{}})
			r.send(runproto.Event{Kind: runproto.EventInspectReply, ID: req.ID, Reply: reply}, false)
		case runproto.KindRestore:
			var vars []string
			_ = json.Unmarshal(req.Restore, &vars)
			r.vars = vars
			r.send(runproto.Event{Kind: runproto.EventRestored, ID: req.ID,
				Restored: &runproto.Restored{Declarations: len(vars), Lost: vars}}, false)
		case runproto.KindShutdown:
			os.Exit(0)
		}
	}
}

func (r *runner) execute(req runproto.Request) {
	select { // forget an interrupt that arrived between cells
	case <-r.interrup:
	default:
	}
	id := req.ID
	fail := func(ename, evalue string) {
		r.send(runproto.Event{Kind: runproto.EventError, ID: id,
			Error: &runproto.ErrorContent{Ename: ename, Evalue: evalue, Traceback: []string{ename + ": " + evalue}}}, true)
		r.send(runproto.Event{Kind: runproto.EventExecuteReply, ID: id,
			ExecuteReply: &runproto.ExecuteReply{Status: "error", Ename: ename, Evalue: evalue}}, true)
	}
	for _, line := range strings.Split(req.Execute.Code, "\n") {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "":
		case "print":
			n, _ := strconv.Atoi(arg)
			var b strings.Builder
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "line %d\n", i)
				if b.Len() > 4096 {
					os.Stdout.WriteString(b.String())
					b.Reset()
				}
			}
			os.Stdout.WriteString(b.String())
		case "lines":
			n, _ := strconv.Atoi(arg)
			for i := 1; i <= n; i++ {
				fmt.Fprintf(os.Stdout, "line %d\n", i)
			}
		case "echo":
			fmt.Println(arg)
		case "stderr":
			fmt.Fprintln(os.Stderr, arg)
		case "display", "result":
			kind := runproto.EventDisplay
			if cmd == "result" {
				kind = runproto.EventResult
			}
			r.send(runproto.Event{Kind: kind, ID: id, Display: &runproto.DisplayData{
				Data: map[string]any{"text/plain": arg}}}, true)
		case "fail":
			fail("Failure", arg)
			return
		case "set":
			r.vars = append(r.vars, arg)
			ledger, _ := json.Marshal(r.vars)
			r.send(runproto.Event{Kind: runproto.EventLedger, Ledger: ledger}, false)
		case "input", "secret":
			if !req.Execute.AllowStdin {
				fail("StdinNotAllowed", "input is not allowed")
				return
			}
			r.send(runproto.Event{Kind: runproto.EventInputRequest, ID: id, Prompt: arg, Password: cmd == "secret"}, true)
			fmt.Println("got:", <-r.inputs)
		case "loop":
			<-r.interrup
			fail("Interrupted", "interrupted by the user")
			return
		case "hang":
			select {}
		case "panic":
			go func() { panic(arg) }()
			select {}
		case "panic-later":
			ms, text, _ := strings.Cut(arg, " ")
			delay, _ := strconv.Atoi(ms)
			go func() {
				time.Sleep(time.Duration(delay) * time.Millisecond)
				panic(text)
			}()
		case "fatal":
			fmt.Fprintf(os.Stderr, "fatal error: %s\n\nruntime stack:\nruntime.throw()\n", arg)
			time.Sleep(1500 * time.Millisecond)
			os.Exit(2)
		case "exit":
			n, _ := strconv.Atoi(arg)
			os.Exit(n)
		case "sleep":
			ms, _ := strconv.Atoi(arg)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		default:
			fail("UnknownCommand", cmd)
			return
		}
	}
	r.send(runproto.Event{Kind: runproto.EventExecuteReply, ID: id,
		ExecuteReply: &runproto.ExecuteReply{Status: "ok", UserExpressions: map[string]any{}}}, true)
}
