package runtime_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/luapattern"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// TestLua51PatternSuite runs the pattern tests of the Lua 5.1 test suite
// (pm.lua, with the cases gopher-lua could not pass restored) in the
// sandbox.
func TestLua51PatternSuite(t *testing.T) {
	src, err := os.ReadFile("testdata/lua51-pm.lua")
	if err != nil {
		t.Fatal(err)
	}
	out := runtimetest.MustRun(t, string(src), runtime.Options{})
	if !strings.HasSuffix(out, "OK\n") {
		t.Fatalf("pm.lua printed %q", out)
	}
}

func TestPatternFunctionsFromLua(t *testing.T) {
	runtimetest.MustRun(t, `
		local s = "key1 = value1, key2 = value2"

		-- find: positions, captures, init (negative from the end), plain
		local i, j, k, v = string.find(s, "(%w+)%s*=%s*(%w+)")
		assert(i == 1 and j == 13 and k == "key1" and v == "value1")
		i, j, k = s:find("(%w+) =", 2)
		assert(i == 2 and j == 6 and k == "ey1", "init")
		i, j = s:find("value", -6)
		assert(i == 23 and j == 27, "negative init")
		assert(s:find("=", 100) == nil)
		i, j = ("a.(c"):find(".(", 1, true)
		assert(i == 2 and j == 3, "plain")
		i, j = ("a+b"):find("+")
		assert(i == 2 and j == 2, "no specials: plain")
		i, j = ("abc"):find("")
		assert(i == 1 and j == 0)
		assert(select("#", ("abc"):find("x")) == 1, "no match is one nil")
		i, j, k = ("hello"):find("()ll")
		assert(i == 3 and j == 4 and k == 3, "position capture")

		-- match
		assert(s:match("(%w+)") == "key1")
		assert(s:match("%w+", 6) == "value1")
		assert(("  both ends  "):match("^%s*(.-)%s*$") == "both ends")
		assert(("x"):match("y") == nil)
		local a, b, c = ("2024-05-17"):match("^(%d+)-(%d+)-(%d+)$")
		assert(a == "2024" and b == "05" and c == "17")

		-- gmatch: pairs, whole matches, empty matches, ^ as a character
		local keys = {}
		for key, value in s:gmatch("(%w+) = (%w+)") do keys[#keys + 1] = key .. ":" .. value end
		assert(table.concat(keys, ",") == "key1:value1,key2:value2")
		local words = {}
		for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
		assert(table.concat(words, "|") == "one|two|three")
		local n = 0
		for e in ("abc"):gmatch("x*") do assert(e == "") n = n + 1 end
		assert(n == 4, "an empty match at each position and the end")
		assert(("a^b"):gmatch("^b")() == "^b")
		assert(string.gfind == string.gmatch)

		-- gsub: string with %0-%9 and %%, limit, function, table
		local r, count = s:gsub("(%w+) = (%w+)", "%2=%1")
		assert(r == "value1=key1, value2=key2" and count == 2)
		assert(("abc"):gsub("%w", "%0%0") == "aabbcc")
		assert(("abc"):gsub("%w", "%1.") == "a.b.c.", "%1 is the match when there are no captures")
		assert(("50"):gsub("%d+", "%0%%") == "50%")
		r, count = ("a a a a"):gsub("a", "b", 2)
		assert(r == "b b a a" and count == 2, "limit")
		r, count = ("a a"):gsub("a", "b", 0)
		assert(r == "a a" and count == 0)
		r = ("hello world"):gsub("%w+", function(w) return w:upper() end)
		assert(r == "HELLO WORLD", "function")
		r = ("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 42})
		assert(r == "Ann is 42", "table, number value")
		r, count = ("keep $this"):gsub("%$(%w+)", {})
		assert(r == "keep $this" and count == 1, "nil keeps the match and counts")
		r = ("a b c"):gsub("%a", function(x) if x == "b" then return false end return x .. x end)
		assert(r == "aa b cc", "false keeps the match")
		r = ("abc"):gsub("", "-")
		assert(r == "-a-b-c-")
		r = ("hello"):gsub("^h", "j")
		assert(r == "jello")
		r, count = ("xxx"):gsub("^x", "y")
		assert(r == "yxx" and count == 1, "an anchored gsub replaces once")
		r = ("a,b,,c"):gsub("([^,]*)", "<%1>")
		assert(r == "<a><>,<b><>,<>,<c><>", "Lua 5.1's empty matches after a match: " .. r)
		assert(("abc"):gsub("b", 7) == "a7c", "a number replacement")
	`, runtime.Options{})
}

func TestPatternErrorsNameTheFunction(t *testing.T) {
	for src, want := range map[string]string{
		`string.gsub("x", "[a", "")`:                        "string.gsub: malformed pattern (missing ']')",
		`string.find("x", "%")`:                             "string.find: malformed pattern (ends with '%')",
		`("x"):match("%f")`:                                 "string.match: missing '[' after '%f' in pattern",
		`string.gmatch("x", "(%1)")`:                        "string.gmatch: invalid capture index",
		`string.match("x", "x)")`:                           "string.match: invalid pattern capture",
		`string.match("x", ("()"):rep(33))`:                 "string.match: too many captures",
		`string.match("alo", "(.")`:                         "string.match: unfinished capture",
		`string.gsub("alo", "(.)", "%2")`:                   "string.gsub: invalid capture index %2 in replacement string",
		`string.gsub("alo", ".", "%x")`:                     "string.gsub: invalid use of '%' in replacement string",
		`string.gsub("alo", ".", "50%")`:                    "string.gsub: invalid use of '%' in replacement string",
		`string.gsub("alo", ".", {a = {}})`:                 "string.gsub: invalid replacement value (a table)",
		`string.gsub("a", ".", function() return true end)`: "string.gsub: invalid replacement value (a boolean)",
		`string.gsub("a", ".", true)`:                       "bad argument #3 to gsub (string/function/table expected)",
		`string.find(("a"):rep(300), ("a?"):rep(250))`:      "string.find: pattern too complex (more than 200 nested repetitions)",
	} {
		se := runtimetest.Fail(t, src, runtime.Options{})
		if !strings.HasPrefix(se.Message, "test.lua:1: ") || !strings.HasSuffix(se.Message, want) {
			t.Errorf("%s: message %q, want test.lua:1: %s", src, se.Message, want)
		}
	}
	// Lua 5.1 ignores a bad replacement when nothing matches.
	runtimetest.MustRun(t, `assert(string.gsub("abc", "x", "%y") == "abc")`, runtime.Options{})
}

const tooComplex = "string.find: pattern too complex for a subject of 1201 bytes (more than 10120100 matching steps): anchor it with ^ or avoid several .- or .* in a row"

func TestPathologicalPatternFails(t *testing.T) {
	for _, call := range []string{
		`string.find(s, "(.-)(.-)(.-)(.-)c")`,
		`s:find("(.-)(.-)(.-)(.-)c")`,
		`s:match("(.-)(.-)(.-)(.-)c")`,
		`s:gsub("(.-)(.-)(.-)(.-)c", "")`,
		`s:gmatch("(.-)(.-)(.-)(.-)c")()`,
	} {
		src := "local s = string.rep(\"a\", 1200) .. \"b\"\nprint(" + call + ")\n"
		se := runtimetest.Fail(t, src, runtime.Options{})
		fn := "string." + strings.Fields(strings.NewReplacer("(", " ", ":", " ", ".", " ").Replace(call))[1]
		want := "test.lua:2: " + strings.Replace(tooComplex, "string.find", fn, 1)
		if se.Message != want {
			t.Errorf("%s: message\n%q, want\n%q", call, se.Message, want)
		}
		var tc *luapattern.TooComplexError
		if !errors.As(se, &tc) || tc.SubjectLen != 1201 {
			t.Errorf("%s: the Lua error carries %v, want the *TooComplexError", call, se.Cause)
		}
		if code := exitcode.Of(se); code != exitcode.Resources {
			t.Errorf("%s: exit code %d, want %d (resources)", call, code, exitcode.Resources)
		}
	}
}

// TestGmatchAndGsubStopEarly checks, through a budget of 1,000 steps per
// call, that gmatch finds one match per iterator call and gsub stops at
// its limit: over a megabyte of words, either would need far more steps if
// it matched the whole subject.
func TestGmatchAndGsubStopEarly(t *testing.T) {
	var opts runtime.Options
	runtime.SetPatternLimit(&opts, func(int) int64 { return 1000 })
	runtimetest.MustRun(t, `
		local s = string.rep("word ", 200000)
		local first
		for w in s:gmatch("%a+") do first = w break end
		assert(first == "word")
		local r, n = s:gsub("%a+", "x", 3)
		assert(n == 3 and r:sub(1, 12) == "x x x word w")
		-- Each call of the iterator has a budget of its own.
		local count = 0
		for w in s:gmatch("%a+") do count = count + 1 end
		assert(count == 200000, count)
		-- One gsub has one budget for all its matches.
		local ok, err = pcall(string.gsub, s, "%a+", "x")
		err = tostring(err)
		assert(not ok and err:find("string.gsub: pattern too complex for a subject of 1000000 bytes (more than 1000 matching steps)", 1, true), err)
	`, opts)
}

// TestContextStopsPatternMatch runs a match that would take hours within
// an unbounded budget: the run's context stops it, with the context's
// cause, even under pcall.
func TestContextStopsPatternMatch(t *testing.T) {
	var opts runtime.Options
	runtime.SetPatternLimit(&opts, func(int) int64 { return 1 << 62 })
	for name, src := range map[string]string{
		"plain":     "local s = string.rep('a', 1200) .. 'b'\nlocal i = s:find('(.-)(.-)(.-)(.-)c')\n",
		"pcall":     "local s = string.rep('a', 1200) .. 'b'\nlocal ok = pcall(string.gsub, s, '(.-)(.-)(.-)(.-)c', '')\nprint(ok)\n",
		"gmatch":    "local s = string.rep('a', 1200) .. 'b'\nfor x in s:gmatch('(.-)(.-)(.-)(.-)c') do end\n",
		"coroutine": "local s = string.rep('a', 1200) .. 'b'\ncoroutine.wrap(function() s:match('(.-)(.-)(.-)(.-)c') end)()\n",
		"replace":   "local s = string.rep('ab', 600)\nlocal r = s:gsub('%a', function(c) return s:match('(.-)(.-)(.-)(.-)c') end)\n",
	} {
		t.Run(name, func(t *testing.T) {
			sc, err := runtime.Compile("match.lua", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			st := runtime.New(opts)
			defer st.Close()
			cause := errors.New("deadline from test")
			ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, cause)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- st.Run(ctx, sc) }()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the match did not stop 20 s after its context ended")
			}
			var stop *runtime.StoppedError
			if !errors.As(err, &stop) || !errors.Is(err, cause) {
				t.Fatalf("want a StoppedError caused by the deadline, got %T %v", err, err)
			}
			if !strings.HasPrefix(stop.Where, "match.lua:") {
				t.Errorf("Where = %q, want a match.lua position", stop.Where)
			}
		})
	}
}
