package script

import (
	"go/ast"
	"strconv"
	"unicode"
)

// methodValue binds the receiver of a method value when it is taken, as Go
// does: for `f := a.Norm` Go copies a (Norm has a value receiver) so f
// keeps the a of that moment; yaegi bound the variable, and f saw later
// changes to a. A method value of a variable whose type is declared in a
// cell, of a method with a value receiver, becomes a call that takes the
// copy: func(r T) func(...) ... { return r.Norm }(a).
func (r *rewriter) methodValue(x *ast.SelectorExpr) {
	if parts, ok := r.boundMethodValue(x); ok {
		r.replaceParts(x.Pos(), x.End(), parts...)
	}
}

// boundMethodValue returns the rewrite of methodValue for x, or false when
// x is not a method value of that kind. A go or defer statement uses it
// for its function too (go e.Run() in a loop ran every goroutine on the
// last e).
func (r *rewriter) boundMethodValue(x *ast.SelectorExpr) ([]part, bool) {
	id, ok := x.X.(*ast.Ident)
	if !ok {
		return nil, false
	}
	typ, untyped := r.identType(id)
	if typ == "" && !untyped && id.Obj == nil && !r.c.localNames[id.Name] {
		typ = r.c.env.varTypeExpr(id.Name)
	}
	if untyped || !isPlainIdent(typ) {
		return nil, false
	}
	sig, ok := r.c.methods[typ+"."+x.Sel.Name]
	if !ok {
		if sig, ok = r.c.env.valueMethod(typ, x.Sel.Name); !ok {
			return nil, false
		}
	}
	if sig == "" {
		return nil, false // a pointer receiver: yaegi binds it as Go does
	}
	r.counter++
	recv := "_gonoteR" + strconv.Itoa(r.counter)
	return []part{lit("func(" + recv + " " + typ + ") func" + sig + " { return " + recv + "." + x.Sel.Name + " }("), r.subN(x.X), lit(")")}, true
}

// isPlainIdent reports whether s is a Go identifier.
func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c != '_' && !unicode.IsLetter(c) && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

// methodSignature returns the parameters and results of a method declared
// with a value receiver, as source text ("(k float64) float64"), "" for a
// pointer receiver, and false for a receiver with type parameters.
func methodSignature(fd *ast.FuncDecl, text func(ast.Node) string) (string, bool) {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return "", false
	}
	switch fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		return "", true
	case *ast.Ident:
	default:
		return "", false // T[K], a parenthesized type: left alone
	}
	sig := text(fd.Type.Params)
	if fd.Type.Results != nil {
		sig += " " + text(fd.Type.Results)
	}
	return sig, true
}

// parseValueMethod parses a method declaration and returns its signature
// as methodSignature does.
func parseValueMethod(src string) (string, bool) {
	if fd, text, ok := parseFuncDecl(src); ok {
		return methodSignature(fd, text)
	}
	return "", false
}
