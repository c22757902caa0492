package cli

import (
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
)

// exit() in the REPL ends the session with its code, as it ends a script.
func TestReplExitEndsSession(t *testing.T) {
	env, stdout, stderr := testEnv(t, "repl")
	env.Stdin = strings.NewReader("1 + 1\nexit(7, \"found some\")\n2 + 2\n")
	if code := Main(env); code != int(exitcode.Checks) {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitcode.Checks, stderr)
	}
	if stdout.String() != "2\n" || stderr.String() != "exorun: script exited with code 7 (checks): found some\n" {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
}

// A failed threshold does not hide a timeout: the run's own failure wins.
func TestTimeoutBeatsFailedThreshold(t *testing.T) {
	script := writeScript(t, "metric('m'):add()\nthreshold('m', 'count == 0')\nwhile true do end\n")
	env, _, stderr := testEnv(t, "run", "--timeout", "50ms", script)
	if code := Main(env); code != int(exitcode.Timeout) {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitcode.Timeout, stderr)
	}
	// The summary lists the failed threshold; the error is the timeout.
	_, failure, _ := strings.Cut(stderr.String(), "\nexorun: ")
	if !strings.Contains(failure, "--timeout 50ms elapsed") || strings.Contains(failure, "threshold") {
		t.Errorf("stderr %q", stderr)
	}
}
