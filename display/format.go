package display

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Limits of the reflective formatter: it must terminate and stay small on
// any value (cycles, huge slices, deep nesting, unexported fields).
const (
	maxDepth    = 4  // nesting levels shown before "…"
	maxItems    = 10 // elements of a slice, array or map shown inline
	maxCellText = 200
)

// PlainText formats v for text/plain in the style of fmt's %+v, but bounded:
// at most maxItems elements per collection, maxDepth levels, pointer cycles
// cut, unexported fields read without calling methods. Compiled values with
// an Error or String method are formatted through it.
func PlainText(v any) string {
	f := formatter{seen: map[uintptr]bool{}}
	f.value(reflect.ValueOf(v), 0, true)
	return clip(f.b.String(), maxPlainText)
}

// cellText formats one table cell: strings unquoted, floats to 6
// significant digits, everything short.
func cellText(v reflect.Value) string {
	f := formatter{seen: map[uintptr]bool{}, short: true}
	f.value(v, 1, true)
	return clip(f.b.String(), maxCellText)
}

type formatter struct {
	b     strings.Builder
	seen  map[uintptr]bool
	short bool // floats to 6 significant digits
}

// hasTextMethod reports whether values of type t (compiled) have an Error
// or String method, which makes them scalars for display purposes.
func hasTextMethod(t reflect.Type) bool {
	stringer := reflect.TypeFor[fmt.Stringer]()
	errorType := reflect.TypeFor[error]()
	return t.Implements(stringer) || t.Implements(errorType) ||
		reflect.PointerTo(t).Implements(stringer) || reflect.PointerTo(t).Implements(errorType)
}

// methodText calls Error or String on a compiled value, recovering from
// panics (a nil receiver, for instance); ok is false when there is no such
// method or it failed.
func methodText(v reflect.Value) (s string, ok bool) {
	if !v.IsValid() || !v.CanInterface() {
		return "", false
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return "", false
	}
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	switch x := v.Interface().(type) {
	case error:
		return x.Error(), true
	case fmt.Stringer:
		return x.String(), true
	}
	return "", false
}

func (f *formatter) value(v reflect.Value, depth int, top bool) {
	if !v.IsValid() {
		f.b.WriteString("<nil>")
		return
	}
	if s, ok := methodText(v); ok {
		if top {
			f.b.WriteString(s)
		} else {
			f.b.WriteString(clip(s, maxCellText))
		}
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		f.b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		f.b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		bits, prec := 64, -1
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		if f.short {
			prec = 6
		}
		f.b.WriteString(strconv.FormatFloat(v.Float(), 'g', prec, bits))
	case reflect.Complex64, reflect.Complex128:
		fmt.Fprint(&f.b, v.Complex())
	case reflect.String:
		if top {
			f.b.WriteString(v.String())
		} else {
			f.b.WriteString(strconv.Quote(clip(v.String(), maxCellText)))
		}
	case reflect.Pointer:
		f.pointer(v, depth)
	case reflect.Interface:
		if v.IsNil() {
			f.b.WriteString("<nil>")
			return
		}
		f.value(v.Elem(), depth, top)
	case reflect.Slice:
		if v.IsNil() {
			f.b.WriteString("[]")
			return
		}
		f.list(v, depth)
	case reflect.Array:
		f.list(v, depth)
	case reflect.Map:
		f.mapping(v, depth)
	case reflect.Struct:
		f.structure(v, depth)
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if v.IsNil() {
			f.b.WriteString("<nil>")
			return
		}
		f.b.WriteString("<" + v.Type().String() + ">")
	default:
		f.b.WriteString("<" + v.Type().String() + ">")
	}
}

// enter marks addr (of a pointer, slice or map) as being printed; when it
// already is, the value refers to itself: enter writes <cycle> and returns
// false. Pointers, slices and maps guard their recursion with it; each
// successful enter is paired with a deferred leave.
func (f *formatter) enter(addr uintptr) bool {
	if f.seen[addr] {
		f.b.WriteString("<cycle>")
		return false
	}
	f.seen[addr] = true
	return true
}

// leave ends what enter began.
func (f *formatter) leave(addr uintptr) { delete(f.seen, addr) }

func (f *formatter) pointer(v reflect.Value, depth int) {
	if v.IsNil() {
		f.b.WriteString("<nil>")
		return
	}
	addr := v.Pointer()
	if !f.enter(addr) {
		return
	}
	defer f.leave(addr)
	if depth >= maxDepth {
		f.b.WriteString("&…")
		return
	}
	f.b.WriteByte('&')
	f.value(v.Elem(), depth+1, false)
}

func (f *formatter) list(v reflect.Value, depth int) {
	n := v.Len()
	if depth >= maxDepth && n > 0 {
		fmt.Fprintf(&f.b, "[… %d items]", n)
		return
	}
	if v.Kind() == reflect.Slice && n > 0 {
		addr := v.Pointer()
		if !f.enter(addr) {
			return
		}
		defer f.leave(addr)
	}
	f.b.WriteByte('[')
	shown := min(n, maxItems)
	for i := range shown {
		if i > 0 {
			f.b.WriteByte(' ')
		}
		f.value(v.Index(i), depth+1, false)
	}
	if n > shown {
		fmt.Fprintf(&f.b, " … (%d more)", n-shown)
	}
	f.b.WriteByte(']')
}

func (f *formatter) mapping(v reflect.Value, depth int) {
	if v.IsNil() {
		f.b.WriteString("map[]")
		return
	}
	n := v.Len()
	if depth >= maxDepth && n > 0 {
		fmt.Fprintf(&f.b, "map[… %d entries]", n)
		return
	}
	addr := v.Pointer()
	if !f.enter(addr) {
		return
	}
	defer f.leave(addr)
	keys := sortedKeys(v)
	f.b.WriteString("map[")
	for i, k := range keys[:min(len(keys), maxItems)] {
		if i > 0 {
			f.b.WriteByte(' ')
		}
		f.value(k, depth+1, false)
		f.b.WriteByte(':')
		f.value(v.MapIndex(k), depth+1, false)
	}
	if n > maxItems {
		fmt.Fprintf(&f.b, " … (%d more)", n-maxItems)
	}
	f.b.WriteByte(']')
}

func (f *formatter) structure(v reflect.Value, depth int) {
	t := v.Type()
	if depth >= maxDepth && t.NumField() > 0 {
		f.b.WriteString("{…}")
		return
	}
	f.b.WriteByte('{')
	for i := range t.NumField() {
		if i > 0 {
			f.b.WriteString(", ")
		}
		f.b.WriteString(fieldName(t, i))
		f.b.WriteString(": ")
		f.value(v.Field(i), depth+1, false)
	}
	f.b.WriteByte('}')
}

// fieldName is the name shown for field i of struct type t. yaegi builds
// the types of structs defined in cells as unnamed struct types and exports
// their lower-case fields by prefixing "X" (seed -> Xseed); the prefix is
// removed again for unnamed struct types.
func fieldName(t reflect.Type, i int) string {
	name := t.Field(i).Name
	if t.Name() != "" || len(name) < 2 || name[0] != 'X' {
		return name
	}
	if c := name[1]; c == '_' || ('a' <= c && c <= 'z') {
		return name[1:]
	}
	return name
}

// sortedKeys returns a map's keys in a stable order: numerically for
// numbers, lexically by their formatted text otherwise.
func sortedKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	texts := make([]string, len(keys))
	for i, k := range keys {
		texts[i] = cellText(k)
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		if na, ok := number(ka); ok {
			if nb, ok := number(kb); ok {
				return na < nb
			}
		}
		return texts[idx[a]] < texts[idx[b]]
	})
	out := make([]reflect.Value, len(keys))
	for i, j := range idx {
		out[i] = keys[j]
	}
	return out
}

func number(v reflect.Value) (float64, bool) {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return 0, false
}
