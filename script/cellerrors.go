package script

import (
	"errors"
	"fmt"
	"reflect"
)

// errorsAs is errors.As for cells. Compiled code sees an error type
// declared in a cell without its methods, so errors.As refused such a
// target ("*target must be interface or implement error"); and a cell's
// error value travels the chain inside the interpreter's wrapper, whose
// first field (IValue) holds it. errorsAs matches those wrapped values
// against the target's type and leaves every other target to errors.As.
func errorsAs(err error, target any) bool {
	tv := reflect.ValueOf(target)
	errorType := reflect.TypeFor[error]()
	if tv.Kind() != reflect.Pointer || tv.IsNil() || tv.Type().Elem().Kind() == reflect.Interface ||
		tv.Type().Elem().Implements(errorType) {
		return errors.As(err, target)
	}
	want := tv.Type().Elem()
	return inErrorChain(err, func(e error) bool {
		if inner := cellValue(e); inner.IsValid() && inner.Type().AssignableTo(want) {
			tv.Elem().Set(inner)
			return true
		}
		return false
	})
}

// errorsIs is errors.Is for cells: a target of a cell's type travels in
// the interpreter's wrapper, a new one for every call, so errors.Is never
// found it; errorsIs also compares the wrapped values themselves.
func errorsIs(err, target error) bool {
	if errors.Is(err, target) {
		return true
	}
	t := cellValue(target)
	if !t.IsValid() || !t.Type().Comparable() {
		return false
	}
	return inErrorChain(err, func(e error) bool {
		v := cellValue(e)
		return v.IsValid() && v.Type() == t.Type() && v.Interface() == t.Interface()
	})
}

// cellValue returns the value of a cell's type that the interpreter's
// error wrapper e holds (its first field, IValue), or the zero Value.
func cellValue(e error) reflect.Value {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && v.NumField() > 0 && v.Type().Field(0).Name == "IValue" {
		return v.Field(0).Elem()
	}
	return reflect.Value{}
}

// inErrorChain reports whether match holds for err or an error it wraps
// (Unwrap() error and Unwrap() []error, as errors.Is and errors.As walk).
func inErrorChain(err error, match func(error) bool) bool {
	for err != nil {
		if match(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				if inErrorChain(x, match) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// noteValueErrors tells the user when a unit declares Error() string with
// a value receiver on a struct type. yaegi v0.16.1 keeps such an error's
// message, but once it is an error value its wrapper holds the struct's
// last field instead of the struct (getConcreteValue), so type
// assertions, type switches and errors.As miss it, and `var e error =
// T{}` cannot be asserted at all; a pointer receiver has none of these
// faults.
func (s *Session) noteValueErrors(u *unit) {
	for _, d := range u.Decls {
		if d.Kind != "method" || d.Name != d.Recv+".Error" {
			continue
		}
		m, ok := parseMethod(d.Src)
		if !ok || m.pointer || m.sig != "() string" || !s.led.isStructType(d.Recv) {
			continue
		}
		fmt.Fprintf(s.opts.Stderr, "note: %[1]s has Error() with a value receiver: in gonote, type assertions, type switches and errors.As do not find a %[1]s value held as an error; declare func (e *%[1]s) Error() string and use &%[1]s{...} as the error\n", d.Recv)
	}
}
