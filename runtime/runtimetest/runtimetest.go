// Package runtimetest runs Lua snippets in a sandboxed runtime.State for
// tests of exorun's modules.
package runtimetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/exorun/exorun/runtime"
)

// Run compiles src as "test.lua" and runs it with opts (Stdout is replaced
// by a buffer whose text is returned). The Lua error, if any, is returned
// for the test to inspect; a compile error fails the test.
func Run(t testing.TB, src string, opts runtime.Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Stdout = &out
	sc, err := runtime.Compile("test.lua", []byte(src))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s := runtime.New(opts)
	defer s.Close()
	err = s.Run(context.Background(), sc)
	return out.String(), err
}

// MustRun is Run that fails the test on a Lua error; Lua-side tests use
// assert() and error() to fail.
func MustRun(t testing.TB, src string, opts runtime.Options) string {
	t.Helper()
	out, err := Run(t, src, opts)
	if err != nil {
		if se, ok := err.(*runtime.ScriptError); ok {
			t.Fatalf("lua: %s\n%s", se.Message, se.Traceback)
		}
		t.Fatalf("lua: %v", err)
	}
	return out
}

// Fail runs src, which must fail with a Lua error, and returns that
// error for the test to inspect (Message, Cause, exit code). No error, or
// an error of another kind, fails the test.
func Fail(t testing.TB, src string, opts runtime.Options) *runtime.ScriptError {
	t.Helper()
	_, err := Run(t, src, opts)
	if err == nil {
		t.Fatalf("no error from:\n%s", src)
	}
	var se *runtime.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error is %T, want *runtime.ScriptError: %v", err, err)
	}
	return se
}
