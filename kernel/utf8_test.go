package kernel

import "testing"

func TestSplitUTF8(t *testing.T) {
	tests := []struct {
		in, whole, tail string
	}{
		{"abc", "abc", ""},
		{"h\xc3\xa9", "h\xc3\xa9", ""},                 // é complete
		{"h\xc3", "h", "\xc3"},                         // é cut after its first byte
		{"\xf0\x9f\x99", "", "\xf0\x9f\x99"},           // 🙂 cut after three bytes
		{"x\xf0\x9f\x99\x82", "x\xf0\x9f\x99\x82", ""}, // 🙂 complete
		{"\xff\xfe", "\xff\xfe", ""},                   // invalid bytes pass through
		{"", "", ""},
	}
	for _, tt := range tests {
		whole, tail := splitUTF8([]byte(tt.in))
		if string(whole) != tt.whole || string(tail) != tt.tail {
			t.Errorf("splitUTF8(%q) = %q, %q; want %q, %q", tt.in, whole, tail, tt.whole, tt.tail)
		}
	}
	if got := toValidUTF8([]byte("a\xffb")); got != "a\uFFFDb" {
		t.Errorf("toValidUTF8 = %q", got)
	}
}
