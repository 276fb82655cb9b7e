package complete

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
)

// target is what an expression before a dot denotes. At most one of pkgs,
// rt and texpr is set.
type target struct {
	pkgs []string // a package name: its import paths
	// rt is the compiled type of the value (or of the type, if isType).
	rt reflect.Type
	// texpr is a type written in Go syntax that involves cell-defined types
	// (resolved against the session's type Globals).
	texpr ast.Expr
	// isType: the expression names a type rather than a value.
	isType bool
	// recvIn: rt is a method type from reflect.Type.Method whose first
	// parameter is the receiver.
	recvIn bool
	// origin documents the member the expression ends with, for inspect.
	origin origin
}

// origin locates the documentation of a resolved name.
type origin struct {
	path   string  // package import path ("" if none)
	name   string  // "F" or "T.M" in that package
	global *Global // a session name
	member *Member // a field or method of a cell-defined type
	owner  string  // the cell type owning member
}

// resolver evaluates expressions of one request.
type resolver struct {
	e      *Engine
	s      *snapshot
	locals map[string]local
	depth  int
}

const maxDepth = 24

var basicTypes = map[string]reflect.Type{
	"bool": reflect.TypeFor[bool](), "string": reflect.TypeFor[string](), "error": reflect.TypeFor[error](),
	"int": reflect.TypeFor[int](), "int8": reflect.TypeFor[int8](), "int16": reflect.TypeFor[int16](),
	"int32": reflect.TypeFor[int32](), "int64": reflect.TypeFor[int64](), "uint": reflect.TypeFor[uint](),
	"uint8": reflect.TypeFor[uint8](), "uint16": reflect.TypeFor[uint16](), "uint32": reflect.TypeFor[uint32](),
	"uint64": reflect.TypeFor[uint64](), "uintptr": reflect.TypeFor[uintptr](), "byte": reflect.TypeFor[byte](),
	"rune": reflect.TypeFor[rune](), "float32": reflect.TypeFor[float32](), "float64": reflect.TypeFor[float64](),
	"complex64": reflect.TypeFor[complex64](), "complex128": reflect.TypeFor[complex128](),
	"any": reflect.TypeFor[any](),
}

func parseExpr(src string) ast.Expr {
	x, err := parser.ParseExpr(src)
	if err != nil {
		return nil
	}
	return x
}

// eval resolves an expression.
func (r *resolver) eval(x ast.Expr) target {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return target{}
	}
	switch x := x.(type) {
	case *ast.Ident:
		return r.ident(x.Name)
	case *ast.ParenExpr:
		return r.eval(x.X)
	case *ast.SelectorExpr:
		return r.member(r.eval(x.X), x.Sel.Name)
	case *ast.CallExpr:
		return r.call(x)
	case *ast.IndexExpr:
		return r.index(r.eval(x.X))
	case *ast.StarExpr:
		b := r.eval(x.X)
		if b.isType {
			return r.typeOf(x)
		}
		if b.rt != nil && b.rt.Kind() == reflect.Pointer {
			return target{rt: b.rt.Elem()}
		}
		if b.texpr != nil {
			if st, ok := b.texpr.(*ast.StarExpr); ok {
				return r.typeOf(st.X)
			}
		}
		return target{}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			b := r.eval(x.X)
			if b.rt != nil {
				return target{rt: reflect.PointerTo(b.rt)}
			}
			if b.texpr != nil {
				return target{texpr: &ast.StarExpr{X: b.texpr}}
			}
		}
		return r.eval(x.X)
	case *ast.CompositeLit:
		if x.Type != nil {
			t := r.typeOf(x.Type)
			t.isType = false
			return t
		}
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			return target{rt: basicTypes["string"]}
		case token.INT:
			return target{rt: basicTypes["int"]}
		case token.FLOAT:
			return target{rt: basicTypes["float64"]}
		}
	}
	return target{}
}

func (r *resolver) ident(name string) target {
	if l, ok := r.locals[name]; ok {
		delete(r.locals, name) // `x := x.T()` refers to the earlier x
		defer func() { r.locals[name] = l }()
		if l.typ != "" {
			if tx := parseExpr(l.typ); tx != nil {
				t := r.typeOf(tx)
				t.isType = false
				return t
			}
			return target{}
		}
		if vx := parseExpr(l.expr); vx != nil {
			return r.eval(vx)
		}
		return target{}
	}
	if g, ok := r.s.globals[name]; ok {
		return r.global(g)
	}
	if paths := r.e.packagePaths(r.s, name); len(paths) > 0 {
		return target{pkgs: paths}
	}
	if bt, ok := basicTypes[name]; ok {
		return target{rt: bt, isType: true}
	}
	return target{}
}

func (r *resolver) global(g *Global) target {
	o := origin{global: g}
	switch g.Kind {
	case KindImport:
		if _, ok := r.e.pkgs[g.Type]; ok {
			return target{pkgs: []string{g.Type}, origin: o}
		}
		return target{origin: o}
	case KindType:
		return target{texpr: ast.NewIdent(g.Name), isType: true, origin: o}
	case KindVar, KindConst:
		if g.GoType != nil && (g.GoType.Name() != "" || g.GoType.Kind() == reflect.Pointer && g.GoType.Elem().Name() != "" || !r.mentionsCellType(g.Type)) {
			return target{rt: g.GoType, origin: o}
		}
	}
	if tx := parseExpr(g.Type); tx != nil {
		t := r.typeOf(tx)
		t.isType = false
		t.origin = o
		return t
	}
	return target{origin: o}
}

// mentionsCellType reports whether the type text names a cell-defined type.
func (r *resolver) mentionsCellType(typ string) bool {
	x := parseExpr(typ)
	if x == nil {
		return false
	}
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if g, ok := r.s.globals[id.Name]; ok && g.Kind == KindType {
				found = true
			}
		}
		return !found
	})
	return found
}

// typeOf resolves a type expression: to a compiled reflect type when every
// part is compiled, else to the syntax itself (cell-defined types).
func (r *resolver) typeOf(x ast.Expr) target {
	if rt := r.compiledType(x); rt != nil {
		return target{rt: rt, isType: true}
	}
	return target{texpr: x, isType: true}
}

func (r *resolver) compiledType(x ast.Expr) reflect.Type {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return nil
	}
	switch x := x.(type) {
	case *ast.Ident:
		if g, ok := r.s.globals[x.Name]; ok && g.Kind == KindType {
			return nil
		}
		return basicTypes[x.Name]
	case *ast.ParenExpr:
		return r.compiledType(x.X)
	case *ast.StarExpr:
		if e := r.compiledType(x.X); e != nil {
			return reflect.PointerTo(e)
		}
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		if !ok {
			return nil
		}
		for _, p := range r.e.packagePaths(r.s, pkg.Name) {
			if t, ok := r.e.types[p+"."+x.Sel.Name]; ok {
				return t
			}
		}
	case *ast.ArrayType:
		e := r.compiledType(x.Elt)
		if e == nil {
			return nil
		}
		// arrays are modelled as slices: only the element type matters here,
		// and reflect.ArrayOf of a huge length is slow
		return reflect.SliceOf(e)
	case *ast.MapType:
		k, v := r.compiledType(x.Key), r.compiledType(x.Value)
		if k != nil && v != nil && k.Comparable() {
			return reflect.MapOf(k, v)
		}
	case *ast.ChanType:
		if e := r.compiledType(x.Value); e != nil {
			return reflect.ChanOf(reflect.BothDir, e)
		}
	case *ast.InterfaceType:
		if len(x.Methods.List) == 0 {
			return basicTypes["any"]
		}
	}
	return nil
}

// cellType returns the session type a type expression names, following
// pointers; nil if it is not a cell-defined type.
func (r *resolver) cellType(x ast.Expr) *Global {
	if id, ok := baseType(x).(*ast.Ident); ok {
		if g, ok := r.s.globals[id.Name]; ok && g.Kind == KindType {
			return g
		}
	}
	return nil
}

// baseType strips pointers and parentheses from a type expression: the
// fields and methods of *T and (T) are those of T.
func baseType(x ast.Expr) ast.Expr {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		default:
			return x
		}
	}
}

// member resolves base.name.
func (r *resolver) member(base target, name string) target {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return target{} // a self-referential cell type such as `type P *P`
	}
	switch {
	case base.pkgs != nil:
		for _, p := range base.pkgs {
			pi := r.e.pkgs[p]
			i, ok := pi.byName[name]
			if !ok {
				continue
			}
			m := pi.members[i]
			o := origin{path: p, name: name}
			switch m.kind {
			case "type":
				return target{rt: m.value.Type().Elem(), isType: true, origin: o}
			default:
				return target{rt: m.value.Type(), origin: o}
			}
		}
		for _, p := range base.pkgs {
			// generic names are documented but not in the symbol tables
			if d, ok := r.e.doc(p, name); ok && d.Generic {
				return target{origin: origin{path: p, name: name}}
			}
		}
	case base.rt != nil:
		return r.rtMember(base.rt, name)
	case base.texpr != nil:
		return r.texprMember(base.texpr, name)
	}
	return target{}
}

// rtMember resolves a field or method of a compiled type.
func (r *resolver) rtMember(t reflect.Type, name string) target {
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		if f, ok := st.FieldByName(name); ok && f.IsExported() {
			o := origin{}
			if owner := fieldOwner(st, f); owner != nil && owner.Name() != "" {
				o = origin{path: owner.PkgPath(), name: owner.Name() + "." + name}
			}
			return target{rt: f.Type, origin: o}
		}
	}
	mt := methodSet(t)
	if m, ok := mt.MethodByName(name); ok {
		o := origin{}
		if named := namedOf(t); named != nil {
			o = origin{path: named.PkgPath(), name: named.Name() + "." + name}
		}
		return target{rt: m.Type, recvIn: mt.Kind() != reflect.Interface, origin: o}
	}
	return target{}
}

// fieldOwner returns the struct type that declares field f (which may be
// promoted through embedded fields of st).
func fieldOwner(st reflect.Type, f reflect.StructField) reflect.Type {
	owner := st
	for _, i := range f.Index[:len(f.Index)-1] {
		owner = owner.Field(i).Type
		if owner.Kind() == reflect.Pointer {
			owner = owner.Elem()
		}
	}
	return owner
}

// methodSet returns the type whose method set a value of type t can call:
// *T for an addressable T, t itself for pointers and interfaces.
func methodSet(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return t
	}
	return reflect.PointerTo(t)
}

// namedOf returns the named type of t or of *t.
func namedOf(t reflect.Type) reflect.Type {
	if t.Name() != "" {
		return t
	}
	if t.Kind() == reflect.Pointer && t.Elem().Name() != "" {
		return t.Elem()
	}
	return nil
}

// texprMember resolves a field or method of a type written in syntax.
func (r *resolver) texprMember(x ast.Expr, name string) target {
	if g := r.cellType(x); g != nil {
		for i := range g.Fields {
			if g.Fields[i].Name == name {
				return r.typeText(g.Fields[i].Type, origin{member: &g.Fields[i], owner: g.Name})
			}
		}
		for i := range g.Methods {
			if g.Methods[i].Name == name {
				return r.typeText(g.Methods[i].Type, origin{member: &g.Methods[i], owner: g.Name})
			}
		}
		if len(g.Fields) == 0 {
			if def := parseExpr(g.Type); def != nil {
				if st, ok := def.(*ast.StructType); ok {
					return r.structField(st, name)
				}
				if _, isIdent := def.(*ast.Ident); !isIdent {
					return r.member(r.typeOf(def), name)
				}
			}
		}
		return target{}
	}
	if st, ok := baseType(x).(*ast.StructType); ok {
		return r.structField(st, name)
	}
	return target{}
}

func (r *resolver) structField(st *ast.StructType, name string) target {
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				t := r.typeOf(f.Type)
				t.isType = false
				return t
			}
		}
	}
	return target{}
}

// typeText resolves the type of a value whose type is given as text.
func (r *resolver) typeText(typ string, o origin) target {
	tx := parseExpr(typ)
	if tx == nil {
		return target{origin: o}
	}
	t := r.typeOf(tx)
	t.isType = false
	t.origin = o
	return t
}

// call resolves the value of a call expression: the first result of a
// function, a conversion, or new/make.
func (r *resolver) call(x *ast.CallExpr) target {
	if id, ok := x.Fun.(*ast.Ident); ok && len(x.Args) > 0 {
		if _, shadowed := r.s.globals[id.Name]; !shadowed {
			switch id.Name {
			case "new":
				t := r.typeOf(x.Args[0])
				if t.rt != nil {
					return target{rt: reflect.PointerTo(t.rt)}
				}
				return target{texpr: &ast.StarExpr{X: x.Args[0]}}
			case "make":
				t := r.typeOf(x.Args[0])
				t.isType = false
				return t
			}
		}
	}
	f := r.eval(x.Fun)
	if f.isType {
		f.isType = false
		f.origin = origin{}
		return f
	}
	if f.rt != nil && f.rt.Kind() == reflect.Func {
		if f.rt.NumOut() == 0 {
			return target{}
		}
		return target{rt: f.rt.Out(0)}
	}
	if f.texpr != nil {
		if ft, ok := f.texpr.(*ast.FuncType); ok && ft.Results != nil && len(ft.Results.List) > 0 {
			t := r.typeOf(ft.Results.List[0].Type)
			t.isType = false
			return t
		}
	}
	return target{}
}

// index resolves base[i].
func (r *resolver) index(base target) target {
	if base.rt != nil {
		t := base.rt
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Array {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return target{rt: t.Elem()}
		case reflect.String:
			return target{rt: basicTypes["byte"]}
		}
		return target{}
	}
	if base.texpr != nil {
		switch t := base.texpr.(type) {
		case *ast.ArrayType:
			return r.valueOfType(t.Elt)
		case *ast.MapType:
			return r.valueOfType(t.Value)
		case *ast.Ident:
			if g := r.cellType(t); g != nil {
				if def := parseExpr(g.Type); def != nil {
					if _, isIdent := def.(*ast.Ident); !isIdent {
						return r.index(target{texpr: def})
					}
				}
			}
		}
	}
	return target{}
}

func (r *resolver) valueOfType(x ast.Expr) target {
	t := r.typeOf(x)
	t.isType = false
	return t
}
