package script

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
	"github.com/traefik/yaegi/interp"
)

// runnerClient plays the supervisor: it sends requests to a Runner served
// in process over real pipes and merges its output streams with its events
// in the order the sync markers define.
type runnerClient struct {
	t      testing.TB
	runner *Runner
	reqW   *os.File
	events *os.File

	mu      sync.Mutex
	streams [2][]streamPiece // text before each marker, per stream
	seen    [2]uint64        // last marker seen per stream
	cond    *sync.Cond

	ledgers []runproto.Event // ledger events, in order
}

type streamPiece struct {
	text   string
	marker uint64
}

func newRunnerClient(t testing.TB) *runnerClient {
	t.Helper()
	reqR, reqW, _ := os.Pipe()
	evR, evW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	r, err := NewRunner(evW, outW, errW)
	if err != nil {
		t.Fatal(err)
	}
	c := &runnerClient{t: t, runner: r, reqW: reqW, events: evR}
	c.cond = sync.NewCond(&c.mu)
	go c.readStream(0, outR)
	go c.readStream(1, errR)
	done := make(chan error, 1)
	go func() { done <- r.Serve(reqR) }()
	t.Cleanup(func() {
		c.send(runproto.Request{Kind: runproto.KindShutdown})
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("runner did not shut down")
		}
		outW.Close()
		errW.Close()
	})
	var ready runproto.Event
	if err := runproto.ReadFrame(evR, &ready); err != nil || ready.Kind != runproto.EventReady {
		t.Fatalf("first event = %+v, %v; want ready", ready, err)
	}
	return c
}

func (c *runnerClient) readStream(i int, f *os.File) {
	var sc runproto.MarkerScanner
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		texts, markers := sc.Feed(buf[:n])
		c.mu.Lock()
		for j, tx := range texts {
			m := uint64(0)
			if j < len(markers) {
				m = markers[j]
				c.seen[i] = m
			}
			c.streams[i] = append(c.streams[i], streamPiece{text: string(tx), marker: m})
		}
		c.cond.Broadcast()
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (c *runnerClient) send(req runproto.Request) {
	if err := runproto.WriteFrame(c.reqW, req); err != nil {
		c.t.Fatal(err)
	}
}

// item is one thing the notebook would show, in order.
type item struct {
	kind string // "stdout", "stderr", or an event kind
	text string
	ev   runproto.Event
}

// takeText returns the stream text up to marker n (and removes it).
func (c *runnerClient) takeText(i int, n uint64) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.seen[i] < n {
		c.cond.Wait()
	}
	var b strings.Builder
	for len(c.streams[i]) > 0 {
		p := c.streams[i][0]
		c.streams[i] = c.streams[i][1:]
		b.WriteString(p.text)
		if p.marker == n {
			break
		}
	}
	return b.String()
}

// execute runs a cell and returns what the notebook would show, in order,
// ending with the execute_reply.
func (c *runnerClient) execute(id, code string, count int, ue map[string]string) []item {
	c.send(runproto.Request{Kind: runproto.KindExecute, ID: id, Execute: &runproto.ExecuteRequest{Code: code, ExecutionCount: count, UserExpressions: ue}})
	var items []item
	for {
		var ev runproto.Event
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			c.t.Fatalf("read event: %v", err)
		}
		if ev.Sync != 0 {
			for i, kind := range []string{"stdout", "stderr"} {
				if tx := c.takeText(i, ev.Sync); tx != "" {
					items = append(items, item{kind: kind, text: tx})
				}
			}
		}
		if ev.Kind == runproto.EventLedger {
			c.ledgers = append(c.ledgers, ev)
			continue
		}
		items = append(items, item{kind: ev.Kind, ev: ev})
		if ev.Kind == runproto.EventExecuteReply {
			if ev.ID != id {
				c.t.Fatalf("reply id %q, want %q", ev.ID, id)
			}
			return items
		}
	}
}

func summary(items []item) string {
	var parts []string
	for _, it := range items {
		switch it.kind {
		case "stdout", "stderr":
			parts = append(parts, it.kind+":"+it.text)
		case runproto.EventResult, runproto.EventDisplay:
			parts = append(parts, it.kind+":"+it.ev.Display.Data["text/plain"].(string))
		case runproto.EventError:
			parts = append(parts, "error:"+it.ev.Error.Ename+":"+it.ev.Error.Evalue)
		case runproto.EventExecuteReply:
			parts = append(parts, "reply:"+it.ev.ExecuteReply.Status)
		default:
			parts = append(parts, it.kind)
		}
	}
	return strings.Join(parts, "|")
}

func TestRunnerOrdersOutputAndEvents(t *testing.T) {
	c := newRunnerClient(t)
	tests := []struct {
		code string
		want string
	}{
		{`fmt.Println("before"); display.Markdown("*md*"); fmt.Println("after"); 6 * 7`,
			"stdout:before\n|display_data:*md*|stdout:after\n|execute_result:42|reply:ok"},
		{`fmt.Fprintln(os.Stderr, "to stderr")`, "stderr:to stderr\n|reply:ok"},
		{`os.Stdout.WriteString("direct\n")`, "stdout:direct\n|execute_result:(7, nil)|reply:ok"},
		{`fmt.Println("x"); panic("bad")`, "stdout:x\n|error:panic:bad|reply:error"},
		{`y := undefinedName`, "error:CompileError:undefined: undefinedName|reply:error"},
		{`strconv.Atoi("q")`, `execute_result:(0, strconv.Atoi: parsing "q": invalid syntax)|reply:ok`},
	}
	for i, tt := range tests {
		got := summary(c.execute("m"+string(rune('a'+i)), tt.code, i+1, nil))
		if got != tt.want {
			t.Errorf("cell %q:\n got %s\nwant %s", tt.code, got, tt.want)
		}
	}
}

func TestRunnerUserExpressionsAndLedger(t *testing.T) {
	c := newRunnerClient(t)
	items := c.execute("u1", "n := 20\nfunc double(x int) int { return 2 * x }", 1, map[string]string{"a": "double(n)", "b": "nope("})
	reply := items[len(items)-1].ev.ExecuteReply
	a, _ := reply.UserExpressions["a"].(map[string]any)
	if a["status"] != "ok" || a["data"].(map[string]any)["text/plain"] != "40" {
		t.Errorf("user expression a = %v, want ok 40", a)
	}
	b, _ := reply.UserExpressions["b"].(map[string]any)
	if b["status"] != "error" {
		t.Errorf("user expression b = %v, want an error", b)
	}
}

func TestRunnerRestoreReportsLostVariables(t *testing.T) {
	// A first runner defines things; its ledger goes to a second runner.
	c1 := newRunnerClient(t)
	c1.send(runproto.Request{Kind: runproto.KindExecute, ID: "e1", Execute: &runproto.ExecuteRequest{
		Code: "import \"strings\"\ntype Pt struct{ X, Y float64 }\nfunc norm1(p Pt) float64 { return p.X + p.Y }\ndata := []float64{1, 2}\nlabel := strings.ToUpper(\"ab\")", ExecutionCount: 1}})
	var ledger json.RawMessage
	for {
		var ev runproto.Event
		if err := runproto.ReadFrame(c1.events, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind == runproto.EventLedger {
			ledger = ev.Ledger
		}
		if ev.Kind == runproto.EventExecuteReply {
			if ev.ExecuteReply.Status != "ok" {
				t.Fatalf("defining cell failed: %+v", ev.ExecuteReply)
			}
			break
		}
	}
	c2 := newRunnerClient(t)
	c2.send(runproto.Request{Kind: runproto.KindRestore, ID: "r", Restore: ledger})
	var ev runproto.Event
	for ev.Kind != runproto.EventRestored {
		if err := runproto.ReadFrame(c2.events, &ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(ev.Restored.Lost, ","); got != "data,label" || ev.Restored.Err != "" {
		t.Fatalf("restored = %+v, want lost data,label and no error", ev.Restored)
	}
	got := summary(c2.execute("e2", "norm1(Pt{1, 2}) + float64(len(data))", 2, nil))
	if got != "execute_result:3|reply:ok" {
		t.Errorf("after restore: %s", got)
	}
	got = summary(c2.execute("e3", "%replay\nlen(data)", 3, nil))
	if !strings.Contains(got, "replaying In [1]") || !strings.HasSuffix(got, "execute_result:2|reply:ok") {
		t.Errorf("after %%replay: %s", got)
	}
}

func TestRunnerInterruptKeepsState(t *testing.T) {
	c := newRunnerClient(t)
	c.execute("i0", "counter := 0", 1, nil)
	c.interruptAfter(300 * time.Millisecond)
	got := summary(c.execute("i1", "for { counter++ }", 2, nil))
	if got != "error:Interrupted:"+interruptedText+"|reply:error" {
		t.Errorf("interrupted cell: %s", got)
	}
	got = summary(c.execute("i2", "counter > 0", 3, nil))
	if got != "execute_result:true|reply:ok" {
		t.Errorf("after interrupt: %s", got)
	}
}

// interruptAfter sends an interrupt request after d, while the test waits
// for a cell's reply.
func (c *runnerClient) interruptAfter(d time.Duration) {
	go func() {
		time.Sleep(d)
		c.send(runproto.Request{Kind: runproto.KindInterrupt})
	}()
}

// executeWithin runs a cell like execute, failing the test if its reply
// does not come within limit.
func (c *runnerClient) executeWithin(limit time.Duration, id, code string, count int) string {
	c.t.Helper()
	replied := make(chan string, 1)
	go func() { replied <- summary(c.execute(id, code, count, nil)) }()
	select {
	case got := <-replied:
		return got
	case <-time.After(limit):
		c.t.Fatalf("no reply to %q within %v", code, limit)
		return ""
	}
}

// TestRunnerInterruptEndsSleep: time.Sleep in a cell returns when the cell
// is interrupted, so a loop that sleeps stops at once.
func TestRunnerInterruptEndsSleep(t *testing.T) {
	c := newRunnerClient(t)
	c.execute("z0", "import \"time\"\nwoke := 0", 1, nil)
	c.interruptAfter(150 * time.Millisecond)
	if got := c.executeWithin(20*time.Second, "z1", "for {\n\ttime.Sleep(time.Hour)\n\twoke++\n}", 2); !strings.HasPrefix(got, "error:Interrupted:") {
		t.Fatalf("interrupted cell: %s", got)
	}
	if got := c.executeWithin(20*time.Second, "z2", "woke", 3); got != "execute_result:0|reply:ok" {
		t.Errorf("after the interrupt: %s", got)
	}
}

// TestRunnerInterruptAwaitsCompiledCall: a cell interrupted inside a
// compiled call that ignores the interrupt replies only when that call has
// returned (the supervisor replaces a runner that takes longer than its
// grace period), and nothing of the cell runs after it.
func TestRunnerInterruptAwaitsCompiledCall(t *testing.T) {
	c := newRunnerClient(t)
	release := make(chan struct{})
	if err := c.runner.sess.in.Use(interp.Exports{"gonotetest/gonotetest": {"Block": reflect.ValueOf(func() { <-release })}}); err != nil {
		t.Fatal(err)
	}
	c.execute("w0", "import blocker \"gonotetest\"\nn := 1", 1, nil)
	c.interruptAfter(150 * time.Millisecond)
	replied := make(chan string, 1)
	go func() { replied <- summary(c.execute("w1", "blocker.Block()\nn = 2", 2, nil)) }()
	select {
	case got := <-replied:
		t.Fatalf("the cell replied %s while its compiled call still ran", got)
	case <-time.After(700 * time.Millisecond):
	}
	close(release)
	select {
	case got := <-replied:
		if !strings.HasPrefix(got, "error:Interrupted:") {
			t.Fatalf("interrupted cell: %s", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no reply after the compiled call returned")
	}
	if got := c.executeWithin(20*time.Second, "w2", "n", 3); got != "execute_result:1|reply:ok" {
		t.Errorf("after the interrupt: %s", got)
	}
}

func TestRunnerInputRequest(t *testing.T) {
	c := newRunnerClient(t)
	c.send(runproto.Request{Kind: runproto.KindExecute, ID: "in1", Execute: &runproto.ExecuteRequest{
		Code: "var name string\nfmt.Scanln(&name)\nr := bufio.NewReader(os.Stdin)\nline, _ := r.ReadString('\\n')\nname + \"|\" + line", ExecutionCount: 1, AllowStdin: true}})
	var got []string
	for {
		var ev runproto.Event
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.Kind {
		case runproto.EventInputRequest:
			answer := "ada"
			if len(got) > 0 {
				answer = "second line"
			}
			got = append(got, "prompt")
			c.send(runproto.Request{Kind: runproto.KindInput, Input: answer})
		case runproto.EventResult:
			got = append(got, ev.Display.Data["text/plain"].(string))
		case runproto.EventError:
			got = append(got, "error "+ev.Error.Evalue)
		}
		if ev.Kind == runproto.EventExecuteReply {
			break
		}
	}
	want := "prompt,prompt,\"ada|second line\\n\""
	if strings.Join(got, ",") != want {
		t.Errorf("input exchange %q, want %q", strings.Join(got, ","), want)
	}
}

func TestRunnerCompletionWhileRunning(t *testing.T) {
	c := newRunnerClient(t)
	c.execute("d", "type Rec struct{ Alpha, Beta int }\nrecord := Rec{}\nmatrix := mat.NewDense(2, 2, nil)", 1, nil)
	// A cell that waits for input stays running until the test answers.
	c.send(runproto.Request{Kind: runproto.KindExecute, ID: "long", Execute: &runproto.ExecuteRequest{
		Code: "var line string\nfmt.Scanln(&line)", ExecutionCount: 2, AllowStdin: true}})
	var ev runproto.Event
	for ev.Kind != runproto.EventInputRequest {
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
	}
	queries := []struct {
		code string
		want string
	}{
		{"rec", "record"},
		{"record.Al", "Alpha"},
		{"matrix.Mu", "Mul"},
		{"strings.ToUp", "ToUpper"},
		{"ct", "ctx"},
		{"ctx.Do", "Done"},
	}
	for _, q := range queries {
		c.send(runproto.Request{Kind: runproto.KindComplete, ID: "c-" + q.code, Complete: &runproto.CompleteRequest{Code: q.code, CursorPos: len(q.code)}})
	}
	answered := map[string][]string{}
	for len(answered) < len(queries) {
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind == runproto.EventExecuteReply {
			t.Fatal("the running cell finished before the completions were answered")
		}
		if ev.Kind == runproto.EventCompleteReply {
			var r struct{ Matches []string }
			if err := json.Unmarshal(ev.Reply, &r); err != nil {
				t.Fatal(err)
			}
			answered[ev.ID] = r.Matches
		}
	}
	c.send(runproto.Request{Kind: runproto.KindInput, Input: "done"})
	for ev.Kind != runproto.EventExecuteReply {
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range queries {
		if !contains(answered["c-"+q.code], q.want) {
			t.Errorf("complete %q = %v, want %q among them", q.code, answered["c-"+q.code], q.want)
		}
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestRunnerGoroutinePanicAfterCellIsReported(t *testing.T) {
	c := newRunnerClient(t)
	got := summary(c.execute("g1", "go func() {\n\ttime.Sleep(100 * time.Millisecond)\n\tpanic(\"late failure\")\n}()", 1, nil))
	if got != "reply:ok" {
		t.Fatalf("starting cell: %s", got)
	}
	var ev runproto.Event
	for ev.Kind != runproto.EventError {
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(ev.Error.Evalue, "late failure") || !strings.Contains(ev.Error.Evalue, "In [1]") {
		t.Errorf("async error = %+v", ev.Error)
	}
	if got := summary(c.execute("g2", "1 + 1", 2, nil)); got != "execute_result:2|reply:ok" {
		t.Errorf("runner after the goroutine panic: %s", got)
	}
}

func TestRunnerHelpSyntaxPages(t *testing.T) {
	c := newRunnerClient(t)
	items := c.execute("h1", "strings.ToUpper?", 1, nil)
	reply := items[len(items)-1].ev.ExecuteReply
	if reply.Status != "ok" || len(reply.Payload) != 1 {
		t.Fatalf("help reply %+v", reply)
	}
	page := reply.Payload[0].(map[string]any)
	text, _ := page["data"].(map[string]any)["text/plain"].(string)
	if page["source"] != "page" || !strings.Contains(text, "ToUpper") {
		t.Errorf("help payload %v", page)
	}
	tests := []struct {
		code   string
		expr   string
		detail int
		ok     bool
	}{
		{"x?", "x", 0, true},
		{"??mat.NewDense", "mat.NewDense", 1, true},
		{"p.Title??", "p.Title", 1, true},
		{"a := 1\nb?", "", 0, false},
		{"?", "", 0, false},
		{"x := 1", "", 0, false},
	}
	for _, tt := range tests {
		expr, detail, ok := helpRequest(tt.code)
		if expr != tt.expr || detail != tt.detail || ok != tt.ok {
			t.Errorf("helpRequest(%q) = %q, %d, %v", tt.code, expr, detail, ok)
		}
	}
}

// A goroutine that panics at once races with the end of its cell: its
// panic is the cell's error, or an error event of that cell right after
// it, exactly once, and the runner keeps serving.
func TestRunnerImmediateGoroutinePanicIsReportedOnce(t *testing.T) {
	c := newRunnerClient(t)
	const cells = 30
	errs := map[string][]string{}
	collect := func(items []item) {
		for _, it := range items {
			if it.kind == runproto.EventError {
				errs[it.ev.ID] = append(errs[it.ev.ID], it.ev.Error.Evalue)
			}
		}
	}
	for i := 1; i <= cells; i++ {
		collect(c.execute(fmt.Sprintf("b%d", i), "go func() { panic(\"bg\") }()", i, nil))
	}
	// A late panic of the last cell arrives before the next reply.
	time.Sleep(50 * time.Millisecond)
	last := c.execute("after", "1 + 1", cells+1, nil)
	collect(last)
	if got := summary(last[len(last)-1:]); got != "reply:ok" {
		t.Errorf("runner after the panics: %s", summary(last))
	}
	for i := 1; i <= cells; i++ {
		id := fmt.Sprintf("b%d", i)
		want := fmt.Sprintf("in a goroutine started by In [%d]: bg", i)
		if len(errs[id]) != 1 || errs[id][0] != want {
			t.Errorf("cell %s: error events %q, want exactly [%q]", id, errs[id], want)
		}
	}
}

// Buffered cell output keeps its order with direct writes to the output
// file, both within a cell and after a cell that mentions os.Stdout.
func TestRunnerBufferedOutputOrder(t *testing.T) {
	c := newRunnerClient(t)
	tests := []struct {
		code string
		want string
	}{
		{"for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}", "stdout:0\n1\n2\n|reply:ok"},
		{`fmt.Println("a"); os.Stdout.WriteString("b\n"); fmt.Println("c")`, "stdout:a\nb\nc\n|reply:ok"},
		{"func both(s string) {\n\tfmt.Print(s)\n\tfmt.Fprint(os.Stdout, s)\n}", "reply:ok"},
		{`both("x"); fmt.Print("y"); both("z")`, "stdout:xxyzz|reply:ok"},
		{`fmt.Print("before result "); 6 * 7`, "stdout:before result |execute_result:42|reply:ok"},
		{"log.SetFlags(0)\nlog.Println(\"logged\")\n1", "stderr:logged\n|execute_result:1|reply:ok"},
		{"func warn(s string) { fmt.Fprintln(os.Stderr, s) }", "reply:ok"},
		{`warn("w1"); fmt.Println("o1"); 2`, "stdout:o1\n|stderr:w1\n|execute_result:2|reply:ok"},
	}
	for i, tt := range tests {
		got := summary(c.execute(fmt.Sprintf("o%d", i), tt.code, i+1, nil))
		if got != tt.want {
			t.Errorf("cell %q:\n got %q\nwant %q", tt.code, got, tt.want)
		}
	}
}

// 100,000 printed lines all arrive, in order, before the reply.
func TestRunnerManyLines(t *testing.T) {
	c := newRunnerClient(t)
	items := c.execute("many", "for i := 0; i < 100000; i++ {\n\tfmt.Println(i)\n}", 1, nil)
	var out strings.Builder
	for _, it := range items {
		if it.kind == "stdout" {
			out.WriteString(it.text)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 100000 {
		t.Fatalf("%d lines, want 100000", len(lines))
	}
	for i, l := range lines {
		if l != strconv.Itoa(i) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
}

// Output of a cell that is still running is delivered (a timed flush),
// not held until the cell ends: the cell waits for a file that the test
// creates only once it has seen the output.
func TestRunnerBufferedOutputIsLive(t *testing.T) {
	c := newRunnerClient(t)
	gate := filepath.Join(t.TempDir(), "gate")
	code := fmt.Sprintf("fmt.Println(\"first\")\nfor {\n\tif _, err := os.Stat(%q); err == nil {\n\t\tbreak\n\t}\n\ttime.Sleep(time.Millisecond)\n}", gate)
	c.send(runproto.Request{Kind: runproto.KindExecute, ID: "live", Execute: &runproto.ExecuteRequest{Code: code, ExecutionCount: 1}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		var seen strings.Builder
		for _, p := range c.streams[0] {
			seen.WriteString(p.text)
		}
		c.mu.Unlock()
		if strings.Contains(seen.String(), "first") {
			break
		}
		if time.Now().After(deadline) {
			os.WriteFile(gate, nil, 0o644)
			t.Fatal("the output of the running cell did not arrive while it ran")
		}
		time.Sleep(time.Millisecond)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for {
		var ev runproto.Event
		if err := runproto.ReadFrame(c.events, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind == runproto.EventExecuteReply {
			if ev.ExecuteReply.Status != "ok" {
				t.Errorf("reply %+v", ev.ExecuteReply)
			}
			break
		}
	}
}

// The ledger goes to the supervisor after a cell that changed it, and not
// after a cell that only computed something.
func TestRunnerSendsLedgerOnlyWhenChanged(t *testing.T) {
	c := newRunnerClient(t)
	tests := []struct {
		code string
		sent bool
		has  string // a text the snapshot must hold
	}{
		{"x := 1", true, `"name":"x"`},
		{"1 + 1", false, ""},
		{"fmt.Println(x)", true, `"fmt"`}, // fmt is imported automatically
		{"fmt.Println(x + 1)", false, ""},
		{"func sq(v int) int { return v * v }", true, `"name":"sq"`},
		{"sq(3)", false, ""},
		{"x = 5", false, ""},
		{"x := \"now a string\"", true, `"name":"x"`},
		{"import \"strings\"", true, `"strings"`},
		{"strings.ToUpper(\"a\")", false, ""},
		{"y := undefinedThing", false, ""},
		{"%reset", true, `"vars":null`},
		{"2 + 2", false, ""},
	}
	for i, tt := range tests {
		before := len(c.ledgers)
		c.execute(fmt.Sprintf("l%d", i), tt.code, i+1, nil)
		sent := len(c.ledgers) > before
		if sent != tt.sent {
			t.Errorf("cell %q: ledger sent = %v, want %v", tt.code, sent, tt.sent)
			continue
		}
		if sent && !strings.Contains(string(c.ledgers[len(c.ledgers)-1].Ledger), tt.has) {
			t.Errorf("cell %q: ledger %s lacks %s", tt.code, c.ledgers[len(c.ledgers)-1].Ledger, tt.has)
		}
	}
}
