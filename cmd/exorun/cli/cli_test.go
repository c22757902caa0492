package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// testEnv is an Env on buffers, with real folders under dir.
func testEnv(t *testing.T, args ...string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{
		Args:      args,
		Stdin:     strings.NewReader(""),
		Stdout:    &stdout,
		Stderr:    &stderr,
		LookupEnv: func(string) (string, bool) { return "", false },
		Now:       time.Now,
		ReadFile:  os.ReadFile,
		OpenRoot:  os.OpenRoot,
		MkdirAll:  func(dir string) error { return os.MkdirAll(dir, 0o755) },
	}
	return env, &stdout, &stderr
}

func writeScript(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCommand is the tree's run command.
func runCommand(t *testing.T) *command {
	t.Helper()
	c, rest := commands().verb([]string{"run"})
	if c == nil || len(rest) != 0 {
		t.Fatal("no run command in the tree")
	}
	return c
}

// TestCommandTree walks every command and verb: each runs something,
// has a usage line that starts with its own words and a summary, and its
// help (exorun help WORDS..., and --help where it parses flags) exits 0
// with that usage line.
func TestCommandTree(t *testing.T) {
	var walk func(c *command)
	seen := 0
	walk = func(c *command) {
		for _, v := range c.verbs {
			seen++
			path := v.path()
			if v.run == nil && len(v.verbs) == 0 {
				t.Errorf("%s: neither runs nor has verbs", path)
			}
			if !strings.HasPrefix(v.usage, "exorun "+path) || v.summary == "" {
				t.Errorf("%s: usage %q, summary %q", path, v.usage, v.summary)
			}
			env, stdout, stderr := testEnv(t, append([]string{"help"}, strings.Fields(path)...)...)
			if code := Main(env); code != 0 || !strings.Contains(stdout.String(), "  "+v.usage+"\n") {
				t.Errorf("help %s: exit %d, stdout %q, stderr %q", path, code, stdout, stderr)
			}
			if v.flags != nil {
				env, stdout, _ := testEnv(t, append(strings.Fields(path), "--help")...)
				if code := Main(env); code != 0 || !strings.Contains(stdout.String(), "lags:\n") { // "Flags:" or "Script flags:"
					t.Errorf("%s --help: exit %d, stdout %q", path, code, stdout)
				}
			}
			walk(v)
		}
	}
	walk(commands())
	if seen < 25 {
		t.Errorf("walked %d commands and verbs, want every one (at least 25)", seen)
	}
}

// TestVerbErrorsComeFromTheTree: a missing or unknown verb is a usage
// error that names the verbs, the same way at every level.
func TestVerbErrorsComeFromTheTree(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"cert"}, []string{"exorun: cert: want new, import, list or remove (see 'exorun help cert')", "exorun cert import FILE"}},
		{[]string{"cert", "frob"}, []string{`exorun: cert: unknown verb "frob" (want new, import, list or remove)`}},
		{[]string{"emulator", "stop"}, []string{`emulator: unknown verb "stop" (want serve, `, "exorun emulator serve [flags]"}},
		{[]string{"emulator", "admin", "--state", t.TempDir(), "role"}, []string{`emulator admin role: want assign or remove`, "exorun emulator admin role assign TENANT APP ROLE"}},
		{[]string{"bundle", "trust", "lsit"}, []string{`bundle trust: unknown verb "lsit" (did you mean "list"?)`}},
		{[]string{"emulator", "admin", "--state", t.TempDir(), "role", "assign", "x"}, []string{"usage: exorun emulator admin role assign TENANT APP ROLE"}},
		{[]string{"help", "cert", "frob"}, []string{`help: unknown command "cert frob"`}},
	} {
		env, _, stderr := testEnv(t, tc.args...)
		if code := Main(env); code != int(exitcode.Usage) {
			t.Errorf("%q: exit %d, want %d; stderr %s", tc.args, code, exitcode.Usage, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: stderr %q, want it to contain %q", tc.args, stderr, w)
			}
		}
	}
}

func TestParseRunSeparatesFlagsFromScriptArgs(t *testing.T) {
	env, _, _ := testEnv(t)
	o, err := parseRun(env, runCommand(t), []string{"-p", "days=30", "--param", "group=Sales Team", "--timeout", "2m", "-o", "csv", "job.lua", "--verbose", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Script != "job.lua" || strings.Join(o.Args, "|") != "--verbose|x" {
		t.Errorf("script %q args %q", o.Script, o.Args)
	}
	if o.Timeout != 2*time.Minute || o.Output != "csv" {
		t.Errorf("timeout %v output %q", o.Timeout, o.Output)
	}
	if got := o.named(); got["days"] != "30" || got["group"] != "Sales Team" {
		t.Errorf("params %v", got)
	}
}

func TestParseRunRejectsBadInput(t *testing.T) {
	env, _, _ := testEnv(t)
	for _, args := range [][]string{
		{},
		{"--timeout", "-1s", "x.lua"},
		{"--param", "novalue", "x.lua"},
		{"--param", "=v", "x.lua"},
		{"--output", "xml", "x.lua"},
		{"--log-format", "yaml", "x.lua"},
		{"--bogus", "x.lua"},
	} {
		if _, err := parseRun(env, runCommand(t), args); exitcode.Of(err) != exitcode.Usage {
			t.Errorf("parseRun(%q): %v (code %d), want a usage error", args, err, exitcode.Of(err))
		}
	}
}

func TestMainRunsScriptWithArgs(t *testing.T) {
	script := writeScript(t, `print("hello", ...)`)
	env, stdout, stderr := testEnv(t, script, "a", "b")
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if stdout.String() != "hello\ta\tb\n" {
		t.Errorf("stdout %q", stdout)
	}
}

func TestInterruptStopsScriptWithExitCode130(t *testing.T) {
	script := writeScript(t, "while true do end")
	env, _, stderr := testEnv(t, "run", script)
	env.Notify = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		time.AfterFunc(50*time.Millisecond, func() {
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by SIGTERM"))
		})
		return ctx, func() { cancel(context.Canceled) }
	}
	if code := Main(env); code != int(exitcode.Interrupted) {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitcode.Interrupted, stderr)
	}
	if !strings.Contains(stderr.String(), "script stopped at "+filepath.ToSlash(script)+":1: interrupted by SIGTERM") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestReplReadsPipedChunks(t *testing.T) {
	env, stdout, stderr := testEnv(t, "repl")
	env.Stdin = strings.NewReader("x = 20\nfunction add(a)\n  return x + a\nend\nadd(22)\n")
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout.String() != "42\n" {
		t.Errorf("stdout %q", stdout)
	}
	env, _, stderr = testEnv(t, "repl")
	env.Stdin = strings.NewReader("for i = 1, 2 do\n")
	if code := Main(env); code != int(exitcode.Usage) || !strings.Contains(stderr.String(), "unfinished chunk") {
		t.Errorf("unfinished input: exit %d, stderr %q", code, stderr)
	}
}
