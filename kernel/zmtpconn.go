package kernel

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"log"
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

// The buffered variants of a zmq4 transport: "tcp+msg" is TCP with
// messageConn connections; "tcp+pub" adds an outbox to each connection
// (for the iopub PUB socket, see outbox).
const (
	messageTransportSuffix   = "+msg"
	publisherTransportSuffix = "+pub"
)

// subscriberQueueLimit bounds the bytes queued for one iopub subscriber
// that does not read; further messages to it are dropped until it catches
// up, as libzmq's PUB does at a subscriber's high-water mark.
const subscriberQueueLimit = 16 << 20

// wireTransports are the transports of a Jupyter connection file, with
// the network of Go's net package each runs on.
var wireTransports = []struct{ name, network string }{{"tcp", "tcp"}, {"ipc", "unix"}}

func init() {
	for _, t := range wireTransports {
		for suffix, queueLimit := range map[string]int{messageTransportSuffix: 0, publisherTransportSuffix: subscriberQueueLimit} {
			name := t.name + suffix
			if err := zmq4.RegisterTransport(name, messageTransport{transport.New(t.network), name, queueLimit}); err != nil {
				panic(fmt.Sprintf("kernel: register zmq transport %s: %v", name, err))
			}
		}
	}
}

// messageEndpoint rewrites a "tcp://..." or "ipc://..." endpoint to its
// buffered transport, with outboxes if publisher is set.
func messageEndpoint(ep string, publisher bool) string {
	suffix := messageTransportSuffix
	if publisher {
		suffix = publisherTransportSuffix
	}
	for _, t := range wireTransports {
		if rest, ok := strings.CutPrefix(ep, t.name+"://"); ok {
			return t.name + suffix + "://" + rest
		}
	}
	return ep
}

// messageTransport wraps the connections of a zmq4 transport in messageConn.
type messageTransport struct {
	inner      transport.Transport
	name       string
	queueLimit int // > 0: connections get an outbox of this many bytes
}

func (t messageTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	c, err := t.inner.Dial(ctx, d, addr)
	if err != nil {
		return nil, err
	}
	return newMessageConn(c, t.name, t.queueLimit), nil
}

func (t messageTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := t.inner.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return messageListener{l, t}, nil
}

func (t messageTransport) Addr(ep string) (string, error) { return t.inner.Addr(ep) }

type messageListener struct {
	net.Listener
	t messageTransport
}

func (l messageListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newMessageConn(c, l.t.name, l.t.queueLimit), nil
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
// Write reports the error of the write that sends them, or with an outbox
// the first error of its writer.
type messageConn struct {
	net.Conn
	r   *bufio.Reader
	out *outbox // nil: complete messages are written at once

	mu       sync.Mutex
	pending  []byte // written bytes not yet sent
	sendable int    // pending[:sendable] ends at a message boundary
	framer   zmtpFramer
}

func newMessageConn(c net.Conn, transport string, queueLimit int) *messageConn {
	mc := &messageConn{Conn: c, r: bufio.NewReaderSize(c, 64<<10), framer: zmtpFramer{greeting: zmtpGreetingLen}}
	if queueLimit > 0 {
		mc.out = newOutbox(c, queueLimit, transport+" subscriber "+c.RemoteAddr().String())
	}
	return mc
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
	var err error
	if c.out != nil {
		err = c.out.push(append([]byte(nil), c.pending[:c.sendable]...))
	} else {
		_, err = c.Conn.Write(c.pending[:c.sendable])
	}
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

func (c *messageConn) Close() error {
	if c.out != nil {
		c.out.close()
	}
	return c.Conn.Close()
}

// outbox decouples a publisher from one subscriber's connection. zmq4's
// PUB socket sends each message to its subscribers one after the other
// with blocking writes, so a subscriber that stops reading (a frozen
// frontend, a client that never reads iopub) would stall every other
// subscriber and queue the kernel's output in memory without bound. With
// an outbox, a writer goroutine sends the queued messages; when more than
// limit bytes wait, new messages for this subscriber are dropped (and
// logged) until it catches up, as libzmq does at the high-water mark.
type outbox struct {
	w     net.Conn
	limit int
	name  string

	mu      sync.Mutex
	ready   *sync.Cond
	queue   net.Buffers // whole messages waiting for the writer
	held    int         // bytes waiting or being written
	dropped int         // messages dropped since the subscriber fell behind
	err     error       // the writer's first error
	closed  bool
}

func newOutbox(w net.Conn, limit int, name string) *outbox {
	o := &outbox{w: w, limit: limit, name: name}
	o.ready = sync.NewCond(&o.mu)
	go o.run()
	return o
}

// push queues one whole message, or drops it if the queue is full.
func (o *outbox) push(msg []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	if o.held > 0 && o.held+len(msg) > o.limit {
		if o.dropped == 0 {
			log.Printf("gonote: %s is not reading: dropping its messages until it catches up", o.name)
		}
		o.dropped++
		return nil
	}
	if o.dropped > 0 {
		log.Printf("gonote: %s caught up; %d messages to it were dropped", o.name, o.dropped)
		o.dropped = 0
	}
	o.queue = append(o.queue, msg)
	o.held += len(msg)
	o.ready.Signal()
	return nil
}

func (o *outbox) run() {
	for {
		o.mu.Lock()
		for len(o.queue) == 0 && !o.closed {
			o.ready.Wait()
		}
		if len(o.queue) == 0 { // closed and drained
			o.mu.Unlock()
			return
		}
		batch := o.queue
		o.queue = nil
		o.mu.Unlock()
		size := 0
		for _, m := range batch {
			size += len(m)
		}
		_, err := batch.WriteTo(o.w)
		o.mu.Lock()
		o.held -= size
		if err != nil {
			o.err = err
			o.queue, o.held = nil, 0
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
	}
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.ready.Signal()
	o.mu.Unlock()
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
