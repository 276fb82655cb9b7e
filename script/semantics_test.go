package script

import "testing"

// Calls of generic functions declared in cells give what compiled Go
// gives: yaegi alone fails on variadic type parameters and takes the kind
// of the first untyped constant (Max(2, 2.5) was 2).
func TestGenericCallsInferAsGo(t *testing.T) {
	decls := []string{
		"func Sum[T int | float64](xs ...T) T {\n\tvar s T\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n\treturn s\n}",
		"func Max[T int | float64](a, b T) T {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}",
		"func Map[T, U any](xs []T, f func(T) U) []U {\n\tvar out []U\n\tfor _, x := range xs {\n\t\tout = append(out, f(x))\n\t}\n\treturn out\n}",
		"a := 1.5\nv := []float64{1, 2, 3}\nn := 3",
	}
	var steps []sessionStep
	for _, d := range decls {
		steps = append(steps, sessionStep{d, ""})
	}
	runSteps(t, append(steps, []sessionStep{
		{"Max(2, 2.5)", "2.5"},
		{"Max(2.5, 2)", "2.5"},
		{"Max(n, 5)", "5"},
		{"Max(a, 1)", "1.5"},
		{"Max(1, a)", "1.5"},
		{"Sum(a, a)", "3"},
		{"Sum(1, 2.5)", "3.5"},
		{"Sum(v...)", "6"},
		{"Sum(1, 2)", "3"},
		{`Map(v, func(x float64) string { return fmt.Sprint(x * 10) })`, `["10" "20" "30"]`},
		{"b := 0.25\nSum(b, b, b)", "0.75"},
		{"func twice() float64 {\n\tx := 1.25\n\treturn Sum(x, x)\n}\ntwice()", "2.5"},
		{"func Last[S ~[]E, E any](s S) E {\n\treturn s[len(s)-1]\n}\nLast(v)", "3"},
		{"word := Last([]string{\"x\", \"y\"})\nword", `"y"`},
	}...))
}

// An error of a type declared in a cell wraps with %w as in Go (fmt saw a
// bare value: "%!w(*struct {...})"), errors.As finds it in the chain
// (compiled errors.As refused the target) and errors.Is finds the same
// value (never before); compiled error types work as before.
func TestErrorsAsWithCellTypes(t *testing.T) {
	runSteps(t, []sessionStep{
		{"type CodeErr struct{ Code int }\nfunc (e *CodeErr) Error() string { return fmt.Sprint(\"code \", e.Code) }", ""},
		{"func fail() error { return fmt.Errorf(\"loading: %w\", &CodeErr{42}) }", ""},
		{"fail().Error()", `"loading: code 42"`},
		{"var ce *CodeErr\nok := errors.As(fail(), &ce)\nfmt.Sprint(ok, \" \", ce.Code)", `"true 42"`},
		{"var other *CodeErr\nerrors.As(fmt.Errorf(\"plain\"), &other)", "false"},
		{"var ErrBusy = &CodeErr{503}\nwrapped := fmt.Errorf(\"retry: %w\", ErrBusy)\nfmt.Sprint(errors.Is(wrapped, ErrBusy), errors.Is(wrapped, &CodeErr{503}))", `"true false"`},
		{"import \"io/fs\"\n_, err := os.Open(\"/nonexistent/gonote\")\nvar pe *fs.PathError\nerrors.As(err, &pe) && pe.Op == \"open\"", "true"},
	})
}

// A method value copies a value receiver when it is taken, as in Go (yaegi
// bound the variable, so later changes showed through); pointer receivers
// still see them.
func TestMethodValuesBindTheirReceiver(t *testing.T) {
	runSteps(t, []sessionStep{
		{"type Vec struct{ X, Y float64 }\nfunc (v Vec) Norm() float64 { return math.Hypot(v.X, v.Y) }\nfunc (v *Vec) Grow(k float64) { v.X *= k; v.Y *= k }", ""},
		{"a := Vec{3, 4}\nnorm := a.Norm\na.X = 0\nnorm()", "5"},
		{"later := a.Norm\na.Y = 1\nlater() + norm()", "9"},
		{"grow := a.Grow\ngrow(2)\na", "Vec{X: 0, Y: 2}"},
	})
}

// sessionStep is a cell and the text of the value it must show ("" for
// none).
type sessionStep struct{ code, want string }

// runSteps runs the cells in order in one session and checks each shows
// its value without an error.
func runSteps(t *testing.T, steps []sessionStep) {
	t.Helper()
	h := newHarness(t)
	for _, st := range steps {
		if o := h.run(st.code); o.Err != nil || o.Result != st.want {
			t.Errorf("%q = %q (error %v), want %q", st.code, o.Result, o.Err, st.want)
		}
	}
}
