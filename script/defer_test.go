package script

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// deferFile is a type whose pointer method records that it was closed.
type deferFile struct {
	name string
	log  *[]string
}

func (f *deferFile) Close() { *f.log = append(*f.log, "close "+f.name) }

// deferPoint has a value method: a deferred call copies the receiver.
type deferPoint struct{ X int }

func (p deferPoint) Show(log *[]string) { *log = append(*log, "show "+strconv.Itoa(p.X)) }

// Deferred calls in functions evaluate their function, receiver and
// arguments at the defer statement and run last first, as in Go: yaegi
// kept references to the variables, so `defer f.Close()` in a loop closed
// the last file every time and `defer fmt.Println(x)` printed x's last
// value. Each cell is compared with the same code compiled here.
func TestDeferredCallsMatchGo(t *testing.T) {
	const decls = `type deferFile struct {
	name string
	log  *[]string
}
func (f *deferFile) Close() { *f.log = append(*f.log, "close "+f.name) }
type deferPoint struct{ X int }
func (p deferPoint) Show(log *[]string) { *log = append(*log, "show "+strconv.Itoa(p.X)) }`
	tests := []struct {
		name, cell string
		want       func() []string
	}{
		{"arguments are evaluated at the defer", `func run() (log []string) {
	x := 1
	defer func(v int) { log = append(log, "lit "+strconv.Itoa(v)) }(x)
	defer fmt.Sprint(x) // evaluated, result dropped
	x = 5
	log = append(log, "x="+strconv.Itoa(x))
	return log
}`, func() (log []string) {
			x := 1
			defer func(v int) { log = append(log, "lit "+strconv.Itoa(v)) }(x)
			defer fmt.Sprint(x)
			x = 5
			log = append(log, "x="+strconv.Itoa(x))
			return log
		}},
		{"a pointer receiver per iteration", `func run() (log []string) {
	for _, n := range []string{"a", "b", "c"} {
		f := &deferFile{n, &log}
		defer f.Close()
	}
	return nil
}`, func() (log []string) {
			for _, n := range []string{"a", "b", "c"} {
				f := &deferFile{n, &log}
				defer f.Close()
			}
			return nil
		}},
		{"a reassigned pointer", `func run() (log []string) {
	var f *deferFile
	for _, n := range []string{"a", "b"} {
		f = &deferFile{n, &log}
		defer f.Close()
	}
	return nil
}`, func() (log []string) {
			var f *deferFile
			for _, n := range []string{"a", "b"} {
				f = &deferFile{n, &log}
				defer f.Close()
			}
			return nil
		}},
		{"a value receiver is copied", `func run() (log []string) {
	p := deferPoint{1}
	defer p.Show(&log)
	p.X = 2
	return nil
}`, func() (log []string) {
			p := deferPoint{1}
			defer p.Show(&log)
			p.X = 2
			return nil
		}},
		{"literals see their own iteration", `func run() (log []string) {
	for i := 0; i < 3; i++ {
		defer func() { log = append(log, "i="+strconv.Itoa(i)) }()
	}
	for _, s := range []string{"p", "q"} {
		t := s + s
		defer func() { log = append(log, t) }()
	}
	return nil
}`, func() (log []string) {
			for i := 0; i < 3; i++ {
				defer func() { log = append(log, "i="+strconv.Itoa(i)) }()
			}
			for _, s := range []string{"p", "q"} {
				t := s + s
				defer func() { log = append(log, t) }()
			}
			return nil
		}},
		{"order across kinds of defer", `func run() (log []string) {
	defer func() { log = append(log, "first") }()
	defer deferPoint{7}.Show(&log)
	var b bytes.Buffer
	b.WriteString("buffered")
	defer func(s string) { log = append(log, s) }(b.String())
	b.Reset()
	return nil
}`, func() (log []string) {
			defer func() { log = append(log, "first") }()
			defer deferPoint{7}.Show(&log)
			var b bytes.Buffer
			b.WriteString("buffered")
			defer func(s string) { log = append(log, s) }(b.String())
			b.Reset()
			return nil
		}},
		{"recover in a deferred literal", `func run() (log []string) {
	defer func() {
		if r := recover(); r != nil {
			log = append(log, fmt.Sprint("recovered ", r))
		}
	}()
	defer func() { log = append(log, "cleanup") }()
	panic("boom")
}`, func() (log []string) {
			defer func() {
				if r := recover(); r != nil {
					log = append(log, fmt.Sprint("recovered ", r))
				}
			}()
			defer func() { log = append(log, "cleanup") }()
			panic("boom")
		}},
		{"a deferred call that panics does not stop the others", `func inner(log *[]string) {
	defer func() { *log = append(*log, "still runs") }()
	defer func() { panic("in defer") }()
}
func run() (log []string) {
	defer func() { log = append(log, fmt.Sprint("outer got ", recover())) }()
	inner(&log)
	return nil
}`, func() (log []string) {
			inner := func(log *[]string) {
				defer func() { *log = append(*log, "still runs") }()
				defer func() { panic("in defer") }()
			}
			defer func() { log = append(log, fmt.Sprint("outer got ", recover())) }()
			inner(&log)
			return nil
		}},
	}
	h := newHarness(t)
	if o := h.run("import (\"bytes\"; \"strconv\")\n" + decls); o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, tt := range tests {
		o := h.run(tt.cell + "\nstrings.Join(run(), \", \")")
		if want := strconv.Quote(strings.Join(tt.want(), ", ")); o.Err != nil || o.Result != want {
			t.Errorf("%s: got %s (error %v), want %s", tt.name, o.Result, o.Err, want)
		}
	}
}
