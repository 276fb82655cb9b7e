package kernel

import "testing"

func TestIsComplete(t *testing.T) {
	tests := []struct {
		code, status, indent string
	}{
		{"x := 1", "complete", ""},
		{"fmt.Println(\"hi\")", "complete", ""},
		{"func f() int {\n\treturn 1\n}", "complete", ""},
		{"import \"fmt\"\nfmt.Println(1)", "complete", ""},
		{"func f() {", "incomplete", "    "},
		{"for i := 0; i < 3; i++ {\n\tif i > 1 {", "incomplete", "        "},
		{"x := []int{1,\n2,", "incomplete", "    "},
		{"fmt.Println(", "incomplete", "    "},
		{"s := `raw\nstring", "incomplete", ""},
		{"/* a comment", "incomplete", ""},
		{"y := 1 +", "incomplete", "    "},
		{"ok := a &&", "incomplete", "    "},
		{"v := x.", "incomplete", "    "},
		{"}", "invalid", ""},
		{"f(]", "invalid", ""},
		{"s := \"unterminated\nnext", "invalid", ""},
		{"x := 1 @ 2", "invalid", ""},
		{"%time f(", "complete", ""},
		{"!ls {", "complete", ""},
		{"%%writefile a.go\nfunc f() {", "complete", ""},
		{"%env A=1\nfunc f() {", "incomplete", "    "},
		{"", "complete", ""},
	}
	for _, tt := range tests {
		got := IsComplete(tt.code)
		if got.Status != tt.status || got.Indent != tt.indent {
			t.Errorf("IsComplete(%q) = %q indent %q, want %q indent %q", tt.code, got.Status, got.Indent, tt.status, tt.indent)
		}
	}
}
