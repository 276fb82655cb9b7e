package kernel

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// BenchmarkExecuteRoundTrip measures a trivial cell through the kernel and
// the fake runner: execute_request to status idle.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	c := startKernel(b, Options{})
	b.ResetTimer()
	for range b.N {
		c.run("echo x")
	}
}

// BenchmarkHundredThousandLines measures 100,000 lines written one write
// per line (as a printing loop does) until status idle.
func BenchmarkHundredThousandLines(b *testing.B) {
	c := startKernel(b, Options{})
	b.ResetTimer()
	for range b.N {
		_, msgs := c.run("lines 100000")
		if n := strings.Count(streamText(msgs, "stdout"), "\n"); n != 100000 {
			b.Fatalf("%d lines", n)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s := NewSigner(sha256.New, []byte("key"))
	frames, _ := Encode(s, [][]byte{[]byte("id")}, Header{MsgID: "m", MsgType: "execute_request"},
		json.RawMessage(`{}`), nil, map[string]any{"code": strings.Repeat("x := 1\n", 20)})
	b.ResetTimer()
	for range b.N {
		if _, err := Decode(frames, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstOutput measures how long the first line of a cell that
// keeps running takes to reach iopub: execute_request to the first stream
// message.
func BenchmarkFirstOutput(b *testing.B) {
	c := startKernel(b, Options{})
	b.ResetTimer()
	for range b.N {
		id := c.execute("echo first\nsleep 100")
		for {
			m := <-c.iopubMsgs
			if m.Header.MsgType == "stream" && parentID(m) == id {
				break
			}
		}
		b.StopTimer()
		c.reply(c.shellMsgs, id)
		c.collect(id, 10*time.Second)
		b.StartTimer()
	}
}
