package kernel

import "testing"

func TestCrashSummary(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"goroutine panic", "panic: boom\n\ngoroutine 7 [running]:\n", "panic: boom"},
		{"stack overflow", "runtime: goroutine stack exceeds 1000000000-byte limit\nruntime: sp=0x1\nfatal error: stack overflow\n\nruntime stack:\n",
			"fatal error: stack overflow (goroutine stack exceeds 1000000000-byte limit)"},
		{"map writes", "fatal error: concurrent map writes\n", "fatal error: concurrent map writes"},
		{"nil dereference", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n",
			"panic: runtime error: invalid memory address or nil pointer dereference"},
		{"nothing", "some text\n", ""},
	}
	for _, tt := range tests {
		if got := crashSummary(tt.text); got != tt.want {
			t.Errorf("%s: crashSummary = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCrashStart(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"panic: x\n", 0},
		{"ok\nfatal error: y\n", 3},
		{"a panic: not at line start\n", -1},
		{"runtime: goroutine stack exceeds\n", 0},
		{"plain\n", -1},
	}
	for _, tt := range tests {
		if got := crashStart([]byte(tt.text)); got != tt.want {
			t.Errorf("crashStart(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
