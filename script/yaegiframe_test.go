package script

import (
	"fmt"
	"testing"
	"unsafe"
)

// The global frame grows geometrically: cells that add slots reuse its
// storage instead of copying it each time, and every variable keeps its
// value across the growth.
func TestGlobalFrameGrowsGeometrically(t *testing.T) {
	h := newHarness(t)
	g, ok := globalFrameOf(h.s.in)
	if !ok || h.s.yaegiFrame == nil {
		t.Fatal("yaegi's Interpreter has no frame.data, frame.mutex or universe.types any more: check resizeFrame")
	}
	if h.s.yaegiCtl == nil {
		t.Fatal("yaegi's Interpreter has no id, mutex, done, cancelChan or fastChan any more: check ExecuteWithContext")
	}
	storage := func() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(*g.data))) }
	const cells = 400
	moves := 0
	for i := 0; i < cells; i++ {
		before := storage()
		if o := h.run(fmt.Sprintf("v%d := %d * 2", i, i)); o.Err != nil {
			t.Fatalf("cell %d: %v", i, o.Err)
		}
		if storage() != before {
			moves++
		}
		if got, want := len(*g.data), len(*g.layout); got != want {
			t.Fatalf("cell %d: frame has %d slots, layout %d", i, got, want)
		}
	}
	// Doubling from 64 slots reaches 400 cells' slots in a handful of moves;
	// an exact reallocation per cell would move the frame ~cells times.
	if moves > 12 {
		t.Errorf("the frame moved %d times in %d cells", moves, cells)
	}
	for _, i := range []int{0, 1, cells / 2, cells - 1} {
		if o := h.run(fmt.Sprintf("v%d", i)); o.Err != nil || o.Result != fmt.Sprint(2*i) {
			t.Errorf("v%d = %q (%v), want %d", i, o.Result, o.Err, 2*i)
		}
	}
}

// BenchmarkYaegiFieldLookup is what finding the interpreter's control and
// frame fields by name costs; the session does it once per interpreter
// (newInterpreter), not per cell.
func BenchmarkYaegiFieldLookup(b *testing.B) {
	s, err := NewSession(Options{Stdout: devNull(b), Stderr: devNull(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		yaegiControlOf(s.in)
		globalFrameOf(s.in)
	}
}
