package runproto

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	want := Event{Kind: EventExecuteReply, ID: "m1", Sync: 7, ExecuteReply: &ExecuteReply{Status: "ok"}}
	if err := WriteFrame(&buf, want); err != nil {
		t.Fatal(err)
	}
	var got Event
	if err := ReadFrame(&buf, &got); err != nil {
		t.Fatal(err)
	}
	if got.Kind != want.Kind || got.ID != want.ID || got.Sync != 7 || got.ExecuteReply.Status != "ok" {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if err := ReadFrame(&buf, &got); err != io.EOF {
		t.Fatalf("at end of stream: got %v, want io.EOF", err)
	}
}

func TestReadFrameRejectsBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
	}{
		{"truncated header", []byte{0, 0}},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff}},
		{"truncated body", []byte{0, 0, 0, 10, '{'}},
		{"not json", []byte{0, 0, 0, 3, 'a', 'b', 'c'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev Event
			if err := ReadFrame(bytes.NewReader(tt.input), &ev); err == nil || err == io.EOF {
				t.Fatalf("ReadFrame(%q) = %v, want a descriptive error", tt.input, err)
			}
		})
	}
}

// feedAll feeds stream in chunks of the given size and returns the output
// text with each marker rendered as <n>.
func feedAll(stream []byte, chunk int) string {
	var s MarkerScanner
	var out strings.Builder
	emit := func(texts [][]byte, markers []uint64) {
		for i, t := range texts {
			out.Write(t)
			if i < len(markers) {
				out.WriteString("<" + string(rune('0'+markers[i])) + ">")
			}
		}
	}
	for len(stream) > 0 {
		n := min(chunk, len(stream))
		emit(s.Feed(stream[:n]))
		stream = stream[n:]
	}
	out.Write(s.Flush())
	return out.String()
}

func TestMarkerScanner(t *testing.T) {
	tests := []struct {
		name   string
		stream []byte
		want   string
	}{
		{"plain text", []byte("hello\nworld\n"), "hello\nworld\n"},
		{"one marker", append(append([]byte("a\n"), SyncMarker(3)...), "b\n"...), "a\n<3>b\n"},
		{"two markers", append(SyncMarker(1), SyncMarker(2)...), "<1><2>"},
		{"escape that is not a marker", []byte("x\x1b]gonote-sync;zz\x07y"), "x\x1b]gonote-sync;zz\x07y"},
		{"trailing partial prefix", []byte("abc\x1b]gon"), "abc\x1b]gon"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 5, 1000} {
			if got := feedAll(tt.stream, chunk); got != tt.want {
				t.Errorf("%s, chunk %d: got %q, want %q", tt.name, chunk, got, tt.want)
			}
		}
	}
}
