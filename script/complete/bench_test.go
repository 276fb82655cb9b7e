package complete

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/yaegi/stdlib"

	"github.com/gonote/gonote/script/symbols"
)

// benchEngine is the test engine with 200 extra session variables, the
// size of a long notebook session.
func benchEngine(b *testing.B) *Engine {
	s := &fakeSession{}
	gs := testGlobals()
	for i := 0; i < 200; i++ {
		gs = append(gs, Global{Name: fmt.Sprintf("v%03d", i), Kind: KindVar, Type: "[]float64", GoType: reflect.TypeFor[[]float64]()})
	}
	s.set(gs)
	e := New(s, stdlib.Symbols, symbols.Symbols)
	e.loadDocs()
	return e
}

var benchCases = []struct{ name, code string }{
	{"std-member", "strings.ToU"},
	{"bundled-member", "mat.NewDe"},
	{"all-members-of-mat", "mat."},
	{"field-chain", "p.Title.Te"},
	{"methods-of-Dense", "d."},
	{"method-result-chain", "plot.New().X.Tick.Ma"},
	{"cell-local", "q := mat.NewDense(2, 2, nil)\nr := q.T()\nr.Di"},
	{"session-names", "v1"},
	{"multibyte-line", `s := "héllo🙂"; strings.ToU`},
}

// BenchmarkComplete measures one complete_request per case.
func BenchmarkComplete(b *testing.B) {
	e := benchEngine(b)
	for _, c := range benchCases {
		pos := len([]rune(c.code))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if r := e.Complete(c.code, pos); len(r.Matches) == 0 {
					b.Fatalf("no matches for %q", c.code)
				}
			}
		})
	}
}

// BenchmarkInspect measures one inspect_request per case.
func BenchmarkInspect(b *testing.B) {
	e := benchEngine(b)
	for _, c := range []struct{ name, code string }{
		{"bundled-func", "mat.NewDense"},
		{"session-var", "p"},
		{"type-with-methods", "plot.Plot"},
		{"method-of-var", "d.Mul"},
	} {
		pos := len([]rune(c.code))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if r := e.Inspect(c.code, pos, 0); !r.Found {
					b.Fatalf("not found: %q", c.code)
				}
			}
		})
	}
}

// BenchmarkNew measures building an engine and decoding the docs, which
// the runner pays once at start (in the background).
func BenchmarkNew(b *testing.B) {
	s := &fakeSession{}
	s.set(testGlobals())
	for b.Loop() {
		e := New(s, stdlib.Symbols, symbols.Symbols)
		e.loadDocs()
		if e.docsErr != nil {
			b.Fatal(e.docsErr)
		}
	}
}

// BenchmarkBaselineMapScan is the floor any completion pays: scanning the
// symbol table of one package for a prefix and sorting the hits.
func BenchmarkBaselineMapScan(b *testing.B) {
	table := stdlib.Symbols["strings/strings"]
	for b.Loop() {
		var hits []string
		for k := range table {
			if strings.HasPrefix(k, "ToU") {
				hits = append(hits, k)
			}
		}
		sort.Strings(hits)
		if len(hits) == 0 {
			b.Fatal("no hits")
		}
	}
}
