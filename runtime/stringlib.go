package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime/luapattern"
)

// patternFunctions are string.find, match, gmatch and gsub over
// luapattern, replacing gopher-lua's: the same Lua 5.1 patterns, but a
// costly match fails with "pattern too complex" instead of running for
// hours, the run's timeout and Ctrl-C stop a match at once, gmatch finds
// one match per call of its iterator, and gsub stops at its limit.
func patternFunctions() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"find":   strFind,
		"match":  strMatch,
		"gmatch": strGmatch,
		"gsub":   strGsub,
	}
}

// newBudget is the budget of one call over a subject of n bytes; it stops
// the match when the run is stopped.
func newBudget(L *lua.LState, n int) luapattern.Budget {
	return luapattern.Budget{
		Limit: patternLimit(L, n),
		Check: func() error { return runStopped(L) },
	}
}

// patternLimit is the step budget of one string.find or match call, one
// gsub call, or one call of a gmatch iterator, for a subject of n bytes:
// luapattern.DefaultLimit unless the state's options (tests) say otherwise.
func patternLimit(L *lua.LState, n int) int64 {
	if c, ok := L.Context().(*vmContext); ok && c.s.opts.patternLimit != nil {
		return c.s.opts.patternLimit(n)
	}
	return luapattern.DefaultLimit(n)
}

// raisePattern fails the call of fn (string.find...) with err, a bad
// pattern, an exhausted budget, or the reason the run stopped. A stopped
// run raises its stop; an exhausted budget is a limit (exit code 8).
func raisePattern(L *lua.LState, fn string, err error) {
	raiseIfStopped(L)
	var tooComplex *luapattern.TooComplexError
	if errors.As(err, &tooComplex) {
		Raise(L, &exitcode.Error{Code: exitcode.Resources, Err: fmt.Errorf("%s: %w", fn, err)})
	}
	L.RaiseError("%s", fn+": "+err.Error())
}

func compilePattern(L *lua.LState, fn, pattern string, compile func(string) (*luapattern.Pattern, error)) *luapattern.Pattern {
	p, err := compile(pattern)
	if err != nil {
		raisePattern(L, fn, err)
	}
	return p
}

// initArg is Lua 5.1's init argument n of find and match as a 0-based
// offset: 1 by default, negative from the end, clamped to the subject.
func initArg(L *lua.LState, n, length int) int {
	f := float64(L.OptNumber(n, 1))
	f = max(-1<<40, min(f, 1<<40)) // a number far out of range is still out of range
	init := int(f)
	if init < 0 {
		init += length + 1
	}
	return max(0, min(init-1, length))
}

func strFind(L *lua.LState) int { return find(L, "string.find", true) }

func strMatch(L *lua.LState) int { return find(L, "string.match", false) }

// find is string.find (whole reports positions, then captures) and
// string.match (captures, or the matched text).
func find(L *lua.LState, fn string, whole bool) int {
	s := L.CheckString(1)
	pattern := L.CheckString(2)
	init := initArg(L, 3, len(s))
	if whole && (lua.LVAsBool(L.Get(4)) || !luapattern.HasSpecials(pattern)) {
		i := strings.Index(s[init:], pattern)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + i + 1))
		L.Push(lua.LNumber(init + i + len(pattern)))
		return 2
	}
	p := compilePattern(L, fn, pattern, luapattern.Compile)
	b := newBudget(L, len(s))
	m, ok, err := p.Find(s, init, &b)
	if err != nil {
		raisePattern(L, fn, err)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	if whole {
		L.Push(lua.LNumber(m.Start + 1))
		L.Push(lua.LNumber(m.End))
		return 2 + pushCaptures(L, fn, s, &m, false)
	}
	return pushCaptures(L, fn, s, &m, true)
}

// pushCaptures pushes m's captures (a position as Lua's 1-based number)
// and returns how many it pushed; with none, orWhole pushes the matched
// text instead.
func pushCaptures(L *lua.LState, fn, s string, m *luapattern.Match, orWhole bool) int {
	n := m.NumCaptures()
	if n == 0 && orWhole {
		L.Push(lua.LString(s[m.Start:m.End]))
		return 1
	}
	for i := range n {
		L.Push(captureValue(L, fn, s, m, i))
	}
	return n
}

// captureValue is capture i of m as a Lua value.
func captureValue(L *lua.LState, fn, s string, m *luapattern.Match, i int) lua.LValue {
	switch c := m.Capture(i); c.Kind {
	case luapattern.CapturePosition:
		return lua.LNumber(c.Start + 1)
	case luapattern.CaptureUnfinished:
		L.RaiseError("%s", fn+": unfinished capture")
		return nil
	default:
		return lua.LString(s[c.Start:c.End])
	}
}

// strGmatch returns an iterator that finds the next match at each call, so
// a loop that breaks early pays for the matches it used. As in Lua 5.1, a
// leading ^ is an ordinary character, and after an empty match the next
// search starts one byte further.
func strGmatch(L *lua.LState) int {
	const fn = "string.gmatch"
	s := L.CheckString(1)
	p := compilePattern(L, fn, L.CheckString(2), luapattern.CompileUnanchored)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if pos > len(s) {
			return 0
		}
		b := newBudget(L, len(s))
		m, ok, err := p.Find(s, pos, &b)
		if err != nil {
			raisePattern(L, fn, err)
		}
		if !ok {
			pos = len(s) + 1
			return 0
		}
		pos = m.End
		if m.End == m.Start {
			pos++
		}
		return pushCaptures(L, fn, s, &m, true)
	}))
	return 1
}

// strGsub is Lua 5.1's string.gsub(s, pattern, repl [, n]). repl is a
// string (%0 the match, %1-%9 captures, %% a percent sign), a table
// indexed by the first capture, or a function called with the captures;
// a false or nil value from a table or function keeps the match as it is.
// One budget covers all the call's matches.
func strGsub(L *lua.LState) int {
	const fn = "string.gsub"
	src := L.CheckString(1)
	pattern := L.CheckString(2)
	repl := L.Get(3)
	switch repl.(type) {
	case lua.LString, lua.LNumber, *lua.LTable, *lua.LFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	limit := len(src) + 1
	if L.Get(4) != lua.LNil {
		limit = int(max(-1, min(float64(L.CheckNumber(4)), float64(limit))))
	}
	p := compilePattern(L, fn, pattern, luapattern.Compile)
	b := newBudget(L, len(src))
	var out strings.Builder
	var tmpl []replPart       // repl as a string, parsed at the first match
	n, pos, copied := 0, 0, 0 // src[:copied] is in out; the next search starts at pos
	for n < limit {
		m, ok, err := p.Find(src, pos, &b)
		if err != nil {
			raisePattern(L, fn, err)
		}
		if !ok {
			break
		}
		n++
		if n == 1 {
			out.Grow(len(src))
		}
		out.WriteString(src[copied:m.Start])
		switch r := repl.(type) {
		case *lua.LTable:
			key := lua.LValue(lua.LString(src[m.Start:m.End]))
			if m.NumCaptures() > 0 {
				key = captureValue(L, fn, src, &m, 0)
			}
			addValue(L, fn, &out, src, &m, L.GetTable(r, key))
		case *lua.LFunction:
			L.Push(r)
			L.Call(pushCaptures(L, fn, src, &m, true), 1)
			v := L.Get(-1)
			L.Pop(1)
			addValue(L, fn, &out, src, &m, v)
		default:
			if tmpl == nil {
				tmpl = parseRepl(L, fn, lua.LVAsString(repl))
			}
			expand(L, fn, &out, tmpl, src, &m)
		}
		copied = m.End
		switch {
		case m.End > m.Start:
			pos = m.End
		case m.Start < len(src):
			pos = m.Start + 1 // an empty match: the next one starts a byte further
		default:
			pos = len(src) + 1
		}
		if p.Anchored() || pos > len(src) {
			break
		}
	}
	if n == 0 {
		L.Push(lua.LString(src))
	} else {
		out.WriteString(src[copied:])
		L.Push(lua.LString(out.String()))
	}
	L.Push(lua.LNumber(n))
	return 2
}

// addValue writes the value a table or function gave for match m: a
// string or number replaces the match, false or nil keeps it.
func addValue(L *lua.LState, fn string, out *strings.Builder, src string, m *luapattern.Match, v lua.LValue) {
	switch v := v.(type) {
	case lua.LString:
		out.WriteString(string(v))
	case lua.LNumber:
		out.WriteString(v.String())
	default:
		if lua.LVAsBool(v) {
			L.RaiseError("%s", fn+": invalid replacement value (a "+v.Type().String()+")")
		}
		out.WriteString(src[m.Start:m.End])
	}
}

// replPart is a piece of a replacement string: literal text, or capture
// ref (0 for the whole match, 1-9 for a capture) when text is empty.
type replPart struct {
	text string
	ref  int
}

// parseRepl splits a replacement string into text and %0-%9; %% is a
// percent sign, and any other % is an error (as in Lua 5.2 and later: Lua
// 5.1 dropped the %).
func parseRepl(L *lua.LState, fn, repl string) []replPart {
	parts := make([]replPart, 0, 4)
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			parts = append(parts, replPart{text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' {
			text.WriteByte(c)
			continue
		}
		i++
		switch {
		case i < len(repl) && repl[i] == '%':
			text.WriteByte('%')
		case i < len(repl) && '0' <= repl[i] && repl[i] <= '9':
			flush()
			parts = append(parts, replPart{ref: int(repl[i] - '0')})
		default:
			L.RaiseError("%s", fn+": invalid use of '%' in replacement string")
		}
	}
	flush()
	return parts
}

// expand writes the replacement for match m.
func expand(L *lua.LState, fn string, out *strings.Builder, tmpl []replPart, src string, m *luapattern.Match) {
	for _, part := range tmpl {
		switch {
		case part.text != "":
			out.WriteString(part.text)
		case part.ref == 0 || part.ref == 1 && m.NumCaptures() == 0:
			out.WriteString(src[m.Start:m.End])
		case part.ref > m.NumCaptures():
			L.RaiseError("%s", fn+": invalid capture index %"+strconv.Itoa(part.ref)+" in replacement string")
		default:
			switch v := captureValue(L, fn, src, m, part.ref-1).(type) {
			case lua.LNumber:
				out.WriteString(v.String())
			case lua.LString:
				out.WriteString(string(v))
			}
		}
	}
}
