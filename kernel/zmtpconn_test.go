package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// recordingConn is a net.Conn that records each write.
type recordingConn struct {
	net.Conn
	writes [][]byte
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

// zmtpFrame encodes one ZMTP frame.
func zmtpFrame(body []byte, more, command bool) []byte {
	var flags byte
	if more {
		flags |= zmtpMoreFlag
	}
	if command {
		flags |= 0x04
	}
	if len(body) > 255 {
		hdr := make([]byte, 9)
		hdr[0] = flags | zmtpLongFlag
		binary.BigEndian.PutUint64(hdr[1:], uint64(len(body)))
		return append(hdr, body...)
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

// zmtpMessage encodes a message of the given frame bodies.
func zmtpMessage(bodies ...[]byte) []byte {
	var out []byte
	for i, b := range bodies {
		out = append(out, zmtpFrame(b, i < len(bodies)-1, false)...)
	}
	return out
}

func TestMessageConnWritesWholeMessages(t *testing.T) {
	greeting := bytes.Repeat([]byte{0xff}, zmtpGreetingLen)
	ready := zmtpFrame([]byte("\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER"), false, true)
	jupyter := zmtpMessage([]byte("id"), []byte("<IDS|MSG>"), []byte("sig"), []byte("{}"), []byte("{}"), []byte("{}"), []byte(`{"code":"1+1"}`))
	long := zmtpMessage([]byte("head"), bytes.Repeat([]byte("x"), 70000), nil)
	empty := zmtpMessage(nil)
	units := [][]byte{greeting, ready, jupyter, long, empty, jupyter}

	chunkings := []struct {
		name  string
		split func(stream []byte, rng *rand.Rand) [][]byte
	}{
		{"one write per unit", func([]byte, *rand.Rand) [][]byte { return units }},
		{"header and body apart, as zmq4 writes", func([]byte, *rand.Rand) [][]byte {
			var out [][]byte
			out = append(out, greeting)
			for _, u := range units[1:] {
				out = append(out, splitFrames(u)...)
			}
			return out
		}},
		{"byte by byte", func(stream []byte, _ *rand.Rand) [][]byte {
			out := make([][]byte, len(stream))
			for i := range stream {
				out[i] = stream[i : i+1]
			}
			return out
		}},
		{"random cuts across units", func(stream []byte, rng *rand.Rand) [][]byte {
			var out [][]byte
			for len(stream) > 0 {
				n := min(len(stream), 1+rng.IntN(300))
				out = append(out, stream[:n])
				stream = stream[n:]
			}
			return out
		}},
		{"everything at once", func(stream []byte, _ *rand.Rand) [][]byte { return [][]byte{stream} }},
	}
	stream := bytes.Join(units, nil)
	boundaries := map[int]bool{}
	end := 0
	for _, u := range units {
		end += len(u)
		boundaries[end] = true
	}
	for _, tc := range chunkings {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingConn{}
			c := newMessageConn(rec, "test", 0)
			for _, chunk := range tc.split(stream, rand.New(rand.NewPCG(7, 1))) {
				if n, err := c.Write(chunk); err != nil || n != len(chunk) {
					t.Fatalf("Write(%d bytes) = %d, %v", len(chunk), n, err)
				}
			}
			if got := bytes.Join(rec.writes, nil); !bytes.Equal(got, stream) {
				t.Fatalf("sent %d bytes, want the %d written, in order", len(got), len(stream))
			}
			sent := 0
			for i, w := range rec.writes {
				sent += len(w)
				if !boundaries[sent] {
					t.Fatalf("write %d ends at byte %d, inside a message", i, sent)
				}
			}
			if len(c.pending) != 0 {
				t.Fatalf("%d bytes held back after complete messages", len(c.pending))
			}
		})
	}
}

// splitFrames cuts an encoded message into frame headers and bodies.
func splitFrames(msg []byte) [][]byte {
	var out [][]byte
	for len(msg) > 0 {
		hl, size := 2, int(msg[1])
		if msg[0]&zmtpLongFlag != 0 {
			hl, size = 9, int(binary.BigEndian.Uint64(msg[1:9]))
		}
		out = append(out, msg[:hl])
		if size > 0 {
			out = append(out, msg[hl:hl+size])
		}
		msg = msg[hl+size:]
	}
	return out
}

func TestMessageConnHoldsAnUnfinishedMessage(t *testing.T) {
	rec := &recordingConn{}
	c := newMessageConn(rec, "test", 0)
	c.Write(bytes.Repeat([]byte{0}, zmtpGreetingLen))
	msg := zmtpMessage([]byte("a"), []byte("bc"))
	c.Write(msg[:len(msg)-1])
	if len(rec.writes) != 1 {
		t.Fatalf("%d writes before the message ended, want only the greeting", len(rec.writes))
	}
	c.Write(msg[len(msg)-1:])
	if len(rec.writes) != 2 || !bytes.Equal(rec.writes[1], msg) {
		t.Fatalf("writes %q, want the greeting then %q", rec.writes, msg)
	}
}

func TestMessageEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in        string
		publisher bool
		want      string
	}{
		{"tcp://127.0.0.1:5555", false, "tcp+msg://127.0.0.1:5555"},
		{"tcp://127.0.0.1:5555", true, "tcp+pub://127.0.0.1:5555"},
		{"ipc:///tmp/kernel-1", false, "ipc+msg:///tmp/kernel-1"},
		{"ipc:///tmp/kernel-1", true, "ipc+pub:///tmp/kernel-1"},
		{"inproc://x", false, "inproc://x"},
	} {
		if got := messageEndpoint(tc.in, tc.publisher); got != tc.want {
			t.Errorf("messageEndpoint(%q, %v) = %q, want %q", tc.in, tc.publisher, got, tc.want)
		}
	}
}

// A ROUTER on the message transport talks to a plain zmq4 DEALER over TCP
// and over a Unix socket: small, empty and multi-megabyte frames arrive
// intact both ways.
func TestMessageTransportRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name, listen string
		dial         func(router zmq4.Socket) string
	}{
		{"tcp", "tcp://127.0.0.1:0", func(r zmq4.Socket) string { return "tcp://" + r.Addr().String() }},
		{"ipc", "ipc://" + t.TempDir() + "/kernel-1", func(r zmq4.Socket) string { return "ipc://" + r.Addr().String() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			router := zmq4.NewRouter(ctx)
			defer router.Close()
			if err := router.Listen(messageEndpoint(tc.listen, false)); err != nil {
				t.Fatal(err)
			}
			dealer := zmq4.NewDealer(ctx)
			defer dealer.Close()
			if err := dealer.Dial(tc.dial(router)); err != nil {
				t.Fatal(err)
			}
			echoThroughRouter(t, router, dealer)
		})
	}
}

func echoThroughRouter(t *testing.T, router, dealer zmq4.Socket) {
	big := bytes.Repeat([]byte("0123456789"), 300_000)
	for i, frames := range [][][]byte{
		{[]byte("hello")},
		{[]byte("<IDS|MSG>"), []byte("sig"), []byte("{}"), nil, []byte(`{"a":1}`)},
		{big, []byte("after the big frame")},
	} {
		if err := dealer.Send(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
		got, err := router.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if !equalFrames(got.Frames[1:], frames) {
			t.Fatalf("message %d: router got %d frames, want %d intact", i, len(got.Frames)-1, len(frames))
		}
		echo := append([][]byte{got.Frames[0]}, frames...)
		if err := router.Send(zmq4.NewMsgFrom(echo...)); err != nil {
			t.Fatal(err)
		}
		back, err := dealer.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if !equalFrames(back.Frames, frames) {
			t.Fatalf("message %d: dealer got %d frames back, want %d intact", i, len(back.Frames), len(frames))
		}
	}
}

func equalFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// An outbox never blocks its publisher: while the subscriber does not read,
// whole messages queue up to the limit and later ones are dropped; once it
// reads again it gets the queued messages intact, then new ones.
func TestOutboxDropsForAStuckSubscriber(t *testing.T) {
	kernelEnd, clientEnd := net.Pipe() // synchronous: a write waits for a read
	defer clientEnd.Close()
	o := newOutbox(kernelEnd, 1000, "test subscriber")
	defer kernelEnd.Close()
	msg := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 300) }
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			o.mu.Lock()
			ok := cond()
			o.mu.Unlock()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the outbox writer did not %s", what)
			}
		}
	}
	if err := o.push(msg(0)); err != nil {
		t.Fatal(err)
	}
	waitFor("take the first message", func() bool { return len(o.queue) == 0 })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i < 10; i++ { // 2700 bytes more: beyond the limit
			if err := o.push(msg(i)); err != nil {
				t.Errorf("push %d: %v", i, err)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("push blocked on a subscriber that does not read")
	}
	// The writer holds message 0 (blocked in the pipe); 1 and 2 fit in the
	// limit of 1000 bytes with it; 3-9 were dropped.
	got := make([]byte, 3*300)
	if _, err := io.ReadFull(clientEnd, got); err != nil {
		t.Fatal(err)
	}
	if want := bytes.Join([][]byte{msg(0), msg(1), msg(2)}, nil); !bytes.Equal(got, want) {
		t.Fatalf("subscriber got %q..., want messages 0-2 whole and in order", got[:20])
	}
	waitFor("finish its writes", func() bool { return o.held == 0 })
	if err := o.push(msg(10)); err != nil {
		t.Fatal(err)
	}
	after := make([]byte, 300)
	if _, err := io.ReadFull(clientEnd, after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, msg(10)) {
		t.Fatalf("after catching up the subscriber got %q..., want message 10", after[:10])
	}
}

// A PUB socket on the publisher transport keeps serving a reading
// subscriber while another subscriber has stopped reading (zmq4's own PUB
// would block on the stuck one and starve both).
func TestPublisherTransportSurvivesAStuckSubscriber(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pub := zmq4.NewPub(ctx)
	defer pub.Close()
	if err := pub.Listen(messageEndpoint("tcp://127.0.0.1:0", true)); err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + pub.Addr().String()
	subscribe := func() zmq4.Socket {
		s := zmq4.NewSub(ctx)
		if err := s.Dial(ep); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOption(zmq4.OptionSubscribe, ""); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stuck := subscribe() // never reads
	defer stuck.Close()
	reader := subscribe()
	defer reader.Close()
	// Probe until both have subscribed: each receives one probe.
	stopProbes := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopProbes:
				return
			case <-time.After(5 * time.Millisecond):
				_ = pub.Send(zmq4.NewMsgFrom([]byte("probe")))
			}
		}
	}()
	for _, s := range []zmq4.Socket{stuck, reader} {
		if _, err := s.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	close(stopProbes)
	// 48 MB in 64 KiB messages: far more than the stuck subscriber's
	// socket buffers and its outbox limit.
	body := bytes.Repeat([]byte("o"), 64<<10)
	const n = 768
	for i := 0; i < n; i++ {
		if err := pub.Send(zmq4.NewMsgFrom([]byte("topic"), []byte(fmt.Sprint(i)), body)); err != nil {
			t.Fatal(err)
		}
		m, err := reader.Recv() // lockstep: the reader never lags behind
		for err == nil && string(m.Frames[0]) == "probe" {
			m, err = reader.Recv()
		}
		if err != nil {
			t.Fatalf("reading subscriber, message %d of %d: %v", i, n, err)
		}
		if got := string(m.Frames[1]); got != fmt.Sprint(i) {
			t.Fatalf("reading subscriber got message %s, want %d", got, i)
		}
	}
}
