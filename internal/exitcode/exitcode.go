package exitcode

import (
	"errors"
	"fmt"
)

// Code is a process exit status. The values are part of exorun's stable
// interface: scripts, cron wrappers and CI jobs branch on them.
type Code int

const (
	// OK: the script or command finished.
	OK Code = 0
	// Script: the Lua script failed (syntax error, runtime error, error()).
	Script Code = 1
	// Usage: the command line was wrong (unknown flag, missing argument,
	// script file not found, a required --param missing).
	Usage Code = 2
	// Auth: no token could be had (certificate unreadable, expired or
	// rejected, unknown tenant or app).
	Auth Code = 3
	// Permission: the app's roles do not allow what was asked.
	Permission Code = 4
	// Service: Exchange Online answered with an error the script did not handle.
	Service Code = 5
	// Throttled: the service kept throttling past the retry budget.
	Throttled Code = 6
	// Checks: the script finished, but a threshold it declared failed
	// (or it called exit(7)): a clean run whose findings need attention.
	Checks Code = 7
	// Resources: the script went past a limit exorun sets to protect the
	// host: --memory-limit, or a string pattern too costly to match.
	Resources Code = 8
	// Bundle: a script bundle was refused: damaged (a file or the
	// manifest changed, an unsafe zip), or unsigned or signed by an
	// untrusted certificate under --require-signed; or bundle pack found
	// the folder does not make one (secrets, undeclared cmdlets).
	Bundle Code = 9
	// Timeout: --timeout elapsed before the script finished.
	Timeout Code = 124
	// Interrupted: stopped by Ctrl-C (SIGINT) or SIGTERM.
	Interrupted Code = 130
)

// Codes lists every code with its meaning, in the order the README shows them.
var Codes = []struct {
	Code    Code
	Name    string
	Meaning string
}{
	{OK, "ok", "the script or command finished"},
	{Script, "script", "the Lua script failed: syntax error, runtime error or error()"},
	{Usage, "usage", "bad command line: unknown flag, missing argument, missing script, missing required --param"},
	{Auth, "auth", "no token: certificate unreadable, expired or rejected; unknown tenant or app"},
	{Permission, "permission", "the app's directory roles do not allow the cmdlet, or a bundle's manifest does not declare it"},
	{Service, "service", "Exchange Online answered with an error the script did not handle"},
	{Throttled, "throttled", "the service kept throttling past the retry budget"},
	{Checks, "checks", "the script finished but a threshold failed"},
	{Resources, "resources", "the script exceeded --memory-limit or a pattern's matching budget"},
	{Bundle, "bundle", "a bundle was refused (damaged, unsafe, unsigned or untrusted under --require-signed) or could not be packed"},
	{Timeout, "timeout", "--timeout elapsed before the script finished"},
	{Interrupted, "interrupted", "stopped by Ctrl-C (SIGINT) or SIGTERM"},
}

// Error is an error with an exit code and, optionally, a hint that tells the
// user what to do next. Messages are lower-case and never hold a secret.
type Error struct {
	Code Code
	Err  error
	Hint string
}

// New returns an *Error with the given code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Wrap attaches code to err. A nil err stays nil.
func Wrap(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// WithHint returns a copy of e with hint set.
func (e *Error) WithHint(hint string) *Error {
	c := *e
	c.Hint = hint
	return &c
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Of returns the exit code for err: OK for nil, the code of the first *Error
// in its chain, and Script otherwise (an unclassified failure of the run).
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Script
}

// HintOf returns the hint of the first *Error in err's chain that has one.
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}

// Name is the code's name in Codes ("ok", "usage", ...), or "exit N" for
// a code exorun does not define.
func (c Code) Name() string {
	for _, d := range Codes {
		if d.Code == c {
			return d.Name
		}
	}
	return fmt.Sprintf("exit %d", int(c))
}

// severity ranks a code for MostSevere: higher is more severe. A run cut
// short (interrupted, timed out) left tenants unrun, the worst news; then
// what no retry fixes (the command line, a refused bundle, sign-in, a
// missing role), then what a retry or a bigger limit may fix (memory,
// throttling, the service), then script errors, then a clean run with
// findings. A code exorun does not define (a script's exit(N)) ranks as
// a script failure.
func (c Code) severity() int {
	switch c {
	case Interrupted:
		return 12
	case Timeout:
		return 11
	case Usage:
		return 10
	case Bundle:
		return 9
	case Auth:
		return 8
	case Permission:
		return 7
	case Resources:
		return 6
	case Throttled:
		return 5
	case Service:
		return 4
	case Checks:
		return 2
	case OK:
		return 0
	}
	return 3 // Script, and a script's own codes
}

// MostSevere is the code a run over many tenants exits with: OK when
// every tenant's is, else the most severe of them (see the README's
// exit code table for the order); of two codes of one rank, the first.
func MostSevere(codes ...Code) Code {
	worst := OK
	for _, c := range codes {
		if c.severity() > worst.severity() {
			worst = c
		}
	}
	return worst
}
