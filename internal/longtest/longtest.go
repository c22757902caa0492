// Package longtest gates the checks that take minutes or wait on the real
// clock (100,000-mailbox tenants, token lifetimes of tens of seconds), so
// that go test ./... stays fast while .ci/run still runs every one of
// them. Set EXORUN_LONG_TESTS=1 to run them.
package longtest

import (
	"os"
	"testing"
)

// Env is the environment variable that turns long checks on.
const Env = "EXORUN_LONG_TESTS"

// Enabled reports whether long checks run in this process.
func Enabled() bool { return os.Getenv(Env) == "1" }

// Skip skips t unless long checks are on, saying how to run it.
func Skip(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skipf("long check: set %s=1 to run it (.ci/run does)", Env)
	}
}
