package script

import (
	"go/ast"
	"go/token"
)

// yaegiDefersSuffice reports whether yaegi's own defer statement gives
// Go's result for every defer of a function, so the function keeps it and
// its speed (the defer stack of functionDefer costs ~1.5 µs a call). yaegi
// reads a deferred call's variables when the call runs rather than at the
// defer statement, which is the same as long as none can have changed; and
// a deferred call that panics keeps yaegi from making the other ones. So
// the function must defer one call, not in a loop, that names only
//
//   - as its function: a function, a literal, or a method of a variable
//     that the function never reassigns (globals and captured variables
//     count as receivers: c.mu.Unlock(), wg.Done());
//   - in its arguments: constants, calls (evaluated at the defer
//     statement into values of their own), and the function's own
//     variables that it never reassigns, takes the address of or calls a
//     method on.
//
// fn is the *ast.FuncDecl or *ast.FuncLit, body its body.
func yaegiDefersSuffice(fn ast.Node, body *ast.BlockStmt) bool {
	var defers []*ast.DeferStmt
	var loops []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false // its defers are its own
		case *ast.DeferStmt:
			defers = append(defers, x)
		case *ast.ForStmt, *ast.RangeStmt:
			loops = append(loops, x)
		}
		return true
	})
	assigned, called := changedVars(body)
	local := func(obj *ast.Object) bool { return obj.Pos() >= fn.Pos() && obj.Pos() < fn.End() }
	kept := func(id *ast.Ident) bool { // never reassigned
		return id.Obj != nil && id.Obj.Kind == ast.Var && local(id.Obj) && !assigned[id.Obj]
	}
	steady := func(id *ast.Ident) bool { return kept(id) && !called[id.Obj] }
	if len(defers) > 1 {
		return false
	}
	for _, d := range defers {
		for _, l := range loops {
			if d.Pos() >= l.Pos() && d.End() <= l.End() {
				return false
			}
		}
		if !stableFunc(d.Call.Fun, kept, local) {
			return false
		}
		for _, a := range d.Call.Args {
			if !constantOrSteady(a, steady) {
				return false
			}
		}
	}
	return true
}

// stableFunc reports whether the function of a deferred call is the same
// when the call runs as at the defer statement.
func stableFunc(fun ast.Expr, kept func(*ast.Ident) bool, local func(*ast.Object) bool) bool {
	switch f := unparen(fun).(type) {
	case *ast.FuncLit:
		return true
	case *ast.Ident:
		return f.Obj == nil || f.Obj.Kind == ast.Fun || kept(f)
	case *ast.SelectorExpr:
		root := f.X
		for {
			sel, ok := unparen(root).(*ast.SelectorExpr)
			if !ok {
				break
			}
			root = sel.X
		}
		id, ok := unparen(root).(*ast.Ident)
		if !ok {
			return false
		}
		// A package, a global or a captured variable as the receiver,
		// or a local one never reassigned.
		return id.Obj == nil || !local(id.Obj) || kept(id)
	}
	return false
}

// constantOrSteady reports whether an argument names no variable but
// steady ones (function literals in it capture by reference in Go too).
func constantOrSteady(arg ast.Expr, steady func(*ast.Ident) bool) bool {
	ok := true
	ast.Inspect(arg, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			// Evaluated at the defer statement, into a value of its own
			// that nothing changes later (outside a loop).
			return false
		case *ast.CompositeLit:
			for _, e := range x.Elts {
				ok = ok && constantOrSteady(e, steady)
			}
			return false
		case *ast.SelectorExpr:
			// pkg.Name or v.field: only the root can be a variable.
			ast.Inspect(x.X, func(m ast.Node) bool {
				if id, isID := m.(*ast.Ident); isID && !steadyName(id, steady) {
					ok = false
				}
				return ok
			})
			return false
		case *ast.KeyValueExpr:
			// A field name is no variable; a map key may be one.
			if id, isID := x.Key.(*ast.Ident); !isID || id.Obj != nil {
				ok = ok && constantOrSteady(x.Key, steady)
			}
			ok = ok && constantOrSteady(x.Value, steady)
			return false
		case *ast.Ident:
			if !steadyName(x, steady) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// steadyName reports whether an identifier in a deferred argument cannot
// change before the call runs: a builtin, a constant, a type, a function,
// or a steady variable. A name the cell does not declare (a package, or a
// global of an earlier cell) counts as changing unless it is a builtin.
func steadyName(id *ast.Ident, steady func(*ast.Ident) bool) bool {
	if id.Obj == nil {
		return universe[id.Name]
	}
	switch id.Obj.Kind {
	case ast.Con, ast.Typ, ast.Fun:
		return true
	}
	return steady(id)
}

// changedVars lists the variables a function body (its literals included)
// may change after declaring them: assigned (assigned, incremented,
// redeclared by :=, a range variable assigned with =, their address
// taken), and called (a method called on them: a pointer method may change
// a value).
func changedVars(body *ast.BlockStmt) (assigned, called map[*ast.Object]bool) {
	assigned, called = map[*ast.Object]bool{}, map[*ast.Object]bool{}
	markIn := func(set map[*ast.Object]bool, e ast.Expr) {
		for {
			switch x := unparen(e).(type) {
			case *ast.SelectorExpr:
				e = x.X
				continue
			case *ast.IndexExpr:
				e = x.X
				continue
			case *ast.StarExpr:
				e = x.X
				continue
			case *ast.Ident:
				if x.Obj != nil {
					set[x.Obj] = true
				}
			}
			return
		}
	}
	mark := func(e ast.Expr) { markIn(assigned, e) }
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE && id.Obj != nil && id.Obj.Decl == x {
					continue // declared here
				}
				mark(l)
			}
		case *ast.IncDecStmt:
			mark(x.X)
		case *ast.RangeStmt:
			if x.Tok == token.ASSIGN {
				if x.Key != nil {
					mark(x.Key)
				}
				if x.Value != nil {
					mark(x.Value)
				}
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				mark(x.X)
			}
		case *ast.CallExpr:
			if sel, ok := unparen(x.Fun).(*ast.SelectorExpr); ok {
				markIn(called, sel.X)
			}
		}
		return true
	})
	return assigned, called
}
