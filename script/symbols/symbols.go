// Package symbols holds the yaegi symbol tables of every package a cell can
// import beyond the Go standard library (gonum, gonum/plot, display,
// plotting and the gonote estimator stdlib), and the table of bundled
// packages used for auto-import and %help.
//
// Everything except this file is generated: run `go generate` in this
// directory after a bundled package changes its exported API (the test
// TestSymbolsMatchSource fails when the tables are stale). The generator
// lives in internal/gen; it also writes the API documentation in apidoc/.
package symbols

import "reflect"

//go:generate go run ./internal/gen -out . -docs apidoc/apidoc.json.gz

// Symbols maps "importpath/name" to the exported symbols of that package, in
// the form interp.(*Interpreter).Use expects. The generated files fill it.
var Symbols = map[string]map[string]reflect.Value{}

// Package describes one importable package.
type Package struct {
	ImportPath string // e.g. "gonum.org/v1/gonum/mat"
	Name       string // package name as used in code, e.g. "mat"
	Synopsis   string // first sentence of the package documentation
	Std        bool   // part of the Go standard library (symbols come from yaegi's stdlib)
	// Generic lists the exported generic funcs and types of a bundled
	// package. yaegi's extractor drops them (the interpreter cannot call
	// compiled generic code), so they are absent from Symbols; a cell that
	// uses one should get an error saying so.
	Generic []string
}
