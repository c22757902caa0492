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

func TestParseRunSeparatesFlagsFromScriptArgs(t *testing.T) {
	env, _, _ := testEnv(t)
	o, err := parseRun(env, []string{"-p", "days=30", "--param", "group=Sales Team", "--timeout", "2m", "-o", "csv", "job.lua", "--verbose", "x"})
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
		if _, err := parseRun(env, args); exitcode.Of(err) != exitcode.Usage {
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
