package golden

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The REPL driven as a user drives it: exorun in its own process on a
// real pseudo-terminal, keystrokes written to it, the screen read back.

// terminal is a running `exorun repl` on a pseudo-terminal.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer // everything the terminal showed
	seen int          // expect's position in out
	done chan struct{}
}

// ansiRE is the terminal control a line editor writes: colours, cursor
// moves, erases.
var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// startREPL starts exorun with args on an 100x40 terminal, its config
// (history) in configDir.
func startREPL(t *testing.T, configDir string, args ...string) *terminal {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a Unix pseudo-terminal (creack/pty)")
	}
	cmd := exorunCommand(t, args...)
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+configDir, "HOME="+configDir)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine: %v", err)
	}
	term := &terminal{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		ptmx.Close()
	})
	return term
}

// screen is what the terminal showed since the last expect, control
// sequences removed.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return ansiRE.ReplaceAllString(term.out.String()[term.seen:], "")
}

// expect waits until the terminal shows text (after what earlier expects
// consumed) and returns what it showed up to and including it.
func (term *terminal) expect(text string, within time.Duration) string {
	term.t.Helper()
	deadline := time.Now().Add(within)
	for {
		term.mu.Lock()
		raw := term.out.String()[term.seen:]
		clean := ansiRE.ReplaceAllString(raw, "")
		if i := strings.Index(clean, text); i >= 0 {
			// Move seen past the match in the raw output: find the
			// raw prefix whose cleaned form reaches the match.
			for j := range len(raw) + 1 {
				if len(ansiRE.ReplaceAllString(raw[:j], "")) >= i+len(text) {
					term.seen += j
					break
				}
			}
			term.mu.Unlock()
			return clean[:i+len(text)]
		}
		term.mu.Unlock()
		if time.Now().After(deadline) {
			term.t.Fatalf("the terminal did not show %q within %v; it showed:\n%s", text, within, clean)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := term.ptmx.Write([]byte(keys)); err != nil {
		term.t.Fatal(err)
	}
}

// enter types line and Enter, and returns what the terminal showed after
// the line until the next prompt.
func (term *terminal) enter(line string, within time.Duration) string {
	term.t.Helper()
	term.send(line + "\r")
	term.expect("\n", within) // the line editor's echo of line
	return term.expect(prompt, within)
}

// quit sends Ctrl-D and waits for exorun to end.
func (term *terminal) quit() string {
	term.t.Helper()
	term.send("\x04")
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		term.t.Fatalf("exorun did not end after Ctrl-D; it showed:\n%s", term.screen())
	}
	if err := term.cmd.Wait(); err != nil {
		term.t.Errorf("exorun repl: %v\n%s", err, term.screen())
	}
	return term.screen()
}

const prompt = "exo> "

// TestREPLCompletesWhatTheRolesAllow: connected on start, Tab offers the
// cmdlets a Global Reader may run and not the others, then a cmdlet's
// parameters and a parameter's values; a query prints a table.
func TestREPLCompletesWhatTheRolesAllow(t *testing.T) {
	t.Parallel()
	term := startREPL(t, t.TempDir(), "repl", "--demo", "--demo-role", "Global Reader")
	banner := term.expect(prompt, 20*time.Second)
	for _, want := range []string{"connected to", "Global Reader", "cmdlets allowed", "exo is the session"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}

	term.send("exo.get_ma\t\t")
	list := term.expect("get_mailbox_statistics", 5*time.Second)
	for _, want := range []string{"get_mailbox ", "get_mailbox_permission"} {
		if !strings.Contains(list, want) {
			t.Errorf("Tab Tab after exo.get_ma lists no %q:\n%s", want, list)
		}
	}
	term.send("\x15") // Ctrl-U: clear the line
	term.expect(prompt, 5*time.Second)

	// A Global Reader cannot run Set-Mailbox: Tab leaves exo.set_mailb
	// as it is, where it would complete for an Exchange Administrator.
	term.send("exo.set_mailb\t;")
	term.expect("exo.set_mailb", 5*time.Second)
	time.Sleep(300 * time.Millisecond) // the editor has the Tab and the ;
	if got := term.screen(); !strings.Contains(got, ";") || strings.Contains(got, "set_mailbox;") {
		t.Errorf("after Tab: %q; want the line left as typed, with no cmdlet the role forbids completed", got)
	}
	term.send("\x15") // Ctrl-U
	term.enter("", 5*time.Second)

	term.send("exo.get_mailbox{Res\t")
	term.expect("exo.get_mailbox{ResultSize = ", 5*time.Second)
	table := term.enter("3}", 10*time.Second)
	header := regexp.MustCompile(`Name[ │]+Alias[ │]+RecipientTypeDetails[ │]+PrimarySmtpAddress`)
	if !header.MatchString(table) {
		t.Fatalf("a query printed no mailbox table:\n%s", table)
	}
	if rows := strings.Count(table, "UserMailbox") + strings.Count(table, "SharedMailbox") + strings.Count(table, "RoomMailbox"); rows != 3 {
		t.Errorf("want 3 rows, got %d:\n%s", rows, table)
	}
	end := term.quit()
	if !strings.Contains(end, "run summary") {
		t.Errorf("no run summary after Ctrl-D:\n%s", end)
	}
}

// TestREPLCtrlCCancelsASlowCall: Ctrl-C during a call the service takes
// seconds to answer returns to the prompt at once, and the REPL goes on.
func TestREPLCtrlCCancelsASlowCall(t *testing.T) {
	t.Parallel()
	term := startREPL(t, t.TempDir(), "repl", "--demo", "--demo-latency", "3s")
	term.expect(prompt, 30*time.Second)
	term.send("exo.get_mailbox{}\r")
	term.expect("\n", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	term.send("\x03")
	got := term.expect(prompt, 5*time.Second)
	if took := time.Since(start); took > time.Second {
		t.Errorf("back at the prompt %v after Ctrl-C, want under 1s:\n%s", took, got)
	}
	if !strings.Contains(got, "interrupt") {
		t.Errorf("Ctrl-C did not say the call was interrupted:\n%s", got)
	}
	if got := term.enter("1 + 1", 5*time.Second); !strings.Contains(got, "2") {
		t.Errorf("the REPL did not go on after Ctrl-C:\n%s", got)
	}
	term.quit()
}

// TestREPLHistory: a multi-line function is one history entry after a
// restart, and a chunk holding a secret is never written.
func TestREPLHistory(t *testing.T) {
	t.Parallel()
	config := t.TempDir()
	term := startREPL(t, config, "repl")
	term.expect(prompt, 10*time.Second)
	term.send("later = function() return connect{client_secret = \"s3cret-value\"} end\r")
	term.expect(prompt, 5*time.Second)
	term.send("function greet(n)\r")
	term.expect("...> ", 5*time.Second)
	term.send("  return \"hi \" .. n -- a comment\r")
	term.expect("...> ", 5*time.Second)
	term.send("end\r")
	term.expect(prompt, 5*time.Second)
	term.quit()

	history, err := os.ReadFile(filepath.Join(config, "exorun", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(history), "s3cret") {
		t.Errorf("the history holds a secret:\n%s", history)
	}
	lines := strings.Split(strings.TrimSpace(string(history)), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "function greet(n)") || !strings.HasSuffix(last, "end") {
		t.Errorf("the multi-line function is not one history entry: %q", lines)
	}
	if info, err := os.Stat(filepath.Join(config, "exorun", "history")); err == nil && info.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v, want 0600", info.Mode().Perm())
	}

	term = startREPL(t, config, "repl")
	term.expect(prompt, 10*time.Second)
	term.enter("\x1b[A", 5*time.Second) // Up, Enter: define greet again from the history
	if got := term.enter(`greet("x")`, 5*time.Second); !strings.Contains(got, `"hi x"`) {
		t.Errorf("the function from the history does not run:\n%s", got)
	}
	term.quit()
}
