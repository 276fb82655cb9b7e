package script

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

func TestYaegiDefersSuffice(t *testing.T) {
	tests := []struct {
		name, fn string
		want     bool
	}{
		{"a global mutex", "func f() { mu.Lock(); defer mu.Unlock() }", true},
		{"a receiver's field", "func (c *C) f() { c.mu.Lock(); defer c.mu.Unlock() }", true},
		{"a parameter never changed", "func f(x int) { defer fmt.Println(x, true) }", true},
		{"calls in the arguments", "func f(x int) { defer fmt.Println(len(xs), float64(x), g(total)); x++; total++ }", true},
		{"a literal that recovers", "func f() { defer func() { recover() }() }", true},
		{"a local cancel func", "func f() { ctx, cancel := context.WithCancel(ctx0); defer cancel(); use(ctx) }", true},
		{"a composite literal of constants", "func f() { defer show(Point{X: 1, Y: 2}) }", true},
		{"a parameter changed later", "func f(x int) { defer fmt.Println(x); x++ }", false},
		{"a defer in a loop", "func f() { for i := 0; i < 3; i++ { defer g() } }", false},
		{"two defers", "func f() { defer a(); defer b() }", false},
		{"a receiver reassigned", "func f() { file, _ := os.Open(\"x\"); defer file.Close(); file, _ = os.Open(\"y\") }", false},
		{"a global argument", "func f() { defer fmt.Println(total) }", false},
		{"an argument changed by a method", "func f() { var b bytes.Buffer; defer fmt.Println(b); b.WriteString(\"x\") }", false},
		{"an argument whose address is taken", "func f() { n := 1; defer fmt.Println(n); bump(&n) }", false},
		{"an argument changed by a closure", "func f() { n := 1; defer fmt.Println(n); func() { n = 2 }() }", false},
		{"a field of a local struct set later", "func f() { p := Point{}; defer show(p.X); p.X = 3 }", false},
		{"a function value reassigned", "func f() { h := g; defer h(); h = nil }", false},
	}
	for _, tt := range tests {
		file, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+tt.fn, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		fd := file.Decls[0].(*ast.FuncDecl)
		if got := yaegiDefersSuffice(fd, fd.Body); got != tt.want {
			t.Errorf("%s: yaegiDefersSuffice(%s) = %v, want %v", tt.name, tt.fn, got, tt.want)
		}
	}
}
