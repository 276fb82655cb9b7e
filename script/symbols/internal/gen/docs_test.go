package main

import (
	"testing"

	"github.com/gonote/gonote/script/symbols/apidoc"
)

func TestPackageDoc(t *testing.T) {
	p, err := packageDoc("example.org/geo", []string{"testdata/geo/geo.go"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "geo" || p.Doc != "Package geo is a fixture for the documentation extractor.\n" {
		t.Errorf("package = %q %q", p.Name, p.Doc)
	}
	got := map[string]apidoc.Member{}
	for _, m := range p.Members {
		got[m.Name] = m
	}
	tests := []struct {
		name, kind, sig, doc string
		generic              bool
	}{
		{"Unit", apidoc.KindType, "type Unit int", "Unit is a length unit.", false},
		{"Metre", apidoc.KindConst, "const Metre Unit = iota", "Metre is the SI unit.", false},
		{"Foot", apidoc.KindConst, "const Foot Unit", "Units.", false},
		{"Big", apidoc.KindVar, "var Big", "Big is a value too long to be stored verbatim.", false},
		{"Point", apidoc.KindType, "type Point struct {\n\t// X is the abscissa.\n\tX, Y      float64\n\tio.Reader // embedded\n\t// contains filtered or unexported fields\n}", "Point is a point.", false},
		{"Point.X", apidoc.KindField, "X float64", "X is the abscissa.", false},
		{"Point.Y", apidoc.KindField, "Y float64", "X is the abscissa.", false},
		{"Point.Reader", apidoc.KindField, "io.Reader", "embedded", false},
		{"NewPoint", apidoc.KindFunc, "func NewPoint(x, y float64) Point", "NewPoint makes a point.", false},
		{"Point.Norm", apidoc.KindMethod, "func (p Point) Norm() float64", "Norm is the length.", false},
		{"Shape.Area", apidoc.KindMethod, "func (Shape) Area() float64", "Area is the area.", false},
		{"Map", apidoc.KindFunc, "func Map[T any](xs []T, f func(T) T) []T", "Map applies f.", true},
		{"Pair", apidoc.KindType, "type Pair[K comparable, V any] struct {\n\tK K\n\tV V\n}", "Pair is generic.", true},
	}
	for _, tc := range tests {
		m, ok := got[tc.name]
		if !ok {
			t.Errorf("%s not extracted", tc.name)
			continue
		}
		if m.Kind != tc.kind || m.Sig != tc.sig || m.Doc != tc.doc || m.Generic != tc.generic {
			t.Errorf("%s = %+v\nwant kind %q sig %q doc %q generic %v", tc.name, m, tc.kind, tc.sig, tc.doc, tc.generic)
		}
	}
	for _, hidden := range []string{"inch", "Point.hidden", "Point.secret", "Shape.private"} {
		if _, ok := got[hidden]; ok {
			t.Errorf("unexported %s extracted", hidden)
		}
	}
}
