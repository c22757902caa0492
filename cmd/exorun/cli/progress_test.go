package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/internal/progress"
)

func TestProgressLineOnlyOnATextTerminal(t *testing.T) {
	for _, tc := range []struct {
		name     string
		terminal bool
		term     string
		o        scriptOptions
		want     bool
	}{
		{"terminal, text logs", true, "xterm", scriptOptions{LogFormat: "text"}, true},
		{"not a terminal", false, "xterm", scriptOptions{LogFormat: "text"}, false},
		{"--quiet", true, "xterm", scriptOptions{LogFormat: "text", Quiet: true}, false},
		{"--log-format json", true, "xterm", scriptOptions{LogFormat: "JSON"}, false},
		{"TERM=dumb", true, "dumb", scriptOptions{LogFormat: "text"}, false},
	} {
		env, _, _ := testEnv(t)
		env.StderrTerminal = tc.terminal
		env.LookupEnv = func(k string) (string, bool) { return tc.term, k == "TERM" }
		if got := newProgressLine(env, &tc.o) != nil; got != tc.want {
			t.Errorf("%s: line %v, want %v", tc.name, got, tc.want)
		}
	}
	var none *progressLine
	env, _, _ := testEnv(t)
	if none.runEnv(env) != env {
		t.Error("no line: the run's Env is not the process's")
	}
	none.start(nil)
	none.stop()
}

func TestStatusOf(t *testing.T) {
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	a := bindings.Activity{Cmdlet: "Get-Mailbox", Objects: 5, Pages: 1, Calls: 2, Total: 3, Retries: 4, ThrottleWait: time.Second, Started: start}
	want := progress.Status{Cmdlet: "Get-Mailbox", Objects: 5, Pages: 1, Calls: 2, Total: 3, Retries: 4, ThrottleWait: time.Second, Elapsed: 90 * time.Second}
	if got := statusOf(a, start.Add(90*time.Second)); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// A run on a (pretend) terminal: the line is drawn while the stream runs,
// erased before each print and log record and at the end, and the run
// summary comes after it is gone.
func TestRunDrawsTheLineOnATerminal(t *testing.T) {
	script := writeScript(t, `
		local exo = connect()
		local n = 0
		for m in exo.get_mailbox{ResultSize = "Unlimited"} do
			n = n + 1
			if n % 1000 == 0 then print("at", n) end
		end
		print("count", n)
	`)
	env, _, _ := testEnv(t, "run", "--demo", "--demo-mailboxes", "3000", "--demo-latency", "150ms", script)
	env.MkdirTemp = func() (string, error) { return os.MkdirTemp(t.TempDir(), "demo-") }
	env.RemoveAll = os.RemoveAll
	env.StderrTerminal, env.StdoutTerminal = true, true
	env.StderrWidth = func() int { return 60 }
	// stdout and stderr are one terminal, as in a shell.
	var screen strings.Builder
	env.Stdout, env.Stderr = &screen, &screen
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s", code, screen.String())
	}
	out := screen.String()
	frame := regexp.MustCompile(`\rGet-Mailbox  [\d,]+ objects[^\r\n\x1b]*\x1b\[K`)
	frames := frame.FindAllString(out, -1)
	if len(frames) == 0 {
		t.Fatalf("no progress frame in %q", out)
	}
	for _, f := range frames {
		if n := len(f) - len("\r\x1b[K"); n > 59 {
			t.Errorf("frame of %d columns on a 60-column terminal: %q", n, f)
		}
	}
	// Whatever follows a drawn frame is an erase or another frame.
	drawn := regexp.MustCompile(`\r[^\r\n\x1b]+\x1b\[K`)
	for _, loc := range drawn.FindAllStringIndex(out, -1) {
		if rest := out[loc[1]:]; !strings.HasPrefix(rest, "\r") {
			t.Errorf("written over a drawn line: %q", rest[:min(len(rest), 40)])
		}
	}
	plain := regexp.MustCompile(`\r[^\r\n\x1b]*\x1b\[K`).ReplaceAllString(out, "")
	if !strings.Contains(plain, "at\t1000\nat\t2000\n") || !strings.Contains(plain, "count\t3000\n") {
		t.Errorf("the script's prints, frames taken out: %q", plain)
	}
	summary := strings.Index(out, "run summary")
	lastEsc := strings.LastIndex(out, "\x1b[K")
	if summary < 0 || summary < lastEsc || out[lastEsc-1] != '\r' {
		t.Errorf("the line is not erased before the summary: %q", out[max(0, lastEsc-80):])
	}
}
