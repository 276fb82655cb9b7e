package script

import (
	"reflect"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// forgetSyntaxTrees drops yaegi's list of the syntax trees of every source
// it has compiled. yaegi v0.16.1 appends each root to the unexported
// Interpreter.roots and reads the list only in its debugger, which gonote
// does not use; in a long session the list kept every cell's nodes alive
// (~3.4 KB of heap for a `1+1` cell, more for bigger ones) after nothing
// else needed them. Declarations stay reachable through yaegi's scopes.
// It reports whether the field was found (TestForgetSyntaxTrees fails if a
// yaegi upgrade renames it, rather than letting the leak come back
// silently).
func forgetSyntaxTrees(in *interp.Interpreter) bool {
	f := reflect.ValueOf(in).Elem().FieldByName("roots")
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return false
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetZero()
	return true
}
