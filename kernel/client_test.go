package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// fakeRunner is the path of the test runner built by TestMain.
var fakeRunner string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gonote-kernel-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fakeRunner = filepath.Join(dir, "fakerunner")
	out, err := exec.Command("go", "build", "-o", fakeRunner, "./internal/fakerunner").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build fake runner: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// testClient is a minimal Jupyter client over zmq4.
type testClient struct {
	t                      testing.TB
	signer                 *Signer
	shell, control, stdin  zmq4.Socket
	iopub                  zmq4.Socket
	iopubMsgs              chan *Message
	shellMsgs, controlMsgs chan *Message
	stdinMsgs              chan *Message
	info                   ConnectionInfo
	kernel                 *Kernel
	skipped                []*Message // replies passed over while waiting for another
}

// startKernel runs a kernel with the fake runner and connects a client.
func startKernel(t testing.TB, opts Options) *testClient {
	t.Helper()
	ports := freePorts(t, 5)
	info := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], ControlPort: ports[1],
		StdinPort: ports[2], HBPort: ports[3], IOPubPort: ports[4], Key: "test-key", SignatureScheme: "hmac-sha256"}
	if opts.RunnerArgv == nil {
		opts.RunnerArgv = []string{fakeRunner}
	}
	if opts.HistoryFile == "" {
		opts.HistoryFile = filepath.Join(t.TempDir(), "history.jsonl")
	}
	opts.Version = "test"
	k, err := New(info, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		if err := k.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("kernel did not stop")
		}
	})
	c := &testClient{t: t, signer: info.Signer(), info: info, kernel: k,
		iopubMsgs: make(chan *Message, 100000), shellMsgs: make(chan *Message, 100),
		controlMsgs: make(chan *Message, 100), stdinMsgs: make(chan *Message, 100)}
	cctx, ccancel := context.WithCancel(context.Background())
	t.Cleanup(ccancel)
	id := zmq4.WithID(zmq4.SocketIdentity("client-" + newID()))
	c.shell = zmq4.NewDealer(cctx, id)
	c.control = zmq4.NewDealer(cctx, zmq4.WithID(zmq4.SocketIdentity("ctl-"+newID())))
	c.stdin = zmq4.NewDealer(cctx, id)
	c.iopub = zmq4.NewSub(cctx)
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, info.ShellPort}, {c.control, info.ControlPort}, {c.stdin, info.StdinPort}, {c.iopub, info.IOPubPort}} {
		if err := dialRetry(d.s, info.Endpoint(d.port)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	go c.pump(c.iopub, c.iopubMsgs)
	go c.pump(c.shell, c.shellMsgs)
	go c.pump(c.control, c.controlMsgs)
	go c.pump(c.stdin, c.stdinMsgs)
	// Wait until iopub is subscribed: ask kernel_info until its status arrives.
	deadline := time.Now().Add(10 * time.Second)
	for {
		id := c.send(c.control, "kernel_info_request", map[string]any{})
		c.reply(c.controlMsgs, id)
		if c.waitIopub(id, 200*time.Millisecond) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("iopub never delivered a status message")
		}
	}
	return c
}

func dialRetry(s zmq4.Socket, ep string) error {
	var err error
	for range 50 {
		if err = s.Dial(ep); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

func (c *testClient) pump(s zmq4.Socket, out chan *Message) {
	for {
		raw, err := s.Recv()
		if err != nil {
			return
		}
		m, err := Decode(raw.Frames, c.signer)
		if err != nil {
			c.t.Errorf("client could not decode a kernel message: %v", err)
			continue
		}
		out <- m
	}
}

// waitIopub drains iopub until a message whose parent is id arrives.
func (c *testClient) waitIopub(id string, timeout time.Duration) bool {
	tm := time.After(timeout)
	for {
		select {
		case m := <-c.iopubMsgs:
			if parentID(m) == id {
				if contentField(m, "execution_state") != "idle" {
					c.collect(id, 5*time.Second) // drain the rest of this request
				}
				return true
			}
		case <-tm:
			return false
		}
	}
}

func parentID(m *Message) string {
	var h Header
	_ = json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

func (c *testClient) send(s zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	h := newHeader("client-session", msgType)
	frames, err := Encode(c.signer, nil, h, nil, nil, content)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := s.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return h.MsgID
}

func (c *testClient) execute(code string) string {
	return c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": true, "stop_on_error": true})
}

// reply waits for the reply to id on a reply channel.
func (c *testClient) reply(ch chan *Message, id string) *Message {
	c.t.Helper()
	tm := time.After(20 * time.Second)
	for {
		select {
		case m := <-ch:
			if parentID(m) == id {
				return m
			}
			c.skipped = append(c.skipped, m)
		case <-tm:
			c.t.Fatalf("no reply to %s", id)
			return nil
		}
	}
}

// collect returns the iopub messages of request id up to and including
// status idle.
func (c *testClient) collect(id string, timeout time.Duration) []*Message {
	c.t.Helper()
	var out []*Message
	tm := time.After(timeout)
	for {
		select {
		case m := <-c.iopubMsgs:
			if parentID(m) != id {
				continue
			}
			out = append(out, m)
			if m.Header.MsgType == "status" && contentField(m, "execution_state") == "idle" {
				return out
			}
		case <-tm:
			c.t.Fatalf("no idle for %s; got %d messages", id, len(out))
			return out
		}
	}
}

func contentField(m *Message, key string) any {
	var c map[string]any
	_ = json.Unmarshal(m.Content, &c)
	return c[key]
}

func contentMap(m *Message) map[string]any {
	var c map[string]any
	_ = json.Unmarshal(m.Content, &c)
	return c
}

// run executes code and returns its reply and iopub messages.
func (c *testClient) run(code string) (*Message, []*Message) {
	c.t.Helper()
	id := c.execute(code)
	r := c.reply(c.shellMsgs, id)
	return r, c.collect(id, 20*time.Second)
}

// describeMessages lists messages as type and content, for test failures.
func describeMessages(msgs []*Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Header.MsgType+fmt.Sprint(contentMap(m)))
	}
	return out
}

func outputsOf(msgs []*Message) []*Message {
	var out []*Message
	for _, m := range msgs {
		switch m.Header.MsgType {
		case "stream", "display_data", "execute_result", "error", "update_display_data", "clear_output":
			out = append(out, m)
		}
	}
	return out
}

func streamText(msgs []*Message, name string) string {
	var s string
	for _, m := range msgs {
		if m.Header.MsgType == "stream" && contentField(m, "name") == name {
			s += contentField(m, "text").(string)
		}
	}
	return s
}

func zmqMsg(frames [][]byte) zmq4.Msg { return zmq4.NewMsgFrom(frames...) }
