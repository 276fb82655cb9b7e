package script

import (
	"testing"
	"time"
)

// Loop variables are per iteration, as in Go 1.22: closures, goroutines,
// deferred calls and pointers taken in a loop see each iteration's value
// (yaegi alone gave every one of them the last value).
func TestLoopVariablesArePerIteration(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{"closures of a three-clause loop",
			"var fs []func() int\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\n[]int{fs[0](), fs[1](), fs[2]()}",
			"[0 1 2]"},
		{"closures of a range loop",
			"var gs []func() string\nfor _, s := range []string{\"a\", \"b\"} {\n\tgs = append(gs, func() string { return s })\n}\ngs[0]() + gs[1]()",
			`"ab"`},
		{"pointers to a range-over-int variable",
			"var ps []*int\nfor i := range 3 {\n\tps = append(ps, &i)\n}\n[]int{*ps[0], *ps[1], *ps[2]}",
			"[0 1 2]"},
		{"inside a function",
			"func collect() []int {\n\tvar fs []func() int\n\tfor i := 0; i < 3; i++ {\n\t\tfs = append(fs, func() int { return i * i })\n\t}\n\treturn []int{fs[0](), fs[1](), fs[2]()}\n}\ncollect()",
			"[0 1 4]"},
		{"a body that steps its own variable still steers the loop",
			"var seen []int\nfor i := 0; i < 6; i++ {\n\tseen = append(seen, i)\n\ti++\n\t_ = func() int { return i }\n}\nseen",
			"[0 2 4]"},
	}
	runLoopCases(t, tests)
}

// Goroutines started in a loop each see their iteration's variables. The
// race pass leaves this test out: a function literal held in a variable
// (the rewrite's, or a user's f := func() {...}; go f()) writes back into
// the creating frame when a call returns (yaegi's getFunc), unlocked
// against that frame's own reads.
func TestLoopVariablesInGoroutines(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{"go with a value method of the element",
			"import \"sync\"\ntype Job struct{ ID int }\nvar mu sync.Mutex\nvar wg sync.WaitGroup\nran := map[int]int{}\nfunc (j Job) Run() {\n\tdefer wg.Done()\n\tmu.Lock()\n\tran[j.ID]++\n\tmu.Unlock()\n}\nfor _, j := range []Job{{1}, {2}, {3}} {\n\twg.Add(1)\n\tgo j.Run()\n}\nwg.Wait()\nran",
			"map[1:1 2:1 3:1]"},
		{"goroutines",
			"import \"sync\"\nvar mu sync.Mutex\nvar wg sync.WaitGroup\nsum := 0\nfor _, v := range []int{1, 10, 100} {\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tmu.Lock()\n\t\tsum += v\n\t\tmu.Unlock()\n\t}()\n}\nwg.Wait()\nsum",
			"111"},
		{"goroutines writing by index inside a function",
			"import \"sync\"\nfunc fill() []int {\n\tvar wg sync.WaitGroup\n\tout := make([]int, 3)\n\tfor i := 0; i < 3; i++ {\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t\tout[i] = i * 10\n\t\t}()\n\t}\n\twg.Wait()\n\treturn out\n}\nfill()",
			"[0 10 20]"},
	}
	runLoopCases(t, tests)
}

func runLoopCases(t *testing.T, tests []struct{ name, code, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if o := h.run(tt.code); o.Err != nil || o.Result != tt.want {
				t.Errorf("got %q (error %v), want %s", o.Result, o.Err, tt.want)
			}
		})
	}
}

// Deferred calls of a cell's top-level loop run at the end of the cell,
// each with its iteration's value, last first.
func TestLoopVariablesInTopLevelDefers(t *testing.T) {
	h := newHarness(t)
	o := h.run("for i := range 3 {\n\tdefer func() { fmt.Print(i) }()\n}\nfmt.Print(\"body \")")
	if o.Err != nil || o.Stdout != "body 210" {
		t.Errorf("printed %q (error %v), want %q", o.Stdout, o.Err, "body 210")
	}
}

// A function whose loop both starts goroutines and defers runs to the end
// (yaegi hung on deferred closures of a loop body that declares a
// variable), each deferred literal with its own iteration's variable.
func TestLoopWithDefersInAFunctionRuns(t *testing.T) {
	h := newHarness(t)
	code := "import \"sync\"\nfunc both() (n int) {\n\tvar wg sync.WaitGroup\n\tfor i := 0; i < 3; i++ {\n\t\twg.Add(1)\n\t\tgo func() { wg.Done() }()\n\t\tdefer func() { n = n*10 + i }()\n\t}\n\twg.Wait()\n\treturn 0\n}\nboth()"
	done := make(chan cellOutcome, 1)
	go func() { done <- h.run(code) }()
	select {
	case o := <-done:
		if o.Err != nil || o.Result != "210" {
			t.Errorf("both() = %s (error %v), want 210", o.Result, o.Err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the cell did not finish")
	}
}
