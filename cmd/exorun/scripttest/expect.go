package scripttest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// failure is one failed expectation, or the error that ended a test.
type failure struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// matchers are the methods of expect(x), each with what it checks. A
// failed expectation is recorded and the test goes on, so one run shows
// every mismatch; a Lua error ends the test.
var matchers = []struct {
	name string
	ok   func(got, want any) bool
	// why says what failed, given both values as show renders them.
	why func(got, want string) string
}{
	{"to_equal", equal, mismatch},
	{"not_to_equal", func(g, w any) bool { return !equal(g, w) },
		func(g, _ string) string { return "got " + g + ", which it should not be" }},
	{"to_contain", contain,
		func(g, w string) string { return g + "\n  does not contain " + w }},
	{"not_to_contain", func(g, w any) bool { return !contain(g, w) },
		func(g, w string) string { return g + "\n  contains " + w + ", which it should not" }},
	{"to_be_greater_than", func(g, w any) bool { return compare(g, w) == 1 },
		func(g, w string) string { return "got " + g + ", want more than " + w }},
	{"to_be_less_than", func(g, w any) bool { return compare(g, w) == -1 },
		func(g, w string) string { return "got " + g + ", want less than " + w }},
}

// expectation is the value expect() returns: the matchers, bound to the
// value under test.
func (t *testRun) expect(L *lua.LState) int {
	got := L.CheckAny(1)
	note := L.OptString(2, "")
	m := L.NewTable()
	for _, mt := range matchers {
		mt := mt
		m.RawSetString(mt.name, L.NewFunction(func(L *lua.LState) int {
			// expect(x).to_equal(y) and expect(x):to_equal(y) both work.
			arg := 1
			if self, ok := L.Get(1).(*lua.LTable); ok && self == m && L.GetTop() >= 2 {
				arg = 2
			}
			want := L.Get(arg)
			if !mt.ok(goValue(got), goValue(want)) {
				t.fail(L, note, mt.why(show(got), show(want)))
			}
			return 0
		}))
	}
	for _, unary := range []struct {
		name string
		ok   func(lua.LValue) bool
		why  string
	}{
		{"to_be_truthy", lua.LVAsBool, "want a true value (anything but nil and false)"},
		{"to_be_falsy", func(v lua.LValue) bool { return !lua.LVAsBool(v) }, "want nil or false"},
		{"to_be_nil", func(v lua.LValue) bool { return v == lua.LNil }, "want nil"},
	} {
		m.RawSetString(unary.name, L.NewFunction(func(L *lua.LState) int {
			if !unary.ok(got) {
				t.fail(L, note, "got "+show(got)+"; "+unary.why)
			}
			return 0
		}))
	}
	m.RawSetString("to_match", L.NewFunction(func(L *lua.LState) int {
		pattern := L.CheckString(L.GetTop())
		s, ok := got.(lua.LString)
		if !ok || !t.matches(L, string(s), pattern) {
			t.fail(L, note, fmt.Sprintf("%s\n  does not match the pattern %q", show(got), pattern))
		}
		return 0
	}))
	m.RawSetString("to_have_length", L.NewFunction(func(L *lua.LState) int {
		want := L.CheckInt(L.GetTop())
		n := -1
		switch v := got.(type) {
		case lua.LString:
			n = len(v)
		case *lua.LTable:
			n = v.Len()
		}
		if n != want {
			t.fail(L, note, fmt.Sprintf("got length %d (%s), want %d", n, show(got), want))
		}
		return 0
	}))
	L.Push(m)
	return 1
}

// matches runs the sandbox's own string.find, so patterns mean what they
// mean in scripts, with its step budget.
func (t *testRun) matches(L *lua.LState, s, pattern string) bool {
	find := L.GetField(L.GetGlobal("string"), "find")
	if err := L.CallByParam(lua.P{Fn: find, NRet: 1, Protect: true}, lua.LString(s), lua.LString(pattern)); err != nil {
		L.RaiseError("to_match: %v", err)
	}
	found := L.Get(-1)
	L.Pop(1)
	return found != lua.LNil
}

// fail records a failed expectation at the Lua line that made it.
func (t *testRun) fail(L *lua.LState, note, why string) {
	file, line := t.where(L)
	if note != "" {
		why = note + "\n" + why
	}
	t.failures = append(t.failures, failure{File: file, Line: line, Message: strings.TrimSpace(t.sourceLine(line) + "\n" + why)})
}

// where is the test file's line that called the running Go function.
func (t *testRun) where(L *lua.LState) (string, int) {
	for level := 1; level < 50; level++ {
		w := strings.TrimSuffix(L.Where(level), ":")
		if w == "" {
			continue
		}
		i := strings.LastIndex(w, ":")
		if i < 0 {
			continue
		}
		var line int
		if _, err := fmt.Sscan(w[i+1:], &line); err == nil && w[:i] == t.name {
			return t.name, line
		}
	}
	return t.name, 0
}

// sourceLine is the test file's text at line, trimmed, or "" when out
// of range.
func (t *testRun) sourceLine(line int) string {
	lines := strings.Split(string(t.src), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[line-1])
}

// goValue converts a Lua value for comparison: tables become maps and
// slices, integral numbers int64. A value FromLua refuses (a function, a
// cycle) compares as its text.
func goValue(v lua.LValue) any {
	g, err := runtime.FromLua(v)
	if err != nil {
		return runtime.Format(v)
	}
	return g
}

func equal(got, want any) bool { return reflect.DeepEqual(got, want) }

// contain: a string holds a substring; a list holds an element equal to
// want or, for a table want, an element whose fields include want's
// (names compared without case, as PowerShell does); a table's values
// hold such an element too.
func contain(got, want any) bool {
	switch g := got.(type) {
	case string:
		w, ok := want.(string)
		return ok && strings.Contains(g, w)
	case []any:
		for _, e := range g {
			if includes(e, want) {
				return true
			}
		}
	case map[string]any:
		for _, e := range g {
			if includes(e, want) {
				return true
			}
		}
	}
	return false
}

// includes says whether got matches want, where a table want matches a
// table with at least its fields.
func includes(got, want any) bool {
	w, ok := want.(map[string]any)
	if !ok {
		return equal(got, want)
	}
	g, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, wv := range w {
		gv, found := field(g, k)
		if !found || !includes(gv, wv) {
			return false
		}
	}
	return true
}

func field(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// compare orders two numbers: -1, 0 or 1; 2 when either is no number,
// which no ordering matcher accepts.
func compare(a, b any) int {
	x, ok1 := number(a)
	y, ok2 := number(b)
	switch {
	case !ok1 || !ok2:
		return 2
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// mismatch says how got differs from want: both values, or a diff of
// their lines when either spans several.
func mismatch(got, want string) string {
	if !strings.Contains(got, "\n") && !strings.Contains(want, "\n") {
		return "got:  " + got + "\nwant: " + want
	}
	return textDiff("want", want, "got", got)
}

// show renders a compared value: a string of several lines as it is,
// anything else as the REPL writes it.
func show(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok && strings.Contains(string(s), "\n") {
		return string(s)
	}
	return runtime.Format(v)
}

// textDiff is a unified diff from a to b.
func textDiff(aName, a, bName, b string) string {
	d := string(diff.Diff(aName, []byte(withNewline(a)), bName, []byte(withNewline(b))))
	if first, rest, ok := strings.Cut(d, "\n"); ok && strings.HasPrefix(first, "diff ") {
		d = rest // "diff a b": the ---/+++ lines that follow say it
	}
	return strings.TrimRight(d, "\n")
}

func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
