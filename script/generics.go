package script

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"sync"
)

// Type-argument inference for calls of generic functions declared in
// cells. yaegi v0.16.1 infers type arguments only partly: it fails on
// variadic type parameters (Sum(a, b) for func Sum[T ...](xs ...T) is
// "undefined type for T"), and it takes the kind of the first untyped
// constant, so Max(2, 2.5) silently becomes Max[int](2, 2) = 2 where Go
// infers float64 and gives 2.5. The cell compiler infers the type
// arguments itself, with Go's rules, whenever every type parameter is
// bound by arguments whose types it knows (directly, T or ...T, or
// through []T, *T, maps, chans and func types), and writes the
// instantiation out: Max[float64](2, 2.5). Calls it cannot settle are left
// to yaegi as they were.

// untypedRank orders the default types of untyped constants: a
// type parameter bound only by untyped numeric constants takes the
// default type of the "largest" kind among them.
var untypedRank = map[string]int{"int": 1, "rune": 2, "float64": 3, "complex128": 4}

// basicTypes are the types whose names the inference may write out.
var basicTypes = map[string]bool{
	"bool": true, "string": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true, "byte": true, "rune": true,
}

// genericSignature is what the inference needs of a generic function.
type genericSignature struct {
	typeParams  []string
	constraints []ast.Expr // of the type parameters, in order
	params      []ast.Expr // the type of each parameter, in order
	variadic    bool       // the last parameter is ...T
}

// signatureOf returns the signature of a function type with type
// parameters, or false.
func signatureOf(ft *ast.FuncType) (genericSignature, bool) {
	if ft == nil || ft.TypeParams == nil || len(ft.TypeParams.List) == 0 {
		return genericSignature{}, false
	}
	var sig genericSignature
	for _, f := range ft.TypeParams.List {
		for _, n := range f.Names {
			sig.typeParams = append(sig.typeParams, n.Name)
			sig.constraints = append(sig.constraints, f.Type)
		}
	}
	sig.params = fieldTypes(ft.Params)
	if n := len(sig.params); n > 0 {
		_, sig.variadic = sig.params[n-1].(*ast.Ellipsis)
	}
	return sig, true
}

// declHead makes declarations kept as source (the ledger's, the
// prelude's) a file the parser accepts.
const declHead = "package p\n"

// parseDecls parses declarations kept as source; a node's source is
// (declHead + src)[n.Pos()-1 : n.End()-1].
func parseDecls(src string) (*ast.File, error) {
	return parser.ParseFile(token.NewFileSet(), "", declHead+src, parser.SkipObjectResolution)
}

// parseFuncDecl parses the source of a function or method declaration
// kept by the ledger; text gives the source of one of its nodes.
func parseFuncDecl(src string) (fd *ast.FuncDecl, text func(ast.Node) string, ok bool) {
	f, err := parseDecls(src)
	if err != nil {
		return nil, nil, false
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			return fd, func(n ast.Node) string { return (declHead + src)[n.Pos()-1 : n.End()-1] }, true
		}
	}
	return nil, nil, false
}

// preludeGenerics gives the signatures of the prelude's generic helpers,
// which stand in for the standard generics yaegi cannot run.
var preludeGenerics = sync.OnceValue(func() map[string]genericSignature {
	f, err := parseDecls(prelude)
	if err != nil {
		panic(fmt.Sprintf("script: the prelude does not parse: %v", err))
	}
	sigs := map[string]genericSignature{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			if sig, ok := signatureOf(fd.Type); ok {
				sigs[fd.Name.Name] = sig
			}
		}
	}
	return sigs
})

// parseGenericFunc parses the source of a function declaration and returns
// its signature when it is generic.
func parseGenericFunc(src string) (genericSignature, bool) {
	if fd, _, ok := parseFuncDecl(src); ok && fd.Recv == nil {
		return signatureOf(fd.Type)
	}
	return genericSignature{}, false
}

// inferredArgs binds the type parameters of sig from the types of the
// call's arguments and returns the type arguments, or false when some type
// parameter is not settled by Go's rules from what is known. typeOf gives
// an argument's type as source text; untyped marks an untyped constant,
// whose text is its default type.
func (sig genericSignature) inferredArgs(call *ast.CallExpr, typeOf func(ast.Expr) (typ string, untyped bool, ok bool)) ([]string, bool) {
	isParam := map[string]bool{}
	for _, p := range sig.typeParams {
		isParam[p] = true
	}
	typed := map[string]string{}
	untyped := map[string]string{}
	bindTyped := func(p, t string) bool {
		if prev, ok := typed[p]; ok && prev != t {
			return false
		}
		typed[p] = t
		return true
	}
	bindUntyped := func(p, t string) bool {
		prev, seen := untyped[p]
		switch {
		case !seen:
			untyped[p] = t
		case prev == t:
		case untypedRank[prev] > 0 && untypedRank[t] > 0:
			if untypedRank[t] > untypedRank[prev] {
				untyped[p] = t
			}
		default:
			return false // a string and a number, say: not ours to settle
		}
		return true
	}
	n := len(sig.params)
	if (!sig.variadic && len(call.Args) != n) || (sig.variadic && len(call.Args) < n-1) {
		return nil, false
	}
	for i, arg := range call.Args {
		pt := sig.params[min(i, n-1)]
		if e, ok := pt.(*ast.Ellipsis); ok && i >= n-1 {
			if call.Ellipsis.IsValid() {
				pt = &ast.ArrayType{Elt: e.Elt} // f(xs...) passes the slice itself
			} else {
				pt = e.Elt
			}
		}
		if !mentionsAny(pt, isParam) {
			continue
		}
		t, isUntyped, ok := typeOf(arg)
		if !ok {
			return nil, false
		}
		if isUntyped && t == "nil" {
			continue // nil binds no type parameter: Concat(a, nil, b)
		}
		if isUntyped {
			id, direct := pt.(*ast.Ident)
			if !direct || !bindUntyped(id.Name, t) {
				return nil, false
			}
			continue
		}
		at, err := parser.ParseExpr(t)
		if err != nil || !unify(pt, at, t, isParam, bindTyped) {
			return nil, false
		}
	}
	// Constraint type inference: once S of S ~[]E is known ([]int), its
	// core type binds E.
	for i, p := range sig.typeParams {
		t, ok := typed[p]
		if !ok {
			continue
		}
		core, ok := coreType(sig.constraints[i])
		if !ok || !mentionsAny(core, isParam) {
			continue
		}
		at, err := parser.ParseExpr(t)
		if err != nil || !unify(core, at, t, isParam, bindTyped) {
			return nil, false
		}
	}
	args := make([]string, len(sig.typeParams))
	for i, p := range sig.typeParams {
		if t, ok := typed[p]; ok {
			args[i] = t
		} else if t, ok := untyped[p]; ok {
			args[i] = t
		} else {
			return nil, false
		}
	}
	return args, true
}

// coreType gives the single type term of a constraint such as ~[]E or
// []E, or false for an interface, a union or a named constraint.
func coreType(c ast.Expr) (ast.Expr, bool) {
	if u, ok := c.(*ast.UnaryExpr); ok && u.Op == token.TILDE {
		c = u.X
	}
	switch c.(type) {
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StarExpr:
		return c, true
	}
	return nil, false
}

// unbound lists the type parameters that a call with nargs arguments can
// bind by no means: named by no parameter that receives an argument, nor
// by a constraint (through which Go infers E of S ~[]E).
func (sig genericSignature) unbound(nargs int) []string {
	bound := map[string]bool{}
	mark := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				bound[id.Name] = true
			}
			return true
		})
	}
	for i := 0; i < nargs && len(sig.params) > 0; i++ {
		mark(sig.params[min(i, len(sig.params)-1)])
	}
	for _, c := range sig.constraints {
		mark(c)
	}
	var missing []string
	for _, p := range sig.typeParams {
		if !bound[p] {
			missing = append(missing, p)
		}
	}
	return missing
}

// mentionsAny reports whether the type expression e names a type parameter.
func mentionsAny(e ast.Expr, isParam map[string]bool) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && isParam[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// unify matches a parameter's type expression against an argument's type
// (parsed from the text src) and binds the type parameters it names to
// the text of the matching parts: func(T) U against func(x float64)
// string binds T to float64 and U to string. It reports false when the
// shapes differ or a part it cannot match names a type parameter.
func unify(pt, at ast.Expr, src string, isParam map[string]bool, bind func(p, t string) bool) bool {
	text := func(n ast.Node) string { return src[n.Pos()-1 : n.End()-1] }
	switch p := pt.(type) {
	case *ast.Ident:
		if isParam[p.Name] {
			return bind(p.Name, text(at))
		}
		return true
	case *ast.ParenExpr:
		return unify(p.X, at, src, isParam, bind)
	case *ast.ArrayType:
		a, ok := at.(*ast.ArrayType)
		if !ok || (p.Len == nil) != (a.Len == nil) || (p.Len != nil && mentionsAny(p.Len, isParam)) {
			return false
		}
		return unify(p.Elt, a.Elt, src, isParam, bind)
	case *ast.StarExpr:
		a, ok := at.(*ast.StarExpr)
		return ok && unify(p.X, a.X, src, isParam, bind)
	case *ast.MapType:
		a, ok := at.(*ast.MapType)
		return ok && unify(p.Key, a.Key, src, isParam, bind) && unify(p.Value, a.Value, src, isParam, bind)
	case *ast.ChanType:
		a, ok := at.(*ast.ChanType)
		return ok && unify(p.Value, a.Value, src, isParam, bind)
	case *ast.FuncType:
		a, ok := at.(*ast.FuncType)
		if !ok {
			return false
		}
		return unifyFields(p.Params, a.Params, src, isParam, bind) && unifyFields(p.Results, a.Results, src, isParam, bind)
	}
	return !mentionsAny(pt, isParam)
}

// unifyFields unifies two parameter or result lists field type by field
// type.
func unifyFields(p, a *ast.FieldList, src string, isParam map[string]bool, bind func(p, t string) bool) bool {
	pt, at := fieldTypes(p), fieldTypes(a)
	if len(pt) != len(at) {
		return false
	}
	for i := range pt {
		if !unify(pt[i], at[i], src, isParam, bind) {
			return false
		}
	}
	return true
}

// fieldTypes lists the type of every entry of a field list (a field with
// two names counts twice).
func fieldTypes(l *ast.FieldList) []ast.Expr {
	if l == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range l.List {
		for range max(len(f.Names), 1) {
			out = append(out, f.Type)
		}
	}
	return out
}

// constKind returns the default type of an untyped constant expression
// built from literals, or false.
func constKind(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return "int", true
		case token.CHAR:
			return "rune", true
		case token.FLOAT:
			return "float64", true
		case token.IMAG:
			return "complex128", true
		case token.STRING:
			return "string", true
		}
	case *ast.ParenExpr:
		return constKind(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.ADD || x.Op == token.SUB || x.Op == token.XOR {
			if k, ok := constKind(x.X); ok && untypedRank[k] > 0 {
				return k, true
			}
		}
		if x.Op == token.NOT {
			if k, ok := constKind(x.X); ok && k == "bool" {
				return k, true
			}
		}
	case *ast.BinaryExpr:
		l, okL := constKind(x.X)
		r, okR := constKind(x.Y)
		if !okL || !okR {
			return "", false
		}
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return "bool", true
		case token.SHL, token.SHR:
			return l, untypedRank[l] > 0
		}
		if l == "string" && r == "string" && x.Op == token.ADD {
			return "string", true
		}
		if untypedRank[l] > 0 && untypedRank[r] > 0 {
			if untypedRank[r] > untypedRank[l] {
				return r, true
			}
			return l, true
		}
	}
	return "", false
}

// instantiate writes out the type arguments of a call of a generic
// function declared in a cell (this one or an earlier one) when it can
// infer them, and reports whether it did.
func (r *rewriter) instantiate(x *ast.CallExpr, id *ast.Ident) (bool, error) {
	sig, ok := r.c.generics[id.Name]
	if !ok {
		if r.c.localNames[id.Name] {
			return false, nil
		}
		if sig, ok = r.c.env.genericFunc(id.Name); !ok {
			return false, nil
		}
	}
	if missing := sig.unbound(len(x.Args)); len(missing) > 0 {
		// yaegi fails obscurely here ("CFG post-order panic", or
		// "undefined type for T" at the declaration).
		return false, r.errAt(x.Pos(), fmt.Sprintf("in call to %s, cannot infer %s", id.Name, missing[0]))
	}
	args, ok := sig.inferredArgs(x, r.argType)
	if !ok {
		return false, nil
	}
	r.insert(r.ps.offset(id.End()), "["+strings.Join(args, ", ")+"]")
	return true, nil
}

// argType gives the type of a call argument as far as the cell's syntax
// and the session's variables tell it: an untyped constant's default type
// (untyped true), a variable's or conversion's type, or false.
func (r *rewriter) argType(e ast.Expr) (string, bool, bool) {
	if k, ok := constKind(e); ok {
		return k, true, true
	}
	if id, ok := e.(*ast.Ident); ok {
		if (id.Name == "true" || id.Name == "false") && !r.shadowed(id.Name) {
			return "bool", true, true
		}
		if id.Name == "nil" && !r.shadowed(id.Name) {
			return "nil", true, true
		}
		t, untyped := r.identType(id)
		return t, untyped, t != ""
	}
	if fl, ok := e.(*ast.FuncLit); ok {
		return r.ps.source(fl.Type), false, true
	}
	t := typeOfExpr(e, r.ps)
	return t, false, t != ""
}

// rangeVarType is the type of a variable of `for k, v := range x` (the
// parser's declaration of it, as an assignment) when x is a slice or
// array whose type is known: int for k, the element type for v.
func (r *rewriter) rangeVarType(d *ast.AssignStmt, x ast.Expr, id *ast.Ident) string {
	var xt string
	if xid, ok := x.(*ast.Ident); ok {
		xt, _ = r.identType(xid)
	} else {
		xt = typeOfExpr(x, r.ps)
	}
	elem, isSlice := strings.CutPrefix(xt, "[]")
	if !isSlice {
		return ""
	}
	for i, l := range d.Lhs {
		if n, ok := l.(*ast.Ident); ok && n.Name == id.Name {
			if i == 0 {
				return "int"
			}
			return elem
		}
	}
	return ""
}

// identType is the type of a variable or constant named by id: from its
// declaration in the same statement or declaration group, from an earlier
// statement of the cell, or from the session. untyped is true for a
// constant declared without a type.
func (r *rewriter) identType(id *ast.Ident) (typ string, untyped bool) {
	if obj := id.Obj; obj != nil {
		switch d := obj.Decl.(type) {
		case *ast.AssignStmt:
			if d.Tok == token.DEFINE && len(d.Lhs) == len(d.Rhs) {
				for i, l := range d.Lhs {
					if n, ok := l.(*ast.Ident); ok && n.Name == id.Name {
						return typeOfExpr(d.Rhs[i], r.ps), false
					}
				}
			}
			if u, ok := d.Rhs[0].(*ast.UnaryExpr); ok && d.Tok == token.DEFINE && len(d.Rhs) == 1 && u.Op == token.RANGE {
				return r.rangeVarType(d, u.X, id), false
			}
		case *ast.ValueSpec:
			if d.Type != nil {
				return r.ps.source(d.Type), false
			}
			if len(d.Values) == len(d.Names) {
				for i, n := range d.Names {
					if n.Name == id.Name {
						if obj.Kind == ast.Con {
							k, ok := constKind(d.Values[i])
							return k, ok
						}
						return typeOfExpr(d.Values[i], r.ps), false
					}
				}
			}
		case *ast.Field:
			return r.ps.source(d.Type), false
		}
		return "", false
	}
	for i := len(r.c.plan.Units) - 1; i >= 0; i-- {
		if t, ok := r.c.plan.Units[i].DefExpr[id.Name]; ok {
			return t, false
		}
	}
	if r.c.localNames[id.Name] {
		return "", false
	}
	return r.c.env.varType(id.Name), false
}
