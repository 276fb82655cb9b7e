package script

import (
	"errors"
	"fmt"
	"image"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/gonote/gonote/display"
	"github.com/traefik/yaegi/interp"
	"gonum.org/v1/gonum/mat"
)

// cellrtPath is the import path of the compiled runtime the rewritten cells
// call (imported as _gonote). It exists only inside the interpreter.
const cellrtPath = "github.com/gonote/gonote/script/cellrt"

// returnSignal is panicked by a top-level return: it ends the cell early
// without an error.
type returnSignal struct{}

// exitSignal is panicked by os.Exit in a cell.
type exitSignal struct{ code int }

func (e exitSignal) Error() string { return fmt.Sprintf("os.Exit(%d)", e.code) }

// runtimeExports builds the compiled runtime package for one session.
func (s *Session) runtimeExports() interp.Exports {
	return interp.Exports{
		cellrtPath + "/cellrt": {
			"ShowValues":     reflect.ValueOf(s.showValues),
			"ShowCall":       reflect.ValueOf(s.showCall),
			"ShowDuck":       reflect.ValueOf(s.showDuck),
			"Go":             reflect.ValueOf(s.goroutine),
			"GoCall":         reflect.ValueOf(func(f interface{}, args ...interface{}) { s.goroutine(boundCall(f, args, false)) }),
			"GoCallSlice":    reflect.ValueOf(func(f interface{}, args ...interface{}) { s.goroutine(boundCall(f, args, true)) }),
			"Defer":          reflect.ValueOf(s.deferCall),
			"DeferCall":      reflect.ValueOf(func(f interface{}, args ...interface{}) { s.deferCall(boundCall(f, args, false)) }),
			"DeferCallSlice": reflect.ValueOf(func(f interface{}, args ...interface{}) { s.deferCall(boundCall(f, args, true)) }),
			"NewDefers":      reflect.ValueOf(func() *deferStack { return &deferStack{} }),
			"ReturnSignal":   reflect.ValueOf(returnSignal{}),
			"AsError":        reflect.ValueOf(func(e error) any { return e }),
			"Stdin":          reflect.ValueOf(func() io.Reader { return s.stdin }),
			"Sort":           reflect.ValueOf(sortSlice),
			"Reverse":        reflect.ValueOf(reverseSlice),
			"Clear":          reflect.ValueOf(clearValue),
			"Has":            reflect.ValueOf(mapHas),
			"Stash":          reflect.ValueOf(s.stashValues),
			"RenderMatrix":   reflect.ValueOf(func(m mat.Matrix) display.Bundle { b, _ := display.Render(m); return b }),
			"RenderImage":    reflect.ValueOf(func(im image.Image) display.Bundle { b, _ := display.Render(im); return b }),
		},
	}
}

// showValues shows values computed by compiled code (their methods are
// visible to reflect, so no interpreted help is needed).
func (s *Session) showValues(vals ...interface{}) {
	texts := make([]string, len(vals))
	rich := make([]map[string]interface{}, len(vals))
	s.emitResult(resultBundle(vals, texts, rich))
}

// duckMIME maps the display methods of cell types to MIME types.
var duckMIME = map[string]string{
	"HTML": "text/html", "Markdown": "text/markdown", "LaTeX": "text/latex",
	"SVG": "image/svg+xml", "PNG": "image/png", "JPEG": "image/jpeg",
}

// duckMethods are the methods the session looks for on values of cell
// types (compiled code cannot see their methods).
var duckMethods = []string{"HTML", "Markdown", "LaTeX", "SVG", "PNG", "JPEG", "DisplayBundle", "MIMEBundle", "String", "Error"}

// duckViews are the renderers of compiled interfaces a value of a cell
// type is passed to when it has their methods: the interpreter wraps the
// value in the interface on the call, so the compiled renderer sees the
// methods and draws a matrix as a table, an image as a PNG.
var duckViews = []struct {
	methods []string
	conv    string
}{
	{[]string{"Dims", "At", "T"}, rtName + ".RenderMatrix"},
	{[]string{"ColorModel", "Bounds", "At"}, rtName + ".RenderImage"},
}

// showDuck shows a value of a cell type with the results of its display
// methods, called by interpreted code (see Session.finalSource). view is
// nil or the bundle of the value rendered as a compiled interface it
// implements (a matrix, an image).
func (s *Session) showDuck(v, view interface{}, typeName string, names []string, outs []interface{}) {
	text := ""
	rich := map[string]interface{}{}
	if b, ok := view.(display.Bundle); ok {
		for k, d := range b.Data {
			if k != display.MIMEText {
				rich[k] = d
			}
		}
	}
	for i, n := range names {
		switch n {
		case "Error":
			text, _ = outs[i].(string)
		case "String":
			if text == "" {
				text, _ = outs[i].(string)
			}
		case "DisplayBundle":
			if b, ok := outs[i].(display.Bundle); ok {
				for k, d := range b.Data {
					rich[k] = d
				}
			}
		case "MIMEBundle":
			if m, ok := outs[i].(map[string]any); ok {
				for k, d := range m {
					rich[k] = d
				}
			}
		default:
			rich[duckMIME[n]] = outs[i]
		}
	}
	if t, ok := rich[display.MIMEText].(string); ok && text == "" {
		text = t // the bundle's own text, unless String or Error gave one
	}
	delete(rich, display.MIMEText)
	if text == "" {
		// Reflect sees cell types as anonymous structs: name the type.
		switch rv := reflect.ValueOf(v); {
		case rv.Kind() == reflect.Struct:
			text = typeName + display.PlainText(v)
		case rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct:
			text = "&" + typeName + display.PlainText(rv.Elem().Interface())
		}
	}
	s.emitResult(resultBundle([]interface{}{v}, []string{text}, []map[string]interface{}{rich}))
}

// showCall shows the results of a call, except a single nil result (an
// error-returning call that succeeded, like os.WriteFile).
func (s *Session) showCall(vals ...interface{}) {
	if len(vals) == 1 && isNil(vals[0]) {
		return
	}
	s.showValues(vals...)
}

func isNil(v interface{}) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// resultBundle builds the bundle of a final value. texts and rich hold
// what interpreted code found through methods of cell-defined types.
func resultBundle(vals []interface{}, texts []string, rich []map[string]interface{}) display.Bundle {
	if len(vals) == 1 {
		return valueBundle(vals[0], texts[0], rich[0])
	}
	parts := make([]string, len(vals))
	var errBundle *display.Bundle
	for i, v := range vals {
		parts[i] = valueText(v, texts[i])
		if err, ok := v.(error); ok && err != nil && errBundle == nil {
			b := display.ErrorBundle(errors.New(valueText(v, texts[i])))
			errBundle = &b
		}
	}
	text := "(" + strings.Join(parts, ", ") + ")"
	b := display.Bundle{Data: map[string]any{"text/plain": text}, Metadata: map[string]any{}}
	if errBundle == nil {
		// A call that succeeded, like (table, nil): the rich forms of its
		// one rich value (HTML table, image, ...) with every value as text.
		var richest *display.Bundle
		for i, v := range vals {
			if v == nil || isNil(v) || texts[i] != "" {
				continue
			}
			if rb, rich := display.Render(v); rich && len(rb.Data) > 1 {
				if richest != nil {
					richest = nil // two rich values: which one to show is unclear
					break
				}
				richest = &rb
			}
		}
		if richest != nil {
			for k, d := range richest.Data {
				if k != display.MIMEText {
					b.Data[k] = d
				}
			}
			for k, m := range richest.Metadata {
				b.Metadata[k] = m
			}
		}
	}
	if errBundle != nil {
		if h, ok := errBundle.Data["text/html"]; ok {
			b.Data["text/html"] = fmt.Sprintf("<pre>%s</pre>%s", htmlEscape(text), h)
		}
	}
	return b
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// valueText is the text/plain form of one value.
func valueText(v interface{}, text string) string {
	if text != "" {
		return text
	}
	if v == nil {
		return "nil"
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return fmt.Sprintf("%q", v)
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Bool:
		if _, ok := v.(fmt.Stringer); !ok {
			return fmt.Sprint(v) // full precision, as Go prints it
		}
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		if rv.IsNil() {
			return "nil"
		}
	}
	return display.PlainText(v)
}

func valueBundle(v interface{}, text string, rich map[string]interface{}) display.Bundle {
	if text != "" && v != nil && reflect.TypeOf(v).NumMethod() > 0 {
		// A value whose methods compiled code sees (a compiled type, or a
		// cell alias of one): its rich forms come first, the text found by
		// interpreted code is only the text/plain part.
		if err, ok := v.(error); !ok || err == nil {
			b, _ := display.Render(v)
			if len(b.Data) > 1 {
				if rich == nil {
					rich = map[string]interface{}{}
				}
				for k, d := range b.Data {
					if _, dup := rich[k]; !dup && k != display.MIMEText {
						rich[k] = d
					}
				}
			}
		}
	}
	if len(rich) > 0 {
		b := display.Bundle{Data: map[string]any{}, Metadata: map[string]any{}}
		for mime, data := range rich {
			// Results of the duck methods are raw text or bytes; entries of
			// a rendered bundle are already in their wire form.
			part := display.Bundle{Data: map[string]any{mime: data}}
			str, isStr := data.(string)
			raw, isBytes := data.([]byte)
			switch {
			case mime == "text/html" && isStr:
				part = display.HTMLBundle(str)
			case mime == "text/markdown" && isStr:
				part = display.MarkdownBundle(str)
			case mime == "text/latex" && isStr:
				part = display.LaTeXBundle(str)
			case mime == "image/svg+xml" && isStr:
				part = display.SVGBundle(str)
			case mime == "image/png" && isBytes:
				part = display.PNGBundle(raw)
			case mime == "image/jpeg" && isBytes:
				part = display.JPEGBundle(raw)
			}
			for k, d := range part.Data {
				if k != "text/plain" {
					b.Data[k] = d
				}
			}
			for k, m := range part.Metadata {
				b.Metadata[k] = m
			}
		}
		b.Data["text/plain"] = valueText(v, text)
		return b
	}
	if text != "" {
		if err, ok := v.(error); ok && err != nil {
			return display.ErrorBundle(errors.New(text))
		}
		return display.Bundle{Data: map[string]any{"text/plain": text}, Metadata: map[string]any{}}
	}
	if v == nil {
		return display.Bundle{Data: map[string]any{"text/plain": "nil"}, Metadata: map[string]any{}}
	}
	b, _ := display.Render(v)
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	if b.Metadata == nil {
		b.Metadata = map[string]any{}
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.String, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Bool:
		if len(b.Data) <= 1 {
			b.Data["text/plain"] = valueText(v, "")
		}
	}
	return b
}

// ordered reports whether a slice element kind sorts with <.
func lessFunc(v reflect.Value) (func(i, j int) bool, error) {
	switch v.Type().Elem().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(i, j int) bool { return v.Index(i).Int() < v.Index(j).Int() }, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(i, j int) bool { return v.Index(i).Uint() < v.Index(j).Uint() }, nil
	case reflect.Float32, reflect.Float64:
		return func(i, j int) bool {
			a, b := v.Index(i).Float(), v.Index(j).Float()
			return a < b || (a != a && b == b) // NaNs first, as slices.Sort
		}, nil
	case reflect.String:
		return func(i, j int) bool { return v.Index(i).String() < v.Index(j).String() }, nil
	}
	return nil, fmt.Errorf("slices.Sort: elements of type %s are not ordered (use sort.Slice with a less function)", v.Type().Elem())
}

// sortSlice sorts a slice of an ordered type in place (slices.Sort).
func sortSlice(s interface{}) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Slice {
		panic(fmt.Errorf("slices.Sort: argument is %T, not a slice", s))
	}
	less, err := lessFunc(v)
	if err != nil {
		panic(err)
	}
	sort.SliceStable(s, less)
}

// reverseSlice reverses a slice in place (slices.Reverse).
func reverseSlice(s interface{}) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Slice {
		panic(fmt.Errorf("slices.Reverse: argument is %T, not a slice", s))
	}
	swap := reflect.Swapper(s)
	for i, j := 0, v.Len()-1; i < j; i, j = i+1, j-1 {
		swap(i, j)
	}
}

// clearValue deletes every map entry or zeroes every slice element (clear).
func clearValue(x interface{}) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Map:
		v.Clear()
	case reflect.Slice:
		v.Clear()
	default:
		panic(fmt.Errorf("clear: argument is %T, not a map or a slice", x))
	}
}

// mapHas reports whether m has key k (the ok of v, ok := m[k]).
func mapHas(m, k interface{}) bool {
	mv := reflect.ValueOf(m)
	if mv.Kind() != reflect.Map {
		panic(fmt.Errorf("comma-ok index: %T is not a map", m))
	}
	if mv.IsNil() {
		return false
	}
	kt := mv.Type().Key()
	kv := reflect.ValueOf(k)
	if !kv.IsValid() {
		kv = reflect.Zero(kt)
	} else if kv.Type() != kt {
		if !kv.Type().ConvertibleTo(kt) {
			panic(fmt.Errorf("comma-ok index: key of type %s for a map with keys of type %s", kv.Type(), kt))
		}
		kv = kv.Convert(kt)
	}
	return mv.MapIndex(kv).IsValid()
}

// stashValues receives pointers to the variables of a statement run
// inside a function (see Session.stashUnit).
func (s *Session) stashValues(ptrs ...interface{}) {
	s.mu.Lock()
	s.stash = ptrs
	s.mu.Unlock()
}

// deferStack holds the deferred calls of one call of an interpreted
// function. yaegi v0.16.1 keeps a deferred call's arguments and receiver
// as references to the function's variables, so `defer fmt.Println(x)`
// printed x's last value and `defer f.Close()` in a loop closed the last
// file every time; the cell compiler pushes such calls here with their
// values evaluated at the defer statement, as Go does, and defers Run once
// at the start of the function.
type deferStack struct{ calls []func() }

// Defer records f (a builtin's call wrapped in a closure).
func (d *deferStack) Defer(f func()) { d.calls = append(d.calls, f) }

// DeferCall records a call of f with the arguments evaluated now.
func (d *deferStack) DeferCall(f interface{}, args ...interface{}) {
	d.calls = append(d.calls, boundCall(f, args, false))
}

// DeferCallSlice is DeferCall for a call whose last argument is spread
// (f(xs...)).
func (d *deferStack) DeferCallSlice(f interface{}, args ...interface{}) {
	d.calls = append(d.calls, boundCall(f, args, true))
}

// Run makes the recorded calls, last first; a call that panics does not
// keep the others from running, as with Go's defers.
func (d *deferStack) Run() {
	n := len(d.calls)
	if n == 0 {
		return
	}
	call := d.calls[n-1]
	d.calls = d.calls[:n-1]
	defer d.Run()
	call()
}

// boundCall returns a call of f with arguments already evaluated (the
// semantics of go and defer statements), converting each to the parameter
// type. With slice, the last argument is passed as the variadic slice.
func boundCall(f interface{}, args []interface{}, slice bool) func() {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		panic(fmt.Errorf("go/defer: %T is not a function", f))
	}
	ft := fv.Type()
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		var pt reflect.Type
		switch {
		case ft.IsVariadic() && i >= ft.NumIn()-1 && !slice:
			pt = ft.In(ft.NumIn() - 1).Elem()
		case i < ft.NumIn():
			pt = ft.In(i)
		default:
			panic(fmt.Errorf("go/defer: too many arguments in call of %s", ft))
		}
		in[i] = argValue(a, pt)
	}
	return func() {
		if slice {
			fv.CallSlice(in)
		} else {
			fv.Call(in)
		}
	}
}

// argValue converts an argument to a parameter type (untyped constants
// arrive with their default type; nil as an invalid value).
func argValue(a interface{}, t reflect.Type) reflect.Value {
	if a == nil {
		return reflect.Zero(t)
	}
	v := reflect.ValueOf(a)
	if v.Type().AssignableTo(t) {
		return v
	}
	if v.Type().ConvertibleTo(t) {
		return v.Convert(t)
	}
	panic(fmt.Errorf("go/defer: cannot use %s as %s in argument", v.Type(), t))
}
