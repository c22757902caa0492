// Package exitcode is the one place that defines exorun's process exit codes
// and the typed error that carries one to the command line.
//
// Every package may return an *exitcode.Error (or wrap one); the CLI turns the
// first one it finds in an error chain into the process exit status. The
// README repeats the table in Codes; a test keeps the two in step.
package exitcode
