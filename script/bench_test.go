package script

import (
	"context"
	"os"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The cell compiler's overhead is the difference between running a trivial
// cell through Session.Execute and handing the same text to yaegi's own
// Eval; BenchmarkCompileCell measures the pure go/ast part.

func devNull(b *testing.B) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

func BenchmarkYaegiEvalTrivial(b *testing.B) {
	in := interp.New(interp.Options{Stdout: devNull(b), Stderr: devNull(b)})
	if err := in.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	in.Eval("x := 1")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := in.Eval("x + 1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSessionExecuteTrivial(b *testing.B) {
	s, err := NewSession(Options{Stdout: devNull(b), Stderr: devNull(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if e := s.Execute(ctx, "x := 1", 1, false); e != nil {
		b.Fatal(e)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if e := s.Execute(ctx, "x + 1", i+2, false); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkCompileCell(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := compileCell("x + 1", testEnv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileCellMixed(b *testing.B) {
	cell := "import \"strings\"\ntype T struct{ A int }\nt := T{3}\nfunc (t T) Twice() int { return 2 * t.A }\nv, ok := m[\"a\"]\nfor i := range 3 {\n\tfmt.Println(i, v, ok)\n}\nstrings.Repeat(\"a\", t.Twice())"
	for i := 0; i < b.N; i++ {
		if _, err := compileCell(cell, testEnv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewSession is the cost of a session's start that the prelude
// and the interpreter's symbol tables add to every kernel start and restart.
func BenchmarkNewSession(b *testing.B) {
	stdout, stderr := devNull(b), devNull(b)
	for i := 0; i < b.N; i++ {
		s, err := NewSession(Options{Stdout: stdout, Stderr: stderr})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkFunctionDefers runs a cell that calls a function with a
// deferred call 10,000 times: the mutex pattern, which keeps yaegi's own
// defer, and a deferred call whose argument changes later, which goes
// through the function's defer stack (see functionDefer).
func BenchmarkFunctionDefers(b *testing.B) {
	funcs := []struct{ name, decl string }{
		{"yaegi", "func hit() {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\thits++\n}"},
		{"stack", "func hit() {\n\tn := hits\n\tdefer keep(n)\n\tn++\n\thits++\n}"},
	}
	for _, f := range funcs {
		b.Run(f.name, func(b *testing.B) {
			s, err := NewSession(Options{Stdout: devNull(b), Stderr: devNull(b)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			decl := "import \"sync\"\nvar mu sync.Mutex\nvar hits, kept int\nfunc keep(n int) { kept = n }\n" + f.decl
			if e := s.Execute(ctx, decl, 1, false); e != nil {
				b.Fatal(e)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if e := s.Execute(ctx, "for k := 0; k < 10000; k++ {\n\thit()\n}", i+2, false); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}
