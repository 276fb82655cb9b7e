package script

import (
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// part is a piece of replacement text: a literal, or a range of the
// original text rendered with the edits inside it.
type part struct {
	lit  string
	s, e int
	sub  bool
}

func lit(s string) part                  { return part{lit: s} }
func sub(s, e int) part                  { return part{s: s, e: e, sub: true} }
func (r *rewriter) subN(n ast.Node) part { return sub(r.ps.offset(n.Pos()), r.ps.offset(n.End())) }

// edit replaces text[start:end] with parts. A capture edit stands for an
// argument moved elsewhere: it is not applied when that argument's range
// is rendered as a part.
type edit struct {
	start, end int
	parts      []part
	capture    bool
}

// rewriter collects text edits of one segment. Edits never add lines, so
// positions in the rewritten text keep the cell's line numbers.
type rewriter struct {
	ps       *parsedSegment
	c        *cellCompiler
	edits    []edit
	intNames map[string]bool
	counter  int
	// resolving guards objInt against a declaration that refers to itself.
	resolving map[*ast.Ident]bool
	// deferStacks says for each function body with defers whether it was
	// given a deferStack (see functionDefer).
	deferStacks map[*ast.BlockStmt]bool
}

func newRewriter(ps *parsedSegment, c *cellCompiler) *rewriter {
	return &rewriter{ps: ps, c: c, intNames: c.intNames}
}

func (r *rewriter) replace(p1, p2 token.Pos, s string) {
	r.edits = append(r.edits, edit{start: r.ps.offset(p1), end: r.ps.offset(p2), parts: []part{lit(s)}})
}

func (r *rewriter) replaceParts(p1, p2 token.Pos, parts ...part) {
	r.edits = append(r.edits, edit{start: r.ps.offset(p1), end: r.ps.offset(p2), parts: parts})
}

func (r *rewriter) insert(off int, s string) {
	r.edits = append(r.edits, edit{start: off, end: off, parts: []part{lit(s)}})
}

// render returns text[s:e] with the edits inside it applied.
func (r *rewriter) render(s, e int) string {
	return r.renderExcept(s, e, -1)
}

// renderExcept renders text[s:e]; parent is the index of the edit whose
// part this range is (-1 at the top): that edit, and a capture of exactly
// this range, are not applied inside it.
func (r *rewriter) renderExcept(s, e int, parent int) string {
	type indexed struct {
		edit
		i int
	}
	edits := make([]indexed, 0, len(r.edits))
	for i, ed := range r.edits {
		if ed.start >= s && ed.end <= e {
			if i == parent || (parent >= 0 && ed.capture && ed.start == s && ed.end == e) {
				continue
			}
			edits = append(edits, indexed{ed, i})
		}
	}
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		// Insertions before replacements at the same place; outer first.
		li, lj := edits[i].end-edits[i].start, edits[j].end-edits[j].start
		if (li == 0) != (lj == 0) {
			return li == 0
		}
		return li > lj
	})
	var b strings.Builder
	pos := s
	text := r.ps.text
	for _, ed := range edits {
		if ed.start < pos {
			continue // inside an edit already applied
		}
		b.WriteString(text[pos:ed.start])
		for _, p := range ed.parts {
			if p.sub {
				b.WriteString(r.renderExcept(p.s, p.e, ed.i))
			} else {
				b.WriteString(p.lit)
			}
		}
		pos = ed.end
	}
	b.WriteString(text[pos:e])
	return b.String()
}

func (r *rewriter) errAt(p token.Pos, msg string) error {
	line, col := r.ps.position(p)
	return &compileError{Line: line, Col: col, Msg: msg}
}

// shadowed reports whether name refers to something the user declared
// rather than a builtin or a package.
func (r *rewriter) shadowed(name string) bool {
	return r.c.localNames[name] || r.c.env.declared(name)
}

// objInt reports whether the declaration of id (resolved by the parser)
// shows by its syntax that id holds an integer.
func (r *rewriter) objInt(id *ast.Ident, obj *ast.Object) bool {
	if obj.Kind != ast.Var {
		return false
	}
	switch d := obj.Decl.(type) {
	case *ast.Field:
		return isIntType(d.Type)
	case *ast.ValueSpec:
		for i, n := range d.Names {
			if n.Name == id.Name {
				if d.Type != nil {
					return isIntType(d.Type)
				}
				return i < len(d.Values) && len(d.Names) == len(d.Values) && r.intSyntaxOf(d.Values[i], n)
			}
		}
	case *ast.AssignStmt:
		if d.Tok != token.DEFINE || len(d.Lhs) != len(d.Rhs) {
			return false
		}
		for i, l := range d.Lhs {
			if n, ok := l.(*ast.Ident); ok && n.Name == id.Name {
				return r.intSyntaxOf(d.Rhs[i], n)
			}
		}
	}
	return false
}

// intSyntaxOf is intSyntax of the value that declares name, guarded
// against a declaration that refers to itself.
func (r *rewriter) intSyntaxOf(e ast.Expr, name *ast.Ident) bool {
	if r.resolving == nil {
		r.resolving = map[*ast.Ident]bool{}
	}
	if r.resolving[name] {
		return false
	}
	r.resolving[name] = true
	defer delete(r.resolving, name)
	return r.intSyntax(e)
}

// collectInts records the names declared at the top level of a cell
// segment (the statement of a statement segment, or the declarations of a
// declaration segment) whose syntax shows they hold integers. Names in
// inner scopes are resolved through their own declarations (see objInt).
func (r *rewriter) collectInts(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit, *ast.FuncDecl, *ast.BlockStmt, *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt,
			*ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.CaseClause, *ast.CommClause:
			return false
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && r.intSyntax(x.Rhs[i]) {
						r.intNames[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if (x.Type != nil && isIntType(x.Type)) || (x.Type == nil && i < len(x.Values) && r.intSyntax(x.Values[i])) {
					r.intNames[id.Name] = true
				}
			}
		}
		return true
	})
}

var intTypes = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true}

func isIntType(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && intTypes[id.Name]
}

// intSyntax reports whether e is, by its syntax, an integer expression.
func (r *rewriter) intSyntax(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.ParenExpr:
		return r.intSyntax(x.X)
	case *ast.Ident:
		if x.Obj != nil {
			// Declared in this segment: look at that declaration only (a
			// name may be an int in one scope and a slice in another).
			return r.objInt(x, x.Obj)
		}
		if r.intNames[x.Name] {
			return true
		}
		return !r.c.localNames[x.Name] && r.c.env.integer(x.Name)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			return id.Name == "len" || id.Name == "cap" || intTypes[id.Name]
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return r.intSyntax(x.X) && (r.intSyntax(x.Y) || x.Op == token.SHL || x.Op == token.SHR) ||
				r.intSyntax(x.Y) && isUntypedInt(x.X)
		}
	case *ast.UnaryExpr:
		return x.Op == token.SUB && r.intSyntax(x.X)
	}
	return false
}

func isUntypedInt(e ast.Expr) bool {
	bl, ok := e.(*ast.BasicLit)
	return ok && bl.Kind == token.INT
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// pkgCall returns "pkg.Name" when call calls a function of an unshadowed
// package name.
func (r *rewriter) pkgCall(e ast.Expr) (string, *ast.CallExpr) {
	call, ok := unparen(e).(*ast.CallExpr)
	if !ok {
		return "", nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", nil
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || r.shadowed(id.Name) {
		return "", nil
	}
	return id.Name + "." + sel.Sel.Name, call
}

// walk applies the rewrites to root. Code outside function bodies runs in
// the global scope of the cell, where more patterns need rewriting.
func (r *rewriter) walk(root ast.Node) error {
	var err error
	var stack []ast.Node
	inFunc := func() bool {
		for _, n := range stack {
			switch n.(type) {
			case *ast.FuncLit:
				return true
			case *ast.FuncDecl:
				return true
			}
		}
		return false
	}
	// inLoop reports whether the node is in a loop, where a function
	// literal handed to go or a top-level defer is first held in a
	// variable (see deferred).
	inLoop := func() bool {
		for _, n := range stack {
			switch n.(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				return true
			}
		}
		return false
	}
	ast.Inspect(root, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch x := n.(type) {
		case *ast.AssignStmt:
			if len(x.Lhs) == 2 && len(x.Rhs) == 1 && !inFunc() {
				if ix, ok := unparen(x.Rhs[0]).(*ast.IndexExpr); ok {
					r.commaOKIndex(x, ix)
				} else {
					r.commaOK(x.Rhs[0])
				}
			}
		case *ast.ValueSpec:
			if len(x.Names) == 2 && len(x.Values) == 1 && !inFunc() {
				r.commaOK(x.Values[0])
			}
		case *ast.RangeStmt:
			r.rangeStmt(x)
			if x.Tok == token.DEFINE {
				r.perIterationVars(x.Body, false, x.Key, x.Value)
			}
		case *ast.ForStmt:
			if as, ok := x.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				r.perIterationVars(x.Body, true, as.Lhs...)
			}
		case *ast.CallExpr:
			if err = r.call(x); err != nil {
				return false
			}
		case *ast.GoStmt:
			r.deferred(x.Call, x.Pos(), rtName+".Go", inLoop())
		case *ast.DeferStmt:
			if !inFunc() {
				r.deferred(x.Call, x.Pos(), rtName+".Defer", inLoop())
			} else if err = r.checkDeferredClosure(x, stack); err != nil {
				return false
			} else {
				r.functionDefer(x, stack)
			}
		case *ast.ReturnStmt:
			if !inFunc() {
				if len(x.Results) > 0 {
					err = r.errAt(x.Pos(), "return with values at the top level of a cell: a cell is not a function; show a value by writing it as the last line")
					return false
				}
				r.replace(x.Pos(), x.End(), "panic("+rtName+".ReturnSignal)")
			}
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "os" && x.Sel.Name == "Stdin" && !r.shadowed("os") {
				r.replace(x.Pos(), x.End(), rtName+".Stdin()")
			} else if call, ok := stack[len(stack)-2].(*ast.CallExpr); !ok || call.Fun != ast.Expr(x) {
				r.methodValue(x)
			}
		}
		return true
	})
	return err
}

// commaOKIndex rewrites v, ok := m[k] at the top level into two
// statements, v := m[k]; ok := _gonote.Has(m, k), which yaegi runs
// correctly (a multi-value form keeps a stale v for a missing key).
func (r *rewriter) commaOKIndex(x *ast.AssignStmt, ix *ast.IndexExpr) {
	op := " " + x.Tok.String() + " "
	first := func(e ast.Expr) []part {
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			return []part{lit("_ = ")}
		}
		return []part{r.subN(e), lit(op)}
	}
	parts := first(x.Lhs[0])
	parts = append(parts, r.subN(ix.X), lit("["), r.subN(ix.Index), lit("]; "))
	if id, ok := x.Lhs[1].(*ast.Ident); ok && id.Name == "_" {
		r.replaceParts(x.Pos(), x.End(), parts...)
		return
	}
	parts = append(parts, r.subN(x.Lhs[1]), lit(op+rtName+".Has("), r.subN(ix.X), lit(", "), r.subN(ix.Index), lit(")"))
	r.replaceParts(x.Pos(), x.End(), parts...)
}

// commaOK rewrites the right side of a two-value assignment in the global
// scope, which yaegi cannot compile there.
func (r *rewriter) commaOK(rhs ast.Expr) {
	e := unparen(rhs)
	switch x := e.(type) {
	case *ast.IndexExpr:
		// v, ok := m[k]  ->  v, ok := m[k], _gonote.Has(m, k)
		r.replaceParts(rhs.Pos(), rhs.End(), r.subN(x.X), lit("["), r.subN(x.Index), lit("], "+rtName+".Has("), r.subN(x.X), lit(", "), r.subN(x.Index), lit(")"))
	case *ast.TypeAssertExpr:
		if x.Type != nil {
			r.replaceParts(rhs.Pos(), rhs.End(), lit("func() ("), r.subN(x.Type), lit(", bool) { v, ok := "),
				r.subN(x.X), lit(".("), r.subN(x.Type), lit("); return v, ok }()"))
		}
	}
	// A receive (v, ok := <-ch) is left alone: the session runs the
	// statement inside a function when yaegi cannot compile it globally.
}

// iterCalls maps iterator functions to the slice-returning helpers used in
// a range clause, and how the range variables change: "keyToValue" moves
// the key variable to the value position.
var iterCalls = map[string]struct {
	helper     string
	keyToValue bool
}{
	"maps.Keys":     {"_gonoteKeys", true},
	"maps.Values":   {"_gonoteValues", true},
	"slices.Values": {"", true},
	"slices.All":    {"", false},
	"maps.All":      {"", false},
}

func (r *rewriter) rangeStmt(x *ast.RangeStmt) {
	if name, call := r.pkgCall(x.X); call != nil && len(call.Args) == 1 {
		if it, ok := iterCalls[name]; ok {
			if it.helper != "" {
				r.replaceParts(x.X.Pos(), x.X.End(), lit(it.helper+"("), r.subN(call.Args[0]), lit(")"))
			} else {
				r.replaceParts(x.X.Pos(), x.X.End(), r.subN(call.Args[0]))
			}
			if it.keyToValue && x.Key != nil && x.Value == nil {
				r.replaceParts(x.Key.Pos(), x.Key.End(), lit("_, "), r.subN(x.Key))
			}
			return
		}
	}
	if !r.intSyntax(x.X) {
		return
	}
	// for k := range n  ->  for k, _gonoteN := (n)*0, (n); k < _gonoteN; k++
	r.counter++
	limit := "_gonoteN" + strconv.Itoa(r.counter)
	key := "_gonoteI" + strconv.Itoa(r.counter)
	if id, ok := x.Key.(*ast.Ident); ok && id.Name != "_" && x.Tok == token.DEFINE {
		key = id.Name
	} else if x.Key != nil && x.Tok == token.ASSIGN {
		// for i = range n: assign to an existing variable.
		r.replaceParts(x.For, x.Body.Lbrace, lit("for "), r.subN(x.Key), lit(" = 0; "), r.subN(x.Key), lit(" < ("), r.subN(x.X), lit("); "), r.subN(x.Key), lit("++ "))
		return
	}
	r.replaceParts(x.For, x.Body.Lbrace, lit("for "+key+", "+limit+" := ("), r.subN(x.X), lit(")*0, ("), r.subN(x.X),
		lit("); "+key+" < "+limit+"; "+key+"++ "))
}

// perIterationVars gives each iteration of a loop its own copy of the
// loop's variables, as Go 1.22 does: yaegi v0.16.1 keeps one variable for
// the whole loop, so closures, goroutines and pointers taken in the body
// all saw its last value (`for _, v := range xs { go use(func() { v }) }`
// ran every goroutine on the last v). A copy (`v := v`) opens the body
// when the body captures a variable: a function literal or a go or defer
// statement refers to it, or its address is taken. Loops that do not
// capture keep their speed. In a three-clause loop (mutable), a body that
// assigns the variable is left alone: the copy would hide the assignment
// from the loop's condition and post statement. (A literal deferred in a
// function's loop copies what it uses itself: see functionDefer.)
func (r *rewriter) perIterationVars(body *ast.BlockStmt, mutable bool, vars ...ast.Expr) {
	objs := map[*ast.Object]string{}
	for _, v := range vars {
		if id, ok := v.(*ast.Ident); ok && id.Name != "_" && id.Obj != nil {
			objs[id.Obj] = id.Name
		}
	}
	if len(objs) == 0 || body == nil {
		return
	}
	refersTo := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && objs[id.Obj] != "" {
				found = true
			}
			return !found
		})
		return found
	}
	captured, assigned := map[string]bool{}, false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			ast.Inspect(x, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && objs[id.Obj] != "" {
					captured[id.Name] = true
				}
				return true
			})
			return false
		case *ast.UnaryExpr:
			if id, ok := unparen(x.X).(*ast.Ident); ok && x.Op == token.AND && objs[id.Obj] != "" {
				captured[id.Name] = true
			}
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				assigned = assigned || refersTo(l) && isIdent(l)
			}
		case *ast.IncDecStmt:
			assigned = assigned || isIdent(x.X) && refersTo(x.X)
		}
		return true
	})
	if len(captured) == 0 || (mutable && assigned) {
		return
	}
	// A body that declares the name itself (the pre-1.22 idiom v := v)
	// already has its copy.
	for _, st := range body.List {
		if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					delete(captured, id.Name)
				}
			}
		}
	}
	var names []string
	for _, v := range vars { // in the loop's order
		if id, ok := v.(*ast.Ident); ok && captured[id.Name] {
			names = append(names, id.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	list := strings.Join(names, ", ")
	r.insert(r.ps.offset(body.Lbrace)+1, " "+list+" := "+list+";")
}

// deferStackName is the variable holding a function's deferStack.
const deferStackName = "_gonoteDefers"

// functionDefer rewrites a defer statement inside a function: yaegi
// v0.16.1 keeps the deferred call's arguments and receiver as references
// to the function's variables, so `defer fmt.Println(x)` printed the last
// x and `defer f.Close()` in a loop closed the last file every time. The
// call is recorded with its values evaluated now on the function's
// deferStack (runtime.go), which the function opens and defers once:
//
//	func f() { _gonoteDefers := _gonote.NewDefers(); defer _gonoteDefers.Run(); ...
//		_gonoteDefers.DeferCall(fmt.Println, x) ... }
//
// Every defer of the function goes there, so they keep Go's order. A
// function whose defers yaegi already gets right keeps them (see
// yaegiDefersSuffice).
//
// A function literal deferred in a loop is made in a function of its own
// that first copies the variables of the iteration it uses (Go 1.22 gives
// each iteration its own; the literal would otherwise see the last ones):
//
//	_gonoteDefers.DeferCall(func() func() { f := f; return func() { f.Close() } }())
//
// Holding the literal in a variable of the deferring function, as go
// statements do, would hang yaegi (see checkDeferredClosure).
func (r *rewriter) functionDefer(d *ast.DeferStmt, stack []ast.Node) {
	var fn ast.Node
	var body *ast.BlockStmt
	var loop ast.Node // the outermost loop of the function around d
	for i := len(stack) - 1; i >= 0 && body == nil; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncLit:
			fn, body = f, f.Body
		case *ast.FuncDecl:
			fn, body = f, f.Body
		case *ast.ForStmt, *ast.RangeStmt:
			loop = f
		}
	}
	if body == nil {
		return
	}
	useStack, decided := r.deferStacks[body]
	if !decided {
		if r.deferStacks == nil {
			r.deferStacks = map[*ast.BlockStmt]bool{}
		}
		useStack = !yaegiDefersSuffice(fn, body)
		r.deferStacks[body] = useStack
		if useStack {
			r.insert(r.ps.offset(body.Lbrace)+1, " "+deferStackName+" := "+rtName+".NewDefers(); defer "+deferStackName+".Run();")
		}
	}
	if !useStack {
		return
	}
	var fun []part
	if fl, ok := unparen(d.Call.Fun).(*ast.FuncLit); ok && loop != nil {
		if names := iterationVars(fl, loop); len(names) > 0 {
			list := strings.Join(names, ", ")
			fun = []part{lit("func() " + r.ps.source(fl.Type) + " { " + list + " := " + list + "; return "), r.subN(fl), lit(" }()")}
		}
	}
	r.deferredAs(d.Call, d.Pos(), deferStackName+".Defer", false, fun)
}

// iterationVars lists the variables declared in loop (its own and its
// body's, each new in every iteration) that the function literal fl uses.
func iterationVars(fl *ast.FuncLit, loop ast.Node) []string {
	var names []string
	seen := map[string]bool{}
	ast.Inspect(fl.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || id.Obj == nil || id.Obj.Kind != ast.Var || seen[id.Name] {
			return true
		}
		at := id.Obj.Pos()
		inLoop := at >= loop.Pos() && at < loop.End()
		inLit := at >= fl.Pos() && at < fl.End()
		if inLoop && !inLit {
			seen[id.Name] = true
			names = append(names, id.Name)
		}
		return true
	})
	return names
}

// checkDeferredClosure refuses a defer that calls, directly or from the
// deferred function literal, a function literal held in a variable of the
// deferring function: yaegi v0.16.1 runs deferred calls holding the
// function's frame lock, and such a closure takes that lock again when it
// returns, so the cell would hang for good (h := func() {...}; defer h()).
func (r *rewriter) checkDeferredClosure(d *ast.DeferStmt, stack []ast.Node) error {
	var body *ast.BlockStmt
	for i := len(stack) - 1; i >= 0 && body == nil; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncLit:
			body = f.Body
		case *ast.FuncDecl:
			body = f.Body
		}
	}
	if body == nil {
		return nil
	}
	// The variables of this function that are given a function literal.
	closures := map[*ast.Object]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Obj != nil && i < len(x.Rhs) && len(x.Lhs) == len(x.Rhs) {
					if _, isLit := unparen(x.Rhs[i]).(*ast.FuncLit); isLit && declaredIn(id.Obj, body) {
						closures[id.Obj] = true
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if i < len(x.Values) && id.Obj != nil {
					if _, isLit := unparen(x.Values[i]).(*ast.FuncLit); isLit {
						closures[id.Obj] = true
					}
				}
			}
		}
		return true
	})
	if len(closures) == 0 {
		return nil
	}
	var culprit *ast.Ident
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && culprit == nil {
			if id, ok := unparen(c.Fun).(*ast.Ident); ok && closures[id.Obj] {
				culprit = id
			}
		}
		return culprit == nil
	})
	if culprit == nil {
		return nil
	}
	return r.errAt(culprit.Pos(), fmt.Sprintf("a deferred call of %[1]s, a function literal held in a variable of this function, would hang the interpreter (yaegi runs deferred calls under a lock the literal takes again); defer the literal itself, defer func() { ... }(), or declare %[1]s as a named function", culprit.Name))
}

// declaredIn reports whether obj is declared inside body.
func declaredIn(obj *ast.Object, body *ast.BlockStmt) bool {
	n, ok := obj.Decl.(ast.Node)
	return ok && n.Pos() >= body.Pos() && n.End() <= body.End()
}

// wrappedErrors passes the operands of %w in fmt.Errorf through
// _gonote.AsError. An error value of a type declared in a cell reaches a
// compiled function's ...any parameter as a bare value whose methods
// compiled code cannot see (the interpreter unwraps interfaces for an any
// parameter, even after error(v)), so fmt did not take it for an error:
// the message read "%!w(*struct {...})" and errors.Unwrap gave nil.
// Through a compiled parameter of type error it travels in the
// interpreter's wrapper, which implements error (and which errors.As for
// cells, errorsAs, looks into). Only a literal format is read; verbs with
// explicit argument indexes leave the call alone.
func (r *rewriter) wrappedErrors(x *ast.CallExpr) {
	if len(x.Args) < 2 || x.Ellipsis.IsValid() {
		return
	}
	fl, ok := unparen(x.Args[0]).(*ast.BasicLit)
	if !ok || fl.Kind != token.STRING {
		return
	}
	format, err := strconv.Unquote(fl.Value)
	if err != nil {
		return
	}
	arg := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.*", format[i]) >= 0 {
			if format[i] == '*' {
				arg++ // a width or precision taken from the arguments
			}
			i++
		}
		if i >= len(format) || format[i] == '[' {
			return
		}
		switch format[i] {
		case '%':
			continue
		case 'w':
			if arg < len(x.Args) {
				a := x.Args[arg]
				r.replaceParts(a.Pos(), a.End(), lit(rtName+".AsError("), r.subN(a), lit(")"))
			}
		}
		arg++
	}
}

// isIdent reports whether e is a (parenthesized) identifier.
func isIdent(e ast.Expr) bool {
	_, ok := unparen(e).(*ast.Ident)
	return ok
}

// minMax rewrites min and max into the generic helpers. The interpreter
// infers the type parameter from the first argument only, so a typed
// argument is moved first, and constant arguments that include a float are
// made float64, as Go's untyped constant rules would.
func (r *rewriter) minMax(x *ast.CallExpr, helper string) {
	if len(x.Args) == 0 {
		return
	}
	first := -1
	anyFloat := false
	for i, a := range x.Args {
		if bl, ok := unparen(constOperand(a)).(*ast.BasicLit); ok {
			if bl.Kind == token.FLOAT {
				anyFloat = true
			}
			continue
		}
		if first < 0 {
			first = i
		}
	}
	var parts []part
	parts = append(parts, lit(helper+"("))
	switch {
	case first > 0:
		parts = append(parts, r.subN(x.Args[first]))
		for i, a := range x.Args {
			if i != first {
				parts = append(parts, lit(", "), r.subN(a))
			}
		}
	case first < 0 && anyFloat:
		parts = append(parts, lit("float64("), r.subN(x.Args[0]), lit(")"))
		for _, a := range x.Args[1:] {
			parts = append(parts, lit(", "), r.subN(a))
		}
	default:
		r.replace(x.Fun.Pos(), x.Fun.End(), helper)
		return
	}
	parts = append(parts, lit(")"))
	r.replaceParts(x.Pos(), x.End(), parts...)
}

// constOperand strips a unary minus or plus.
func constOperand(e ast.Expr) ast.Expr {
	if u, ok := e.(*ast.UnaryExpr); ok && (u.Op == token.SUB || u.Op == token.ADD) {
		return u.X
	}
	return e
}

// sliceCalls maps calls of generic standard functions yaegi lacks to
// working helpers.
var sliceCalls = map[string]string{
	"slices.Sort":    rtName + ".Sort",
	"slices.Reverse": rtName + ".Reverse",
	"slices.Max":     "_gonoteSliceMax",
	"slices.Min":     "_gonoteSliceMin",
	"slices.Sorted":  "_gonoteSorted",
	"slices.Equal":   "_gonoteEqual",
	"slices.Clone":   "_gonoteClone",
	"slices.Collect": "",

	"slices.Index":            "_gonoteIndex",
	"slices.Contains":         "_gonoteContains",
	"slices.Insert":           "_gonoteInsert",
	"slices.Delete":           "_gonoteDelete",
	"slices.DeleteFunc":       "_gonoteDeleteFunc",
	"slices.Replace":          "_gonoteReplace",
	"slices.Compact":          "_gonoteCompact",
	"slices.CompactFunc":      "_gonoteCompactFunc",
	"slices.Concat":           "_gonoteConcat",
	"slices.Repeat":           "_gonoteRepeat",
	"slices.Grow":             "_gonoteGrow",
	"slices.Clip":             "_gonoteClip",
	"slices.Compare":          "_gonoteSliceCompare",
	"slices.IsSorted":         "_gonoteIsSorted",
	"slices.IsSortedFunc":     "_gonoteIsSortedFunc",
	"slices.SortFunc":         "_gonoteSortFunc",
	"slices.SortStableFunc":   "_gonoteSortStableFunc",
	"slices.MaxFunc":          "_gonoteMaxFunc",
	"slices.MinFunc":          "_gonoteMinFunc",
	"slices.BinarySearch":     "_gonoteBinarySearch",
	"slices.BinarySearchFunc": "_gonoteBinarySearchFunc",

	"maps.Keys":      "_gonoteKeys",
	"maps.Values":    "_gonoteValues",
	"maps.Clone":     "_gonoteMapClone",
	"maps.Copy":      "_gonoteMapCopy",
	"maps.Equal":     "_gonoteMapEqual",
	"maps.EqualFunc": "_gonoteMapEqualFunc",

	"cmp.Compare": "_gonoteCompare",
	"cmp.Less":    "_gonoteLess",
	"cmp.Or":      "_gonoteOr",
}

func (r *rewriter) call(x *ast.CallExpr) error {
	if id, ok := x.Fun.(*ast.Ident); ok {
		if done, err := r.instantiate(x, id); done || err != nil {
			return err
		}
	}
	if id, ok := x.Fun.(*ast.Ident); ok && !r.shadowed(id.Name) {
		switch id.Name {
		case "min", "max":
			r.minMax(x, "_gonote"+strings.ToUpper(id.Name[:1])+id.Name[1:])
		case "clear":
			r.replace(id.Pos(), id.End(), rtName+".Clear")
		}
		return nil
	}
	if sel, ok := x.Fun.(*ast.SelectorExpr); ok && !x.Ellipsis.IsValid() {
		if id, ok := sel.X.(*ast.Ident); ok && !r.c.localNames[id.Name] {
			if elem, fixed, ok := r.c.env.variadicIface(id.Name, sel.Sel.Name); ok && len(x.Args) > fixed {
				// Values of cell types passed to a compiled variadic
				// interface parameter must arrive in a slice.
				first, last := x.Args[fixed], x.Args[len(x.Args)-1]
				r.insert(r.ps.offset(first.Pos()), "[]"+elem+"{")
				r.insert(r.ps.offset(last.End()), "}...")
			}
		}
	}
	name, _ := r.pkgCall(x)
	if name == "fmt.Errorf" {
		r.wrappedErrors(x)
		return nil
	}
	helper, ok := sliceCalls[name]
	if !ok {
		return nil
	}
	if helper == "" {
		// slices.Collect(seq): the sequence is already a slice after the
		// rewrite of maps.Keys and friends.
		if len(x.Args) == 1 {
			r.replaceParts(x.Pos(), x.End(), r.subN(x.Args[0]))
		}
		return nil
	}
	if sig, ok := preludeGenerics()[helper]; ok {
		// yaegi's own inference fails the helpers as it fails cells'
		// generics (untyped constants, variadic type parameters).
		if args, ok := sig.inferredArgs(x, r.argType); ok {
			helper += "[" + strings.Join(args, ", ") + "]"
		}
	}
	r.replace(x.Fun.Pos(), x.Fun.End(), helper)
	return nil
}

// deferred rewrites `go f(a, b)` (or a top-level defer) into a call of
// the runtime, which evaluates the function and its arguments now, as Go
// does, and calls it in a recovering goroutine (or at the end of the
// cell): _gonote.GoCall(f, a, b). Builtins cannot be values: their calls
// are wrapped in a closure instead.
//
// In a loop, a function literal is first held in a variable: yaegi hands a
// literal passed straight to a compiled function a view of the enclosing
// frame as it is when the call runs, so every goroutine or deferred call of
// the loop saw the last iteration's variables; a literal held in a variable
// keeps those of its own iteration (see perIterationVars).
func (r *rewriter) deferred(call *ast.CallExpr, stmtPos token.Pos, runtimeFunc string, inLoop bool) {
	r.deferredAs(call, stmtPos, runtimeFunc, inLoop, nil)
}

// deferredAs is deferred with the function given as fun (nil: the call's
// own, its receiver bound).
func (r *rewriter) deferredAs(call *ast.CallExpr, stmtPos token.Pos, runtimeFunc string, inLoop bool, fun []part) {
	if id, ok := call.Fun.(*ast.Ident); ok && universe[id.Name] && !r.shadowed(id.Name) {
		r.replaceParts(stmtPos, call.Pos(), lit(runtimeFunc+"(func() { "))
		r.insert(r.ps.offset(call.End()), " })")
		return
	}
	name := runtimeFunc + "Call"
	if call.Ellipsis.IsValid() {
		name = runtimeFunc + "CallSlice"
	}
	given := fun != nil
	if !given {
		fun = []part{r.subN(call.Fun)}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if bound, ok := r.boundMethodValue(sel); ok {
				fun = bound
			}
		}
	}
	parts := append([]part{lit(name + "(")}, fun...)
	if _, isLit := unparen(call.Fun).(*ast.FuncLit); isLit && inLoop && !given {
		r.counter++
		held := "_gonoteF" + strconv.Itoa(r.counter)
		parts = []part{lit(held + " := "), r.subN(call.Fun), lit("; " + name + "(" + held)}
	}
	for _, a := range call.Args {
		parts = append(parts, lit(", "), r.subN(a))
	}
	parts = append(parts, lit(")"))
	r.replaceParts(stmtPos, call.End(), parts...)
}
