package runtime

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// SyntaxError is a script that does not compile.
type SyntaxError struct {
	File    string
	Line    int // 0 when the error is at end of file
	Column  int
	Near    string
	Message string
	AtEOF   bool
}

func (e *SyntaxError) Error() string {
	if e.AtEOF {
		return fmt.Sprintf("%s:%d: %s at end of file", e.File, e.Line, e.Message)
	}
	if e.Near != "" {
		return fmt.Sprintf("%s:%d: %s near '%s'", e.File, e.Line, e.Message, e.Near)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// ScriptError is a Lua runtime failure: a failed built-in, a Lua error, or
// error(value) from the script.
type ScriptError struct {
	// Message starts with file:line where the error was raised.
	Message string
	// Traceback is Lua's "stack traceback:" text, innermost frame first.
	Traceback string
	// Fields holds the keys of an error table (error{code=..., ...} or an
	// error raised by a binding); nil for a plain string error.
	Fields map[string]any
	// Cause is the Go error behind an error raised with Raise.
	Cause error
}

func (e *ScriptError) Error() string { return e.Message }

func (e *ScriptError) Unwrap() error { return e.Cause }

// StoppedError is a run stopped by its context: a timeout, Ctrl-C, SIGTERM.
type StoppedError struct {
	// Cause is context.Cause of the run's context.
	Cause error
	// Where is the file:line the script was at, when known.
	Where string
}

func (e *StoppedError) Error() string {
	if e.Where != "" {
		return fmt.Sprintf("script stopped at %s: %v", e.Where, e.Cause)
	}
	return fmt.Sprintf("script stopped: %v", e.Cause)
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// LuaFielder is implemented by Go errors that want named fields in the Lua
// error value a script sees (code, status, cmdlet, request_id...).
type LuaFielder interface {
	LuaFields() map[string]any
}

// goErrorKey is the metatable key under which Raise keeps the Go error.
const goErrorKey = "__goerror"

// Raise raises err in L as a Lua error table: {message=err.Error(), plus
// err's LuaFields}. tostring(e) gives the message; pcall sees the table; a
// run that fails with it returns a *ScriptError that unwraps to err.
func Raise(L *lua.LState, err error) int {
	L.Error(ErrorValue(L, err), 1)
	return 0
}

// ErrorValue is the error table Raise raises, for APIs that hand errors
// back as values instead (a batch of calls where some fail).
func ErrorValue(L *lua.LState, err error) *lua.LTable {
	t := L.NewTable()
	if f, ok := err.(LuaFielder); ok {
		for k, v := range f.LuaFields() {
			t.RawSetString(k, ToLua(L, v))
		}
	}
	t.RawSetString("message", lua.LString(err.Error()))
	mt := L.NewTable()
	ud := L.NewUserData()
	ud.Value = err
	mt.RawSetString(goErrorKey, ud)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(L.CheckTable(1).RawGetString("message"))
		return 1
	}))
	L.SetMetatable(t, mt)
	return t
}

// GoError returns the Go error Raise attached to an error table, if any.
func GoError(v lua.LValue) error {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil
	}
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return nil
	}
	if ud, ok := mt.RawGetString(goErrorKey).(*lua.LUserData); ok {
		if err, ok := ud.Value.(error); ok {
			return err
		}
	}
	return nil
}

func tableFields(t *lua.LTable) map[string]any {
	fields := map[string]any{}
	t.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok {
			if gv, err := FromLua(v); err == nil {
				fields[string(ks)] = gv
			}
		}
	})
	return fields
}

func errorTableMessage(t *lua.LTable) string {
	if m, ok := t.RawGetString("message").(lua.LString); ok {
		return string(m)
	}
	var parts []string
	t.ForEach(func(k, v lua.LValue) {
		parts = append(parts, fmt.Sprintf("%s=%s", k, Format(v)))
	})
	sort.Strings(parts)
	return "error {" + strings.Join(parts, ", ") + "}"
}

// firstLuaFrame returns "file:line" of the innermost Lua (non-Go) frame of a
// gopher-lua traceback.
func firstLuaFrame(trace string) string {
	for _, line := range strings.Split(trace, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "stack traceback") || strings.HasPrefix(line, "[G]") || strings.HasPrefix(line, "(tailcall)") {
			continue
		}
		if i := strings.Index(line, ": in "); i > 0 {
			return line[:i]
		}
	}
	return ""
}

// luaTraceback is the Lua part of a gopher-lua stack trace: after a Go
// panic (IncludeGoStackTrace) the Go stack comes first, and only an
// *InternalError shows it.
func luaTraceback(trace string) string {
	if i := strings.Index(trace, "stack traceback:"); i > 0 {
		return trace[i:]
	}
	return trace
}

// cleanTraceback drops the synthetic "[G]: ?" frame gopher-lua appends.
func cleanTraceback(trace string) string {
	lines := strings.Split(strings.TrimRight(trace, "\n"), "\n")
	if n := len(lines); n > 0 && strings.TrimSpace(lines[n-1]) == "[G]: ?" {
		lines = lines[:n-1]
	}
	return strings.Join(lines, "\n")
}

// InternalError is a Go panic while a script ran: a bug in exorun (or in
// a library it uses), never the script's fault. The CLI prints one line
// and shows Stack only at debug level.
type InternalError struct {
	Value string // what panicked
	Stack string // the Go stack where it did
}

func (e *InternalError) Error() string {
	return "internal error (a bug in exorun, not in the script): " + e.Value
}
