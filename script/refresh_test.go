package script

import (
	"context"
	"os"
	"testing"
)

// The values recorded for completion and inspection follow every cell that
// can change them, also through a function, and are kept by cells that
// cannot (which skip the refresh).
func TestGlobalsFollowCells(t *testing.T) {
	s, err := NewSession(Options{Stdout: devNullFile(t), Stderr: devNullFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	tests := []struct {
		code  string
		value string // recorded value of counter afterwards
	}{
		{"counter := 0", "0"},
		{"func inc() { counter++ }", "0"},
		{"inc()", "1"},
		{"1 + 1", "1"},
		{"counter = 10", "10"},
		{"strings.Repeat(\"a\", 3)", "10"},
		{"for i := 0; i < 3; i++ {\n\tinc()\n}", "13"},
		{"counter := \"text\"", "text"},
	}
	for i, tt := range tests {
		if cerr := s.Execute(context.Background(), tt.code, i+1, false); cerr != nil {
			t.Fatalf("cell %q: %v", tt.code, cerr)
		}
		got := ""
		for _, g := range s.Globals() {
			if g.Name == "counter" {
				got = g.Value
			}
		}
		if got != tt.value {
			t.Errorf("after %q: counter recorded as %q, want %q", tt.code, got, tt.value)
		}
	}
}

func devNullFile(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
