package kernel

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestKernelInfoOnShellAndControl(t *testing.T) {
	c := startKernel(t, Options{})
	for _, tc := range []struct {
		name string
		ch   func() (string, chan *Message)
	}{
		{"shell", func() (string, chan *Message) {
			return c.send(c.shell, "kernel_info_request", map[string]any{}), c.shellMsgs
		}},
		{"control", func() (string, chan *Message) {
			return c.send(c.control, "kernel_info_request", map[string]any{}), c.controlMsgs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, ch := tc.ch()
			r := c.reply(ch, id)
			if r.Header.MsgType != "kernel_info_reply" {
				t.Fatalf("reply type %q", r.Header.MsgType)
			}
			info := contentMap(r)
			li := info["language_info"].(map[string]any)
			for key, want := range map[string]string{"name": "go", "mimetype": "text/x-go", "file_extension": ".go",
				"pygments_lexer": "go", "codemirror_mode": "go"} {
				if li[key] != want {
					t.Errorf("language_info.%s = %v, want %q", key, li[key], want)
				}
			}
			if info["protocol_version"] != ProtocolVersion || info["status"] != "ok" {
				t.Errorf("kernel_info %v", info)
			}
			msgs := c.collect(id, 5*time.Second)
			if msgs[0].Header.MsgType != "status" || contentField(msgs[0], "execution_state") != "busy" {
				t.Errorf("first iopub message %s %v, want status busy", msgs[0].Header.MsgType, contentMap(msgs[0]))
			}
		})
	}
}

func TestExecuteOutputInOrder(t *testing.T) {
	c := startKernel(t, Options{})
	r, msgs := c.run("echo a\ndisplay b\necho c\nresult e\nstderr d")
	if s := contentField(r, "status"); s != "ok" {
		t.Fatalf("status %v", s)
	}
	if n := contentField(r, "execution_count"); n != 1.0 {
		t.Errorf("execution_count %v, want 1", n)
	}
	var got []string
	for _, m := range msgs {
		switch m.Header.MsgType {
		case "stream":
			got = append(got, fmt.Sprintf("%s:%s", contentField(m, "name"), strings.TrimSpace(contentField(m, "text").(string))))
		case "display_data", "execute_result":
			got = append(got, m.Header.MsgType+":"+contentField(m, "data").(map[string]any)["text/plain"].(string))
		default:
			got = append(got, m.Header.MsgType)
		}
	}
	want := "status,execute_input,stdout:a,display_data:b,stdout:c,execute_result:e,stderr:d,status"
	if strings.Join(got, ",") != want {
		t.Errorf("iopub sequence\n got %s\nwant %s", strings.Join(got, ","), want)
	}
	// A second cell counts up; a silent one does not.
	r, _ = c.run("echo x")
	if n := contentField(r, "execution_count"); n != 2.0 {
		t.Errorf("second execution_count %v, want 2", n)
	}
	id := c.send(c.shell, "execute_request", map[string]any{"code": "echo quiet", "silent": true})
	r = c.reply(c.shellMsgs, id)
	msgs = c.collect(id, 5*time.Second)
	if n := contentField(r, "execution_count"); n != 2.0 {
		t.Errorf("silent execution_count %v, want 2", n)
	}
	for _, m := range msgs {
		if m.Header.MsgType == "execute_input" {
			t.Errorf("silent cell published execute_input")
		}
	}
}

func TestHundredThousandLinesBatched(t *testing.T) {
	c := startKernel(t, Options{})
	r, msgs := c.run("print 100000")
	if s := contentField(r, "status"); s != "ok" {
		t.Fatalf("status %v", s)
	}
	var streams int
	for _, m := range msgs {
		if m.Header.MsgType == "stream" {
			streams++
		}
	}
	text := streamText(msgs, "stdout")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 100000 {
		t.Fatalf("got %d lines, want 100000", len(lines))
	}
	for i, l := range lines {
		if l != fmt.Sprintf("line %d", i+1) {
			t.Fatalf("line %d is %q", i+1, l)
		}
	}
	if streams > 100 {
		t.Errorf("%d stream messages, want at most 100", streams)
	}
}

func TestOutputCapEndsWithNote(t *testing.T) {
	c := startKernel(t, Options{CellOutputCap: 1 << 20})
	r, msgs := c.run("print 200000") // about 2.3 MB
	if s := contentField(r, "status"); s != "ok" {
		t.Fatalf("status %v", s)
	}
	out := streamText(msgs, "stdout")
	if len(out) != 1<<20 {
		t.Errorf("stdout has %d bytes, want the cap %d", len(out), 1<<20)
	}
	if note := streamText(msgs, "stderr"); !strings.Contains(note, "exceeded 1 MiB") {
		t.Errorf("stderr %q does not announce the cap", note)
	}
	// The next cell has a fresh budget.
	_, msgs = c.run("echo after")
	if got := streamText(msgs, "stdout"); got != "after\n" {
		t.Errorf("next cell printed %q", got)
	}
}

func TestRunnerCrashRestartsAndRestores(t *testing.T) {
	tests := []struct {
		name, code, want string
	}{
		{"goroutine panic", "panic boom", "panic: boom"},
		{"slowly dying runtime", "fatal stack overflow", "fatal error: stack overflow (the runner exited with status 2)"},
		{"exit", "exit 7", "exited with status 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startKernel(t, Options{})
			if r, _ := c.run("set x\nset y"); contentField(r, "status") != "ok" {
				t.Fatalf("setup failed: %v", contentMap(r))
			}
			r, msgs := c.run(tt.code)
			if contentField(r, "status") != "error" || contentField(r, "ename") != "RunnerDied" {
				t.Fatalf("reply %v, want status error, ename RunnerDied", contentMap(r))
			}
			outs := outputsOf(msgs)
			if len(outs) != 1 || outs[0].Header.MsgType != "error" {
				t.Fatalf("outputs %v, want exactly one error", describeMessages(outs))
			}
			tb := fmt.Sprint(contentField(outs[0], "traceback"))
			for _, want := range []string{tt.want, "A new runner was started", "Lost variables (run their cells again): x, y"} {
				if !strings.Contains(tb, want) {
					t.Errorf("error traceback %q does not contain %q", tb, want)
				}
			}
			r, msgs = c.run("echo alive")
			if got := streamText(msgs, "stdout"); got != "alive\n" {
				t.Errorf("after restart the cell printed %q (reply %v, iopub %v)", got, contentMap(r), describeMessages(msgs))
			}
		})
	}
}

func TestInterrupt(t *testing.T) {
	tests := []struct {
		name, code, wantEname, wantText string
	}{
		{"runner honours it", "loop", "Interrupted", "interrupted by the user"},
		{"stuck runner is replaced", "set v\nhang", "Interrupted", "did not stop within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startKernel(t, Options{InterruptGrace: 300 * time.Millisecond})
			id := c.execute(tt.code)
			time.Sleep(200 * time.Millisecond)
			iid := c.send(c.control, "interrupt_request", map[string]any{})
			if r := c.reply(c.controlMsgs, iid); contentField(r, "status") != "ok" {
				t.Errorf("interrupt_reply %v", contentMap(r))
			}
			r := c.reply(c.shellMsgs, id)
			msgs := c.collect(id, 10*time.Second)
			if contentField(r, "status") != "error" || contentField(r, "ename") != tt.wantEname {
				t.Fatalf("reply %v", contentMap(r))
			}
			var errs []string
			for _, m := range outputsOf(msgs) {
				if m.Header.MsgType == "error" {
					errs = append(errs, fmt.Sprint(contentField(m, "evalue")))
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tt.wantText) {
				t.Errorf("error outputs %q, want one containing %q", errs, tt.wantText)
			}
			if _, msgs := c.run("echo alive"); streamText(msgs, "stdout") != "alive\n" {
				t.Errorf("kernel did not run the next cell")
			}
		})
	}
}

func TestStopOnErrorAbortsQueuedCells(t *testing.T) {
	c := startKernel(t, Options{})
	first := c.execute("sleep 100\nfail nope")
	second := c.execute("echo never")
	r1 := c.reply(c.shellMsgs, first)
	r2 := c.reply(c.shellMsgs, second)
	if contentField(r1, "status") != "error" {
		t.Errorf("first reply %v", contentMap(r1))
	}
	if contentField(r2, "status") != "aborted" {
		t.Errorf("second reply %v, want aborted", contentMap(r2))
	}
	msgs := c.collect(second, 5*time.Second)
	if got := streamText(msgs, "stdout"); got != "" {
		t.Errorf("aborted cell printed %q", got)
	}
}

func TestInputRoundTrip(t *testing.T) {
	tests := []struct {
		code, prompt string
		password     bool
	}{
		{"input name?", "name?", false},
		{"secret token?", "token?", true},
	}
	c := startKernel(t, Options{})
	for _, tt := range tests {
		id := c.execute(tt.code)
		var req *Message
		select {
		case req = <-c.stdinMsgs:
		case <-time.After(10 * time.Second):
			t.Fatal("no input_request")
		}
		if req.Header.MsgType != "input_request" || contentField(req, "prompt") != tt.prompt ||
			contentField(req, "password") != tt.password || parentID(req) != id {
			t.Fatalf("input_request %s %v parent %s", req.Header.MsgType, contentMap(req), parentID(req))
		}
		frames, _ := Encode(c.signer, nil, newHeader("client-session", "input_reply"), req.RawHeader, nil, map[string]any{"value": "gopher"})
		if err := c.stdin.Send(zmqMsg(frames)); err != nil {
			t.Fatal(err)
		}
		c.reply(c.shellMsgs, id)
		msgs := c.collect(id, 5*time.Second)
		if got := streamText(msgs, "stdout"); got != "got: gopher\n" {
			t.Errorf("cell printed %q", got)
		}
	}
	// With allow_stdin false the runner is told so and no request is sent.
	id := c.send(c.shell, "execute_request", map[string]any{"code": "input name?", "allow_stdin": false})
	if r := c.reply(c.shellMsgs, id); contentField(r, "ename") != "StdinNotAllowed" {
		t.Errorf("reply %v", contentMap(r))
	}
	select {
	case m := <-c.stdinMsgs:
		t.Errorf("unexpected %s on stdin", m.Header.MsgType)
	default:
	}
}

func TestBadSignatureAndMalformedFramesAreDropped(t *testing.T) {
	c := startKernel(t, Options{})
	h := newHeader("client-session", "execute_request")
	good, _ := Encode(c.signer, nil, h, nil, nil, map[string]any{"code": "echo forged"})
	forged := append([][]byte(nil), good...)
	forged[1] = []byte(strings.Repeat("0", 64))
	unsigned := append([][]byte(nil), good...)
	unsigned[1] = nil
	for _, frames := range [][][]byte{forged, unsigned, {[]byte("garbage")}, {[]byte(delimiter), []byte("x")}} {
		if err := c.shell.Send(zmqMsg(frames)); err != nil {
			t.Fatal(err)
		}
	}
	r, msgs := c.run("echo real")
	if contentField(r, "execution_count") != 1.0 {
		t.Errorf("execution_count %v: a dropped message was counted", contentField(r, "execution_count"))
	}
	if got := streamText(msgs, "stdout"); got != "real\n" {
		t.Errorf("printed %q", got)
	}
	select {
	case m := <-c.shellMsgs:
		t.Errorf("unexpected shell message %s %v", m.Header.MsgType, contentMap(m))
	case <-time.After(200 * time.Millisecond):
	}
}

func TestShellRequestsAnsweredWhileCellRuns(t *testing.T) {
	c := startKernel(t, Options{})
	id := c.execute("sleep 1500")
	time.Sleep(100 * time.Millisecond)
	for _, tc := range []struct {
		msgType string
		content map[string]any
		ch      chan *Message
		check   func(map[string]any) bool
	}{
		{"complete_request", map[string]any{"code": "fa", "cursor_pos": 2}, c.shellMsgs,
			func(m map[string]any) bool { return fmt.Sprint(m["matches"]) == "[fake]" }},
		{"inspect_request", map[string]any{"code": "fa", "cursor_pos": 2}, c.shellMsgs,
			func(m map[string]any) bool { return m["found"] == true }},
		{"is_complete_request", map[string]any{"code": "func f() {"}, c.shellMsgs,
			func(m map[string]any) bool { return m["status"] == "incomplete" }},
		{"kernel_info_request", map[string]any{}, c.controlMsgs,
			func(m map[string]any) bool { return m["status"] == "ok" }},
		{"comm_info_request", map[string]any{}, c.shellMsgs,
			func(m map[string]any) bool { return fmt.Sprint(m["comms"]) == "map[]" }},
	} {
		sock := c.shell
		if tc.ch == c.controlMsgs {
			sock = c.control
		}
		rid := c.send(sock, tc.msgType, tc.content)
		r := c.reply(tc.ch, rid)
		if !tc.check(contentMap(r)) {
			t.Errorf("%s: reply %v", tc.msgType, contentMap(r))
		}
	}
	// Every answer came while the cell was still running: its reply had not
	// been passed over while waiting for them.
	for _, m := range c.skipped {
		if m.Header.MsgType == "execute_reply" {
			t.Errorf("the cell finished before the other requests were answered")
		}
	}
	c.reply(c.shellMsgs, id)
}

func TestCommOpenUnknownTargetIsClosed(t *testing.T) {
	c := startKernel(t, Options{})
	id := c.send(c.shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "nope", "data": map[string]any{}})
	msgs := c.collect(id, 5*time.Second)
	var closed bool
	for _, m := range msgs {
		if m.Header.MsgType == "comm_close" && contentField(m, "comm_id") == "c1" {
			closed = true
		}
	}
	if !closed {
		t.Errorf("no comm_close for the unknown target")
	}
}

func TestHistoryRequest(t *testing.T) {
	c := startKernel(t, Options{})
	for _, code := range []string{"echo 1", "echo 2", "echo 1"} {
		c.run(code)
	}
	tests := []struct {
		name    string
		content map[string]any
		want    string
	}{
		{"tail", map[string]any{"hist_access_type": "tail", "n": 2}, "[[1 2 echo 2] [1 3 echo 1]]"},
		{"range", map[string]any{"hist_access_type": "range", "session": 0, "start": 1, "stop": 2}, "[[1 1 echo 1]]"},
		{"search unique", map[string]any{"hist_access_type": "search", "pattern": "echo*", "unique": true}, "[[1 2 echo 2] [1 3 echo 1]]"},
		{"search n", map[string]any{"hist_access_type": "search", "pattern": "*1", "n": 1}, "[[1 3 echo 1]]"},
		{"output", map[string]any{"hist_access_type": "tail", "n": 1, "output": true}, "[[1 3 [echo 1 <nil>]]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := c.send(c.shell, "history_request", tt.content)
			r := c.reply(c.shellMsgs, id)
			if got := fmt.Sprint(contentField(r, "history")); got != tt.want {
				t.Errorf("history %s, want %s", got, tt.want)
			}
		})
	}
}

func TestShutdownRequest(t *testing.T) {
	c := startKernel(t, Options{})
	id := c.send(c.control, "shutdown_request", map[string]any{"restart": true})
	r := c.reply(c.controlMsgs, id)
	if contentField(r, "restart") != true || contentField(r, "status") != "ok" {
		t.Errorf("shutdown_reply %v", contentMap(r))
	}
}

func TestRunnerDeathBetweenCellsIsReported(t *testing.T) {
	c := startKernel(t, Options{})
	id := c.execute("set z\npanic-later 200 late boom")
	if r := c.reply(c.shellMsgs, id); contentField(r, "status") != "ok" {
		t.Fatalf("reply %v", contentMap(r))
	}
	// The notice arrives after the cell's idle, under the same parent.
	deadline := time.After(10 * time.Second)
	var notice string
	for notice == "" {
		select {
		case m := <-c.iopubMsgs:
			if m.Header.MsgType == "stream" && parentID(m) == id && strings.Contains(fmt.Sprint(contentField(m, "text")), "[gonote]") {
				notice = contentField(m, "text").(string)
			}
		case <-deadline:
			t.Fatal("no notice of the runner's death")
		}
	}
	for _, want := range []string{"died between cells", "panic: late boom", "Lost variables (run their cells again): z"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q does not contain %q", notice, want)
		}
	}
	if _, msgs := c.run("echo alive"); streamText(msgs, "stdout") != "alive\n" {
		t.Errorf("the next cell did not run")
	}
}

func TestMissingRunnerGivesAnError(t *testing.T) {
	c := startKernel(t, Options{RunnerArgv: []string{"/nonexistent/gonote-runner"}})
	r, msgs := c.run("echo x")
	if contentField(r, "status") != "error" || contentField(r, "ename") != "RunnerError" {
		t.Fatalf("reply %v", contentMap(r))
	}
	outs := outputsOf(msgs)
	if len(outs) != 1 || !strings.Contains(fmt.Sprint(contentField(outs[0], "evalue")), "/nonexistent/gonote-runner") {
		t.Errorf("outputs %d, first %v", len(outs), contentMap(outs[0]))
	}
	// The kernel itself still answers.
	id := c.send(c.control, "kernel_info_request", map[string]any{})
	c.reply(c.controlMsgs, id)
}

func TestInterruptWhileWaitingForInput(t *testing.T) {
	c := startKernel(t, Options{})
	id := c.execute("input never answered?")
	select {
	case <-c.stdinMsgs:
	case <-time.After(10 * time.Second):
		t.Fatal("no input_request")
	}
	iid := c.send(c.control, "interrupt_request", map[string]any{})
	c.reply(c.controlMsgs, iid)
	// The pending input is abandoned (an empty answer goes to the runner),
	// so the cell ends instead of waiting forever.
	c.reply(c.shellMsgs, id)
	msgs := c.collect(id, 5*time.Second)
	if got := streamText(msgs, "stdout"); got != "got: \n" {
		t.Errorf("cell printed %q", got)
	}
}
