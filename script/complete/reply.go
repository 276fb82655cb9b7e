package complete

import (
	"go/ast"
	"reflect"
	"sort"
	"strings"
)

// CompleteReply is the content of a complete_reply.
type CompleteReply struct {
	Status      string         `json:"status"`
	Matches     []string       `json:"matches"`
	CursorStart int            `json:"cursor_start"`
	CursorEnd   int            `json:"cursor_end"`
	Metadata    map[string]any `json:"metadata"`
}

// TypeInfo is one entry of metadata._jupyter_types_experimental.
type TypeInfo struct {
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Text      string `json:"text"`
	Type      string `json:"type"`
	Signature string `json:"signature"`
}

// TypesKey is the metadata key of the match types.
const TypesKey = "_jupyter_types_experimental"

// Candidate types, as IPython's completer names them where one exists.
const (
	typeFunction = "function"
	typeMethod   = "method"
	typeField    = "field"
	typeClass    = "class"
	typeModule   = "module"
	typeInstance = "instance"
	typeConstant = "constant"
	typeKeyword  = "keyword"
	typePath     = "path"
)

type candidate struct {
	name, typ, sig string
}

var keywords = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
	"go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
	"switch", "type", "var",
}

var builtinFuncs = map[string]string{
	"append": "func(slice []T, elems ...T) []T", "cap": "func(v T) int", "clear": "func(t T)",
	"close": "func(c chan<- T)", "complex": "func(r, i float64) complex128", "copy": "func(dst, src []T) int",
	"delete": "func(m map[K]V, key K)", "imag": "func(c complex128) float64", "len": "func(v T) int",
	"make": "func(t T, size ...int) T", "max": "func(x T, y ...T) T", "min": "func(x T, y ...T) T",
	"new": "func(T) *T", "panic": "func(v any)", "print": "func(args ...T)", "println": "func(args ...T)",
	"real": "func(c complex128) float64", "recover": "func() any",
}

var builtinConsts = map[string]string{"true": "bool", "false": "bool", "nil": "nil", "iota": "int"}

// Complete answers a complete_request for code with the cursor at cursorPos
// (in Unicode code points).
func (e *Engine) Complete(code string, cursorPos int) CompleteReply {
	end := byteOffset(code, cursorPos)
	start := wordStart(code, end)
	prefix := code[start:end]
	var cands []candidate

	switch st, strStart := stateAt(code, end); st {
	case inCode:
		if ms := magicStart(code, start); ms >= 0 {
			start = ms
			prefix = code[ms:end]
			cands = e.magicCandidates()
		} else if start > 0 && code[start-1] == '.' {
			if xs := exprBefore(code, start-1); xs >= 0 {
				cands = e.memberCandidates(code, end, code[xs:start-1], prefix)
			}
		} else if start == end || !startsWithDigit(prefix) {
			cands = e.nameCandidates(code, end)
		}
	case inString:
		if importLine(code, strStart) {
			start = strStart
			prefix = code[strStart:end]
			cands = e.pathCandidates()
		}
	}
	matches := filter(cands, prefix)
	reply := CompleteReply{
		Status:      "ok",
		Matches:     make([]string, 0, len(matches)),
		CursorStart: codePoints(code, start),
		CursorEnd:   cursorPos,
	}
	if reply.CursorEnd > codePoints(code, len(code)) || reply.CursorEnd < reply.CursorStart {
		reply.CursorEnd = codePoints(code, end)
	}
	types := make([]TypeInfo, 0, len(matches))
	for _, c := range matches {
		reply.Matches = append(reply.Matches, c.name)
		types = append(types, TypeInfo{Start: reply.CursorStart, End: reply.CursorEnd, Text: c.name, Type: c.typ, Signature: c.sig})
	}
	reply.Metadata = map[string]any{TypesKey: types}
	return reply
}

// magicStart returns the offset of the % that starts a magic name ending
// in the word at start, when only blanks precede it on the line; else -1.
func magicStart(code string, start int) int {
	ms := start
	for n := 0; n < 2 && ms > 0 && code[ms-1] == '%'; n++ {
		ms--
	}
	if ms == start {
		return -1
	}
	lineStart := strings.LastIndexByte(code[:ms], '\n') + 1
	if strings.TrimSpace(code[lineStart:ms]) != "" {
		return -1
	}
	return ms
}

func (e *Engine) magicCandidates() []candidate {
	ml, ok := e.session.(MagicLister)
	if !ok {
		return nil
	}
	var cands []candidate
	for _, m := range ml.Magics() {
		cands = append(cands, candidate{m, typeKeyword, "magic"})
	}
	return cands
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// filter keeps the candidates that start with prefix (case-sensitively, or
// case-insensitively when nothing matches exactly), sorted and deduplicated.
func filter(cands []candidate, prefix string) []candidate {
	var out []candidate
	for _, c := range cands {
		if strings.HasPrefix(c.name, prefix) {
			out = append(out, c)
		}
	}
	if len(out) == 0 && prefix != "" {
		lp := strings.ToLower(prefix)
		for _, c := range cands {
			if strings.HasPrefix(strings.ToLower(c.name), lp) {
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	dedup := out[:0]
	for i, c := range out {
		if i > 0 && c.name == out[i-1].name {
			continue
		}
		dedup = append(dedup, c)
	}
	return dedup
}

// nameCandidates lists what an identifier can start with: names defined
// earlier in the cell, session names, package names, keywords, builtins.
func (e *Engine) nameCandidates(code string, end int) []candidate {
	s := e.snapshot()
	var cands []candidate
	for name, l := range cellLocals(code, end) {
		sig := l.typ
		if sig == "" {
			sig = l.expr
		}
		cands = append(cands, candidate{name, typeInstance, sig})
	}
	for _, name := range s.order {
		g := s.globals[name]
		cands = append(cands, candidate{g.Name, globalType(g), g.Type})
	}
	for _, name := range e.names {
		cands = append(cands, candidate{name, typeModule, strings.Join(e.byName[name], ", ")})
	}
	for _, k := range keywords {
		cands = append(cands, candidate{k, typeKeyword, ""})
	}
	for n, sig := range builtinFuncs {
		cands = append(cands, candidate{n, typeFunction, sig})
	}
	for n, t := range builtinConsts {
		cands = append(cands, candidate{n, typeConstant, t})
	}
	for n := range basicTypes {
		cands = append(cands, candidate{n, typeClass, n})
	}
	cands = append(cands, candidate{"comparable", typeClass, "comparable"})
	return cands
}

func globalType(g *Global) string {
	switch g.Kind {
	case KindFunc:
		return typeFunction
	case KindType:
		return typeClass
	case KindImport:
		return typeModule
	case KindConst:
		return typeConstant
	}
	return typeInstance
}

// pathCandidates lists importable package paths.
func (e *Engine) pathCandidates() []candidate {
	cands := make([]candidate, 0, len(e.pkgs))
	for p, pi := range e.pkgs {
		cands = append(cands, candidate{p, typePath, "package " + pi.name})
	}
	return cands
}

// memberCandidates lists the members of the expression before the dot.
// Only members that may match prefix get their signature looked up.
func (e *Engine) memberCandidates(code string, end int, expr, prefix string) []candidate {
	keep := mayMatch(prefix)
	x := parseExpr(expr)
	if x == nil {
		return nil
	}
	r := &resolver{e: e, s: e.snapshot(), locals: cellLocals(code, end)}
	t := r.eval(x)
	switch {
	case t.pkgs != nil:
		return e.packageCandidates(t.pkgs, keep)
	case t.rt != nil:
		return e.rtMembers(t.rt, t.isType, keep)
	case t.texpr != nil:
		return r.texprCandidates(t.texpr)
	}
	return nil
}

// mayMatch returns a cheap test that keeps every name filter could keep.
func mayMatch(prefix string) func(string) bool {
	lp := strings.ToLower(prefix)
	return func(name string) bool {
		return len(name) >= len(lp) && strings.ToLower(name[:len(lp)]) == lp
	}
}

func (e *Engine) packageCandidates(paths []string, keep func(string) bool) []candidate {
	var cands []candidate
	for _, p := range paths {
		pi := e.pkgs[p]
		for _, m := range pi.members {
			if !keep(m.name) {
				continue
			}
			c := candidate{name: m.name}
			switch m.kind {
			case "func":
				c.typ = typeFunction
			case "type":
				c.typ = typeClass
			case "var":
				c.typ = typeInstance
			default:
				c.typ = typeConstant
			}
			if d, ok := e.doc(p, m.name); ok && m.kind != "type" {
				c.sig = d.Sig
			} else {
				c.sig = symbolSignature(m)
			}
			cands = append(cands, c)
		}
	}
	return cands
}

// symbolSignature describes a symbol table entry without docs.
func symbolSignature(m pkgMember) string {
	switch m.kind {
	case "type":
		t := m.value.Type().Elem()
		return "type " + t.String() + " " + kindWord(t)
	case "func":
		return m.value.Type().String()
	}
	return m.value.Type().String()
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		return "struct"
	case reflect.Interface:
		return "interface"
	}
	return t.Kind().String()
}

// rtMembers lists exported fields and methods of a compiled type. For a
// type expression (isType) only methods are listed (method expressions).
func (e *Engine) rtMembers(t reflect.Type, isType bool, keep func(string) bool) []candidate {
	var cands []candidate
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct && !isType {
		for _, f := range reflect.VisibleFields(st) {
			if !f.IsExported() || !keep(f.Name) {
				continue
			}
			if hidden := fieldHidden(st, f); hidden {
				continue
			}
			cands = append(cands, candidate{f.Name, typeField, f.Type.String()})
		}
	}
	mt := t
	if !isType {
		mt = methodSet(t)
	}
	named := namedOf(t)
	for i := 0; i < mt.NumMethod(); i++ {
		m := mt.Method(i)
		if !m.IsExported() || !keep(m.Name) {
			continue
		}
		sig := ""
		if named != nil {
			if d, ok := e.doc(named.PkgPath(), named.Name()+"."+m.Name); ok {
				sig = d.Sig
			}
		}
		if sig == "" {
			sig = funcString(m.Type, mt.Kind() != reflect.Interface)
		}
		cands = append(cands, candidate{m.Name, typeMethod, sig})
	}
	return cands
}

// fieldHidden reports whether a field listed by VisibleFields is not
// reachable as st.Name (shadowed by a shallower field of the same name, or
// reached through an unexported embedded struct pointer: both are fine for
// Go; only shadowing matters).
func fieldHidden(st reflect.Type, f reflect.StructField) bool {
	g, ok := st.FieldByName(f.Name)
	return !ok || len(g.Index) != len(f.Index)
}

// funcString formats a func type, dropping the receiver of a method type.
func funcString(t reflect.Type, recvIn bool) string {
	if t.Kind() != reflect.Func {
		return t.String()
	}
	var b strings.Builder
	b.WriteString("func(")
	first := 0
	if recvIn {
		first = 1
	}
	for i := first; i < t.NumIn(); i++ {
		if i > first {
			b.WriteString(", ")
		}
		in := t.In(i)
		if t.IsVariadic() && i == t.NumIn()-1 {
			b.WriteString("..." + in.Elem().String())
		} else {
			b.WriteString(in.String())
		}
	}
	b.WriteString(")")
	switch t.NumOut() {
	case 0:
	case 1:
		b.WriteString(" " + t.Out(0).String())
	default:
		b.WriteString(" (")
		for i := 0; i < t.NumOut(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(t.Out(i).String())
		}
		b.WriteString(")")
	}
	return b.String()
}

// texprCandidates lists fields and methods of a cell-defined type.
func (r *resolver) texprCandidates(x ast.Expr) []candidate {
	if g := r.cellType(x); g != nil {
		var cands []candidate
		for _, f := range g.Fields {
			cands = append(cands, candidate{f.Name, typeField, f.Type})
		}
		for _, m := range g.Methods {
			cands = append(cands, candidate{m.Name, typeMethod, m.Type})
		}
		if len(g.Fields) == 0 {
			if def := parseExpr(g.Type); def != nil {
				if st, ok := def.(*ast.StructType); ok {
					cands = append(cands, structCandidates(st)...)
				}
			}
		}
		return cands
	}
	if st, ok := baseType(x).(*ast.StructType); ok {
		return structCandidates(st)
	}
	return nil
}

func structCandidates(st *ast.StructType) []candidate {
	var cands []candidate
	for _, f := range st.Fields.List {
		typ := exprString(f.Type)
		for _, n := range f.Names {
			cands = append(cands, candidate{n.Name, typeField, typ})
		}
	}
	return cands
}
