package script

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// globalFrame reaches the parts of a yaegi v0.16.1 Interpreter that hold
// the global variables: the frame's values and its lock, and the layout
// (one type per slot) that compiling appends to.
type globalFrame struct {
	data   *[]reflect.Value
	mu     *sync.RWMutex
	layout *[]reflect.Type
}

// globalFrameOf finds the fields, or reports false if a yaegi upgrade
// renamed them.
func globalFrameOf(in *interp.Interpreter) (globalFrame, bool) {
	iv := reflect.ValueOf(in).Elem()
	fp, up := iv.FieldByName("frame"), iv.FieldByName("universe")
	if fp.Kind() != reflect.Pointer || up.Kind() != reflect.Pointer || fp.IsNil() || up.IsNil() {
		return globalFrame{}, false
	}
	fr, univ := fp.Elem(), up.Elem()
	data, mu, layout := fr.FieldByName("data"), fr.FieldByName("mutex"), univ.FieldByName("types")
	if data.Type() != reflect.TypeFor[[]reflect.Value]() || mu.Type() != reflect.TypeFor[sync.RWMutex]() ||
		layout.Type() != reflect.TypeFor[[]reflect.Type]() {
		return globalFrame{}, false
	}
	return globalFrame{
		data:   (*[]reflect.Value)(unsafe.Pointer(data.UnsafeAddr())),
		mu:     (*sync.RWMutex)(unsafe.Pointer(mu.UnsafeAddr())),
		layout: (*[]reflect.Type)(unsafe.Pointer(layout.UnsafeAddr())),
	}, true
}

// grow gives the slots that compiling added to the global
// layout their zero values, growing the frame's storage geometrically.
// yaegi's own resizeFrame, run by every Execute, reallocates the frame to
// exactly the new length and copies it; as nearly every cell adds a slot
// (an expression's value, a variable), a session's cell paid a copy of
// all earlier slots, and its garbage: O(cells) per cell. After this call
// the frame is already long enough and resizeFrame does nothing. Call it
// between compiling and executing; it takes the frame's lock as
// resizeFrame does.
func (g globalFrame) grow() {
	g.mu.Lock()
	defer g.mu.Unlock()
	layout, data := *g.layout, *g.data
	have, want := len(data), len(layout)
	if want <= have {
		return
	}
	if want > cap(data) {
		grown := make([]reflect.Value, have, max(2*cap(data), want, 64))
		copy(grown, data)
		data = grown
	}
	data = data[:want]
	for i := have; i < want; i++ {
		data[i] = reflect.New(layout[i]).Elem()
	}
	*g.data = data
}
