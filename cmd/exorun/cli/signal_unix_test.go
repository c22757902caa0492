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

// TestSIGTERMStopsTenants sends a real SIGTERM to this process while
// two of three demo tenants run: they stop (interrupted), the third is
// not run, and the run exits 130 with its summary written.
func TestSIGTERMStopsTenants(t *testing.T) {
	env, dir, _, stderr := tenantsEnv(t, "organization\ncontoso.onmicrosoft.com\nfabrikam.onmicrosoft.com\nnorthwind.onmicrosoft.com\n",
		"local exo = connect()\nprint(\"started\")\nwhile true do exo.get_mailbox{ ResultSize = 1 } end", "--parallel", "2")
	stdout := env.Stdout.(*lockedBuilder)
	env.Notify = notifySignals
	done := make(chan int)
	go func() { done <- Main(env) }()
	for deadline := time.Now().Add(20 * time.Second); strings.Count(stdout.String(), "started") < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("two tenants never started:\n%s", stderr)
		}
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != int(exitcode.Interrupted) {
			t.Fatalf("exit %d, want 130\n%s", code, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tenants did not stop on SIGTERM")
	}
	s := readTenantsSummary(t, dir)
	if s.Totals.Failed != 2 || s.Totals.NotRun != 1 || s.Tenants[2].Reason != "interrupted by SIGTERM before it started" {
		t.Errorf("totals %+v, third tenant %+v", s.Totals, s.Tenants[2])
	}
}
