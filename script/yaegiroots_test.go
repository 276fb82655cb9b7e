package script

import (
	"reflect"
	"strings"
	"testing"
)

// After every cell yaegi's list of compiled syntax trees is empty, and
// what earlier cells declared still works: calls, methods, types, and a
// panic's traceback inside a function of an earlier cell.
func TestForgetSyntaxTrees(t *testing.T) {
	h := newHarness(t)
	roots := func() int { return reflect.ValueOf(h.s.in).Elem().FieldByName("roots").Len() }
	steps := []struct {
		code, result, errHas string
	}{
		{code: "type point struct{ x, y int }\nfunc (p point) sum() int { return p.x + p.y }", result: ""},
		{code: "func double(n int) int { return 2 * n }", result: ""},
		{code: "p := point{3, 4}", result: ""},
		{code: "1 + 1", result: "2"},
		{code: "double(p.sum())", result: "14"},
		{code: "func boom(xs []int) int {\n\treturn xs[5]\n}", result: ""},
		{code: "boom([]int{1})", errHas: "index out of range"},
		{code: "double(21)", result: "42"},
	}
	for i, st := range steps {
		o := h.run(st.code)
		if st.errHas != "" {
			if o.Err == nil || !strings.Contains(o.Err.Evalue+strings.Join(o.Err.Traceback, "\n"), st.errHas) {
				t.Fatalf("step %d %q: error %+v, want one mentioning %q", i, st.code, o.Err, st.errHas)
			}
		} else if o.Err != nil || o.Result != st.result {
			t.Fatalf("step %d %q: result %q, error %+v; want %q", i, st.code, o.Result, o.Err, st.result)
		}
		if n := roots(); n != 0 {
			t.Fatalf("step %d: yaegi still lists %d syntax trees", i, n)
		}
	}
	if !forgetSyntaxTrees(h.s.in) {
		t.Fatal("yaegi's Interpreter has no roots field any more: check what keeps compiled cells alive")
	}
}
