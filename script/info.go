package script

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"reflect"
	"sort"
	"strings"

	"github.com/gonote/gonote/script/complete"
	"github.com/gonote/gonote/script/symbols"
)

// completionAdapter turns the complete engine's replies into the protocol's.
type completionAdapter struct{ eng *complete.Engine }

func (c completionAdapter) Complete(code string, cursor int) complete.CompleteReply {
	return c.eng.Complete(code, cursor)
}
func (c completionAdapter) Inspect(code string, cursor, detail int) complete.InspectReply {
	return c.eng.Inspect(code, cursor, detail)
}

func newCompleter(s *Session) completer {
	return completionAdapter{eng: complete.New(s, stdExports, symbols.Symbols)}
}

// Globals implements complete.Session from the ledger and the types and
// values recorded after the last cell; it never touches the interpreter.
func (s *Session) Globals() []complete.Global {
	s.mu.Lock()
	types := s.types
	values := s.values
	imports := make(map[string]string, len(s.imports))
	for k, v := range s.imports {
		imports[k] = v
	}
	s.mu.Unlock()
	l := s.led
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []complete.Global
	for name, path := range imports {
		out = append(out, complete.Global{Name: name, Kind: complete.KindImport, Type: path})
	}
	methods := map[string][]complete.Member{}
	for _, e := range l.decls {
		if e.Kind == "method" {
			name := e.Name[strings.LastIndexByte(e.Name, '.')+1:]
			sig, _ := funcSignature(e.Src)
			methods[e.Recv] = append(methods[e.Recv], complete.Member{Name: name, Type: sig})
		}
	}
	for _, e := range l.decls {
		switch e.Kind {
		case "func":
			sig, doc := funcSignature(e.Src)
			out = append(out, complete.Global{Name: e.Name, Kind: complete.KindFunc, Type: sig, Doc: doc})
		case "type":
			def, fields, doc := typeDefinition(e.Src, e.Name)
			ms := methods[e.Name]
			sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
			out = append(out, complete.Global{Name: e.Name, Kind: complete.KindType, Type: def, Fields: fields, Methods: ms, Doc: doc})
		case "const":
			g := complete.Global{Name: e.Name, Kind: complete.KindConst, Value: values[e.Name]}
			if t := types[e.Name]; t != nil {
				g.Type = t.String()
			}
			out = append(out, g)
		}
	}
	for name, v := range l.vars {
		g := complete.Global{Name: name, Kind: complete.KindVar, Type: v.TypeExpr, Value: values[name]}
		if t := types[name]; t != nil {
			if compiledTypeString(t, imports) != "" || isCompiled(t) {
				g.GoType = t
				if g.Type == "" {
					g.Type = t.String()
				}
			}
		}
		out = append(out, g)
	}
	out = append(out, complete.Global{Name: "ctx", Kind: complete.KindVar, Type: "context.Context",
		GoType: reflect.TypeFor[context.Context](),
		Doc:    "ctx is the running cell's context: it is cancelled when the kernel is interrupted."})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// isCompiled reports whether t contains no anonymous struct (the shape of
// cell-defined types in reflect).
func isCompiled(t reflect.Type) bool {
	for depth := 0; depth < 10; depth++ {
		if t.Name() != "" {
			return true
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			t = t.Elem()
		case reflect.Map:
			if !isCompiled(t.Key()) {
				return false
			}
			t = t.Elem()
		case reflect.Struct:
			return false
		default:
			return true
		}
	}
	return false
}

func nodeText(fset *token.FileSet, n any) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, n); err != nil {
		return ""
	}
	return b.String()
}

// funcSignature returns "func(a int) float64" and the doc comment of a
// func or method declaration.
func funcSignature(src string) (string, string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+src, parser.ParseComments)
	if err != nil || len(f.Decls) == 0 {
		return "", ""
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok {
		return "", ""
	}
	return nodeText(fset, fd.Type), strings.TrimSpace(fd.Doc.Text())
}

// typeDefinition returns the definition text, struct fields and doc of a
// type declaration.
func typeDefinition(src, name string) (string, []complete.Member, string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+src, parser.ParseComments)
	if err != nil {
		return "", nil, ""
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, sp := range gd.Specs {
			ts, ok := sp.(*ast.TypeSpec)
			if !ok || ts.Name.Name != name {
				continue
			}
			var fields []complete.Member
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					typ := nodeText(fset, fl.Type)
					if len(fl.Names) == 0 {
						fields = append(fields, complete.Member{Name: strings.TrimPrefix(recvTypeName(fl.Type), "*"), Type: typ})
					}
					for _, n := range fl.Names {
						fields = append(fields, complete.Member{Name: n.Name, Type: typ})
					}
				}
			}
			doc := gd.Doc.Text()
			if ts.Doc != nil {
				doc = ts.Doc.Text()
			}
			return nodeText(fset, ts.Type), fields, strings.TrimSpace(doc)
		}
	}
	return "", nil, ""
}

// UserExpressions evaluates the user_expressions of an execute request
// after the cell; each gets a MIME bundle or an error.
func (s *Session) UserExpressions(exprs map[string]string) map[string]any {
	out := map[string]any{}
	for name, expr := range exprs {
		v, err := s.evalExpr(expr)
		if err != nil {
			out[name] = map[string]any{"status": "error", "ename": "CompileError", "evalue": err.Error(), "traceback": []string{err.Error()}}
			continue
		}
		out[name] = map[string]any{"status": "ok", "data": map[string]any{"text/plain": v}, "metadata": map[string]any{}}
	}
	return out
}

// evalExpr evaluates one expression and returns its text form, computed by
// interpreted fmt so that String methods of cell types apply.
func (s *Session) evalExpr(expr string) (string, error) {
	if _, err := parseExprStrict(expr); err != nil {
		return "", err
	}
	v, err := s.in.EvalWithContext(context.Background(), fmt.Sprintf("_gonotefmt.Sprint(%s)", expr))
	if err != nil {
		return "", err
	}
	if !v.IsValid() || v.Kind() != reflect.String {
		return "", fmt.Errorf("%s: no value", expr)
	}
	return v.String(), nil
}

func parseExprStrict(expr string) (ast.Expr, error) {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("user expression %q: %w", expr, err)
	}
	return e, nil
}

// TakePayload returns the payloads of the last cell (set_next_input of
// %load).
func (s *Session) TakePayload() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payload
	s.payload = nil
	return p
}
