package clitest

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckReportsEachDifference(t *testing.T) {
	dispatch := func(args []string, stdout, stderr io.Writer) int {
		fmt.Fprintln(stdout, "out:", strings.Join(args, " "))
		fmt.Fprintln(stderr, "err: bad")
		return 2
	}
	tests := []struct {
		name string
		want Want
		errs []string // substrings of the reports, in order
	}{
		{"all match", Want{Code: 2, Stdout: "out: a b", Stderr: "bad"}, nil},
		{"empty substrings accept anything", Want{Code: 2}, nil},
		{"exit code", Want{Code: 0}, []string{"exit code 2, want 0"}},
		{"stdout", Want{Code: 2, Stdout: "nope"}, []string{`does not contain "nope"`}},
		{"stderr", Want{Code: 2, Stderr: "fine"}, []string{`stderr "err: bad\n" does not contain "fine"`}},
		{"all three", Want{Code: 1, Stdout: "x", Stderr: "y"}, []string{"exit code", "stdout", "stderr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, dispatch, []string{"a", "b"}, tt.want)
			if len(r.errs) != len(tt.errs) {
				t.Fatalf("reports %q, want %d", r.errs, len(tt.errs))
			}
			for i, want := range tt.errs {
				if !strings.Contains(r.errs[i], want) {
					t.Errorf("report %d = %q, want it to contain %q", i, r.errs[i], want)
				}
			}
		})
	}
}
