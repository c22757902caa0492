package emulator_test

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator"
)

func TestSecondStartOnSameStateIsRefused(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir, 0)
	authority := first.Endpoints().Authority
	written, err := os.ReadFile(filepath.Join(dir, emulator.EndpointsFile))
	if err != nil {
		t.Fatal(err)
	}

	second, err := emulator.Start(emulator.Options{StateDir: dir})
	if err == nil {
		second.Close()
		t.Fatal("a second emulator started on a served state folder")
	}
	var inUse *emulator.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, emulator.ErrStateInUse) {
		t.Fatalf("error %v (%T), want an *InUseError", err, err)
	}
	if inUse.Server.Authority != authority || inUse.Server.PID != os.Getpid() {
		t.Errorf("holder %+v, want %s in pid %d", inUse.Server, authority, os.Getpid())
	}
	if !strings.Contains(err.Error(), authority) {
		t.Errorf("message %q does not name the running emulator's address", err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, emulator.EndpointsFile)); string(again) != string(written) {
		t.Errorf("the refused start rewrote endpoints.json:\n%s\nwas\n%s", again, written)
	}

	s, serving, err := emulator.Serving(dir)
	if err != nil || !serving || s.Authority != authority {
		t.Fatalf("Serving = %+v, %v, %v; want %s", s, serving, err, authority)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, serving, err := emulator.Serving(dir); err != nil || serving {
		t.Fatalf("Serving after Close = %v, %v", serving, err)
	}
	start(t, dir, 0) // the lock was released
}

func TestServingWithoutLockFile(t *testing.T) {
	if _, serving, err := emulator.Serving(t.TempDir()); err != nil || serving {
		t.Fatalf("Serving on an empty folder = %v, %v", serving, err)
	}
}

// TestCrashedEmulatorDoesNotBlock kills a process serving a state folder
// (SIGKILL: no Close, the lock file stays behind) and starts on it.
func TestCrashedEmulatorDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServeForever$")
	cmd.Env = append(os.Environ(), "EXORUN_EMULATOR_HELPER_STATE="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var holder emulator.Server
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s, serving, err := emulator.Serving(dir)
		if err != nil {
			t.Fatal(err)
		}
		// Serving, and done starting: the lock names the address
		// before endpoints.json, which the restart reads it from, is
		// written.
		if ep, err := emulator.ReadEndpoints(dir); serving && s.Authority != "" && err == nil && ep.Authority == s.Authority {
			holder = s
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the helper never served")
		}
	}
	if holder.PID != cmd.Process.Pid {
		t.Errorf("holder pid %d, want the helper's %d", holder.PID, cmd.Process.Pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, emulator.LockFile)); err != nil {
		t.Fatalf("the crashed emulator's lock file should stay behind: %v", err)
	}
	em := start(t, dir, 0)
	if got := em.Endpoints().Authority; got != holder.Authority {
		// Its port is free again, so the restart takes it.
		t.Errorf("restart serves %s, want the crashed one's %s", got, holder.Authority)
	}
}

// TestHelperServeForever is TestCrashedEmulatorDoesNotBlock's child: it
// serves the state folder it is given until it is killed.
func TestHelperServeForever(t *testing.T) {
	dir := os.Getenv("EXORUN_EMULATOR_HELPER_STATE")
	if dir == "" {
		t.Skip("the child process of TestCrashedEmulatorDoesNotBlock")
	}
	if _, err := emulator.Start(emulator.Options{StateDir: dir}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	select {}
}

func TestRestartReusesTheAddress(t *testing.T) {
	dir := t.TempDir()
	em := start(t, dir, 0)
	authority := em.Endpoints().Authority
	if em.AddrNote() != "" {
		t.Errorf("first start has a note: %s", em.AddrNote())
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	again := start(t, dir, 0)
	if got := again.Endpoints().Authority; got != authority || again.AddrNote() != "" {
		t.Fatalf("restart serves %s (note %q), want %s", got, again.AddrNote(), authority)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}

	// Someone else takes the port meanwhile: a free one, and a note.
	u, _ := url.Parse(authority)
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	moved := start(t, dir, 0)
	if got := moved.Endpoints().Authority; got == authority || !strings.HasPrefix(got, "https://127.0.0.1:") {
		t.Fatalf("with the port taken it serves %s", got)
	}
	if note := moved.AddrNote(); !strings.Contains(note, u.Host) || !strings.Contains(note, "free port") {
		t.Errorf("note %q", note)
	}
	ep, err := emulator.ReadEndpoints(dir)
	if err != nil || ep.Authority != moved.Endpoints().Authority {
		t.Errorf("endpoints.json: %+v, %v", ep, err)
	}
}

func TestExplicitAddrTakenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	em, err := emulator.Start(emulator.Options{StateDir: dir, Addr: ln.Addr().String()})
	if err == nil {
		em.Close()
		t.Fatal("started on a taken --addr")
	}
	if !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("error %q does not say the address is taken", err)
	}
	// The failed start let the state folder go.
	if _, serving, err := emulator.Serving(dir); err != nil || serving {
		t.Fatalf("Serving after a failed start = %v, %v", serving, err)
	}
}
