// Package clitest holds the check shared by the command-line tests of gonote
// and gonote-runner: run a command's dispatch function on arguments and
// compare its exit status, standard output and standard error.
package clitest

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// Dispatch is a command's entry point below main: it runs args, writes to
// stdout and stderr and returns the exit status.
type Dispatch func(args []string, stdout, stderr io.Writer) int

// Want is what one call must produce: the exit status Code, and Stdout and
// Stderr as substrings of what was written ("" accepts anything).
type Want struct {
	Code           int
	Stdout, Stderr string
}

// Check runs dispatch(args) and reports every difference from want on t.
func Check(t testing.TB, dispatch Dispatch, args []string, want Want) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(args, &stdout, &stderr)
	if code != want.Code {
		t.Errorf("exit code %d, want %d (stderr %q)", code, want.Code, stderr.String())
	}
	if !strings.Contains(stdout.String(), want.Stdout) {
		t.Errorf("stdout %q does not contain %q", stdout.String(), want.Stdout)
	}
	if !strings.Contains(stderr.String(), want.Stderr) {
		t.Errorf("stderr %q does not contain %q", stderr.String(), want.Stderr)
	}
}
