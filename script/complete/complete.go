// Package complete answers Jupyter complete_request and inspect_request for
// gonote cells, from snapshots only: the yaegi symbol tables, the API docs
// extracted at build time (script/symbols/apidoc) and a snapshot of the
// session's top-level names. It never calls the interpreter, so it can answer
// while a cell runs; an Engine is safe for concurrent use.
//
// Wiring it into the runner:
//
//	eng := complete.New(sess, stdlib.Symbols, symbols.Symbols)
//	...
//	reply := eng.Complete(req.Code, req.CursorPos)                 // complete_reply content
//	reply := eng.Inspect(req.Code, req.CursorPos, req.DetailLevel) // inspect_reply content
//
// sess implements Session: Globals returns the top-level names the cells
// defined so far (variables with their reflect types when the value is of a
// compiled type, funcs, cell-defined types with their fields and methods,
// consts and imports; include `ctx` as a var of type context.Context). It
// is called once per request and must return a snapshot that does not
// change under the engine (build a new slice after each cell; returning the
// same slice again lets the engine reuse its index). A Session that also
// implements MagicLister gets magics completed at the start of a line.
// Cursor positions are Unicode code points, as in the Jupyter protocol; both
// replies marshal to the reply content.
//
// Completion covers names defined earlier in the cell being edited
// (assignments, `var x T`, range values, func parameters), session names,
// package names (bundled, imported, standard library), package members,
// fields and methods along selector/call/index chains (`p.Title.`,
// `mat.NewDense(2, 2, nil).T().`, `pts[0].`), import paths inside import
// strings, keywords and builtins. Inspect shows the signature and doc
// comment of package members, methods and fields, the type, value and type
// documentation of session variables, and builtin docs.
package complete

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gonote/gonote/script/symbols"
	"github.com/gonote/gonote/script/symbols/apidoc"
)

// Session gives the engine the session's top-level names.
type Session interface {
	// Globals returns a snapshot of the names defined by the cells run so
	// far. It is called while a cell may be running and must neither block
	// on it nor call the interpreter.
	Globals() []Global
}

// MagicLister may be implemented by a Session to have magics completed at
// the start of a line: "%ti" offers "%time" and "%timeit".
type MagicLister interface {
	// Magics returns the magic names with their prefix ("%time", "%%html").
	Magics() []string
}

// Kind of a Global.
type Kind string

// Kinds of session names.
const (
	KindVar    Kind = "var"
	KindConst  Kind = "const"
	KindFunc   Kind = "func"
	KindType   Kind = "type"
	KindImport Kind = "import"
)

// Global is one top-level name of the session.
type Global struct {
	Name string
	Kind Kind
	// Type is Go source text: the type of a var or const ("*plot.Plot",
	// "[]float64", "T"), the signature of a func ("func(n int) float64"),
	// the definition of a type ("struct{ A int }"), the import path of an
	// import (Name is then the package name used in code).
	Type string
	// GoType is the dynamic type of a var whose value has a compiled type,
	// nil otherwise. Values of cell-defined types have reflect types without
	// names or methods: leave GoType nil for them, or set it and name the
	// cell type in Type; the engine then uses Fields and Methods of that type.
	GoType reflect.Type
	// Fields and Methods of a cell-defined type (Kind "type"), promoted ones
	// included when the runner knows them; Member.Type is the field type or
	// the method signature ("func(x float64) string").
	Fields  []Member
	Methods []Member
	// Value is a short rendering of a var's or const's value.
	Value string
	// Doc is the doc comment of the declaration, if any.
	Doc string
}

// Member is a field or method of a cell-defined type.
type Member struct {
	Name string
	Type string
}

// Engine answers completion and inspection requests.
type Engine struct {
	session Session

	pkgs   map[string]*pkgInfo     // import path -> members
	byName map[string][]string     // package name -> import paths (sorted)
	auto   map[string][]string     // package name -> auto-imported paths (symbols.Packages)
	names  []string                // sorted package names, for completion
	types  map[string]reflect.Type // "path.Name" -> compiled type

	last atomic.Pointer[snapshot] // index of the last Globals slice seen

	docsOnce sync.Once
	docs     *apidoc.Index
	docsErr  error
}

type pkgInfo struct {
	path    string
	name    string
	members []pkgMember // sorted by name
	byName  map[string]int
}

type pkgMember struct {
	name  string
	kind  string // "func", "type", "var", "const"
	value reflect.Value
}

// New returns an engine over the session and the symbol tables the runner
// gives the interpreter (typically yaegi's stdlib.Symbols and
// symbols.Symbols). The documentation is decoded in the background; the
// first request waits for it if it comes earlier.
func New(s Session, tables ...map[string]map[string]reflect.Value) *Engine {
	e := &Engine{
		session: s,
		pkgs:    map[string]*pkgInfo{},
		byName:  map[string][]string{},
		auto:    map[string][]string{},
		types:   map[string]reflect.Type{},
	}
	for _, table := range tables {
		for key, syms := range table {
			i := strings.LastIndexByte(key, '/')
			if i < 0 {
				continue
			}
			path, name := key[:i], key[i+1:]
			if strings.Contains(path, "internal") || path == "unsafe" {
				continue
			}
			e.addPackage(path, name, syms)
		}
	}
	for _, p := range symbols.Packages {
		if _, ok := e.pkgs[p.ImportPath]; ok {
			e.auto[p.Name] = append(e.auto[p.Name], p.ImportPath)
		}
	}
	for name, paths := range e.byName {
		sort.Strings(paths)
		e.names = append(e.names, name)
	}
	sort.Strings(e.names)
	go e.loadDocs()
	return e
}

func (e *Engine) addPackage(path, name string, syms map[string]reflect.Value) {
	p, ok := e.pkgs[path]
	if !ok {
		p = &pkgInfo{path: path, name: name, byName: map[string]int{}}
		e.pkgs[path] = p
		e.byName[name] = append(e.byName[name], path)
	}
	for n, v := range syms {
		if n == "" || n[0] == '_' || !v.IsValid() {
			continue
		}
		if _, dup := p.byName[n]; dup {
			continue
		}
		kind := symbolKind(v)
		if kind == "type" {
			e.types[path+"."+n] = v.Type().Elem()
		}
		p.members = append(p.members, pkgMember{name: n, kind: kind, value: v})
		p.byName[n] = 0
	}
	sort.Slice(p.members, func(i, j int) bool { return p.members[i].name < p.members[j].name })
	for i, m := range p.members {
		p.byName[m.name] = i
	}
}

// symbolKind tells what a yaegi symbol table entry is: vars are addressable,
// types are nil pointers to the type, funcs are funcs, the rest constants.
func symbolKind(v reflect.Value) string {
	switch {
	case v.CanAddr():
		return "var"
	case v.Kind() == reflect.Func:
		return "func"
	case v.Kind() == reflect.Pointer && v.IsNil():
		return "type"
	}
	return "const"
}

func (e *Engine) loadDocs() {
	e.docsOnce.Do(func() { e.docs, e.docsErr = apidoc.Load() })
}

// doc returns the documentation of name ("F" or "T.M") in package path.
func (e *Engine) doc(path, name string) (apidoc.Member, bool) {
	e.loadDocs()
	if e.docs == nil {
		return apidoc.Member{}, false
	}
	return e.docs.Lookup(path, name)
}

// packageDoc returns the package documentation of path.
func (e *Engine) packageDoc(path string) (*apidoc.Package, bool) {
	e.loadDocs()
	if e.docs == nil {
		return nil, false
	}
	return e.docs.Package(path)
}

// snapshot is the session state of one request.
type snapshot struct {
	globals map[string]*Global
	order   []string
	src     *Global // first element of the slice it was built from
	n       int
}

// snapshot indexes the session's Globals. The index is reused while the
// session returns the same slice (same first element and length), which it
// does between cells.
func (e *Engine) snapshot() *snapshot {
	if e.session == nil {
		return &snapshot{globals: map[string]*Global{}}
	}
	gs := e.session.Globals()
	if len(gs) > 0 {
		if last := e.last.Load(); last != nil && last.src == &gs[0] && last.n == len(gs) {
			return last
		}
	}
	s := &snapshot{globals: make(map[string]*Global, len(gs)), order: make([]string, 0, len(gs)), n: len(gs)}
	for i := range gs {
		g := &gs[i]
		if g.Name == "" || g.Name == "_" {
			continue
		}
		if _, seen := s.globals[g.Name]; !seen {
			s.order = append(s.order, g.Name)
		}
		s.globals[g.Name] = g // later entries win, as later cells do
	}
	if len(gs) > 0 {
		s.src = &gs[0]
		e.last.Store(s)
	}
	return s
}

// packagePaths returns the import paths a package name denotes in code:
// the session's import of that name, else the bundled auto-import, else any
// standard library package of that name.
func (e *Engine) packagePaths(s *snapshot, name string) []string {
	if g, ok := s.globals[name]; ok {
		if g.Kind == KindImport {
			if _, ok := e.pkgs[g.Type]; ok {
				return []string{g.Type}
			}
		}
		return nil
	}
	if paths := e.auto[name]; len(paths) > 0 {
		return paths
	}
	return e.byName[name]
}
