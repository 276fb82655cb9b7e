package script

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The generic functions of slices, maps and cmp that yaegi v0.16.1 cannot
// run (undefined, or failing on their ~[]E constraints and untyped
// constants) work in cells and give what compiled Go gives: each cell is
// compared with the same code run by the real standard library here.
func TestStandardGenericsMatchGo(t *testing.T) {
	type P struct{ X float64 }
	byX := func(a, b P) int { return cmp.Compare(a.X, b.X) }
	intCmp := func(a, b int) int { return a - b }
	tests := []struct {
		cell string // an expression, or statements ending in one, for fmt.Sprint
		want any    // the same code, compiled
	}{
		{"slices.Index([]float64{1, 2}, 2)", slices.Index([]float64{1, 2}, 2)},
		{"slices.Contains([]float64{1, 2}, 3)", slices.Contains([]float64{1, 2}, 3)},
		{"slices.Insert([]int{1, 2, 3}, 1, 9, 8)", slices.Insert([]int{1, 2, 3}, 1, 9, 8)},
		{"slices.Insert([]int{1, 2, 3}, 3, 4)", slices.Insert([]int{1, 2, 3}, 3, 4)},
		{"slices.Insert([]float64{1}, 0, 0.5)", slices.Insert([]float64{1}, 0, 0.5)},
		{"s := make([]int, 3, 8)\ns[0], s[1], s[2] = 1, 2, 3\nr := slices.Insert(s, 1, s[2:]...)\n[]any{r, s[:4]}", func() any {
			s := make([]int, 3, 8)
			s[0], s[1], s[2] = 1, 2, 3
			r := slices.Insert(s, 1, s[2:]...)
			return []any{r, s[:4]}
		}()},
		{"s := []int{1, 2, 3, 4, 5}\nr := slices.Delete(s, 1, 3)\n[]any{r, s}", func() any {
			s := []int{1, 2, 3, 4, 5}
			r := slices.Delete(s, 1, 3)
			return []any{r, s}
		}()},
		{"slices.Delete([]int{1, 2}, 1, 1)", slices.Delete([]int{1, 2}, 1, 1)},
		{"s := []int{1, 2, 3, 4}\nr := slices.DeleteFunc(s, func(x int) bool { return x%2 == 0 })\n[]any{r, s}", func() any {
			s := []int{1, 2, 3, 4}
			r := slices.DeleteFunc(s, func(x int) bool { return x%2 == 0 })
			return []any{r, s}
		}()},
		{"s := []int{1, 2, 3, 4, 5}\nr := slices.Replace(s, 1, 4, 7)\n[]any{r, s}", func() any {
			s := []int{1, 2, 3, 4, 5}
			r := slices.Replace(s, 1, 4, 7)
			return []any{r, s}
		}()},
		{"slices.Replace([]int{1, 2, 3}, 1, 2, 7, 8, 9)", slices.Replace([]int{1, 2, 3}, 1, 2, 7, 8, 9)},
		{"s := make([]int, 3, 8)\nr := slices.Replace(s, 0, 1, 4, 5)\n[]any{r, s[:4]}", func() any {
			s := make([]int, 3, 8)
			r := slices.Replace(s, 0, 1, 4, 5)
			return []any{r, s[:4]}
		}()},
		{"s := []int{1, 1, 2, 2, 2, 3, 1}\nr := slices.Compact(s)\n[]any{r, s}", func() any {
			s := []int{1, 1, 2, 2, 2, 3, 1}
			r := slices.Compact(s)
			return []any{r, s}
		}()},
		{`slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold)`, slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold)},
		{"slices.Concat([]int{1}, nil, []int{2, 3})", slices.Concat([]int{1}, nil, []int{2, 3})},
		{"slices.Concat([]int{}, nil) == nil", slices.Concat([]int{}, nil) == nil},
		{"slices.Repeat([]string{\"a\", \"b\"}, 3)", slices.Repeat([]string{"a", "b"}, 3)},
		{"g := slices.Grow([]int{1}, 10)\n[]int{len(g), min(cap(g), 11)}", []int{1, 11}},
		{"c := slices.Clip(make([]int, 2, 9))\ncap(c)", 2},
		{"slices.Compare([]float64{1, 2}, []float64{1, 2, 0})", slices.Compare([]float64{1, 2}, []float64{1, 2, 0})},
		{"slices.Compare([]string{\"b\"}, []string{\"a\", \"z\"})", slices.Compare([]string{"b"}, []string{"a", "z"})},
		{"slices.IsSorted([]float64{1, 2, 2, 5})", slices.IsSorted([]float64{1, 2, 2, 5})},
		{"slices.IsSortedFunc([]int{3, 1}, func(a, b int) int { return a - b })", slices.IsSortedFunc([]int{3, 1}, intCmp)},
		{"s := []int{5, 2, 8, 1}\nslices.SortFunc(s, func(a, b int) int { return b - a })\ns", func() any {
			s := []int{5, 2, 8, 1}
			slices.SortFunc(s, func(a, b int) int { return b - a })
			return s
		}()},
		{"type P struct{ X float64 }\nps := []P{{3}, {1}, {2}}\nslices.SortStableFunc(ps, func(a, b P) int { return cmp.Compare(a.X, b.X) })\nfmt.Sprint(ps)", func() any {
			ps := []P{{3}, {1}, {2}}
			slices.SortStableFunc(ps, byX)
			return fmt.Sprint(ps)
		}()},
		{"slices.MaxFunc([]int{1, 3, 2}, func(a, b int) int { return a - b })", slices.MaxFunc([]int{1, 3, 2}, intCmp)},
		{"slices.MinFunc([]int{4, 3, 9}, func(a, b int) int { return a - b })", slices.MinFunc([]int{4, 3, 9}, intCmp)},
		{"i, ok := slices.BinarySearch([]float64{1, 2, 3}, 2.5)\n[]any{i, ok}", func() any {
			i, ok := slices.BinarySearch([]float64{1, 2, 3}, 2.5)
			return []any{i, ok}
		}()},
		{"fmt.Sprint(slices.BinarySearch([]string{\"a\", \"c\"}, \"c\"))", fmt.Sprint(slices.BinarySearch([]string{"a", "c"}, "c"))},
		{"i, ok := slices.BinarySearchFunc([]int{10, 20, 30}, 20, func(a, b int) int { return a - b })\n[]any{i, ok}", func() any {
			i, ok := slices.BinarySearchFunc([]int{10, 20, 30}, 20, intCmp)
			return []any{i, ok}
		}()},
		{"dst := map[string]int{\"a\": 1}\nmaps.Copy(dst, map[string]int{\"b\": 2, \"a\": 3})\ndst", func() any {
			dst := map[string]int{"a": 1}
			maps.Copy(dst, map[string]int{"b": 2, "a": 3})
			return dst
		}()},
		{"maps.Equal(map[string]int{\"a\": 1}, map[string]int{\"a\": 1})", maps.Equal(map[string]int{"a": 1}, map[string]int{"a": 1})},
		{"maps.Equal(map[int]bool{1: true}, map[int]bool{2: true})", maps.Equal(map[int]bool{1: true}, map[int]bool{2: true})},
		{"maps.EqualFunc(map[string]int{\"a\": 1}, map[string]float64{\"a\": 1}, func(x int, y float64) bool { return float64(x) == y })",
			maps.EqualFunc(map[string]int{"a": 1}, map[string]float64{"a": 1}, func(x int, y float64) bool { return float64(x) == y })},
		{"func topTwo(xs []int) []int {\n\tc := slices.Clone(xs)\n\tslices.SortFunc(c, func(a, b int) int { return b - a })\n\treturn slices.Insert(c[:2], 0, len(xs))\n}\ntopTwo([]int{4, 9, 1, 7})", func() any {
			c := slices.Clone([]int{4, 9, 1, 7})
			slices.SortFunc(c, func(a, b int) int { return b - a })
			return slices.Insert(c[:2], 0, 4)
		}()},
		{"cmp.Compare(1.5, 2)", cmp.Compare(1.5, 2)},
		{"cmp.Compare(math.NaN(), -math.Inf(1))", cmp.Compare(math.NaN(), -math.Inf(1))},
		{"cmp.Less(2, 1.5)", cmp.Less(2, 1.5)},
		{"cmp.Or(0, 0, 7, 3)", cmp.Or(0, 0, 7, 3)},
		{`cmp.Or("", "fallback")`, cmp.Or("", "fallback")},
	}
	h := newHarness(t)
	for _, tt := range tests {
		cell := tt.cell
		if i := strings.LastIndex(cell, "\n"); i >= 0 {
			cell = cell[:i+1] + "fmt.Sprint(" + cell[i+1:] + ")"
		} else {
			cell = "fmt.Sprint(" + cell + ")"
		}
		o := h.run(cell)
		if want := strconv.Quote(fmt.Sprint(tt.want)); o.Err != nil || o.Result != want {
			t.Errorf("%s\n= %s (error %v), want %s", tt.cell, o.Result, o.Err, want)
		}
	}
}

// The replacements panic where the standard functions panic, with the same
// message.
func TestStandardGenericsPanicAsGo(t *testing.T) {
	tests := []struct {
		cell string
		run  func()
	}{
		{"slices.Insert([]int{1, 2}, 3, 9)", func() { _ = slices.Insert([]int{1, 2}, 3, 9) }},
		{"slices.Delete([]int{1, 2}, 1, 5)", func() { _ = slices.Delete([]int{1, 2}, 1, 5) }},
		{"slices.Replace([]int{1, 2}, 2, 1)", func() { _ = slices.Replace([]int{1, 2}, 2, 1) }},
		{"slices.Repeat([]int{1}, -1)", func() { _ = slices.Repeat([]int{1}, -1) }},
		{"slices.Grow([]int{1}, -1)", func() { _ = slices.Grow([]int{1}, -1) }},
	}
	h := newHarness(t)
	for _, tt := range tests {
		want := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			tt.run()
			return ""
		}()
		o := h.run(tt.cell)
		if o.Err == nil || !strings.Contains(o.Err.Error(), want) {
			t.Errorf("%s: error %v, want a panic with %q", tt.cell, o.Err, want)
		}
	}
}

// Generic calls with two or more type arguments define globals at a cell's
// top level (yaegi cannot type such a global: "not a generic type").
func TestGenericResultsDefineGlobals(t *testing.T) {
	runSteps(t, []sessionStep{
		{"func Pair[A any, B any](a A, b B) (A, B) { return a, b }\nfunc Map[T, U any](xs []T, f func(T) U) []U {\n\tvar out []U\n\tfor _, x := range xs {\n\t\tout = append(out, f(x))\n\t}\n\treturn out\n}", ""},
		{"a, b := Pair(1, \"x\")\nvar c, d = Pair(2.5, 3)\nfmt.Sprintf(\"%v %q %T %T\", a, b, c, d)", `"1 \"x\" float64 int"`},
		{"names := Map([]float64{1, 2}, func(x float64) string { return fmt.Sprint(x * 10) })\nnames", `["10" "20"]`},
		{"keys := maps.Keys(map[string]int{\"k\": 1})\nkeys", `["k"]`},
		{"i, found := slices.BinarySearchFunc([]int{10, 20}, 20, func(a, b int) int { return a - b })\nfmt.Sprint(i, found)", `"1 true"`},
	})
}
