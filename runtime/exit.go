package runtime

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/internal/exitcode"
)

// ExitError is a run the script ended itself with exit(code [, message]).
// Run returns it even for exit(0): the caller decides what a clean exit
// prints; exitcode.Of gives Code (through Unwrap).
type ExitError struct {
	Code    exitcode.Code
	Message string // "" when exit was given none
}

func (e *ExitError) Error() string {
	s := fmt.Sprintf("script exited with code %d (%s)", e.Code, e.Code.Name())
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap is the *exitcode.Error that carries Code to exitcode.Of.
func (e *ExitError) Unwrap() error {
	return &exitcode.Error{Code: e.Code, Err: errors.New(e.Error())}
}

// exitCodes are the codes a script may exit with and what each tells the
// scheduler running it. The others (usage, auth, service...) describe
// failures exorun itself detects; a script claiming one would mislead.
var exitCodes = []struct {
	code    exitcode.Code
	meaning string
}{
	{exitcode.OK, "success"},
	{exitcode.Script, "the script failed"},
	{exitcode.Checks, "the script finished but found problems, as a failed threshold does"},
}

// allowedExits lists exitCodes for a message: "0 (success), 1 (...) or 7 (...)".
func allowedExits() string {
	parts := make([]string, len(exitCodes))
	for i, c := range exitCodes {
		parts[i] = fmt.Sprintf("%d (%s)", c.code, c.meaning)
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// exit is the global exit(code [, message]). It halts the run's guard
// with an *ExitError before raising: the raise unwinds to the nearest
// pcall, but the halted guard stops the VM at the very next
// instruction, so no pcall can swallow the exit.
func (s *State) exit(L *lua.LState) int {
	var code exitcode.Code
	allowed := false
	switch v := L.Get(1).(type) {
	case lua.LNumber:
		for _, c := range exitCodes {
			if float64(v) == float64(c.code) {
				code, allowed = c.code, true
			}
		}
		if !allowed {
			L.RaiseError("exit: code %s is not allowed; want %s", Format(v), allowedExits())
		}
	case *lua.LNilType:
		L.RaiseError("exit: no code given; want exit(code [, message]) with code %s", allowedExits())
	default:
		L.RaiseError("exit: code must be a number, not %s %s; want %s", v.Type(), Format(v), allowedExits())
	}
	var msg string
	switch v := L.Get(2).(type) {
	case lua.LString:
		msg = string(v)
	case *lua.LNilType:
	default:
		L.RaiseError("exit: message must be a string, not %s", v.Type())
	}
	g := s.active.Load()
	if g == nil || s.finished {
		// Only Lua run after the script (a threshold's predicate) gets here.
		L.RaiseError("exit: the script has already finished; exit works only while it runs")
	}
	e := &ExitError{Code: code, Message: msg}
	g.halt(e)
	return Raise(L, e)
}

// exitOf returns the *ExitError that stopped the run, if exit did.
func exitOf(g *guard) *ExitError {
	var e *ExitError
	if errors.As(g.stopCause(), &e) {
		return e
	}
	return nil
}
