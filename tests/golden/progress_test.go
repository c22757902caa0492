package golden

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// progressScript streams every mailbox and prints only the count: on
// stdout there is nothing else to see.
const progressScript = `
local exo = connect()
local n = 0
for m in exo.get_mailbox{ ResultSize = "Unlimited" } do n = n + 1 end
print("count", n)
`

// progressArgs run it on a demo tenant slow enough (3 pages of 150 ms)
// for several ticks of the line.
func progressArgs(t *testing.T) []string {
	script := filepath.Join(t.TempDir(), "count.lua")
	if err := os.WriteFile(script, []byte(progressScript), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"run", "--demo", "--demo-mailboxes", "3000", "--demo-latency", "150ms", script}
}

// exorunCommand is the exorun that testscript.Main put first in PATH
// (this test binary under that name): the real CLI in its own process,
// with its own stderr.
func exorunCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := exec.LookPath("exorun")
	if err != nil {
		t.Fatalf("testscript.Main should have put exorun in PATH: %v", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1", "EXORUN_LOG_NO_TIME=1")
	return cmd
}

var (
	// frameRE is one drawing of the line: carriage return, text, erase
	// to the end of the line.
	frameRE = regexp.MustCompile(`\rGet-Mailbox  [\d,]+ objects[^\r\n\x1b]*\x1b\[K`)
	// escRE is any drawing or erasing of the line.
	escRE = regexp.MustCompile(`\r[^\r\n\x1b]*\x1b\[K`)
)

// runOnTerminal runs exorun with args, stderr on a pseudo-terminal of
// cols columns and stdout a pipe, and returns what the terminal showed
// and stdout.
func runOnTerminal(t *testing.T, cols uint16, args ...string) (screen, stdout string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a Unix pseudo-terminal (creack/pty); Windows consoles are not emulated here")
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	cmd := exorunCommand(t, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child has its own; the reader then ends when the child does
	read := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, ptmx) // ends with EIO once the child's side closes
		read <- b.String()
	}()
	waitErr := cmd.Wait()
	select {
	case screen = <-read:
	case <-time.After(5 * time.Second):
		ptmx.Close()
		screen = <-read
	}
	if waitErr != nil {
		t.Fatalf("exorun: %v\nstderr: %q", waitErr, screen)
	}
	return screen, out.String()
}

// checkLineErased fails t unless the last drawing on screen erased the
// line, before the run summary.
func checkLineErased(t *testing.T, screen string) {
	t.Helper()
	last := escRE.FindAllStringIndex(screen, -1)
	end := last[len(last)-1]
	if screen[end[0]:end[1]] != "\r\x1b[K" {
		t.Errorf("the line is still up at the end: %q", screen[end[0]:])
	}
	if s := strings.Index(screen, "run summary"); s < end[1] {
		t.Errorf("the run summary is not after the erased line: %q", screen)
	}
}

// With stderr on a pseudo-terminal (stdout a pipe), the line is drawn
// while the stream runs, fits the terminal, is erased at the end before
// the run summary, and none of it reaches stdout.
func TestProgressLineOnATerminal(t *testing.T) {
	t.Parallel()
	const cols = 72
	screen, stdout := runOnTerminal(t, cols, progressArgs(t)...)
	frames := frameRE.FindAllString(screen, -1)
	if len(frames) == 0 {
		t.Fatalf("no progress line drawn on the terminal: %q", screen)
	}
	for _, f := range frames {
		if n := len(f) - len("\r\x1b[K"); n > cols-1 {
			t.Errorf("a %d-column line on a %d-column terminal: %q", n, cols, f)
		}
	}
	checkLineErased(t, screen)
	if stdout != "count\t3000\n" {
		t.Errorf("stdout %q, want only the script's count", stdout)
	}
}

// tenantFrameRE is one drawing of a run over tenants' line.
var tenantFrameRE = regexp.MustCompile(`\rtenants (\d)/3 done  (\d) running[^\r\n\x1b]*\x1b\[K`)

// Over three tenants, two at a time, the line counts the tenants and
// names the slowest running one; the tenants' lines are written over it,
// and it is erased before the summary.
func TestTenantsProgressLineOnATerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := filepath.Join(dir, "tenants.csv")
	if err := os.WriteFile(list, []byte("organization\ncontoso.onmicrosoft.com\nfabrikam.onmicrosoft.com\nnorthwind.onmicrosoft.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := progressArgs(t)
	args := append([]string{run[0], "--tenants", list, "--parallel", "2"}, run[1:]...)
	screen, stdout := runOnTerminal(t, 100, args...)
	frames := tenantFrameRE.FindAllStringSubmatch(screen, -1)
	if len(frames) == 0 {
		t.Fatalf("no tenants line drawn on the terminal: %q", screen)
	}
	for _, f := range frames {
		if f[2] != "1" && f[2] != "2" {
			t.Errorf("%s tenants running at --parallel 2: %q", f[2], f[0])
		}
	}
	if !strings.Contains(screen, " running  slowest ") || !strings.Contains(screen, ".onmicrosoft.com 0:0") {
		t.Errorf("the line never named the slowest tenant: %q", screen)
	}
	checkLineErased(t, screen)
	if !strings.Contains(screen, "3 tenants: 3 ok") {
		t.Errorf("no summary: %q", screen)
	}
	if strings.Count(stdout, ".onmicrosoft.com | count\t3000\n") != 3 {
		t.Errorf("stdout %q", stdout)
	}
}

// With stderr a pipe there is no line at all.
func TestNoProgressLineOffATerminal(t *testing.T) {
	t.Parallel()
	cmd := exorunCommand(t, progressArgs(t)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("exorun: %v\nstderr: %s", err, stderr.String())
	}
	if strings.ContainsAny(stderr.String(), "\r\x1b") || strings.Contains(stderr.String(), "objects  ") {
		t.Errorf("progress text on a piped stderr: %q", stderr.String())
	}
	if !strings.Contains(stderr.String(), "run summary") || stdout.String() != "count\t3000\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
