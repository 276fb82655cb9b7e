package complete

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/traefik/yaegi/stdlib"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"

	"github.com/gonote/gonote/script/symbols"
)

// fakeSession is a Session whose snapshot can be swapped atomically, as the
// runner does after each cell.
type fakeSession struct {
	globals atomic.Pointer[[]Global]
}

func (f *fakeSession) Globals() []Global { return *f.globals.Load() }

func (f *fakeSession) set(gs []Global) { f.globals.Store(&gs) }

func (f *fakeSession) Magics() []string {
	return []string{"%%html", "%%writefile", "%env", "%time", "%timeit", "%who"}
}

func testGlobals() []Global {
	return []Global{
		{Name: "p", Kind: KindVar, Type: "*plot.Plot", GoType: reflect.TypeFor[*plot.Plot](), Value: "&plot.Plot{...}"},
		{Name: "d", Kind: KindVar, Type: "*mat.Dense", GoType: reflect.TypeFor[*mat.Dense]()},
		{Name: "xs", Kind: KindVar, Type: "[]float64", GoType: reflect.TypeFor[[]float64](), Value: "[1 2 3]"},
		{Name: "fit", Kind: KindFunc, Type: "func(xs []float64) Point", Doc: "fit returns the centre of xs."},
		{Name: "Point", Kind: KindType, Type: "struct {\n\tX, Y float64\n}",
			Fields:  []Member{{Name: "X", Type: "float64"}, {Name: "Y", Type: "float64"}},
			Methods: []Member{{Name: "Norm", Type: "func() float64"}, {Name: "Scale", Type: "func(k float64) Point"}}},
		{Name: "Pair", Kind: KindType, Type: "struct{ A, B *mat.Dense }"},
		// a value of a cell-defined type: its reflect type is an anonymous struct
		{Name: "pt", Kind: KindVar, Type: "Point", GoType: reflect.TypeOf(struct{ X, Y float64 }{}), Value: "{1 2}"},
		{Name: "pts", Kind: KindVar, Type: "[]Point"},
		{Name: "pr", Kind: KindVar, Type: "*Pair"},
		{Name: "str", Kind: KindImport, Type: "strings"},
		{Name: "Loop", Kind: KindType, Type: "*Loop"}, // valid Go: type Loop *Loop
		{Name: "lp", Kind: KindVar, Type: "Loop"},
		{Name: "nTrials", Kind: KindConst, Type: "int", Value: "100"},
	}
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	s := &fakeSession{}
	s.set(testGlobals())
	return New(s, stdlib.Symbols, symbols.Symbols)
}

// cursor splits code at the marker ‸ and returns the code without it and
// the cursor position in code points.
func cursor(t testing.TB, marked string) (string, int) {
	t.Helper()
	i := strings.Index(marked, "‸")
	if i < 0 {
		t.Fatalf("no cursor marker in %q", marked)
	}
	return marked[:i] + marked[i+len("‸"):], utf8.RuneCountInString(marked[:i])
}

func typeOf(r CompleteReply, match string) (TypeInfo, bool) {
	for _, ti := range r.Metadata[TypesKey].([]TypeInfo) {
		if ti.Text == match {
			return ti, true
		}
	}
	return TypeInfo{}, false
}

func TestComplete(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		name    string
		code    string
		want    []string // exact matches, unless contains is set
		contain []string // matches that must be present
		start   int      // expected cursor_start, -1: word start computed from the marker
		typ     map[string]TypeInfo
	}{
		{name: "package member with signature", code: "strings.ToU‸", want: []string{"ToUpper", "ToUpperSpecial"}, start: 8,
			typ: map[string]TypeInfo{"ToUpper": {Type: "function", Signature: "func ToUpper(s string) string"}}},
		{name: "bundled package member", code: "m := mat.NewDe‸", want: []string{"NewDense"}, start: 9,
			typ: map[string]TypeInfo{"NewDense": {Type: "function", Signature: "func NewDense(r, c int, data []float64) *Dense"}}},
		{name: "std constant", code: "math.P‸", want: []string{"Phi", "Pi", "Pow", "Pow10"},
			typ: map[string]TypeInfo{"Pi": {Type: "constant", Signature: "const Pi = 3.14159265358979323846264338327950288419716939937510582097494459"}}},
		{name: "field chain of a session var", code: "p.Title.Te‸", want: []string{"Text", "TextStyle"}, start: 8,
			typ: map[string]TypeInfo{"Text": {Type: "field", Signature: "string"}}},
		{name: "all members of an anonymous struct field", code: "p.Title.‸", want: []string{"Padding", "Text", "TextStyle"}},
		{name: "methods of *mat.Dense", code: "d.Mul‸", want: []string{"Mul", "MulElem"},
			typ: map[string]TypeInfo{"Mul": {Type: "method", Signature: "func (m *Dense) Mul(a, b Matrix)"}}},
		{name: "method result chain", code: "d.T().Di‸", want: []string{"Dims"},
			typ: map[string]TypeInfo{"Dims": {Type: "method", Signature: "func (Matrix) Dims() (r, c int)"}}},
		{name: "package func result chain", code: "plot.New().X.Sc‸", want: []string{"Scale"}},
		{name: "name defined earlier in the cell", code: "q := mat.NewDense(2, 2, nil)\nq.SetR‸", want: []string{"SetRawMatrix", "SetRow"}},
		{name: "first of several results", code: "f, err := os.Open(\"data.csv\")\nf.Na‸", want: []string{"Name"}},
		{name: "range value over a slice of cell type", code: "for i, q := range pts {\n\tq.N‸", want: []string{"Norm"}},
		{name: "func parameter", code: "func area(m *mat.Dense, ps ...Point) float64 {\n\tm.Dim‸", want: []string{"Dims"}},
		{name: "variadic parameter", code: "func area(m *mat.Dense, ps ...Point) float64 {\n\tps[0].‸", want: []string{"Norm", "Scale", "X", "Y"}},
		{name: "method receiver", code: "func (pp Point) Len() float64 {\n\treturn pp.No‸", want: []string{"Norm"}},
		{name: "cell var declared with a type", code: "var ax plot.Axis\nax.Tick.Mar‸", want: []string{"Marker"}},
		{name: "cell-defined type value", code: "pt.‸", want: []string{"Norm", "Scale", "X", "Y"},
			typ: map[string]TypeInfo{"Norm": {Type: "method", Signature: "func() float64"}}},
		{name: "method of cell type returning cell type", code: "pt.Scale(2).N‸", want: []string{"Norm"}},
		{name: "index into slice of cell type", code: "pts[0].‸", want: []string{"Norm", "Scale", "X", "Y"}},
		{name: "cell func result", code: "fit(xs).No‸", want: []string{"Norm"}},
		{name: "cell type without member list, compiled field", code: "pr.A.Cap‸", want: []string{"Caps"}},
		{name: "import alias from the session", code: "str.ToL‸", want: []string{"ToLower", "ToLowerSpecial"}},
		{name: "session and builtin names", code: "n‸", contain: []string{"nTrials", "new", "nil"}},
		{name: "builtins", code: "x = pri‸", want: []string{"print", "printer", "println"}},
		{name: "keyword", code: "fal‸", want: []string{"fallthrough", "false"}},
		{name: "package names", code: "plotu‸", want: []string{"plotutil"}},
		{name: "case-insensitive fallback", code: "strings.toup‸", want: []string{"ToUpper", "ToUpperSpecial"}},
		{name: "multi-byte text before the cursor", code: `s := "héllo🙂"; strings.ToU‸`, want: []string{"ToUpper", "ToUpperSpecial"}, start: 23},
		{name: "nothing inside a string", code: `fmt.Println("strings.ToU‸")`, want: []string{}},
		{name: "nothing inside a comment", code: "// strings.ToU‸", want: []string{}},
		{name: "import path", code: "import \"gonum.org/v1/gonum/ma‸", want: []string{"gonum.org/v1/gonum/mat"}, start: 8},
		{name: "import path in a block", code: "import (\n\t\"fmt\"\n\t\"gonum.org/v1/plot/vg/vgs‸", want: []string{"gonum.org/v1/plot/vg/vgsvg"}},
		{name: "self-referential cell type", code: "lp.X‸", want: []string{}},
		{name: "no members of a float", code: "xs[0].‸", want: []string{}},
		{name: "unknown name", code: "nosuchthing.‸", want: []string{}},
		{name: "line magic", code: "%ti‸", want: []string{"%time", "%timeit"}},
		{name: "cell magic", code: "%%w‸", want: []string{"%%writefile"}},
		{name: "line magic after code", code: "x := 1\n  %wh‸", want: []string{"%who"}, start: 9},
		{name: "modulo is not a magic", code: "x := 5 %ti‸", want: []string{"time"}},
		{name: "stdlib estimator package", code: "stats.‸", contain: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, pos := cursor(t, tc.code)
			r := e.Complete(code, pos)
			if r.Status != "ok" {
				t.Fatalf("status %q", r.Status)
			}
			if tc.want != nil && !slices.Equal(r.Matches, tc.want) {
				t.Errorf("matches = %v, want %v", r.Matches, tc.want)
			}
			for _, c := range tc.contain {
				if !slices.Contains(r.Matches, c) {
					t.Errorf("matches %v lack %q", r.Matches, c)
				}
			}
			if r.CursorEnd != pos {
				t.Errorf("cursor_end = %d, want %d", r.CursorEnd, pos)
			}
			if tc.start != 0 && r.CursorStart != tc.start {
				t.Errorf("cursor_start = %d, want %d", r.CursorStart, tc.start)
			}
			for m, want := range tc.typ {
				got, ok := typeOf(r, m)
				if !ok {
					t.Errorf("no type metadata for %q", m)
					continue
				}
				if got.Type != want.Type || got.Signature != want.Signature || got.Start != r.CursorStart || got.End != r.CursorEnd {
					t.Errorf("type metadata of %q = %+v, want type %q signature %q", m, got, want.Type, want.Signature)
				}
			}
		})
	}
}

// TestCompleteStdlibPackages checks that every bundled package's members
// complete after "name.": the tables and the engine agree.
func TestCompleteBundledPackages(t *testing.T) {
	e := newTestEngine(t)
	for _, p := range symbols.Packages {
		if p.Std {
			continue
		}
		t.Run(p.ImportPath, func(t *testing.T) {
			code := p.Name + "."
			r := e.Complete(code, len(code))
			var want []string
			for name := range symbols.Symbols[p.ImportPath+"/"+p.Name] {
				if !strings.HasPrefix(name, "_") {
					want = append(want, name)
				}
			}
			slices.Sort(want)
			paths := e.packagePaths(e.snapshot(), p.Name)
			if len(paths) != 1 {
				// an ambiguous name (draw: image/draw and plot/vg/draw) merges
				for _, w := range want {
					if !slices.Contains(r.Matches, w) {
						t.Errorf("%s missing from %d matches", w, len(r.Matches))
					}
				}
				return
			}
			if !slices.Equal(r.Matches, want) {
				t.Errorf("matches = %v, want %v", r.Matches, want)
			}
		})
	}
}

func TestCompleteReplyJSON(t *testing.T) {
	e := newTestEngine(t)
	code, pos := cursor(t, "strings.ToUpper‸")
	b, err := json.Marshal(e.Complete(code, pos))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"status", "matches", "cursor_start", "cursor_end", "metadata"} {
		if _, ok := got[k]; !ok {
			t.Errorf("complete_reply content lacks %q: %s", k, b)
		}
	}
	types := got["metadata"].(map[string]any)[TypesKey].([]any)
	first := types[0].(map[string]any)
	for _, k := range []string{"start", "end", "text", "type", "signature"} {
		if _, ok := first[k]; !ok {
			t.Errorf("type entry lacks %q: %v", k, first)
		}
	}
}

func TestInspect(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		name  string
		code  string
		found bool
		has   []string // substrings of text/plain
	}{
		{name: "bundled func", code: "mat.NewDe‸nse(2, 2, nil)", found: true,
			has: []string{"func NewDense(r, c int, data []float64) *Dense", "NewDense creates a new Dense matrix"}},
		{name: "inside the call's arguments", code: `strings.ToUpper("a", ‸`, found: true,
			has: []string{"func ToUpper(s string) string", "ToUpper returns s with all Unicode letters mapped"}},
		{name: "session var of a compiled type", code: "p‸", found: true,
			has: []string{"p: *plot.Plot", "var p *plot.Plot", "Plot is the basic type representing a plot", "&plot.Plot{...}"}},
		{name: "field of a var", code: "p.Title.Text‸", found: true, has: []string{"Text string"}},
		{name: "method of a var", code: "d.Mul‸(a, b)", found: true,
			has: []string{"func (m *Dense) Mul(a, b Matrix)", "Mul takes the matrix product of a and b"}},
		{name: "cell-defined value", code: "pt‸", found: true, has: []string{"var pt Point", "{1 2}"}},
		{name: "cell func", code: "fit‸", found: true, has: []string{"func fit(xs []float64) Point", "fit returns the centre of xs."}},
		{name: "cell type with methods", code: "Point‸", found: true, has: []string{"type Point struct", "func (Point) Norm() float64"}},
		{name: "cell type member", code: "pt.Norm‸", found: true, has: []string{"Point.Norm", "Norm func() float64"}},
		{name: "const", code: "nTrials‸", found: true, has: []string{"const nTrials int", "100"}},
		{name: "package", code: "mat‸", found: true, has: []string{`package mat // import "gonum.org/v1/gonum/mat"`, "Package mat provides implementations"}},
		{name: "type with methods", code: "plot.Plot‸", found: true, has: []string{"type Plot struct", "func (p *Plot) Save(w, h vg.Length, file string) (err error)"}},
		{name: "builtin", code: "len‸(xs)", found: true, has: []string{"func len(v Type) int", "The len built-in function returns the length of v"}},
		{name: "multi-byte line", code: `s := "héllo🙂" + strings.ToL‸ower(s)`, found: true, has: []string{"func ToLower(s string) string"}},
		{name: "generic func of a bundled package", code: "experiment.Run‸", found: true,
			has: []string{"func Run[T any](", "Note: generic: not available in cells"}},
		{name: "inside a string", code: `fmt.Println("strings.ToU‸pper")`, found: false},
		{name: "nothing at the cursor", code: "x := 1 +   ‸", found: false},
		{name: "unknown name", code: "nosuchthing‸", found: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, pos := cursor(t, tc.code)
			r := e.Inspect(code, pos, 0)
			if r.Status != "ok" {
				t.Fatalf("status %q", r.Status)
			}
			if r.Found != tc.found {
				t.Fatalf("found = %v, want %v (data %q)", r.Found, tc.found, r.Data["text/plain"])
			}
			if !tc.found {
				if len(r.Data) != 0 {
					t.Errorf("data %v for a not-found reply", r.Data)
				}
				return
			}
			for _, h := range tc.has {
				if !strings.Contains(r.Data["text/plain"], h) {
					t.Errorf("text/plain lacks %q:\n%s", h, r.Data["text/plain"])
				}
			}
			if !strings.Contains(r.Data["text/markdown"], "```go") {
				t.Errorf("text/markdown has no Go block:\n%s", r.Data["text/markdown"])
			}
		})
	}
}

// TestConcurrentWithSessionUpdates runs requests while the session snapshot
// is replaced, as happens while a cell runs (run with -race).
func TestConcurrentWithSessionUpdates(t *testing.T) {
	s := &fakeSession{}
	s.set(testGlobals())
	e := New(s, stdlib.Symbols, symbols.Symbols)
	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			gs := testGlobals()
			if i%2 == 0 {
				gs = append(gs, Global{Name: "extra", Kind: KindVar, Type: "int", GoType: reflect.TypeFor[int]()})
			}
			s.set(gs)
		}
	}()
	var readers sync.WaitGroup
	for w := 0; w < 4; w++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; i < 50; i++ {
				if r := e.Complete("p.Title.Te", 10); !slices.Equal(r.Matches, []string{"Text", "TextStyle"}) {
					t.Errorf("matches %v", r.Matches)
				}
				if r := e.Inspect("d.Mul", 3, 0); !r.Found {
					t.Error("inspect d.Mul not found")
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	<-writerDone
}
