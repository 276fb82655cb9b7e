package complete

import (
	"testing"
	"unicode/utf8"
)

// FuzzCompleteInspect checks that no input or cursor position makes the
// engine panic or return positions outside the code.
func FuzzCompleteInspect(f *testing.F) {
	e := newTestEngine(f)
	for _, seed := range []struct {
		code string
		pos  int
	}{
		{"", 0}, {"", -3}, {"strings.ToU", 1000}, {"(((", 3}, {")))).", 5}, {"a[", 2},
		{`"unterminated`, 5}, {"x.(", 3}, {"...", 3}, {"p.Title.Te", 10}, {"héllo🙂.", 7},
		{"import (\n\"", 10}, {"/* x.", 5}, {"`raw\nstrings.", 13}, {"%%", 2}, {"pts[0].Scale(2).", 16},
		{"func (", 6}, {"for a, b := range {\n b.", 22}, {"f(g(h(x.", 8}, {"'", 1},
	} {
		f.Add(seed.code, seed.pos)
	}
	f.Fuzz(func(t *testing.T, code string, pos int) {
		n := utf8.RuneCountInString(code)
		r := e.Complete(code, pos)
		if r.Status != "ok" {
			t.Fatalf("status %q", r.Status)
		}
		if r.CursorStart < 0 || r.CursorStart > r.CursorEnd || r.CursorEnd > max(n, pos) {
			t.Fatalf("cursor %d..%d outside code of %d code points (pos %d)", r.CursorStart, r.CursorEnd, n, pos)
		}
		if len(r.Matches) != len(r.Metadata[TypesKey].([]TypeInfo)) {
			t.Fatalf("%d matches, %d type entries", len(r.Matches), len(r.Metadata[TypesKey].([]TypeInfo)))
		}
		for _, level := range []int{0, 1} {
			if ir := e.Inspect(code, pos, level); ir.Status != "ok" || ir.Found != (len(ir.Data) > 0) {
				t.Fatalf("inspect: status %q found %v data %d", ir.Status, ir.Found, len(ir.Data))
			}
		}
	})
}
