package luapattern

import (
	"errors"
	"fmt"
)

// The default budget, DefaultLimit(n), is BaseSteps + StepsPerByte*n steps
// for an n-byte subject. A step costs a few nanoseconds, so the base lets
// any pattern work for some tens of milliseconds on a short subject, and
// the part per byte lets ordinary patterns, which take a handful of steps
// per byte of subject (gsub over every byte, trimming, splitting on
// commas), scan many megabytes. A pattern that backtracks quadratically or
// worse, such as several .- in a row with no anchor, outgrows it within a
// fraction of a second instead of running for minutes or hours.
const (
	BaseSteps    = 10_000_000
	StepsPerByte = 100
)

// CheckInterval is how many steps the matcher takes between two calls of a
// budget's Check function: rare enough to cost nothing measurable, often
// enough (well under a millisecond) that a stop request is seen at once.
const CheckInterval = 4096

// DefaultLimit is the default budget for a subject of n bytes.
func DefaultLimit(n int) int64 { return BaseSteps + StepsPerByte*int64(n) }

// Budget bounds the work of one or more matches. string.find and match use
// one per call, gsub one for all the matches of a call, and each call of a
// gmatch iterator one of its own. A Budget is not safe for concurrent use.
type Budget struct {
	// Limit is how many steps all the matches made with this budget may
	// take together; 0 means DefaultLimit of the first subject matched.
	Limit int64
	// Check, when not nil, is called every CheckInterval steps; a non-nil
	// error aborts the match and Find returns it as is.
	Check func() error

	used int64
	next int64 // when used reaches it: check, or fail past Limit
}

// Used is how many steps the matches made with b have taken.
func (b *Budget) Used() int64 { return b.used }

// start readies b for a match over a subject of n bytes.
func (b *Budget) start(n int) {
	if b.Limit <= 0 {
		b.Limit = DefaultLimit(n)
	}
	if b.next == 0 {
		b.next = min(b.used+CheckInterval, b.Limit+1)
	}
}

// TooComplexError is a match that took more steps than its budget allows.
type TooComplexError struct {
	Steps      int64 // the budget's limit
	SubjectLen int   // the length of the subject, in bytes
}

func (e *TooComplexError) Error() string {
	return fmt.Sprintf("pattern too complex for a subject of %d bytes (more than %d matching steps): anchor it with ^ or avoid several .- or .* in a row",
		e.SubjectLen, e.Steps)
}

// maxDepth bounds how deeply the matcher recurses (Lua 5.2's MAXCCALLS),
// so that the Go stack stays small whatever the pattern. The matcher
// recurses once per item that may repeat or is optional (*, +, -, ?) on
// the path to the current position, never per character, so only a
// pattern of more than 200 such items can reach it.
const maxDepth = 200

// ErrTooDeep is a match that nested deeper than maxDepth.
var ErrTooDeep = errors.New("pattern too complex (more than 200 nested repetitions)")
