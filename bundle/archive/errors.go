package archive

import "fmt"

// Error is an archive refused by Read or entries refused by Write. Its
// message is meant for the person who received the bundle: it names the
// entry and says what is wrong with it, in words.
type Error struct {
	// Entry is the entry's name as stored in the archive; "" when the
	// problem is the archive as a whole.
	Entry string
	// Reason says what is wrong, e.g. "is a symbolic link".
	Reason string
	// Err is the underlying cause when there is one (a zip.ErrChecksum,
	// a write error), so callers can still use errors.Is; nil otherwise.
	Err error
}

func (e *Error) Error() string {
	if e.Entry == "" {
		return "bundle: " + e.Reason
	}
	// %q, not %s: a hostile name may hold escape sequences meant for the
	// terminal that shows this message.
	return fmt.Sprintf("bundle entry %q: %s", e.Entry, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// entryError is an *Error about one entry.
func entryError(name, format string, args ...any) *Error {
	return &Error{Entry: name, Reason: fmt.Sprintf(format, args...)}
}
