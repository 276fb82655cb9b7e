package script

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strings"
)

// compileEnv is what the cell compiler needs to know about the session.
type compileEnv interface {
	// declared reports whether name is a global of the session (var, const,
	// func or type defined by an earlier cell).
	declared(name string) bool
	// imported reports whether name is a package name in scope.
	imported(name string) bool
	// integer reports whether the global name holds an integer.
	integer(name string) bool
	// candidates returns the import paths of the bundled packages named name.
	candidates(name string) []string
	// variadicIface describes x.name when it is a compiled function or
	// method whose variadic parameter has an interface element type: the
	// element type as source text and the number of fixed parameters.
	variadicIface(x, name string) (elem string, fixed int, ok bool)
	// genericFunc returns the signature of name when it is a generic
	// function declared by an earlier cell.
	genericFunc(name string) (genericSignature, bool)
	// varType returns the type of the global variable name when it is a
	// basic type or a slice of one ("float64", "[]int"), else "".
	varType(name string) string
	// varTypeExpr returns the type of the global variable name as its
	// declaration gave it (a type's name, say), or "".
	varTypeExpr(name string) string
	// method describes method name of the type typ, declared by an
	// earlier cell, as methodSignature gives it.
	method(typ, name string) (methodInfo, bool)
}

// unitKind says how a unit is evaluated.
type unitKind int

const (
	unitDecl unitKind = iota // a group of declarations
	unitStmt                 // one statement, run in the global scope
)

// importSpec is one import of a cell.
type importSpec struct {
	Name string // alias, "" for the package name, "." or "_"
	Path string
	Line int
	Auto bool // added because the cell used the name without importing it
}

// decl is one top-level declaration of a cell.
type decl struct {
	Kind     string   // "func", "method", "type", "var", "const"
	Name     string   // the declared name; for a method "Recv.Name"
	Recv     string   // receiver base type of a method
	Src      string   // source text (rewritten), evaluable on its own
	Line     int      // cell line of its first line
	TypeExpr string   // the declared type of a var, when written
	Refs     []string // identifiers it uses
}

// unit is one piece of a cell that goes to the interpreter in one Eval.
type unit struct {
	Kind    unitKind
	Src     string   // text to evaluate (rewritten), without position padding
	Line    int      // cell line of the first line of Src
	Col     int      // column of the first character of Src
	Decls   []decl   // declarations (unitDecl)
	Defines []string // names defined by := (unitStmt)
	DefExpr map[string]string
	Refs    []string // identifiers the unit uses
	Final   bool     // the unit is the cell's final expression, wrapped to show its value
	Plain   string   // for a Final unit, the unwrapped text
	Silent  bool     // final expression whose value is never shown (print calls)
	// VarNames are the variables a `:=` statement or a var declaration
	// defines: when yaegi cannot compile it in the global scope, the
	// session runs it inside a function and declares the globals from the
	// static types it observed (see Session.stashUnit).
	VarNames []string
	stashed  bool // compiled as a function that reports its variables
	// InFunc runs a compound statement (for, if, switch, select, a block)
	// inside a function literal, for two faults of yaegi in the global
	// scope: it mis-scopes `:=` in nested blocks (`x, err := f()` in a loop
	// body leaves x undefined, or assigns a global err instead of declaring
	// a new one), and code running on the global frame is revived by the
	// next cell: yaegi stops interrupted code by a run id that every
	// Execute resets on the global frame, so a top-level loop interrupted
	// while in a compiled call would resume in the background once that
	// call returns, if a cell ran in between (the runner awaits the call,
	// see Options.AwaitInterrupted; a session that does not relies on
	// this). A function's frame keeps the id it was called with, so the
	// loop ends there.
	InFunc bool
}

// plan is a compiled cell.
type plan struct {
	Imports []importSpec
	Units   []unit
	HasMain bool // the cell declared func main: call it at the end
}

// compileError is a syntax or rewrite error at a cell position.
type compileError struct {
	Line, Col int
	Msg       string
}

func (e *compileError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// Names of the helpers the rewrites call. The interpreted ones are declared
// by the session prelude; rtName is the compiled runtime package.
const (
	rtName       = "_gonote"
	showFunc     = rtName + ".ShowValues"
	showCallFunc = rtName + ".ShowCall"
	mainRenamed  = "_gonoteMain"
)

// segment is one top-level statement or declaration of a cell.
type segment struct {
	start, end int // byte offsets in the cell
	first      token.Token
	second     token.Token
}

// splitSegments cuts a cell into top-level statements at semicolons (real
// or inserted at line ends) outside brackets.
func splitSegments(src string) ([]segment, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var segs []segment
	depth := 0
	cur := segment{start: -1}
	lastEnd := 0
	// header is true between for/if/switch/select and its opening brace,
	// where explicit semicolons separate clauses, not statements.
	header := false
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if tok == token.SEMICOLON && depth == 0 && !(header && lit == ";") {
			header = false
			if cur.start >= 0 {
				cur.end = lastEnd
				segs = append(segs, cur)
				cur = segment{start: -1}
			}
			continue
		}
		switch {
		case depth == 0 && (tok == token.FOR || tok == token.IF || tok == token.SWITCH || tok == token.SELECT):
			header = true
		case depth == 0 && tok == token.LBRACE:
			header = false
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth-- // an unbalanced closer is left to the parser to report
			}
		}
		if cur.start < 0 {
			cur.start = off
			cur.first = tok
			cur.second = token.ILLEGAL
		} else if cur.second == token.ILLEGAL {
			cur.second = tok
		}
		switch {
		case lit != "" && tok != token.SEMICOLON:
			lastEnd = off + len(lit)
		default:
			lastEnd = off + len(tok.String())
		}
	}
	if cur.start >= 0 {
		cur.end = lastEnd
		segs = append(segs, cur)
	}
	for i := range segs {
		segs[i].end = min(segs[i].end, len(src))
	}
	if len(errs) > 0 {
		e := errs[0]
		return nil, &compileError{Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg}
	}
	return segs, nil
}

// lineCol returns the 1-based line and column of byte offset off in src.
func lineCol(src string, off int) (int, int) {
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

// blankDirectives replaces a leading #! line and a package clause with
// spaces so that line numbers stay those of the cell.
func blankDirectives(src string) string {
	if strings.HasPrefix(src, "#!") {
		end := strings.IndexByte(src, '\n')
		if end < 0 {
			end = len(src)
		}
		src = strings.Repeat(" ", end) + src[end:]
	}
	segs, err := splitSegments(src)
	if err == nil && len(segs) > 0 && segs[0].first == token.PACKAGE {
		s := segs[0]
		src = src[:s.start] + strings.Repeat(" ", s.end-s.start) + src[s.end:]
	}
	return src
}

// compileCell turns a cell into imports and units, applying the rewrites
// that keep yaegi's sharp edges away from the user.
func compileCell(src string, env compileEnv) (*plan, error) {
	src = blankDirectives(src)
	segs, err := splitSegments(src)
	if err != nil {
		return nil, err
	}
	p := &plan{}
	c := &cellCompiler{src: src, env: env, plan: p, localNames: map[string]bool{}}
	// First pass: parse every segment, so that names declared anywhere in
	// the cell are known before deciding what to auto-import.
	var parsed []*parsedSegment
	for i, s := range segs {
		ps, err := c.parseSegment(s)
		if err != nil {
			return nil, err
		}
		ps.last = i == len(segs)-1
		parsed = append(parsed, ps)
	}
	c.generics = map[string]genericSignature{}
	c.methods = map[string]methodInfo{}
	for _, ps := range parsed {
		for _, d := range ps.decls {
			fd, ok := d.(*ast.FuncDecl)
			switch {
			case !ok:
			case fd.Recv == nil:
				if sig, ok := signatureOf(fd.Type); ok {
					c.generics[fd.Name.Name] = sig
				}
			default:
				if m, ok := methodSignature(fd, ps.source); ok {
					c.methods[recvTypeName(fd.Recv.List[0].Type)+"."+fd.Name.Name] = m
				}
			}
		}
	}
	c.intNames = map[string]bool{}
	probe := &rewriter{c: c, intNames: c.intNames}
	for _, ps := range parsed {
		probe.ps = ps
		if ps.stmt != nil {
			probe.collectInts(ps.stmt)
		} else {
			probe.collectInts(ps.file)
		}
	}
	for _, ps := range parsed {
		if err := c.emit(ps); err != nil {
			return nil, err
		}
	}
	if err := c.autoImports(parsed); err != nil {
		return nil, err
	}
	p.Units = mergeDecls(p.Units)
	return p, nil
}

// mergeDecls joins consecutive declaration units into one, so that
// declarations of one cell may refer to each other in any order (as in a Go
// file). Line numbers are kept by padding with newlines.
func mergeDecls(units []unit) []unit {
	var out []unit
	for _, u := range units {
		if n := len(out); n > 0 && u.Kind == unitDecl && out[n-1].Kind == unitDecl {
			prev := &out[n-1]
			end := prev.Line + strings.Count(prev.Src, "\n")
			gap := u.Line - end
			if gap < 1 {
				gap = 1
			}
			prev.Src += strings.Repeat("\n", gap) + strings.Repeat(" ", u.Col-1) + u.Src
			prev.Decls = append(prev.Decls, u.Decls...)
			prev.Refs = append(prev.Refs, u.Refs...)
			prev.VarNames = varNames(prev.Decls)
			continue
		}
		out = append(out, u)
	}
	return out
}

type cellCompiler struct {
	src        string
	env        compileEnv
	plan       *plan
	localNames map[string]bool             // every name declared anywhere in the cell
	intNames   map[string]bool             // names the cell's syntax shows hold integers
	generics   map[string]genericSignature // generic functions the cell declares
	methods    map[string]methodInfo       // "T.M" -> a method the cell declares (see methodSignature)
}

// parsedSegment is a segment with its AST.
type parsedSegment struct {
	seg    segment
	text   string
	line   int
	col    int
	base   int // offset of text in the parsed source
	prefix int // length of the wrapper text before the cell on line 1
	fset   *token.FileSet
	file   *ast.File
	kind   string // "import", "decl", "stmt"
	stmt   ast.Stmt
	decls  []ast.Decl
	last   bool
}

func (c *cellCompiler) parseSegment(s segment) (*parsedSegment, error) {
	text := c.src[s.start:s.end]
	line, col := lineCol(c.src, s.start)
	ps := &parsedSegment{seg: s, text: text, line: line, col: col, fset: token.NewFileSet()}
	pad := strings.Repeat("\n", line-1) + strings.Repeat(" ", col-1)
	kind := "stmt"
	switch s.first {
	case token.IMPORT:
		kind = "import"
	case token.TYPE, token.VAR, token.CONST:
		kind = "decl"
	case token.FUNC:
		if s.second == token.IDENT {
			kind = "decl"
		} else if s.second == token.LPAREN {
			// A method declaration or a function literal statement.
			if _, err := parser.ParseFile(token.NewFileSet(), "", "package main;"+text, 0); err == nil {
				kind = "decl"
			}
		}
	}
	ps.kind = kind
	var full string
	if kind == "stmt" {
		prefix := "package main;func _(){"
		full = prefix + pad + text + "\n}"
		ps.base = len(prefix) + len(pad)
		ps.prefix = len(prefix)
	} else {
		prefix := "package main;"
		full = prefix + pad + text
		ps.base = len(prefix) + len(pad)
		ps.prefix = len(prefix)
	}
	f, err := parser.ParseFile(ps.fset, "", full, parser.ParseComments)
	if err != nil {
		if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 {
			e := el[0]
			if e.Pos.Line == 1 {
				e.Pos.Column -= ps.prefix
			}
			if endLine := line + strings.Count(text, "\n"); e.Pos.Line > endLine {
				return nil, &compileError{Line: endLine, Col: 1, Msg: "unexpected end of cell: an expression or a bracket is not complete"}
			}
			return nil, &compileError{Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg}
		}
		return nil, &compileError{Line: line, Col: col, Msg: err.Error()}
	}
	ps.file = f
	if kind == "stmt" {
		body := f.Decls[0].(*ast.FuncDecl).Body
		if len(body.List) != 1 {
			return nil, &compileError{Line: line, Col: col, Msg: "expected one statement"}
		}
		ps.stmt = body.List[0]
		collectDeclared(ps.stmt, c.localNames)
	} else {
		ps.decls = f.Decls
		for _, d := range f.Decls {
			collectDeclared(d, c.localNames)
		}
	}
	return ps, nil
}

// collectDeclared adds every name a node declares (at any depth) to names.
func collectDeclared(n ast.Node, names map[string]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range x.Names {
				names[id.Name] = true
			}
		case *ast.TypeSpec:
			names[x.Name.Name] = true
		case *ast.FuncDecl:
			if x.Recv == nil {
				names[x.Name.Name] = true
			}
		case *ast.Field:
			for _, id := range x.Names {
				names[id.Name] = true
			}
		case *ast.RangeStmt:
			if x.Tok == token.DEFINE {
				for _, e := range []ast.Expr{x.Key, x.Value} {
					if id, ok := e.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.LabeledStmt:
			names[x.Label.Name] = true
		}
		return true
	})
}

// source returns the text of a node of the segment.
func (ps *parsedSegment) source(n ast.Node) string {
	return ps.text[ps.offset(n.Pos()):ps.offset(n.End())]
}

// offset returns the offset in the segment text of a position.
func (ps *parsedSegment) offset(p token.Pos) int {
	return ps.fset.Position(p).Offset - ps.base
}

func (ps *parsedSegment) position(p token.Pos) (int, int) {
	pos := ps.fset.Position(p)
	if pos.Line == 1 {
		pos.Column -= ps.prefix // the wrapper shares the first line
	}
	return pos.Line, pos.Column
}

func (c *cellCompiler) emit(ps *parsedSegment) error {
	switch ps.kind {
	case "import":
		for _, d := range ps.decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				is := sp.(*ast.ImportSpec)
				path := strings.Trim(is.Path.Value, "\"`")
				name := ""
				if is.Name != nil {
					name = is.Name.Name
				}
				line, _ := ps.position(is.Pos())
				c.plan.Imports = append(c.plan.Imports, importSpec{Name: name, Path: path, Line: line})
			}
		}
		return nil
	case "decl":
		return c.emitDecls(ps)
	default:
		return c.emitStmt(ps)
	}
}

func (c *cellCompiler) emitDecls(ps *parsedSegment) error {
	rw := newRewriter(ps, c)
	for _, d := range ps.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			if fd.Type.Params.NumFields() > 0 || fd.Type.Results != nil {
				l, col := ps.position(fd.Pos())
				return &compileError{Line: l, Col: col, Msg: "func main must have no arguments and no results"}
			}
			rw.replace(fd.Name.Pos(), fd.Name.End(), mainRenamed)
			c.plan.HasMain = true
		}
		if err := rw.walk(d); err != nil {
			return err
		}
	}
	u := unit{Kind: unitDecl, Src: rw.render(0, len(ps.text)), Line: ps.line, Col: ps.col}
	u.Refs = refsOf(ps.file)
	for _, d := range ps.decls {
		start, end := ps.offset(d.Pos()), ps.offset(d.End())
		if cg := declDoc(d); cg != nil {
			start = ps.offset(cg.Pos())
		}
		line, _ := ps.position(d.Pos())
		text := rw.render(start, end)
		refs := refsOf(d)
		switch x := d.(type) {
		case *ast.FuncDecl:
			dd := decl{Kind: "func", Name: x.Name.Name, Src: text, Line: line, Refs: refs}
			if x.Recv != nil && len(x.Recv.List) > 0 {
				dd.Kind = "method"
				dd.Recv = recvTypeName(x.Recv.List[0].Type)
				dd.Name = dd.Recv + "." + x.Name.Name
			}
			if x.Name.Name == "main" && x.Recv == nil {
				dd.Name = mainRenamed
			}
			u.Decls = append(u.Decls, dd)
		case *ast.GenDecl:
			lastConstType := "" // a const spec without type or value repeats the previous one
			for _, sp := range x.Specs {
				switch s := sp.(type) {
				case *ast.TypeSpec:
					u.Decls = append(u.Decls, decl{Kind: "type", Name: s.Name.Name, Src: text, Line: line, Refs: refs})
				case *ast.ValueSpec:
					kind := "var"
					if x.Tok == token.CONST {
						kind = "const"
					}
					typ := ""
					if s.Type != nil {
						typ = ps.source(s.Type)
					}
					if kind == "const" {
						switch {
						case s.Type != nil:
							lastConstType = typ
						case len(s.Values) == 0:
							typ = lastConstType
						default:
							lastConstType = ""
						}
					}
					for i, id := range s.Names {
						dd := decl{Kind: kind, Name: id.Name, Src: text, Line: line, TypeExpr: typ, Refs: refs}
						if typ == "" && i < len(s.Values) && len(s.Names) == len(s.Values) {
							dd.TypeExpr = typeOfExpr(s.Values[i], ps)
						}
						u.Decls = append(u.Decls, dd)
					}
				}
			}
		}
	}
	u.VarNames = varNames(u.Decls)
	c.plan.Units = append(c.plan.Units, u)
	return nil
}

func declDoc(d ast.Decl) *ast.CommentGroup {
	switch x := d.(type) {
	case *ast.FuncDecl:
		return x.Doc
	case *ast.GenDecl:
		return x.Doc
	}
	return nil
}

func recvTypeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvTypeName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return recvTypeName(x.X)
	case *ast.IndexListExpr:
		return recvTypeName(x.X)
	case *ast.ParenExpr:
		return recvTypeName(x.X)
	}
	return ""
}

// typeOfExpr guesses the type of an initializer from its syntax, for the
// cases where the syntax says it: composite literals, conversions to named
// types written as T(x), &T{}, make and new. It returns "" otherwise.
func typeOfExpr(e ast.Expr, ps *parsedSegment) string {
	src := ps.source
	switch x := e.(type) {
	case *ast.CompositeLit:
		if x.Type != nil {
			return src(x.Type)
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			if cl, ok := x.X.(*ast.CompositeLit); ok && cl.Type != nil {
				return "*" + src(cl.Type)
			}
		}
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return "int"
		case token.FLOAT:
			return "float64"
		case token.STRING:
			return "string"
		case token.CHAR:
			return "rune"
		case token.IMAG:
			return "complex128"
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			switch id.Name {
			case "make":
				if len(x.Args) > 0 {
					return src(x.Args[0])
				}
			case "new":
				if len(x.Args) == 1 {
					return "*" + src(x.Args[0])
				}
			case "int", "int64", "int32", "float64", "float32", "string", "uint", "uint64", "byte", "rune", "bool":
				return id.Name
			}
		}
		if at, ok := x.Fun.(*ast.ArrayType); ok {
			return src(at)
		}
	}
	return ""
}

// refsOf lists the identifiers a node uses (including ones it declares).
func refsOf(n ast.Node) []string {
	seen := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok {
					seen[id.Name] = true
				}
				return true
			})
			return false
		case *ast.Ident:
			seen[x.Name] = true
		}
		return true
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// silentCalls are final expressions whose value is never displayed.
var silentCalls = map[string]bool{
	"fmt.Print": true, "fmt.Println": true, "fmt.Printf": true,
	"fmt.Fprint": true, "fmt.Fprintln": true, "fmt.Fprintf": true,
	"log.Print": true, "log.Println": true, "log.Printf": true,
	"display.JSON": true, "display.Table": true,
	"println": true, "print": true, "panic": true,
}

func callName(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
	}
	return ""
}

func (c *cellCompiler) emitStmt(ps *parsedSegment) error {
	rw := newRewriter(ps, c)
	if err := rw.walk(ps.stmt); err != nil {
		return err
	}
	u := unit{Kind: unitStmt, Line: ps.line, Col: ps.col, Refs: refsOf(ps.stmt), InFunc: isCompound(ps.stmt)}
	if as, ok := ps.stmt.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
		u.DefExpr = map[string]string{}
		for i, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
				u.Defines = append(u.Defines, id.Name)
				if len(as.Lhs) == len(as.Rhs) {
					u.DefExpr[id.Name] = typeOfExpr(as.Rhs[i], ps)
				}
			}
		}
		u.VarNames = u.Defines
	}
	if es, ok := ps.stmt.(*ast.ExprStmt); ok && ps.last {
		name := callName(es.X)
		if silentCalls[name] || (strings.HasPrefix(name, "fmt.") && strings.Contains(name, "Print")) {
			u.Silent = true
		} else {
			u.Final = true
			u.Plain = rw.render(0, len(ps.text))
			show := showFunc
			if _, isCall := unparen(es.X).(*ast.CallExpr); isCall {
				show = showCallFunc // a call whose only result is nil shows nothing
			}
			rw.insert(ps.offset(es.X.Pos()), show+"(")
			rw.insert(ps.offset(es.X.End()), ")")
		}
	}
	u.Src = rw.render(0, len(ps.text))
	c.plan.Units = append(c.plan.Units, u)
	return nil
}

// isCompound reports whether stmt, under any labels, is a compound
// statement: a loop, if, switch, select or block.
func isCompound(stmt ast.Stmt) bool {
	for {
		l, ok := stmt.(*ast.LabeledStmt)
		if !ok {
			break
		}
		stmt = l.Stmt
	}
	switch stmt.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
		return true
	}
	return false
}

// autoImports adds imports for package names the cell uses without
// importing or declaring them.
func (c *cellCompiler) autoImports(parsed []*parsedSegment) error {
	cellImports := map[string]bool{}
	for _, im := range c.plan.Imports {
		name := im.Name
		if name == "" {
			name = lastElem(im.Path)
		}
		cellImports[name] = true
	}
	done := map[string]bool{}
	for _, ps := range parsed {
		if ps.kind == "import" {
			continue
		}
		var err error
		ast.Inspect(ps.file, func(n ast.Node) bool {
			if err != nil {
				return false
			}
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			name := id.Name
			if done[name] || cellImports[name] || c.localNames[name] || c.env.declared(name) || c.env.imported(name) || name == rtName {
				return true
			}
			done[name] = true
			cands := c.env.candidates(name)
			switch len(cands) {
			case 0:
				return true
			case 1:
				line, _ := ps.position(id.Pos())
				c.plan.Imports = append(c.plan.Imports, importSpec{Path: cands[0], Line: line, Auto: true})
			default:
				line, col := ps.position(id.Pos())
				quoted := make([]string, len(cands))
				for i, p := range cands {
					quoted[i] = fmt.Sprintf("import %q", p)
				}
				err = &compileError{Line: line, Col: col, Msg: fmt.Sprintf("%s is ambiguous: several bundled packages are named %s; add one of: %s", name, name, strings.Join(quoted, ", "))}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func lastElem(path string) string {
	name := path[strings.LastIndex(path, "/")+1:]
	// math/rand/v2 is named rand.
	if len(name) >= 2 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		rest := strings.TrimSuffix(path, "/"+name)
		name = rest[strings.LastIndex(rest, "/")+1:]
	}
	return name
}

// varNames returns the names (blank excluded) that decls declare when every
// one of them is a variable, and nil otherwise: a unit's VarNames.
func varNames(decls []decl) []string {
	for _, d := range decls {
		if d.Kind != "var" {
			return nil
		}
	}
	var names []string
	for _, d := range decls {
		if d.Name != "_" {
			names = append(names, d.Name)
		}
	}
	return names
}
