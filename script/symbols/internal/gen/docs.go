package main

import (
	"bytes"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"

	"github.com/gonote/gonote/script/symbols/apidoc"
)

// maxValueSig is the longest var/const declaration kept verbatim; longer ones
// (big composite literals) are stored without their value.
const maxValueSig = 240

// packageDoc extracts the exported API of one package from its source files.
func packageDoc(importPath string, files []string) (apidoc.Package, error) {
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return apidoc.Package{}, err
		}
		parsed = append(parsed, af)
	}
	// the builtin package documents lower-case names (append, len, ...)
	all := importPath == "builtin"
	var mode doc.Mode
	if all {
		mode = doc.AllDecls
	}
	d, err := doc.NewFromFiles(fset, parsed, importPath, mode)
	if err != nil {
		return apidoc.Package{}, err
	}
	x := docExtractor{fset: fset, all: all}
	for _, f := range d.Funcs {
		x.fn("", f)
	}
	x.values(d.Consts, apidoc.KindConst)
	x.values(d.Vars, apidoc.KindVar)
	for _, t := range d.Types {
		x.typ(t)
	}
	return apidoc.Package{Path: importPath, Name: d.Name, Doc: d.Doc, Members: x.members}, nil
}

type docExtractor struct {
	fset    *token.FileSet
	all     bool // keep unexported names too
	members []apidoc.Member
}

func (x *docExtractor) print(n any) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&b, x.fset, n); err != nil {
		return ""
	}
	return b.String()
}

func (x *docExtractor) add(name, kind, sig, docText string) {
	x.members = append(x.members, apidoc.Member{Name: name, Kind: kind, Sig: sig, Doc: strings.TrimSpace(docText)})
}

// fn records a function (recv == "") or a method of type recv.
func (x *docExtractor) fn(recv string, f *doc.Func) {
	decl := *f.Decl
	decl.Doc = nil
	decl.Body = nil
	name, kind := f.Name, apidoc.KindFunc
	if recv != "" {
		name, kind = recv+"."+f.Name, apidoc.KindMethod
	}
	x.add(name, kind, x.print(&decl), f.Doc)
	if recv == "" && f.Decl.Type.TypeParams != nil {
		x.members[len(x.members)-1].Generic = true
	}
}

func (x *docExtractor) values(vs []*doc.Value, kind string) {
	for _, v := range vs {
		var lastType ast.Expr
		for _, s := range v.Decl.Specs {
			spec, ok := s.(*ast.ValueSpec)
			if !ok {
				continue
			}
			if spec.Type != nil {
				lastType = spec.Type
			}
			one := *spec
			one.Doc, one.Comment = nil, nil
			if one.Type == nil && len(one.Values) == 0 && kind == apidoc.KindConst {
				one.Type = lastType // iota continuation: show the type of the group
			}
			sig := x.print(&ast.GenDecl{Tok: v.Decl.Tok, Specs: []ast.Spec{&one}})
			if len(sig) > maxValueSig {
				one.Values = nil
				sig = x.print(&ast.GenDecl{Tok: v.Decl.Tok, Specs: []ast.Spec{&one}})
			}
			text := v.Doc
			if spec.Doc != nil {
				text = spec.Doc.Text()
			} else if spec.Comment != nil {
				text = spec.Comment.Text()
			}
			for _, n := range spec.Names {
				if n.IsExported() || x.all {
					x.add(n.Name, kind, sig, text)
				}
			}
		}
	}
}

func (x *docExtractor) typ(t *doc.Type) {
	var spec *ast.TypeSpec
	for _, s := range t.Decl.Specs {
		if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == t.Name {
			spec = ts
		}
	}
	if spec == nil {
		return
	}
	one := *spec
	one.Doc, one.Comment = nil, nil
	x.add(t.Name, apidoc.KindType, x.print(&ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{&one}}), t.Doc)
	x.members[len(x.members)-1].Generic = spec.TypeParams != nil

	switch u := spec.Type.(type) {
	case *ast.StructType:
		for _, f := range u.Fields.List {
			text := fieldDoc(f)
			typ := x.print(f.Type)
			if len(f.Names) == 0 { // embedded
				n := embeddedName(f.Type)
				if ast.IsExported(n) {
					x.add(t.Name+"."+n, apidoc.KindField, typ, text)
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					x.add(t.Name+"."+n.Name, apidoc.KindField, n.Name+" "+typ, text)
				}
			}
		}
	case *ast.InterfaceType:
		for _, f := range u.Methods.List {
			ft, ok := f.Type.(*ast.FuncType)
			if !ok || len(f.Names) == 0 {
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					sig := x.print(&ast.FuncDecl{Name: n, Type: ft})
					sig = "func (" + t.Name + ") " + strings.TrimPrefix(sig, "func ")
					x.add(t.Name+"."+n.Name, apidoc.KindMethod, sig, fieldDoc(f))
				}
			}
		}
	}
	for _, f := range t.Funcs {
		x.fn("", f)
	}
	for _, m := range t.Methods {
		x.fn(t.Name, m)
	}
	x.values(t.Consts, apidoc.KindConst)
	x.values(t.Vars, apidoc.KindVar)
}

func fieldDoc(f *ast.Field) string {
	if f.Doc != nil {
		return f.Doc.Text()
	}
	if f.Comment != nil {
		return f.Comment.Text()
	}
	return ""
}

// embeddedName is the field name of an embedded field type.
func embeddedName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.IndexExpr:
		return embeddedName(t.X)
	case *ast.IndexListExpr:
		return embeddedName(t.X)
	}
	return ""
}
