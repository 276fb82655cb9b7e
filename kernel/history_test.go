package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestHistoryPersistsAcrossSessions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "gonote", "history.jsonl")
	h1, err := OpenHistory(file)
	if err != nil {
		t.Fatal(err)
	}
	if h1.Session() != 1 {
		t.Errorf("first session %d, want 1", h1.Session())
	}
	for i, src := range []string{"a := 1", "fmt.Println(a)", "a := 1"} {
		if err := h1.Add(i+1, src); err != nil {
			t.Fatal(err)
		}
	}
	if err := h1.Close(); err != nil {
		t.Fatal(err)
	}
	h2, err := OpenHistory(file)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if h2.Session() != 2 {
		t.Errorf("second session %d, want 2", h2.Session())
	}
	if err := h2.Add(1, "b := 2"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []HistoryEntry
		want string
	}{
		{"tail 2", h2.Tail(2), "[{1 3 a := 1} {2 1 b := 2}]"},
		{"tail all", h2.Tail(0), "[{1 1 a := 1} {1 2 fmt.Println(a)} {1 3 a := 1} {2 1 b := 2}]"},
		{"range previous session", h2.Range(-1, 2, 0), "[{1 2 fmt.Println(a)} {1 3 a := 1}]"},
		{"range absolute session", h2.Range(1, 1, 2), "[{1 1 a := 1}]"},
		{"range current session", h2.Range(0, 1, 0), "[{2 1 b := 2}]"},
		{"search", h2.Search("a := *", 0, false), "[{1 1 a := 1} {1 3 a := 1}]"},
		{"search unique", h2.Search("a := *", 0, true), "[{1 3 a := 1}]"},
		{"search n", h2.Search("*", 2, false), "[{1 3 a := 1} {2 1 b := 2}]"},
		{"search question mark", h2.Search("?Println(?)", 0, false), "[]"},
		{"search across text", h2.Search("fmt*(a)", 0, false), "[{1 2 fmt.Println(a)}]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(tt.got); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestHistoryKeepsTheLastEntries(t *testing.T) {
	file := filepath.Join(t.TempDir(), "history.jsonl")
	h, _ := OpenHistory(file)
	for i := range maxHistory + 5 {
		if err := h.Add(i+1, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	h2, err := OpenHistory(file)
	if err != nil {
		t.Fatal(err)
	}
	all := h2.Tail(0)
	if len(all) != maxHistory || all[0].Source != "5" {
		t.Errorf("kept %d entries starting at %q, want %d starting at \"5\"", len(all), all[0].Source, maxHistory)
	}
	if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind")
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*b*", "a\nb\nc", true}, {"x*", "ax", false}, {"*/*", "a/b", true}, {"héllo*", "héllo🙂", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}
