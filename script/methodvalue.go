package script

import (
	"go/ast"
	"strconv"
	"strings"
	"unicode"
)

// methodValue binds the receiver of a method value when it is taken, as Go
// does: for `f := a.Norm` Go copies a (Norm has a value receiver) so f
// keeps the a of that moment; yaegi bound the variable, and f saw later
// changes to a. A method value of a variable whose type is declared in a
// cell, of a method with a value receiver, becomes a call that takes the
// copy: func(r T) func(...) ... { return r.Norm }(a). Through a pointer
// variable p, Go binds the pointer p holds now (yaegi: the variable, so
// `p = &T{...}` later moved the method value), or a copy of *p for a
// value receiver: func(r *T) func(...) ... { return r.Close }(p).
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
	base, viaPointer := strings.CutPrefix(typ, "*")
	if untyped || !isPlainIdent(base) {
		return nil, false
	}
	m, ok := r.c.methods[base+"."+x.Sel.Name]
	if !ok {
		if m, ok = r.c.env.method(base, x.Sel.Name); !ok {
			return nil, false
		}
	}
	arg := []part{r.subN(x.X)}
	switch {
	case !viaPointer && m.pointer:
		return nil, false // Go binds &a, as yaegi does
	case viaPointer && !m.pointer:
		typ, arg = base, []part{lit("*"), r.subN(x.X)} // a copy of *p
	}
	r.counter++
	recv := "_gonoteR" + strconv.Itoa(r.counter)
	parts := []part{lit("func(" + recv + " " + typ + ") func" + m.sig + " { return " + recv + "." + x.Sel.Name + " }(")}
	return append(append(parts, arg...), lit(")")), true
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

// methodInfo is what a method value's binding needs of a method.
type methodInfo struct {
	sig     string // parameters and results as source text: "(k float64) float64"
	pointer bool   // the receiver is a pointer
}

// methodSignature describes a method declaration, or returns false for a
// receiver with type parameters.
func methodSignature(fd *ast.FuncDecl, text func(ast.Node) string) (methodInfo, bool) {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return methodInfo{}, false
	}
	var m methodInfo
	switch t := fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		if _, ok := t.X.(*ast.Ident); !ok {
			return methodInfo{}, false
		}
		m.pointer = true
	case *ast.Ident:
	default:
		return methodInfo{}, false // T[K], a parenthesized type: left alone
	}
	m.sig = text(fd.Type.Params)
	if fd.Type.Results != nil {
		m.sig += " " + text(fd.Type.Results)
	}
	return m, true
}

// parseMethod parses a method declaration and describes it as
// methodSignature does.
func parseMethod(src string) (methodInfo, bool) {
	if fd, text, ok := parseFuncDecl(src); ok {
		return methodSignature(fd, text)
	}
	return methodInfo{}, false
}
