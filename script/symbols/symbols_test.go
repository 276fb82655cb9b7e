package symbols

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gonote/gonote/script/symbols/apidoc"
)

type listedPkg struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	Error      *struct{ Err string }
	DepsErrors []*struct{ Err string }
}

func goList(t *testing.T, patterns ...string) []listedPkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-json"}, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	var res []listedPkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		res = append(res, p)
	}
	return res
}

// srcPkg is the parsed source of one package: its type specs and, for each
// spec, the imports of the file it is in (local name -> import path).
type srcPkg struct {
	specs   map[string]*ast.TypeSpec
	imports map[*ast.TypeSpec]map[string]string
	want    map[string]bool // exported package-level names that are not types
}

// sources parses packages on demand and caches them; other packages are
// loaded when a bundled type is an alias or definition of a foreign type.
type sources struct {
	t     *testing.T
	cache map[string]*srcPkg
}

func (s *sources) load(p listedPkg) *srcPkg {
	if sp, ok := s.cache[p.ImportPath]; ok {
		return sp
	}
	fset := token.NewFileSet()
	sp := &srcPkg{specs: map[string]*ast.TypeSpec{}, imports: map[*ast.TypeSpec]map[string]string{}, want: map[string]bool{}}
	for _, f := range p.GoFiles {
		af, err := parser.ParseFile(fset, filepath.Join(p.Dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			s.t.Fatalf("%s: %v", p.ImportPath, err)
		}
		imps := map[string]string{}
		for _, im := range af.Imports {
			path := strings.Trim(im.Path.Value, `"`)
			name := path[strings.LastIndex(path, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			imps[name] = path
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && d.Type.TypeParams == nil {
					sp.want[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.IsExported() {
								sp.want[n.Name] = true
							}
						}
					case *ast.TypeSpec:
						sp.specs[spec.Name.Name] = spec
						sp.imports[spec] = imps
					}
				}
			}
		}
	}
	s.cache[p.ImportPath] = sp
	return sp
}

func (s *sources) byPath(path string) *srcPkg {
	if sp, ok := s.cache[path]; ok {
		return sp
	}
	ps := goList(s.t, path)
	if len(ps) != 1 || ps[0].Error != nil {
		s.t.Fatalf("cannot load %s", path)
	}
	return s.load(ps[0])
}

// iface returns the interface literal the type name denotes, following
// local and imported type names, and the package it is declared in.
func (s *sources) iface(sp *srcPkg, name string, depth int) (*ast.InterfaceType, *srcPkg) {
	spec, ok := sp.specs[name]
	if !ok || depth > 10 {
		return nil, nil
	}
	switch x := spec.Type.(type) {
	case *ast.InterfaceType:
		return x, sp
	case *ast.Ident:
		return s.iface(sp, x.Name, depth+1)
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		if !ok {
			return nil, nil
		}
		path, ok := sp.imports[spec][pkg.Name]
		if !ok {
			return nil, nil
		}
		return s.iface(s.byPath(path), x.Sel.Name, depth+1)
	}
	return nil, nil
}

// methodCount counts the methods of an interface, embedded ones included.
func (s *sources) methodCount(it *ast.InterfaceType, sp *srcPkg, depth int) int {
	n := 0
	for _, f := range it.Methods.List {
		switch e := f.Type.(type) {
		case *ast.FuncType:
			n += len(f.Names)
		case *ast.Ident:
			if inner, isp := s.iface(sp, e.Name, depth+1); inner != nil {
				n += s.methodCount(inner, isp, depth+1)
			}
		case *ast.SelectorExpr:
			n++ // an embedded interface of another package: has methods in practice (io.Reader, fmt.Stringer)
		}
	}
	return n
}

// expectedSymbols computes, from the package source alone, the keys yaegi's
// extractor must have produced: every exported package-level const, var,
// non-generic func and non-generic type, plus "_T" interface wrappers for
// interface types that are not pure type-set constraints.
func (s *sources) expectedSymbols(p listedPkg) map[string]bool {
	sp := s.load(p)
	want := map[string]bool{}
	for k := range sp.want {
		want[k] = true
	}
	for name, spec := range sp.specs {
		if !ast.IsExported(name) || spec.TypeParams != nil {
			continue
		}
		it, isp := s.iface(sp, name, 0)
		if it == nil {
			want[name] = true
			continue
		}
		if len(it.Methods.List) > 0 && s.methodCount(it, isp, 0) == 0 {
			continue // constraint interface: skipped by the extractor
		}
		want[name] = true
		want["_"+name] = true
	}
	return want
}

// TestSymbolsMatchSource fails when the committed symbol tables no longer
// match the exported API of the bundled packages: run `go generate` in
// script/symbols.
func TestSymbolsMatchSource(t *testing.T) {
	var paths []string
	byPath := map[string]Package{}
	for _, p := range Packages {
		if !p.Std {
			paths = append(paths, p.ImportPath)
			byPath[p.ImportPath] = p
		}
	}
	if len(paths) == 0 {
		t.Fatal("Packages lists no bundled package")
	}
	src := &sources{t: t, cache: map[string]*srcPkg{}}
	for _, p := range goList(t, paths...) {
		t.Run(p.ImportPath, func(t *testing.T) {
			if p.Error != nil {
				t.Fatalf("bundled package does not load: %s", p.Error.Err)
			}
			if p.Name != byPath[p.ImportPath].Name {
				t.Errorf("package name %q, Packages says %q", p.Name, byPath[p.ImportPath].Name)
			}
			got, ok := Symbols[p.ImportPath+"/"+p.Name]
			if !ok {
				t.Fatalf("no Symbols[%q]", p.ImportPath+"/"+p.Name)
			}
			want := src.expectedSymbols(p)
			var missing, extra []string
			for k := range want {
				if _, ok := got[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k := range got {
				if !want[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing)+len(extra) > 0 {
				if dirty := uncommittedGo(t, p.Dir); dirty != "" {
					// the tables are generated from the committed tree (HEAD)
					t.Logf("tables differ from the working tree, which has uncommitted changes (%s): missing %v, extra %v", dirty, missing, extra)
					return
				}
				t.Errorf("symbol table is stale (run go generate in script/symbols): missing %v, extra %v", missing, extra)
			}
		})
	}
}

// TestOwnPackagesBundled fails when a committed, building package of this
// module that cells should be able to import is not in the tables.
func TestOwnPackagesBundled(t *testing.T) {
	bundled := map[string]bool{}
	for _, p := range Packages {
		bundled[p.ImportPath] = true
	}
	for _, p := range goList(t, "github.com/gonote/gonote/display", "github.com/gonote/gonote/plotting", "github.com/gonote/gonote/stdlib/...") {
		if p.Error != nil || len(p.DepsErrors) > 0 || p.Name == "main" || len(p.GoFiles) == 0 ||
			strings.Contains(p.ImportPath+"/", "/internal/") || bundled[p.ImportPath] {
			continue
		}
		committed := uncommittedGo(t, p.Dir) == ""
		if committed {
			t.Errorf("%s builds and is committed but is not bundled: run go generate in script/symbols", p.ImportPath)
		}
	}
}

// TestDocsCoverSymbols checks that the embedded documentation has an entry
// for every package in Packages and for every top-level symbol.
func TestDocsCoverSymbols(t *testing.T) {
	ix, err := apidoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Packages {
		if _, ok := ix.Package(p.ImportPath); !ok {
			t.Errorf("no documentation for %s", p.ImportPath)
			continue
		}
		if p.Std {
			continue
		}
		for _, name := range p.Generic {
			if _, ok := Symbols[p.ImportPath+"/"+p.Name][name]; ok {
				t.Errorf("%s.%s is listed as generic but is in Symbols", p.ImportPath, name)
			}
			if d, ok := ix.Lookup(p.ImportPath, name); !ok || !d.Generic {
				t.Errorf("%s.%s is listed as generic but not documented as generic", p.ImportPath, name)
			}
		}
		for name := range Symbols[p.ImportPath+"/"+p.Name] {
			if strings.HasPrefix(name, "_") {
				continue
			}
			if _, ok := ix.Lookup(p.ImportPath, name); !ok {
				t.Errorf("no documentation for %s.%s (docs are stale: run go generate in script/symbols)", p.ImportPath, name)
			}
		}
	}
}

// uncommittedGo returns the first uncommitted change to a non-test Go file
// in dir, or "".
func uncommittedGo(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("git", "status", "--porcelain", "-uall", "--", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		// not a git checkout (a source archive): the tree is what was released
		t.Logf("git status in %s: %v; treating the tree as committed", dir, err)
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, ".go") && !strings.HasSuffix(line, "_test.go") && !strings.Contains(line, "/testdata/") {
			return line
		}
	}
	return ""
}
