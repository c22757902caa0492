package bundle

import (
	"errors"
	"fmt"

	"github.com/exorun/exorun/internal/exitcode"
)

// Error is a bundle refused: damaged, unsafe or not what it claims. It
// carries exitcode.Bundle.
type Error struct {
	// Bundle names the bundle file or folder; "" when unknown.
	Bundle string
	Msg    string
	Hint   string
}

func (e *Error) Error() string {
	if e.Bundle == "" {
		return e.Msg
	}
	return e.Bundle + ": " + e.Msg
}

func (e *Error) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Bundle, Err: errors.New(e.Error()), Hint: e.Hint}
}

// manifestError is a manifest that cannot be used.
func manifestError(format string, args ...any) *Error {
	return &Error{Msg: "manifest.json: " + fmt.Sprintf(format, args...)}
}

// named sets the bundle's name on err when it is an *Error without one.
func named(err error, bundle string) error {
	var be *Error
	if errors.As(err, &be) && be.Bundle == "" {
		be.Bundle = bundle
	}
	return err
}
