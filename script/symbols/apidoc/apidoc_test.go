package apidoc

import (
	"bytes"
	"testing"
)

func TestWriteReadLookup(t *testing.T) {
	pkgs := []Package{{
		Path: "example.org/geo", Name: "geo", Doc: "Package geo does geometry.",
		Members: []Member{
			{Name: "Point.Norm", Kind: KindMethod, Sig: "func (p Point) Norm() float64", Doc: "Norm is the length."},
			{Name: "Point", Kind: KindType, Sig: "type Point struct{ X, Y float64 }"},
			{Name: "Map", Kind: KindFunc, Sig: "func Map[T any](xs []T) []T", Generic: true},
		},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, pkgs); err != nil {
		t.Fatal(err)
	}
	ix, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, name string
		ok         bool
		sig        string
		generic    bool
	}{
		{"example.org/geo", "Point.Norm", true, "func (p Point) Norm() float64", false},
		{"example.org/geo", "Point", true, "type Point struct{ X, Y float64 }", false},
		{"example.org/geo", "Map", true, "func Map[T any](xs []T) []T", true},
		{"example.org/geo", "Nope", false, "", false},
		{"example.org/other", "Point", false, "", false},
	}
	for _, tc := range tests {
		m, ok := ix.Lookup(tc.path, tc.name)
		if ok != tc.ok || m.Sig != tc.sig || m.Generic != tc.generic {
			t.Errorf("Lookup(%q, %q) = %+v, %v; want sig %q generic %v found %v", tc.path, tc.name, m, ok, tc.sig, tc.generic, tc.ok)
		}
	}
	if p, ok := ix.Package("example.org/geo"); !ok || p.Doc != "Package geo does geometry." || p.Name != "geo" {
		t.Errorf("Package = %+v, %v", p, ok)
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	if _, err := Read(bytes.NewReader([]byte("not gzip"))); err == nil {
		t.Fatal("Read accepted data that is not gzip")
	}
}

// TestEmbedded checks the generated documentation against facts of the
// standard library and the bundled packages.
func TestEmbedded(t *testing.T) {
	ix, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, name, kind, sig string }{
		{"strings", "ToUpper", KindFunc, "func ToUpper(s string) string"},
		{"gonum.org/v1/gonum/mat", "NewDense", KindFunc, "func NewDense(r, c int, data []float64) *Dense"},
		{"gonum.org/v1/gonum/mat", "Dense.Mul", KindMethod, "func (m *Dense) Mul(a, b Matrix)"},
		{"gonum.org/v1/gonum/mat", "Matrix.At", KindMethod, "func (Matrix) At(i, j int) float64"},
		{"gonum.org/v1/plot", "Plot.Legend", KindField, "Legend Legend"},
		{"math", "Pi", KindConst, "const Pi = 3.14159265358979323846264338327950288419716939937510582097494459"},
		{"builtin", "append", KindFunc, "func append(slice []Type, elems ...Type) []Type"},
		{"os", "Args", KindVar, "var Args []string"},
	}
	for _, tc := range tests {
		m, ok := ix.Lookup(tc.path, tc.name)
		if !ok {
			t.Errorf("%s.%s not documented", tc.path, tc.name)
			continue
		}
		if m.Kind != tc.kind || m.Sig != tc.sig || m.Doc == "" {
			t.Errorf("%s.%s = %+v, want kind %q sig %q and a doc", tc.path, tc.name, m, tc.kind, tc.sig)
		}
	}
}
