package runtime

import (
	"context"
	"errors"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Eval runs one REPL chunk in s, keeping globals between chunks. It first
// tries the chunk as an expression ("return " + chunk), so `1+1` shows 2,
// then as statements. It returns the chunk's results formatted with Format.
// A chunk that is valid so far but unfinished (an open block or string)
// gives an error for which Incomplete is true: read another line and retry
// with the lines joined.
func (s *State) Eval(ctx context.Context, chunk string) ([]string, error) {
	var out []string
	err := s.EvalShow(ctx, chunk, func(_ *lua.LState, values []lua.LValue) {
		for _, v := range values {
			out = append(out, Format(v))
		}
	})
	return out, err
}

// EvalShow is Eval that hands the chunk's results to show instead of
// formatting them. show runs right after the chunk, under its context and
// protections: it may read a result stream (fetching pages), a stop
// (Ctrl-C) ends it as it ends the chunk, and a Lua error it raises is the
// chunk's error.
func (s *State) EvalShow(ctx context.Context, chunk string, show func(L *lua.LState, values []lua.LValue)) error {
	if s.givenUp != nil {
		return s.givenUpError()
	}
	proto, err := compileChunk(strings.NewReader("return "+chunk), "stdin")
	if err != nil {
		proto, err = compileChunk(strings.NewReader(chunk), "stdin")
	}
	if err != nil {
		return replSyntaxError(err)
	}
	values, err := s.call(ctx, s.L.NewFunctionFromProto(proto), lua.MultRet)
	if err != nil || len(values) == 0 {
		return err
	}
	// A call of its own, so that a traceback of the chunk does not show
	// this function; a stream the chunk made is read on under it (see
	// adminapi's Stream.Resume).
	return s.Do(ctx, func(L *lua.LState) { show(L, values) })
}

// Do runs fn as a chunk of its own under ctx, with Run's protections (a
// stop, the limits, a Lua error fn raises returned as the chunk's): for
// the REPL's work in Lua between the user's chunks, such as showing more
// of a stream.
func (s *State) Do(ctx context.Context, fn func(L *lua.LState)) error {
	_, err := s.call(ctx, s.L.NewFunction(func(L *lua.LState) int {
		fn(L)
		return 0
	}), 0)
	return err
}

// IncompleteError is a REPL chunk that ended before its statement did.
type IncompleteError struct{ Err error }

func (e *IncompleteError) Error() string { return e.Err.Error() }
func (e *IncompleteError) Unwrap() error { return e.Err }

// Incomplete reports whether err says the chunk needs more lines.
func Incomplete(err error) bool {
	var ie *IncompleteError
	return errors.As(err, &ie)
}

func replSyntaxError(err error) error {
	msg := strings.TrimSpace(err.Error())
	// gopher-lua reports a chunk that runs out of input as "at EOF"; an
	// unfinished long string or comment as "unterminated".
	if strings.Contains(msg, "at EOF") || strings.Contains(msg, "unterminated") {
		return &IncompleteError{Err: err}
	}
	var api *lua.ApiError
	if errors.As(err, &api) && api.Cause != nil {
		return &SyntaxError{File: "stdin", Message: strings.TrimSpace(api.Cause.Error())}
	}
	return &SyntaxError{File: "stdin", Message: msg}
}
