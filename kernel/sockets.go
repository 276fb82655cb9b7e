package kernel

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// sendTimeout bounds a send on a ROUTER socket: zmq4 blocks until a peer is
// connected (5 minutes by default), and a reply to a vanished client must
// not stall the kernel.
const sendTimeout = 3 * time.Second

// channel is one zmq socket with a send lock (zmq4 sockets are not safe for
// concurrent senders) and its name for logs.
type channel struct {
	name string
	sock zmq4.Socket
	mu   sync.Mutex
}

// send sends one message. SendMulti gathers the frames into one writev
// on PUB; ROUTER drops that flag and writes frame by frame, which the
// message transport (zmtpconn.go) gathers into one write again.
func (c *channel) send(frames [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		log.Printf("gonote: send on %s: %v", c.name, err)
	}
}

// sockets are the five channels of a kernel.
type sockets struct {
	shell, control, stdin, iopub, hb *channel
}

func listen(ctx context.Context, info ConnectionInfo) (*sockets, error) {
	opts := []zmq4.Option{zmq4.WithTimeout(sendTimeout), zmq4.WithLogger(log.Default())}
	s := &sockets{
		shell:   &channel{name: "shell", sock: zmq4.NewRouter(ctx, opts...)},
		control: &channel{name: "control", sock: zmq4.NewRouter(ctx, opts...)},
		stdin:   &channel{name: "stdin", sock: zmq4.NewRouter(ctx, opts...)},
		iopub:   &channel{name: "iopub", sock: zmq4.NewPub(ctx, opts...)},
		hb:      &channel{name: "heartbeat", sock: zmq4.NewRouter(ctx, opts...)},
	}
	for _, b := range []struct {
		ch   *channel
		port int
	}{{s.shell, info.ShellPort}, {s.control, info.ControlPort}, {s.stdin, info.StdinPort},
		{s.iopub, info.IOPubPort}, {s.hb, info.HBPort}} {
		ep := info.Endpoint(b.port)
		if err := b.ch.sock.Listen(messageEndpoint(ep, b.ch == s.iopub)); err != nil {
			s.close()
			return nil, fmt.Errorf("kernel: listen %s on %s: %w", b.ch.name, ep, err)
		}
	}
	return s, nil
}

func (s *sockets) close() {
	for _, c := range []*channel{s.shell, s.control, s.stdin, s.iopub, s.hb} {
		_ = c.sock.Close()
	}
}

// heartbeat echoes every message back to its sender until ctx ends. Errors
// are logged and never stop it.
func heartbeat(ctx context.Context, hb *channel) {
	for ctx.Err() == nil {
		msg, err := hb.sock.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Printf("gonote: heartbeat receive: %v", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		hb.send(msg.Frames)
	}
}

// waitSubscriber waits up to timeout until some client has subscribed to
// iopub. Clients probe readiness with kernel_info_request and expect its
// status messages on iopub; publishing them before the subscription has
// arrived would lose them and make the client retry after a pause.
func (s *sockets) waitSubscriber(timeout time.Duration) {
	topics, ok := s.iopub.sock.(zmq4.Topics)
	if !ok {
		return
	}
	deadline := time.Now().Add(timeout)
	for len(topics.Topics()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
