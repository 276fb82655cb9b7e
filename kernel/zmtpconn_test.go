package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
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
			c := newMessageConn(rec)
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
	c := newMessageConn(rec)
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
	for _, tc := range []struct{ in, want string }{
		{"tcp://127.0.0.1:5555", "tcp+msg://127.0.0.1:5555"},
		{"ipc:///tmp/kernel-1", "ipc+msg:///tmp/kernel-1"},
		{"inproc://x", "inproc://x"},
	} {
		if got := messageEndpoint(tc.in); got != tc.want {
			t.Errorf("messageEndpoint(%q) = %q, want %q", tc.in, got, tc.want)
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
			if err := router.Listen(messageEndpoint(tc.listen)); err != nil {
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
