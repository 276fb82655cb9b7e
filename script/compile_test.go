package script

import (
	"strings"
	"testing"
)

// fakeEnv is a session seen by the cell compiler.
type fakeEnv struct {
	globals  map[string]bool
	imps     map[string]bool
	ints     map[string]bool
	pkgs     map[string][]string
	funcs    map[string]string // source of generic functions
	varTypes map[string]string
}

func (f fakeEnv) declared(n string) bool       { return f.globals[n] }
func (f fakeEnv) imported(n string) bool       { return f.imps[n] }
func (f fakeEnv) integer(n string) bool        { return f.ints[n] }
func (f fakeEnv) candidates(n string) []string { return f.pkgs[n] }
func (f fakeEnv) genericFunc(n string) (genericSignature, bool) {
	if src, ok := f.funcs[n]; ok {
		return parseGenericFunc(src)
	}
	return genericSignature{}, false
}
func (f fakeEnv) varType(n string) string { return f.varTypes[n] }
func (f fakeEnv) varTypeExpr(n string) string {
	if n == "pt" {
		return "Point"
	}
	return ""
}
func (f fakeEnv) method(typ, name string) (methodInfo, bool) {
	if typ == "Point" && name == "Dist" {
		return methodInfo{sig: "(o Point) float64"}, true
	}
	return methodInfo{}, false
}
func (f fakeEnv) variadicIface(x, name string) (string, int, bool) {
	if x == "p" && name == "Add" {
		return "plot.Plotter", 0, true
	}
	return "", 0, false
}

var testEnv = fakeEnv{
	globals: map[string]bool{"old": true, "n": true, "Pair": true, "Sum": true, "Map": true, "xs": true, "half": true},
	funcs: map[string]string{
		"Pair": "func Pair[K comparable, V any](k K, v V) string { return fmt.Sprint(k, v) }",
		"Sum":  "func Sum[T int | float64](xs ...T) (s T) { return }",
		"Map":  "func Map[T, U any](xs []T, f func(T) U) (out []U) { return }",
	},
	varTypes: map[string]string{"xs": "[]float64", "half": "float64", "n": "int"},
	imps:     map[string]bool{"fmt": true},
	ints:     map[string]bool{"n": true},
	pkgs: map[string][]string{
		"strings": {"strings"}, "mat": {"gonum.org/v1/gonum/mat"}, "slices": {"slices"}, "maps": {"maps"},
		"rand": {"math/rand", "math/rand/v2"}, "os": {"os"},
	},
}

// describe renders a plan as one line per unit: kind@line: source.
func describe(p *plan) string {
	var b strings.Builder
	for _, im := range p.Imports {
		b.WriteString("import " + im.Path)
		if im.Auto {
			b.WriteString(" (auto)")
		}
		b.WriteString("\n")
	}
	for _, u := range p.Units {
		kind := "stmt"
		if u.Kind == unitDecl {
			kind = "decl"
		}
		b.WriteString(kind + "@" + itoa(u.Line) + ": " + u.Src + "\n")
	}
	if p.HasMain {
		b.WriteString("main\n")
	}
	return b.String()
}

func TestCompileCell(t *testing.T) {
	tests := []struct {
		name, cell, want string
	}{
		{"expression is shown", "1 + 2", "stmt@1: _gonote.ShowValues(1 + 2)\n"},
		{"print is not shown", `fmt.Println("x")`, "stmt@1: fmt.Println(\"x\")\n"},
		{"mixed order", "x := 1\nfunc f() int { return x }\ntype T struct{}\nf()",
			"stmt@1: x := 1\ndecl@2: func f() int { return x }\ntype T struct{}\nstmt@4: _gonote.ShowCall(f())\n"},
		{"for clause is one statement", "for i := 0; i < 3; i++ {\n}", "stmt@1: for i := 0; i < 3; i++ {\n}\n"},
		{"if with init", "if v := 1; v > 0 {\n}", "stmt@1: if v := 1; v > 0 {\n}\n"},
		{"semicolons split statements", "a := 1; b := 2", "stmt@1: a := 1\nstmt@1: b := 2\n"},
		{"auto-import", `strings.ToUpper("a")`, "import strings (auto)\nstmt@1: _gonote.ShowCall(strings.ToUpper(\"a\"))\n"},
		{"no auto-import of a local name", "strings := []int{}\nlen(strings)", "stmt@1: strings := []int{}\nstmt@2: _gonote.ShowCall(len(strings))\n"},
		{"explicit import", "import m \"math\"\nm.Pi", "import math\nstmt@2: _gonote.ShowValues(m.Pi)\n"},
		{"comma-ok map index", "v, ok := m[k]", "stmt@1: v := m[k]; ok := _gonote.Has(m, k)\n"},
		{"comma-ok assign", "v, ok = m[k]", "stmt@1: v = m[k]; ok = _gonote.Has(m, k)\n"},
		{"comma-ok type assertion", "f, ok := x.(float64)", "stmt@1: f, ok := func() (float64, bool) { v, ok := x.(float64); return v, ok }()\n"},
		{"comma-ok inside a function is left alone", "func g(m map[int]int) bool { _, ok := m[1]; return ok }",
			"decl@1: func g(m map[int]int) bool { _, ok := m[1]; return ok }\n"},
		{"range over an int literal", "for i := range 3 {\n}", "stmt@1: for i, _gonoteN1 := (3)*0, (3); i < _gonoteN1; i++ {\n}\n"},
		{"range over an int global", "for range n {\n}", "stmt@1: for _gonoteI1, _gonoteN1 := (n)*0, (n); _gonoteI1 < _gonoteN1; _gonoteI1++ {\n}\n"},
		{"range over a slice is left alone", "for i := range xs {\n}", "stmt@1: for i := range xs {\n}\n"},
		{"range over maps.Keys", "for k := range maps.Keys(m) {\n}", "import maps (auto)\nstmt@1: for _, k := range _gonoteKeys(m) {\n}\n"},
		{"min with a typed argument first", "min(1, x)", "stmt@1: _gonote.ShowCall(_gonoteMin(x, 1))\n"},
		{"max of constants with a float", "max(1, 2.5)", "stmt@1: _gonote.ShowCall(_gonoteMax(float64(1), 2.5))\n"},
		{"clear", "clear(m)", "stmt@1: _gonote.ShowCall(_gonote.Clear(m))\n"},
		{"user-defined min is not rewritten", "func min(a, b int) int { return a }\nmin(1, 2)",
			"decl@1: func min(a, b int) int { return a }\nstmt@2: _gonote.ShowCall(min(1, 2))\n"},
		{"slices.Sort", "slices.Sort(xs)", "import slices (auto)\nstmt@1: _gonote.ShowCall(_gonote.Sort(xs))\n"},
		{"slices.Sorted of maps.Keys", "slices.Sorted(maps.Keys(m))", "import slices (auto)\nimport maps (auto)\nstmt@1: _gonote.ShowCall(_gonoteSorted(_gonoteKeys(m)))\n"},
		{"go statement binds arguments", "go work(i, j)", "stmt@1: _gonote.GoCall(work, i, j)\n"},
		{"go with a func literal", "go func(k int) {\n\tuse(k)\n}(i)", "stmt@1: _gonote.GoCall(func(k int) {\n\tuse(k)\n}, i)\n"},
		{"go of a builtin", "go println(1)", "stmt@1: _gonote.Go(func() { println(1) })\n"},
		{"go inside a function", "func g() { go work() }", "decl@1: func g() { _gonote.GoCall(work) }\n"},
		{"top-level defer", "defer f.Close()", "stmt@1: _gonote.DeferCall(f.Close)\n"},
		{"defer inside a function evaluates its call now", "func g(x int) {\n\tdefer fmt.Println(x)\n\tdefer close(ch)\n\tx++\n}",
			"decl@1: func g(x int) { _gonoteDefers := _gonote.NewDefers(); defer _gonoteDefers.Run();\n\t_gonoteDefers.DeferCall(fmt.Println, x)\n\t_gonoteDefers.Defer(func() { close(ch) })\n\tx++\n}\n"},
		{"one defer yaegi gets right is left alone", "func g() {\n\tgo func() { defer wg.Done() }()\n\tmu.Lock()\n\tdefer mu.Unlock()\n}",
			"decl@1: func g() {\n\t_gonote.GoCall(func() { defer wg.Done() })\n\tmu.Lock()\n\tdefer mu.Unlock()\n}\n"},
		{"each function literal has its own deferred calls", "func g() {\n\tdefer fmt.Println(1)\n\tgo func(n int) {\n\t\tdefer log(n)\n\t\tn++\n\t}(2)\n}",
			"decl@1: func g() {\n\tdefer fmt.Println(1)\n\t_gonote.GoCall(func(n int) { _gonoteDefers := _gonote.NewDefers(); defer _gonoteDefers.Run();\n\t\t_gonoteDefers.DeferCall(log, n)\n\t\tn++\n\t}, 2)\n}\n"},
		{"top-level return", "if x {\n\treturn\n}", "stmt@1: if x {\n\tpanic(_gonote.ReturnSignal)\n}\n"},
		{"func main is renamed and run", "func main() {}", "decl@1: func _gonoteMain() {}\nmain\n"},
		{"os.Stdin reads through the runtime", "r := bufio.NewReader(os.Stdin)", "import os (auto)\nstmt@1: r := bufio.NewReader(_gonote.Stdin())\n"},
		{"generic call: mixed untyped constants take the larger kind", "func Max[T int | float64](a, b T) T { return a }\nMax(2, 2.5)",
			"decl@1: func Max[T int | float64](a, b T) T { return a }\nstmt@2: _gonote.ShowCall(Max[float64](2, 2.5))\n"},
		{"generic call: a typed argument wins over untyped constants", "func Max[T int | float64](a, b T) T { return a }\nMax(2, half)",
			"decl@1: func Max[T int | float64](a, b T) T { return a }\nstmt@2: _gonote.ShowCall(Max[float64](2, half))\n"},
		{"generic call of an earlier cell's function", `Pair("k", 1)`, "stmt@1: _gonote.ShowCall(Pair[string, int](\"k\", 1))\n"},
		{"generic variadic call", "Sum(half, 1)", "stmt@1: _gonote.ShowCall(Sum[float64](half, 1))\n"},
		{"generic variadic call with a spread slice", "Sum(xs...)", "stmt@1: _gonote.ShowCall(Sum[float64](xs...))\n"},
		{"generic call with a variable of the same statement", "a, b := 1.5, 2.5\nSum(a, b)", "stmt@1: a, b := 1.5, 2.5\nstmt@2: _gonote.ShowCall(Sum[float64](a, b))\n"},
		{"generic call through a function literal's type", "Map(xs, func(x float64) string { return \"\" })",
			"stmt@1: _gonote.ShowCall(Map[float64, string](xs, func(x float64) string { return \"\" }))\n"},
		{"generic call with an argument of unknown type is left to the interpreter", "Pair(f(), 1)", "stmt@1: _gonote.ShowCall(Pair(f(), 1))\n"},
		{"generic call that is already instantiated is left alone", "Sum[int](1, 2)", "stmt@1: _gonote.ShowCall(Sum[int](1, 2))\n"},
		{"a closure in a range loop gets a per-iteration copy", "for _, v := range xs {\n\tfs = append(fs, func() float64 { return v })\n}",
			"stmt@1: for _, v := range xs { v := v;\n\tfs = append(fs, func() float64 { return v })\n}\n"},
		{"a goroutine in a three-clause loop gets a per-iteration copy", "for i := 0; i < 3; i++ {\n\tgo work(i)\n}",
			"stmt@1: for i := 0; i < 3; i++ { i := i;\n\t_gonote.GoCall(work, i)\n}\n"},
		{"a pointer to a loop variable in a function", "func g() {\n\tfor k, v := range m {\n\t\tkeep(&v)\n\t}\n}",
			"decl@1: func g() {\n\tfor k, v := range m { v := v;\n\t\tkeep(&v)\n\t}\n}\n"},
		{"a goroutine's function literal in a loop is held in a variable", "for _, v := range xs {\n\tgo func() { use(v) }()\n}",
			"stmt@1: for _, v := range xs { v := v;\n\t_gonoteF1 := func() { use(v) }; _gonote.GoCall(_gonoteF1)\n}\n"},
		{"a literal deferred in a loop of a function copies the iteration's variables", "func g() {\n\tfor i := range 3 {\n\t\tdefer func() { use(i) }()\n\t}\n}",
			"decl@1: func g() { _gonoteDefers := _gonote.NewDefers(); defer _gonoteDefers.Run();\n\tfor i, _gonoteN1 := (3)*0, (3); i < _gonoteN1; i++ { i := i;\n\t\t_gonoteDefers.DeferCall(func() func() { i := i; return func() { use(i) } }())\n\t}\n}\n"},
		{"a three-clause loop that assigns its variable is left alone", "for i := 0; i < 9; i++ {\n\ti++\n\tgo work(i)\n}",
			"stmt@1: for i := 0; i < 9; i++ {\n\ti++\n\t_gonote.GoCall(work, i)\n}\n"},
		{"a body with its own copy is left alone", "for _, v := range xs {\n\tv := v\n\tgo use(func() { v })\n}",
			"stmt@1: for _, v := range xs {\n\tv := v\n\t_gonote.GoCall(use, func() { v })\n}\n"},
		{"the operand of %w reaches fmt as an error", `e := fmt.Errorf("step %d: %w", n, err)`,
			"stmt@1: e := fmt.Errorf(\"step %d: %w\", n, _gonote.AsError(err))\n"},
		{"a method value copies its receiver when taken", "type Point struct{ X, Y float64 }\nfunc (p Point) Norm() float64 { return p.X }\nfunc (p *Point) Move(dx float64) { p.X += dx }\na := Point{3, 4}\nf, g := a.Norm, a.Move\na.Norm()",
			"decl@1: type Point struct{ X, Y float64 }\nfunc (p Point) Norm() float64 { return p.X }\nfunc (p *Point) Move(dx float64) { p.X += dx }\nstmt@4: a := Point{3, 4}\nstmt@5: f, g := func(_gonoteR1 Point) func() float64 { return _gonoteR1.Norm }(a), a.Move\nstmt@6: _gonote.ShowCall(a.Norm())\n"},
		{"a method value of an earlier cell's type", "h := pt.Dist", "stmt@1: h := func(_gonoteR1 Point) func(o Point) float64 { return _gonoteR1.Dist }(pt)\n"},
		{"go with a value method binds its receiver at the go statement", "type Exp struct{ ID int }\nfunc (e Exp) Run() {}\nfor _, e := range []Exp{{1}, {2}} {\n\tgo e.Run()\n}",
			"decl@1: type Exp struct{ ID int }\nfunc (e Exp) Run() {}\nstmt@3: for _, e := range []Exp{{1}, {2}} { e := e;\n\t_gonote.GoCall(func(_gonoteR1 Exp) func() { return _gonoteR1.Run }(e))\n}\n"},
		{"a loop without captures is left alone", "for _, v := range xs {\n\ts += v\n}", "stmt@1: for _, v := range xs {\n\ts += v\n}\n"},
		{"shebang and package clause are blanked", "#!/usr/bin/env -S gonote run\npackage main\nx := 1",
			"stmt@3: x := 1\n"},
		{"variadic interface arguments are wrapped in a slice", "p.Add(a, b)", "stmt@1: _gonote.ShowCall(p.Add([]plot.Plotter{a, b}...))\n"},
		{"a spread call is left alone", "p.Add(xs...)", "stmt@1: _gonote.ShowCall(p.Add(xs...))\n"},
		{"consecutive declarations form one unit", "func a() int { return b() }\n\nfunc b() int { return 1 }",
			"decl@1: func a() int { return b() }\n\nfunc b() int { return 1 }\n"},
	}
	for _, tt := range tests {
		p, err := compileCell(tt.cell, testEnv)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := describe(p); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestCompileCellErrors(t *testing.T) {
	tests := []struct {
		name, cell string
		line, col  int
		msg        string
	}{
		{"syntax error", "x := 1\ny := )", 2, 6, "expected operand, found ')'"},
		{"unfinished expression", "x := (1 +", 1, 1, "unexpected end of cell: an expression or a bracket is not complete"},
		{"ambiguous package", "rand.Int()", 1, 1, `rand is ambiguous: several bundled packages are named rand; add one of: import "math/rand", import "math/rand/v2"`},
		{"return with a value", "return 1", 1, 1, "return with values at the top level of a cell: a cell is not a function; show a value by writing it as the last line"},
		{"main with arguments", "func main(x int) {}", 1, 1, "func main must have no arguments and no results"},
		{"deferred call of a closure variable", "func f() {\n\th := func() {}\n\tdefer h()\n}", 3, 8, deferredClosureMsg("h")},
		{"type argument bound by no argument", "func Zero[T any]() T {\n\tvar z T\n\treturn z\n}\nx := 1 + Zero()", 5, 10, "in call to Zero, cannot infer T"},
		{"variadic type parameter without arguments", "func Sum[T int | float64](xs ...T) T {\n\treturn xs[0]\n}\nSum()", 4, 1, "in call to Sum, cannot infer T"},
		{"closure variable called from a deferred literal", "func f() {\n\tvar done func()\n\tdone = func() {}\n\tdefer func() { done() }()\n}", 4, 17, deferredClosureMsg("done")},
	}
	for _, tt := range tests {
		_, err := compileCell(tt.cell, testEnv)
		ce, ok := err.(*compileError)
		if !ok {
			t.Errorf("%s: error %v, want a compileError", tt.name, err)
			continue
		}
		if ce.Line != tt.line || ce.Col != tt.col || ce.Msg != tt.msg {
			t.Errorf("%s: got %d:%d %q, want %d:%d %q", tt.name, ce.Line, ce.Col, ce.Msg, tt.line, tt.col, tt.msg)
		}
	}
}

// Deferred calls that yaegi runs fine compile: a named function, a
// parameter, a literal deferred directly, a closure at the top level of a
// cell (deferred by the session, not by yaegi).
func TestCompileCellAllowsSafeDefers(t *testing.T) {
	for _, cell := range []string{
		"func cleanup() {}\nfunc f() {\n\tdefer cleanup()\n}",
		"func f(done func()) {\n\tdefer done()\n}",
		"func f() {\n\tdefer func() { recover() }()\n}",
		"func f() {\n\th := cleanup\n\tdefer h()\n}",
		"h := func() {}\ndefer h()",
	} {
		if _, err := compileCell(cell, testEnv); err != nil {
			t.Errorf("%q: %v", cell, err)
		}
	}
}

func deferredClosureMsg(name string) string {
	return "a deferred call of " + name + ", a function literal held in a variable of this function, would hang the interpreter (yaegi runs deferred calls under a lock the literal takes again); defer the literal itself, defer func() { ... }(), or declare " + name + " as a named function"
}

func TestCompileCellRecordsDefinitions(t *testing.T) {
	p, err := compileCell("type P struct{ X int }\nfunc (p P) Get() int { return p.X }\nvar q = P{1}\nz := 2.5", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range p.Units {
		for _, d := range u.Decls {
			names = append(names, d.Kind+":"+d.Name+":"+d.TypeExpr)
		}
		for _, d := range u.Defines {
			names = append(names, "define:"+d+":"+u.DefExpr[d])
		}
	}
	want := "type:P:,method:P.Get:,var:q:P,define:z:float64"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("definitions %s, want %s", got, want)
	}
}
