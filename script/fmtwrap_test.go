package script

import (
	"fmt"
	"strings"
	"testing"
)

type fmtState int

func (s fmtState) String() string { return [...]string{"Idle", "Run"}[s] }

type fmtTemp float64

func (t fmtTemp) String() string { return fmt.Sprintf("%.1f°C", float64(t)) }

type fmtCodeErr struct{ Code int }

func (e fmtCodeErr) Error() string { return fmt.Sprint("code ", e.Code) }

type fmtPathErr struct{ Path string }

func (e *fmtPathErr) Error() string { return "bad path " + e.Path }

// Values of cell types with String and Error methods print through fmt as
// compiled Go prints them (yaegi printed its Stringer wrapper for %d and
// %.2f, and an error's fields instead of its message). Each cell prints
// what the same code prints compiled here.
func TestFmtPrintsCellTypesAsGo(t *testing.T) {
	const decls = `type fmtState int
func (s fmtState) String() string { return [...]string{"Idle", "Run"}[s] }
type fmtTemp float64
func (t fmtTemp) String() string { return fmt.Sprintf("%.1f°C", float64(t)) }
type fmtCodeErr struct{ Code int }
func (e fmtCodeErr) Error() string { return fmt.Sprint("code ", e.Code) }
type fmtPathErr struct{ Path string }
func (e *fmtPathErr) Error() string { return "bad path " + e.Path }
s, temp := fmtState(1), fmtTemp(21.55)`
	s, temp := fmtState(1), fmtTemp(21.55)
	tests := []struct{ cell, want string }{
		{`fmt.Printf("%v %s %d %x %q %5v|%-5s|", s, s, s, s, s, s, s)`, fmt.Sprintf("%v %s %d %x %q %5v|%-5s|", s, s, s, s, s, s, s)},
		{`fmt.Printf("%+v %#v %03d", s, s, s)`, fmt.Sprintf("%+v %#v %03d", s, s, s)},
		{`fmt.Printf("%v %.2f %6.1f %e", temp, temp, temp, temp)`, fmt.Sprintf("%v %.2f %6.1f %e", temp, temp, temp, temp)},
		{`fmt.Print(fmt.Sprint(s, temp), fmt.Sprintln(s))`, fmt.Sprint(fmt.Sprint(s, temp), fmt.Sprintln(s))},
		{`fmt.Println(fmtCodeErr{7}, &fmtPathErr{"/x"})`, fmt.Sprintln(fmtCodeErr{7}, &fmtPathErr{"/x"})},
		{`fmt.Printf("%v|%s|%q", fmtCodeErr{3}, fmtCodeErr{3}, fmtCodeErr{3})`, fmt.Sprintf("%v|%s|%q", fmtCodeErr{3}, fmtCodeErr{3}, fmtCodeErr{3})},
		{`fmt.Print(fmt.Errorf("loading: %v", fmtCodeErr{4}))`, fmt.Sprint(fmt.Errorf("loading: %v", fmtCodeErr{4}))},
		{"func check() error { return &fmtPathErr{\"/y\"} }\nfmt.Println(\"failed:\", check())", fmt.Sprintln("failed:", error(&fmtPathErr{"/y"}))},
	}
	h := newHarness(t)
	if o := h.run(decls); o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, tt := range tests {
		o := h.run(tt.cell)
		if o.Err != nil || o.Stdout != tt.want {
			t.Errorf("%s\nprinted %q (error %v), want %q", tt.cell, o.Stdout, o.Err, tt.want)
		}
	}
}

// Declaring Error() with a value receiver on a struct type prints a note
// that says what does not work and what to write instead; a pointer
// receiver, or a value receiver on a non-struct type, prints none.
func TestValueReceiverErrorsAreNoted(t *testing.T) {
	tests := []struct {
		cell string
		note bool
	}{
		{"type ValErr struct{ Code int }\nfunc (e ValErr) Error() string { return \"v\" }", true},
		{"type PtrErr struct{ Code int }\nfunc (e *PtrErr) Error() string { return \"p\" }", false},
		{"type CodeNum int\nfunc (c CodeNum) Error() string { return \"n\" }", false},
		{"type Later struct{ A, B int }", false},
		{"func (l Later) Error() string { return \"later\" }", true},
	}
	h := newHarness(t)
	for _, tt := range tests {
		o := h.run(tt.cell)
		noted := strings.Contains(o.Stderr, "has Error() with a value receiver")
		if o.Err != nil || noted != tt.note {
			t.Errorf("%q: stderr %q (error %v), want a note: %v", tt.cell, o.Stderr, o.Err, tt.note)
		}
	}
}
