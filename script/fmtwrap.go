package script

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/traefik/yaegi/stdlib"
)

// Printing values of cell types through fmt. Compiled code cannot see the
// methods of a cell's types, so yaegi hands fmt's functions a wrapper
// struct for a value whose type has a String method, and nothing for one
// with an Error method:
//
//   - fmt.Println(err) printed an error of a cell type as its fields
//     ({42}) where Go prints err.Error(): the functions of fmt and log now
//     also wrap values that implement error (yaegi's own error wrapper),
//     before Stringer, as fmt prefers Error to String;
//   - fmt.Printf("%d", state) printed yaegi's Stringer wrapper
//     ({1 5129600}) where Go prints the number: the wrapper is replaced by
//     fmtStringer, which formats as fmt does a Stringer.

// fmtStringer stands in for yaegi's wrapper of fmt.Stringer (same fields,
// which yaegi fills by name).
type fmtStringer struct {
	IValue  interface{}
	WString func() string
}

func (w fmtStringer) String() string {
	if w.WString == nil {
		return ""
	}
	return w.WString()
}

// Format prints String() for the verbs fmt uses it for (%v %s %x %X %q,
// not %#v) and the value itself for the others (%d, %.2f ...).
func (w fmtStringer) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'), !slices.Contains([]rune("vsxXq"), verb):
		fmt.Fprintf(f, fmt.FormatString(f, verb), w.IValue)
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), w.String())
	}
}

// fmtMapTypes is yaegi's list of the interfaces a value passed to fmt's
// and log's printing functions is wrapped in, with error added before
// fmt.Stringer.
func fmtMapTypes() map[reflect.Value][]reflect.Type {
	stringer := reflect.TypeFor[fmt.Stringer]()
	errorType := reflect.TypeFor[error]()
	out := make(map[reflect.Value][]reflect.Type, len(stdlib.MapTypes))
	for fn, types := range stdlib.MapTypes {
		if i := slices.Index(types, stringer); i >= 0 {
			types = slices.Insert(slices.Clone(types), i, errorType)
		}
		out[fn] = types
	}
	return out
}
