//go:build unix

package cli

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// TestSIGTERMStopsScript sends a real SIGTERM to this process while a
// script spins; the signal handler must turn it into exit code 130.
func TestSIGTERMStopsScript(t *testing.T) {
	script := writeScript(t, "while true do end")
	env, _, stderr := testEnv(t, "run", script)
	env.Notify = notifySignals
	done := make(chan int)
	go func() { done <- Main(env) }()
	time.Sleep(100 * time.Millisecond)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != int(exitcode.Interrupted) || !strings.Contains(stderr.String(), "interrupted by SIGTERM") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("script did not stop on SIGTERM")
	}
}
