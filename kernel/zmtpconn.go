package kernel

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// zmq4 v0.17.0 writes a message to a ROUTER peer one frame at a time, the
// frame header and the body with separate write calls, and reads a frame
// with one read call per header and per body. A Jupyter reply has six or
// seven frames: a dozen system calls and TCP segments each way, and on the
// client a wake-up per segment. The kernel's sockets therefore listen on
// transports whose connections read through a buffer and hold written bytes
// until the ZMTP message they belong to is complete, then write it in one
// call.

// messageTransportSuffix names the buffered variant of a zmq4 transport:
// "tcp" + suffix is TCP with messageConn connections.
const messageTransportSuffix = "+msg"

// wireTransports are the transports of a Jupyter connection file, with
// the network of Go's net package each runs on.
var wireTransports = []struct{ name, network string }{{"tcp", "tcp"}, {"ipc", "unix"}}

func init() {
	for _, t := range wireTransports {
		if err := zmq4.RegisterTransport(t.name+messageTransportSuffix, messageTransport{transport.New(t.network)}); err != nil {
			panic(fmt.Sprintf("kernel: register zmq transport %s%s: %v", t.name, messageTransportSuffix, err))
		}
	}
}

// messageEndpoint rewrites a "tcp://..." or "ipc://..." endpoint to its
// buffered transport.
func messageEndpoint(ep string) string {
	for _, t := range wireTransports {
		if rest, ok := strings.CutPrefix(ep, t.name+"://"); ok {
			return t.name + messageTransportSuffix + "://" + rest
		}
	}
	return ep
}

// messageTransport wraps the connections of a zmq4 transport in messageConn.
type messageTransport struct {
	inner transport.Transport
}

func (t messageTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	c, err := t.inner.Dial(ctx, d, addr)
	if err != nil {
		return nil, err
	}
	return newMessageConn(c), nil
}

func (t messageTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := t.inner.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return messageListener{l}, nil
}

func (t messageTransport) Addr(ep string) (string, error) { return t.inner.Addr(ep) }

type messageListener struct {
	net.Listener
}

func (l messageListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newMessageConn(c), nil
}

// ZMTP 3 framing (https://rfc.zeromq.org/spec/23/): a 64-byte greeting,
// then frames of a flags byte, a 1- or 8-byte size and the body.
const (
	zmtpGreetingLen = 64
	zmtpMoreFlag    = 0x01
	zmtpLongFlag    = 0x02
)

// messageConn is a ZMTP connection that reads through a buffer and writes
// each greeting, command and message (all its frames) with one write call.
// Written bytes are parsed as ZMTP framing to find where a message ends;
// Write reports the error of the write that sends them.
type messageConn struct {
	net.Conn
	r *bufio.Reader

	mu       sync.Mutex
	pending  []byte // written bytes not yet sent
	sendable int    // pending[:sendable] ends at a message boundary
	framer   zmtpFramer
}

func newMessageConn(c net.Conn) *messageConn {
	return &messageConn{Conn: c, r: bufio.NewReaderSize(c, 64<<10), framer: zmtpFramer{greeting: zmtpGreetingLen}}
}

func (c *messageConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *messageConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := len(c.pending)
	c.pending = append(c.pending, p...)
	for i := 0; i < len(p); {
		n, ends := c.framer.advance(p[i:])
		i += n
		if ends {
			c.sendable = start + i
		}
	}
	if c.sendable == 0 {
		return len(p), nil
	}
	_, err := c.Conn.Write(c.pending[:c.sendable])
	rest := copy(c.pending, c.pending[c.sendable:])
	c.pending = c.pending[:rest]
	c.sendable = 0
	if cap(c.pending) > 1<<20 { // do not keep a huge message's buffer
		c.pending = append([]byte(nil), c.pending...)
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// zmtpFramer follows the ZMTP framing of a byte stream.
type zmtpFramer struct {
	greeting int     // greeting bytes still to come
	head     [9]byte // the frame header read so far
	headLen  int
	body     uint64 // body bytes of the current frame still to come
	last     bool   // the current frame is the last of its message
}

// advance consumes bytes from the start of p, at most up to the next
// message boundary. It returns how many it consumed and whether they end
// the greeting or a message (or command).
func (f *zmtpFramer) advance(p []byte) (n int, ends bool) {
	switch {
	case f.greeting > 0:
		n = min(f.greeting, len(p))
		f.greeting -= n
		return n, f.greeting == 0
	case f.body > 0:
		n = int(min(f.body, uint64(len(p))))
		f.body -= uint64(n)
		return n, f.body == 0 && f.last
	}
	f.head[f.headLen] = p[0]
	f.headLen++
	need := 2
	if f.head[0]&zmtpLongFlag != 0 {
		need = 9
	}
	if f.headLen < need {
		return 1, false
	}
	if need == 2 {
		f.body = uint64(f.head[1])
	} else {
		f.body = binary.BigEndian.Uint64(f.head[1:9])
	}
	f.last = f.head[0]&zmtpMoreFlag == 0
	f.headLen = 0
	return 1, f.body == 0 && f.last
}
