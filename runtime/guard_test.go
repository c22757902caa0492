package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
)

// runFor runs src in a fresh state with opts, stopped with cause after d.
func runFor(t *testing.T, src string, opts Options, d time.Duration, cause error) (*State, error) {
	t.Helper()
	sc, err := Compile("test.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := New(opts)
	t.Cleanup(st.Close)
	ctx, cancel := context.WithTimeoutCause(context.Background(), d, cause)
	defer cancel()
	return st, st.Run(ctx, sc)
}

var errTimeout = exitcode.New(exitcode.Timeout, "--timeout elapsed")

// TestStopReachesEveryLoop: a stop ends a busy loop wherever it runs (in
// a coroutine, under pcall that retries, in an endless tail call) as a
// *StoppedError naming the line, not as a stuck run and not with a
// traceback of one line per tail call.
func TestStopReachesEveryLoop(t *testing.T) {
	for name, src := range map[string]string{
		"loop":             "while true do end",
		"tail call":        "local function f(n) return f(n + 1) end\nf(1)",
		"pcall retries":    "while true do pcall(function() while true do end end) end",
		"coroutine.wrap":   "coroutine.wrap(function() while true do end end)()",
		"coroutine.resume": "local co = coroutine.create(function() while true do end end)\nprint(coroutine.resume(co))\nwhile true do end",
		"nested coroutine": "coroutine.wrap(function() coroutine.wrap(function() while true do end end)() end)()",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := runFor(t, src, Options{Limits: Limits{Grace: 5 * time.Second}}, 100*time.Millisecond, errTimeout)
			var stopped *StoppedError
			if !errors.As(err, &stopped) {
				t.Fatalf("got %T %v, want *StoppedError", err, err)
			}
			if !strings.HasPrefix(stopped.Where, "test.lua:") || stopped.Cause != errTimeout {
				t.Errorf("stopped at %q by %v", stopped.Where, stopped.Cause)
			}
			if code := exitcode.Of(err); code != exitcode.Timeout {
				t.Errorf("exit code %d, want %d", code, exitcode.Timeout)
			}
		})
	}
}

// TestStuckBuiltinIsGivenUp: a Go built-in that ignores the stop does
// not hold Run past the grace period, and the error names it and the line
// that called it.
func TestStuckBuiltinIsGivenUp(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	sc, err := Compile("stuck.lua", []byte("local x = 1\nslow.wait()\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := New(Options{Limits: Limits{Grace: 200 * time.Millisecond}})
	slow := st.L.NewTable()
	slow.RawSetString("wait", st.L.NewFunction(st.builtins.wrap("slow.wait", func(L *lua.LState) int {
		<-release // a Go built-in that never looks at the run's context
		return 0
	})))
	st.L.SetGlobal("slow", slow)

	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errTimeout)
	defer cancel()
	err = st.Run(ctx, sc)
	var stuck *StuckError
	if !errors.As(err, &stuck) {
		t.Fatalf("got %T %v, want *StuckError", err, err)
	}
	if stuck.Builtin != "slow.wait" || stuck.Where != "stuck.lua:2" || stuck.Cause != errTimeout {
		t.Errorf("stuck = %+v", stuck)
	}
	if code := exitcode.Of(err); code != exitcode.Timeout {
		t.Errorf("exit code %d, want %d", code, exitcode.Timeout)
	}
	if !strings.Contains(err.Error(), "it was in slow.wait at stuck.lua:2 and had not come back") {
		t.Errorf("message %q", err)
	}
	if err := st.Run(context.Background(), sc); err == nil || !strings.Contains(err.Error(), "given up") {
		t.Errorf("a second run on the given-up state: %v", err)
	}
	st.Close() // must not touch the state the built-in still uses
}

// TestMemoryLimitStopsGrowth: tables and strings that grow past the limit
// stop the run with a *MemoryError (exit code 8), even under pcall.
func TestMemoryLimitStopsGrowth(t *testing.T) {
	for name, src := range map[string]string{
		"table":  "local t = {}\nfor i = 1, 1e9 do t[i] = {i, tostring(i)} end",
		"concat": "local s = string.rep('x', 1024 * 1024)\nlocal keep = {}\nfor i = 1, 1e6 do keep[i] = s .. i end",
		"pcall":  "local t = {}\nwhile true do pcall(function() for i = 1, 1e9 do t[#t + 1] = {i} end end) end",
	} {
		t.Run(name, func(t *testing.T) {
			limit := heapInUse() + 64<<20
			st, err := runFor(t, src, Options{Limits: Limits{Memory: limit}}, time.Minute, errTimeout)
			var mem *MemoryError
			if !errors.As(err, &mem) {
				t.Fatalf("got %T %v, want a *MemoryError", err, err)
			}
			if mem.Limit != limit || mem.Heap+mem.Asked <= limit {
				t.Errorf("memory error %+v, limit %d", mem, limit)
			}
			if code := exitcode.Of(err); code != exitcode.Resources {
				t.Errorf("exit code %d, want %d", code, exitcode.Resources)
			}
			if st.PeakHeap() < mem.Heap {
				t.Errorf("peak heap %d, under the heap %d that stopped the run", st.PeakHeap(), mem.Heap)
			}
		})
	}
}

// TestLargeAllocationsCheckTheLimitFirst: a doubling string, string.rep
// and table.concat stop the run before they allocate past the limit, not
// when the watcher next looks (which a long copy can delay), so the heap
// never passes it.
func TestLargeAllocationsCheckTheLimitFirst(t *testing.T) {
	for name, tc := range map[string]struct{ src, by string }{
		"doubling":     {"local s = string.rep('x', 4 * 1024 * 1024)\nwhile true do s = s .. s end", "a concatenation (..)"},
		"chain":        {"local s = string.rep('x', 4 * 1024 * 1024)\nwhile true do s = 1 .. s .. s .. 'y' end", "a concatenation (..)"},
		"rep":          {"local s = string.rep('x', 1024 * 1024)\nlocal keep = {}\nfor i = 1, 1e6 do keep[i] = string.rep(s, 60) end", "string.rep"},
		"load":         {"local s = string.rep('x', 4 * 1024 * 1024)\nload('local s = ... while true do s = s .. s end')(s)", "a concatenation (..)"},
		"table.concat": {"local s = string.rep('x', 4 * 1024 * 1024)\nlocal t = {s}\nwhile true do t = {table.concat(t, ','), table.concat(t)} end", "table.concat"},
	} {
		t.Run(name, func(t *testing.T) {
			limit := heapInUse() + 200<<20
			st, err := runFor(t, tc.src, Options{Limits: Limits{Memory: limit}}, time.Minute, errTimeout)
			var mem *MemoryError
			if !errors.As(err, &mem) {
				t.Fatalf("got %T %v, want a *MemoryError", err, err)
			}
			if mem.By != tc.by || mem.Heap+mem.Asked <= limit || mem.Heap > limit {
				t.Errorf("memory error %+v, limit %d", mem, limit)
			}
			if st.PeakHeap() > limit {
				t.Errorf("peak heap %s, over the limit %s", FormatBytes(st.PeakHeap()), FormatBytes(limit))
			}
		})
	}
}

// TestREPLConcatChecksTheLimit: REPL chunks compile the same way.
func TestREPLConcatChecksTheLimit(t *testing.T) {
	limit := heapInUse() + 200<<20
	st := New(Options{Limits: Limits{Memory: limit}})
	defer st.Close()
	if _, err := st.Eval(context.Background(), "s = string.rep('x', 4 * 1024 * 1024)"); err != nil {
		t.Fatal(err)
	}
	_, err := st.Eval(context.Background(), "while true do s = s .. s end")
	var mem *MemoryError
	if !errors.As(err, &mem) || mem.By != "a concatenation (..)" {
		t.Fatalf("got %T %v, want a *MemoryError from a concatenation", err, err)
	}
}

// TestConcatIsLua51s: `..` compiled into a checked call keeps Lua 5.1's
// meaning: numbers, chains, one value from a call or `...`, __concat
// metamethods from the right (as lua5.1 prints them), and gopher-lua's
// error, at the line of the operator.
func TestConcatIsLua51s(t *testing.T) {
	for src, want := range map[string]string{
		`print(1 .. 2, "a" .. 1.5 .. "b", 2^53 .. "")`:                               "12\ta1.5b\t9007199254740992\n",
		`local function two() return "x", "y" end print("<" .. two(), two() .. ">")`: "<x\tx>\n",
		`local function f(...) return "[" .. ... end print(f("a", "b"))`:             "[a\n",
		`local m = {__concat = function(a, b) return "M(" .. tostring(type(a)) .. "," .. tostring(type(b)) .. ")" end}
local t = setmetatable({}, m)
print("a" .. "b" .. t, t .. "c" .. "d", ("x" .. t) .. "y")`: "aM(string,table)\tM(table,string)\tM(string,table)y\n",
		`print(pcall(function() return "a" ..
  nil end))`: "false\tt.lua:1: cannot perform concat operation between string and nil\n",
		`local s = "" for i = 1, 3 do s = s .. i .. "," end print(s, load("return 'l' .. 1")())`: "1,2,3,\tl1\n",
	} {
		sc, err := Compile("t.lua", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var out strings.Builder
		st := New(Options{Stdout: &out})
		if err := st.Run(context.Background(), sc); err != nil {
			t.Errorf("%s: %v", src, err)
		} else if out.String() != want {
			t.Errorf("%s\n got %q\nwant %q", src, out.String(), want)
		}
		st.Close()
	}
}

// TestContextGivesBindingsTheRunsContext: a Go function waiting on
// Context(L) is released when the run is stopped, with the cause.
func TestContextGivesBindingsTheRunsContext(t *testing.T) {
	var seen error
	opts := Options{Globals: map[string]lua.LGFunction{
		"wait": func(L *lua.LState) int {
			ctx := Context(L)
			<-ctx.Done()
			seen = context.Cause(ctx)
			return 0
		},
	}}
	_, err := runFor(t, "wait()\nwhile true do end", opts, 50*time.Millisecond, errTimeout)
	var stopped *StoppedError
	if !errors.As(err, &stopped) || seen != errTimeout {
		t.Fatalf("run error %v, the binding saw %v", err, seen)
	}
}

// TestPanicInBuiltinIsInternalError: a Go panic inside a built-in ends
// the run as an *InternalError with the Go stack, never a crash.
func TestPanicInBuiltinIsInternalError(t *testing.T) {
	opts := Options{Globals: map[string]lua.LGFunction{
		"buggy": func(L *lua.LState) int {
			var m map[string]int
			m["x"] = 1 // assignment to entry in nil map
			return 0
		},
	}}
	_, err := runFor(t, "buggy()", opts, time.Minute, errTimeout)
	var internal *InternalError
	if !errors.As(err, &internal) {
		t.Fatalf("got %T %v, want *InternalError", err, err)
	}
	if !strings.Contains(internal.Value, "assignment to entry in nil map") || !strings.Contains(internal.Stack, "guard_test.go") {
		t.Errorf("internal error %q, stack:\n%s", internal.Value, internal.Stack)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message is more than one line: %q", err)
	}
	if code := exitcode.Of(err); code != exitcode.Script {
		t.Errorf("exit code %d, want %d", code, exitcode.Script)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		512: "512 B", 1 << 10: "1 KiB", 256 << 20: "256 MiB", 1536 << 20: "1.5 GiB", 1 << 30: "1 GiB", 404750000: "386.0 MiB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestStackOverflowTracebackIsLuaOnly: runaway recursion, which
// gopher-lua reports as a Go panic, shows the Lua traceback and never the
// Go stack that comes with a panic.
func TestStackOverflowTracebackIsLuaOnly(t *testing.T) {
	_, err := runFor(t, "local function r(n) return 1 + r(n + 1) end\nprint(r(1))", Options{}, time.Minute, errTimeout)
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("got %T %v, want *ScriptError", err, err)
	}
	if !strings.Contains(se.Message, "stack overflow") || !strings.HasPrefix(se.Traceback, "stack traceback:") || strings.Contains(se.Traceback, "goroutine") {
		t.Errorf("message %q, traceback:\n%s", se.Message, se.Traceback)
	}
}

// TestXpcallAndWrapKeepLuaSemantics: the guarded xpcall and
// coroutine.wrap behave as Lua's while the run goes on.
func TestXpcallAndWrapKeepLuaSemantics(t *testing.T) {
	src := `
local ok, e = xpcall(function() error("x", 0) end, function(e) return "handled " .. e end)
assert(not ok and e == "handled x", tostring(e))
local ok2, a, b = xpcall(function() return 1, 2 end, print)
assert(ok2 and a == 1 and b == 2)
local gen = coroutine.wrap(function(x) local y = coroutine.yield(x + 1) return y * 2 end)
assert(gen(1) == 2 and gen(5) == 10)
local ok3, e3 = pcall(coroutine.wrap(function() error("boom", 0) end))
assert(not ok3 and e3 == "boom", tostring(e3))
local ok4, e4 = pcall(coroutine.wrap(function() error({code = 7}) end))
assert(not ok4 and type(e4) == "table" and e4.code == 7)
`
	if _, err := runFor(t, src, Options{}, time.Minute, errTimeout); err != nil {
		t.Fatal(err)
	}
}

// TestCoroutineObeysTheChunkThatResumesIt: a coroutine made in one REPL
// chunk and resumed in a later one is stopped by the later chunk's stop,
// and sees its context.
func TestCoroutineObeysTheChunkThatResumesIt(t *testing.T) {
	st := New(Options{})
	defer st.Close()
	if _, err := st.Eval(context.Background(), "spin = coroutine.wrap(function() while true do end end)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errTimeout)
	defer cancel()
	_, err := st.Eval(ctx, "spin()")
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("got %T %v, want *StoppedError", err, err)
	}
	if _, err := st.Eval(context.Background(), "co = coroutine.create(function() return 42 end)"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Eval(context.Background(), "coroutine.resume(co)")
	if err != nil || strings.Join(got, " ") != "true 42" {
		t.Errorf("a later chunk: %v %v", got, err)
	}
}
