// Package progress draws one status line on a terminal while a long call
// runs: the cmdlet, objects and pages so far, the rate, retries and time
// waited on throttling, and the elapsed time.
//
// The line shares stderr with the run's log records, so everything else
// written while it is up goes through Line.Writer (or Line.Wrap): the
// line is erased before such a write and drawn again at the next tick,
// never in the middle of a record. Render, which makes the text, is pure;
// Line only decides when to draw it. The package knows nothing of
// terminals beyond two escape sequences: whether to draw at all (a
// terminal, text logs, no --quiet) is the caller's decision.
package progress
