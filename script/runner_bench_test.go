package script

import (
	"fmt"
	"testing"
)

// Benchmarks of the runner's per-cell path, through a Runner served in
// process over real pipes (requests, events, stdout, stderr), with the
// test client in runner_test.go playing the supervisor.

// BenchmarkRunnerTrivialCell is one `1+1` cell from execute request to
// execute_reply, including the result, ledger and reply events.
func BenchmarkRunnerTrivialCell(b *testing.B) {
	c := newRunnerClient(b)
	c.execute("warm", "x := 1", 1, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.execute(fmt.Sprint("t", i), "1+1", i+2, nil)
	}
}

// BenchmarkRunnerTrivialCellLongSession is the same cell after 300 cells
// that each defined a variable and a function (a session that grew).
func BenchmarkRunnerTrivialCellLongSession(b *testing.B) {
	c := newRunnerClient(b)
	for i := 0; i < 300; i++ {
		c.execute(fmt.Sprint("d", i), fmt.Sprintf("v%d := %d\nfunc f%d() int { return v%d }", i, i, i, i), i+1, nil)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.execute(fmt.Sprint("t", i), "1+1", i+301, nil)
	}
}

// BenchmarkRunnerHundredThousandLines prints 100,000 lines from an
// interpreted loop, until the reply (all output read by the client).
func BenchmarkRunnerHundredThousandLines(b *testing.B) {
	c := newRunnerClient(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.execute(fmt.Sprint("l", i), "for i := 0; i < 100000; i++ {\n\tfmt.Println(i)\n}", i+1, nil)
	}
}
