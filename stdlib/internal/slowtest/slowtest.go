// Package slowtest holds the one switch of the stdlib's slow statistical
// acceptance tests: they run only when the environment sets GONOTE_SLOW=1
// (.ci/run and tests/run.sh callers set it). Test files import it; library
// code does not.
package slowtest

import (
	"os"
	"testing"
)

// Env is the environment variable that turns the slow checks on (value "1").
const Env = "GONOTE_SLOW"

// Enabled reports whether the slow checks are on.
func Enabled() bool { return os.Getenv(Env) == "1" }

// Require skips t unless the slow checks are on; what names the check in the
// skip message.
func Require(t testing.TB, what string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("%s: set %s=1 to run it", what, Env)
	}
}
