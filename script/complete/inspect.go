package complete

import (
	"go/ast"
	"go/doc/comment"
	"go/types"
	"reflect"
	"strings"
)

// InspectReply is the content of an inspect_reply.
type InspectReply struct {
	Status   string            `json:"status"`
	Found    bool              `json:"found"`
	Data     map[string]string `json:"data"`
	Metadata map[string]any    `json:"metadata"`
}

// Inspect answers an inspect_request: the name at (or the call around) the
// cursor, given in Unicode code points. detailLevel 1 adds the full
// declaration of types.
func (e *Engine) Inspect(code string, cursorPos, detailLevel int) InspectReply {
	reply := InspectReply{Status: "ok", Data: map[string]string{}, Metadata: map[string]any{}}
	pos := byteOffset(code, cursorPos)
	if st, _ := stateAt(code, pos); st != inCode {
		return reply
	}
	end := wordEnd(code, pos)
	if wordStart(code, end) == end {
		// not on a name: inspect the call whose arguments hold the cursor
		end = enclosingCall(code, pos)
		if end < 0 {
			return reply
		}
	}
	start := exprBefore(code, end)
	if start < 0 {
		return reply
	}
	doc, ok := e.describe(code, pos, code[start:end], detailLevel)
	if !ok {
		return reply
	}
	reply.Found = true
	reply.Data["text/plain"] = doc.plain()
	reply.Data["text/markdown"] = doc.markdown()
	return reply
}

// enclosingCall returns the end of the callee of the innermost unclosed
// call parenthesis before pos, or -1.
func enclosingCall(code string, pos int) int {
	depth := 0
	for i := pos - 1; i >= 0; i-- {
		switch code[i] {
		case ')', ']', '}':
			depth++
		case '[', '{':
			if depth == 0 {
				return -1
			}
			depth--
		case '(':
			if depth == 0 {
				return i
			}
			depth--
		case '\n':
			if depth == 0 && i < pos-1 && strings.TrimSpace(code[i:pos]) == "" {
				return -1
			}
		}
	}
	return -1
}

// description is what inspect shows: a title line (e.g. "strings.ToUpper"),
// a Go declaration, a value and a doc comment.
type description struct {
	title string
	decl  string
	value string
	note  string
	doc   string
	extra string // further Go text (methods, full declaration)
}

func (d description) plain() string {
	var b strings.Builder
	if d.title != "" {
		b.WriteString(d.title + "\n\n")
	}
	b.WriteString(d.decl + "\n")
	if d.value != "" {
		b.WriteString("\nValue: " + d.value + "\n")
	}
	if d.note != "" {
		b.WriteString("\nNote: " + d.note + "\n")
	}
	if d.doc != "" {
		var p comment.Parser
		var pr comment.Printer
		b.WriteString("\n" + string(pr.Text(p.Parse(d.doc))))
	}
	if d.extra != "" {
		b.WriteString("\n" + d.extra + "\n")
	}
	return b.String()
}

func (d description) markdown() string {
	var b strings.Builder
	if d.title != "" {
		b.WriteString("**" + d.title + "**\n\n")
	}
	b.WriteString("```go\n" + d.decl + "\n```\n")
	if d.value != "" {
		b.WriteString("\nValue: `" + strings.ReplaceAll(d.value, "`", "'") + "`\n")
	}
	if d.note != "" {
		b.WriteString("\n**Note:** " + d.note + "\n")
	}
	if d.doc != "" {
		var p comment.Parser
		var pr comment.Printer
		b.WriteString("\n" + string(pr.Markdown(p.Parse(d.doc))))
	}
	if d.extra != "" {
		b.WriteString("\n```go\n" + d.extra + "\n```\n")
	}
	return b.String()
}

// describe resolves expr and documents the name it ends with.
func (e *Engine) describe(code string, pos int, expr string, detail int) (description, bool) {
	x := parseExpr(expr)
	if x == nil {
		return description{}, false
	}
	s := e.snapshot()
	r := &resolver{e: e, s: s, locals: cellLocals(code, pos)}
	if id, ok := x.(*ast.Ident); ok {
		if _, isLocal := r.locals[id.Name]; !isLocal {
			if _, isGlobal := s.globals[id.Name]; !isGlobal {
				if len(e.packagePaths(s, id.Name)) == 0 {
					return e.describeBuiltin(id.Name)
				}
			}
		}
	}
	t := r.eval(x)
	o := t.origin
	switch {
	case o.global != nil:
		return e.describeGlobal(o.global, t, detail), true
	case o.member != nil:
		return description{title: o.owner + "." + o.member.Name, decl: o.member.Name + " " + o.member.Type}, true
	case o.path != "":
		if d, ok := e.doc(o.path, o.name); ok {
			desc := description{title: e.qualified(o.path, o.name), decl: d.Sig, doc: d.Doc}
			if d.Generic {
				desc.note = "generic: not available in cells (the interpreter cannot call compiled generic code)"
			}
			if d.Kind == "type" && detail == 0 {
				desc.decl = shortTypeDecl(d.Sig)
			}
			if d.Kind == "type" {
				desc.extra = e.methodList(o.path, o.name, t.rt)
			}
			return desc, true
		}
		if t.rt != nil {
			return description{title: e.qualified(o.path, o.name), decl: o.name + " " + funcString(t.rt, t.recvIn)}, true
		}
	case t.pkgs != nil:
		var d description
		for _, p := range t.pkgs {
			if pd, ok := e.packageDoc(p); ok {
				d.decl += "package " + pd.Name + " // import \"" + p + "\"\n"
				d.doc += pd.Doc + "\n"
			} else {
				d.decl += "package " + e.pkgs[p].name + " // import \"" + p + "\"\n"
			}
		}
		d.decl = strings.TrimSuffix(d.decl, "\n")
		return d, true
	case t.rt != nil:
		return description{decl: expr + " " + t.rt.String()}, true
	}
	return description{}, false
}

func (e *Engine) qualified(path, name string) string {
	if pi, ok := e.pkgs[path]; ok {
		return pi.name + "." + name
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:] + "." + name
	}
	return path + "." + name
}

// shortTypeDecl keeps the first line of a type declaration ("type Dense struct {")
// and closes it, so detail level 0 stays short.
func shortTypeDecl(sig string) string {
	first, _, more := strings.Cut(sig, "\n")
	if !more {
		return sig
	}
	if strings.HasSuffix(first, "{") {
		return first + " ... }"
	}
	return first
}

// methodList lists the exported methods of a compiled type (value and
// pointer receivers) with their signatures.
func (e *Engine) methodList(path, name string, t reflect.Type) string {
	if t == nil {
		return ""
	}
	mt := methodSet(t)
	var lines []string
	for i := 0; i < mt.NumMethod(); i++ {
		m := mt.Method(i)
		if !m.IsExported() {
			continue
		}
		if d, ok := e.doc(path, name+"."+m.Name); ok {
			lines = append(lines, d.Sig)
		} else {
			lines = append(lines, "func ("+name+") "+m.Name+strings.TrimPrefix(funcString(m.Type, mt.Kind() != reflect.Interface), "func"))
		}
	}
	return strings.Join(lines, "\n")
}

// describeGlobal documents a session name.
func (e *Engine) describeGlobal(g *Global, t target, detail int) description {
	d := description{doc: g.Doc, value: g.Value}
	switch g.Kind {
	case KindImport:
		d.decl = "import " + g.Name + " \"" + g.Type + "\""
		if pd, ok := e.packageDoc(g.Type); ok {
			d.doc = pd.Doc
		}
		return d
	case KindFunc:
		d.decl = "func " + g.Name + strings.TrimPrefix(g.Type, "func")
		return d
	case KindType:
		d.decl = "type " + g.Name + " " + g.Type
		var lines []string
		for _, m := range g.Methods {
			lines = append(lines, "func ("+g.Name+") "+m.Name+strings.TrimPrefix(m.Type, "func"))
		}
		d.extra = strings.Join(lines, "\n")
		return d
	}
	typ := g.Type
	if typ == "" && g.GoType != nil {
		typ = g.GoType.String()
	}
	d.decl = string(g.Kind) + " " + g.Name + " " + typ
	if g.Doc == "" && t.rt != nil {
		// document the value's type, e.g. *plot.Plot
		if named := namedOf(t.rt); named != nil {
			if td, ok := e.doc(named.PkgPath(), named.Name()); ok {
				d.title = g.Name + ": " + t.rt.String()
				d.doc = td.Doc
				if detail > 0 {
					d.extra = td.Sig
				}
			}
		}
	}
	return d
}

// describeBuiltin documents a predeclared name from the builtin package docs.
func (e *Engine) describeBuiltin(name string) (description, bool) {
	if d, ok := e.doc("builtin", name); ok {
		return description{title: "builtin " + name, decl: d.Sig, doc: d.Doc}, true
	}
	return description{}, false
}

func exprString(x ast.Expr) string { return types.ExprString(x) }
