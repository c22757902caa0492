package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// exitOf runs src, which must end with exit(), and returns the exit.
func exitOf(t *testing.T, src string) (string, *runtime.ExitError) {
	t.Helper()
	out, err := runtimetest.Run(t, src, runtime.Options{})
	var e *runtime.ExitError
	if !errors.As(err, &e) {
		t.Fatalf("want an *ExitError, got %T %v", err, err)
	}
	return out, e
}

func TestExitEndsTheRunWithItsCode(t *testing.T) {
	cases := []struct {
		name, src string
		code      exitcode.Code
		message   string
		text      string // the error's text
	}{
		{"zero", `print("a") exit(0) print("b")`, exitcode.OK, "", "script exited with code 0 (ok)"},
		{"zero with message", `exit(0, "nothing to do")`, exitcode.OK, "nothing to do", "script exited with code 0 (ok): nothing to do"},
		{"checks", `exit(7, "3 mailboxes forward outside")`, exitcode.Checks, "3 mailboxes forward outside",
			"script exited with code 7 (checks): 3 mailboxes forward outside"},
		{"failure", `exit(1)`, exitcode.Script, "", "script exited with code 1 (script)"},
		{"float spelling", `exit(7.0)`, exitcode.Checks, "", "script exited with code 7 (checks)"},
		{"from a function", `local function f() exit(7, "deep") end f()`, exitcode.Checks, "deep",
			"script exited with code 7 (checks): deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, e := exitOf(t, c.src)
			if e.Code != c.code || e.Message != c.message || e.Error() != c.text {
				t.Errorf("got code %d, message %q, text %q; want %d, %q, %q", e.Code, e.Message, e.Error(), c.code, c.message, c.text)
			}
			if got := exitcode.Of(e); got != c.code {
				t.Errorf("exitcode.Of = %d, want %d", got, c.code)
			}
			if strings.Contains(out, "b") {
				t.Errorf("code after exit ran: stdout %q", out)
			}
		})
	}
}

// A script must not be able to swallow exit: not with pcall, xpcall,
// nested pcalls, a coroutine, or a pcall as the chunk's last call.
func TestExitCannotBeCaught(t *testing.T) {
	for name, src := range map[string]string{
		"pcall": `
			local ok, e = pcall(exit, 7, "caught?")
			print("after pcall", ok, e)`,
		"pcall of a function": `
			pcall(function() exit(7, "caught?") end)
			print("after pcall")`,
		"nested pcall": `
			pcall(function()
				pcall(function() exit(7, "caught?") end)
				print("inner after")
			end)
			print("after pcall")`,
		"xpcall handler": `
			xpcall(function() exit(7, "caught?") end, function(e) print("handler") return e end)
			print("after xpcall")`,
		"retry loop": `
			for i = 1, 100 do pcall(exit, 7, "caught?") end
			print("after the loop")`,
		"coroutine": `
			local co = coroutine.create(function() exit(7, "caught?") end)
			print("resumed", coroutine.resume(co))`,
		"tail pcall": `return pcall(exit, 7, "caught?")`,
	} {
		t.Run(name, func(t *testing.T) {
			out, e := exitOf(t, src)
			if e.Code != exitcode.Checks || e.Message != "caught?" {
				t.Errorf("got %v", e)
			}
			if out != "" {
				t.Errorf("the script went on after exit: stdout %q", out)
			}
		})
	}
}

func TestExitRefusesOtherCodes(t *testing.T) {
	const allowed = "want 0 (success), 1 (the script failed) or 7 (the script finished but found problems, as a failed threshold does)"
	for src, want := range map[string]string{
		`exit(3)`:           "exit: code 3 is not allowed; " + allowed,
		`exit(124, "late")`: "exit: code 124 is not allowed; " + allowed,
		`exit(0.5)`:         "exit: code 0.5 is not allowed; " + allowed,
		`exit("x")`:         `exit: code must be a number, not string "x"; ` + allowed,
		`exit("7")`:         `exit: code must be a number, not string "7"; ` + allowed,
		`exit(true)`:        "exit: code must be a number, not boolean true; " + allowed,
		`exit()`:            "exit: no code given; want exit(code [, message]) with code 0 (success)",
		`exit(7, {})`:       "exit: message must be a string, not table",
		`os.exit(0)`:        "os.exit is not available in exorun scripts: use exit(code [, message]) with code 0 (success)",
		`pcall(exit, 3)`:    "", // refused exits are ordinary errors: pcall catches them
	} {
		out, err := runtimetest.Run(t, src+"\nprint('went on')", runtime.Options{})
		if want == "" {
			if err != nil || out != "went on\n" {
				t.Errorf("%s: err %v, stdout %q; want the script to go on", src, err, out)
			}
			continue
		}
		var se *runtime.ScriptError
		if !errors.As(err, &se) {
			t.Errorf("%s: want a *ScriptError, got %T %v", src, err, err)
			continue
		}
		if !strings.HasPrefix(se.Message, "test.lua:1: "+want) {
			t.Errorf("%s:\n got %q\nwant %q", src, se.Message, "test.lua:1: "+want)
		}
	}
}

// A timeout stays a timeout: only exit's own cancellation is an exit.
func TestStopIsNotExit(t *testing.T) {
	sc, err := runtime.Compile("loop.lua", []byte("while true do pcall(function() end) end"))
	if err != nil {
		t.Fatal(err)
	}
	st := runtime.New(runtime.Options{})
	defer st.Close()
	ctx, cancel := context.WithTimeoutCause(context.Background(), 20*time.Millisecond, exitcode.New(exitcode.Timeout, "--timeout elapsed"))
	defer cancel()
	err = st.Run(ctx, sc)
	var stop *runtime.StoppedError
	if !errors.As(err, &stop) || exitcode.Of(err) != exitcode.Timeout {
		t.Fatalf("want a StoppedError with the timeout's code, got %T %v", err, err)
	}
	var e *runtime.ExitError
	if errors.As(err, &e) {
		t.Fatalf("a timeout reads as exit: %v", e)
	}
}

// Each run gets its own exit: one that exited does not end the next, and
// Lua called after the run (a threshold's predicate) cannot exit.
func TestExitIsPerRun(t *testing.T) {
	st := runtime.New(runtime.Options{})
	defer st.Close()
	ctx := context.Background()
	if _, err := st.Eval(ctx, `exit(7, "first")`); exitcode.Of(err) != exitcode.Checks {
		t.Fatalf("first chunk: %v", err)
	}
	got, err := st.Eval(ctx, `1 + 1`)
	if err != nil || len(got) != 1 || got[0] != "2" {
		t.Fatalf("second chunk: %v %v", got, err)
	}
	st.L.Push(st.L.GetGlobal("exit"))
	st.L.Push(lua.LNumber(0))
	err = st.L.PCall(1, 0, nil)
	if err == nil || !strings.Contains(err.Error(), "exit: the script has already finished") {
		t.Fatalf("exit outside a run: %v", err)
	}
}
