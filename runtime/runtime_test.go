package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

func TestSandboxRefusesEscapes(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"io.open", `io.open("/etc/passwd")`, "io.open is not available"},
		{"io.popen", `io.popen("id")`, "io.popen is not available"},
		{"os.execute", `os.execute("id")`, "os.execute is not available"},
		{"os.getenv", `os.getenv("HOME")`, "os.getenv is not available"},
		{"os.exit", `os.exit(3)`, "os.exit is not available"},
		{"debug", `debug.getregistry()`, "debug.getregistry is not available"},
		{"dofile", `dofile("/etc/passwd")`, "dofile is not available"},
		{"loadfile", `loadfile("/etc/passwd")`, "loadfile is not available"},
		{"require path", `require("../secret")`, `require "../secret": not allowed`},
		{"require absolute", `require("/etc/x")`, `require "/etc/x": not allowed`},
		{"bytecode", `local f, err = load("\27LuaQ") assert(f == nil) error(err)`, "precompiled bytecode is not allowed"},
		{"string.dump", `string.dump(print)`, "string.dump is not available in exorun scripts: it makes bytecode, which load refuses"},
		{"huge rep", `string.rep("x", 1e10)`, "over the 64 MiB limit"},
		{"recursion", `local function r() return 1 + r() end r()`, "stack overflow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runtimetest.Run(t, c.src, runtime.Options{})
			var se *runtime.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("want a *ScriptError, got %T %v", err, err)
			}
			if !strings.Contains(se.Message, c.want) {
				t.Fatalf("message %q does not contain %q", se.Message, c.want)
			}
			if !strings.HasPrefix(se.Message, "test.lua:1:") {
				t.Errorf("message %q lacks the file:line of the failing call", se.Message)
			}
		})
	}
}

func TestSafeLibrariesWork(t *testing.T) {
	out := runtimetest.MustRun(t, `
		assert(type(os.time()) == "number" and type(os.clock()) == "number")
		assert(os.date("!%Y-%m-%d", 0) == "1970-01-01")
		assert(string.format("%5.1f", 2.25) == "  2.2" or string.format("%5.1f", 2.25) == "  2.3")
		assert(table.concat({1, 2, 3}, ",") == "1,2,3")
		assert(math.max(1, 5) == 5)
		local co = coroutine.wrap(function() coroutine.yield(1) end)
		assert(co() == 1)
		local f = assert(load("return 1 + 1"))
		assert(f() == 2)
		print("ok", 42, 2.5, nil)
	`, runtime.Options{})
	if out != "ok\t42\t2.5\tnil\n" {
		t.Fatalf("print wrote %q", out)
	}
}

func TestRequireFromScriptFolder(t *testing.T) {
	files := fstest.MapFS{
		"lib/util.lua": {Data: []byte(`local M = {} function M.double(x) return 2 * x end return M`)},
		"loop_a.lua":   {Data: []byte(`return require("loop_b")`)},
		"loop_b.lua":   {Data: []byte(`return require("loop_a")`)},
		"bad.lua":      {Data: []byte(`return {`)},
	}
	mod := runtime.Module{Name: "greet", Open: func(L *lua.LState) lua.LValue { return lua.LString("hello") }}
	opts := runtime.Options{Files: files, Modules: []runtime.Module{mod}}
	runtimetest.MustRun(t, `
		local u = require("lib.util")
		assert(u.double(21) == 42)
		assert(require("lib.util") == u, "modules load once")
		assert(require("greet") == "hello")
	`, opts)

	for src, want := range map[string]string{
		`require("missing")`: `the script's folder has no missing.lua`,
		`require("loop_a")`:  "circular require",
		`require("bad")`:     "bad.lua:1: syntax error at end of file",
	} {
		_, err := runtimetest.Run(t, src, opts)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", src, err, want)
		}
	}
}

func TestSyntaxErrorHasFileAndLine(t *testing.T) {
	_, err := runtime.Compile("report.lua", []byte("local x = 1\nif x then\n  print(x)\nend end\n"))
	var se *runtime.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want *SyntaxError, got %T %v", err, err)
	}
	if se.Line != 4 || !strings.HasPrefix(se.Error(), "report.lua:4: ") {
		t.Fatalf("got %q (line %d), want report.lua:4", se.Error(), se.Line)
	}
	_, err = runtime.Compile("open.lua", []byte("for i = 1, 2 do\n  print(i)\n"))
	if !errors.As(err, &se) || !se.AtEOF || se.Error() != "open.lua:2: syntax error at end of file" {
		t.Fatalf("unfinished block: got %v", err)
	}
}

func TestRuntimeErrorCarriesTracebackAndFields(t *testing.T) {
	src := "local function lookup(id)\n  error{code = 'NotFound', status = 404, message = 'no mailbox ' .. id}\nend\nlookup('bob')\n"
	_, err := runtimetest.Run(t, src, runtime.Options{})
	var se *runtime.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("want *ScriptError, got %T", err)
	}
	if se.Message != "test.lua:2: no mailbox bob" {
		t.Errorf("message = %q", se.Message)
	}
	if se.Fields["code"] != "NotFound" || se.Fields["status"] != int64(404) {
		t.Errorf("fields = %v", se.Fields)
	}
	for _, frame := range []string{"test.lua:2: in function 'lookup'", "test.lua:4: in main chunk"} {
		if !strings.Contains(se.Traceback, frame) {
			t.Errorf("traceback lacks %q:\n%s", frame, se.Traceback)
		}
	}
}

func TestRaiseKeepsGoErrorAndFields(t *testing.T) {
	denied := exitcode.New(exitcode.Permission, "set-mailbox is not allowed")
	fail := func(L *lua.LState) int { return runtime.Raise(L, fieldErr{denied}) }
	opts := runtime.Options{Globals: map[string]lua.LGFunction{"fail": fail}}

	out := runtimetest.MustRun(t, `
		local ok, e = pcall(fail)
		assert(not ok and e.code == "Forbidden", "pcall sees the table")
		print(tostring(e))
	`, opts)
	if out != "set-mailbox is not allowed\n" {
		t.Errorf("tostring(e) printed %q", out)
	}
	_, err := runtimetest.Run(t, `fail()`, opts)
	if exitcode.Of(err) != exitcode.Permission {
		t.Fatalf("exit code of %v = %d, want Permission", err, exitcode.Of(err))
	}
}

type fieldErr struct{ error }

func (fieldErr) LuaFields() map[string]any { return map[string]any{"code": "Forbidden"} }

func (e fieldErr) Unwrap() error { return e.error }

func TestContextStopsInfiniteLoop(t *testing.T) {
	sc, err := runtime.Compile("loop.lua", []byte("local n = 0\nwhile true do\n  pcall(function() n = n + 1 end)\nend\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := runtime.New(runtime.Options{})
	defer st.Close()
	cause := errors.New("deadline from test")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, cause)
	defer cancel()
	err = st.Run(ctx, sc)
	var stop *runtime.StoppedError
	if !errors.As(err, &stop) || !errors.Is(err, cause) {
		t.Fatalf("want a StoppedError caused by the deadline, got %T %v", err, err)
	}
	if !strings.HasPrefix(stop.Where, "loop.lua:") {
		t.Errorf("Where = %q, want a loop.lua position", stop.Where)
	}
}

func TestScriptCompiledOnceRunsInManyStates(t *testing.T) {
	sc, err := runtime.Compile("n.lua", []byte(`counter = (counter or 0) + 1 return counter`))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		st := runtime.New(runtime.Options{})
		if err := st.Run(context.Background(), sc); err != nil {
			t.Fatal(err)
		}
		if got := st.L.GetGlobal("counter"); got != lua.LNumber(1) {
			t.Fatalf("run %d: counter = %v, want 1 (states must not share globals)", i, got)
		}
		st.Close()
	}
}

func TestEvalExpressionsStatementsAndIncomplete(t *testing.T) {
	st := runtime.New(runtime.Options{})
	defer st.Close()
	ctx := context.Background()
	if r, err := st.Eval(ctx, "x = {name = 'a', sizes = {1, 2}}"); err != nil || len(r) != 0 {
		t.Fatalf("statement: %v %v", r, err)
	}
	if r, err := st.Eval(ctx, "x, 1 + 1"); err != nil || strings.Join(r, "|") != `{ name = "a", sizes = { 1, 2 } }|2` {
		t.Fatalf("expression: %q %v", r, err)
	}
	for _, chunk := range []string{"for i = 1, 3 do", "s = 'abc", "s = [[long", "function f()"} {
		if _, err := st.Eval(ctx, chunk); !runtime.Incomplete(err) {
			t.Errorf("%q: want incomplete, got %v", chunk, err)
		}
	}
	if _, err := st.Eval(ctx, "x = = 1"); err == nil || runtime.Incomplete(err) {
		t.Errorf("a real syntax error must not read as incomplete: %v", err)
	}
}
