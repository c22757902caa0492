// Package repl is the interactive REPL's engine apart from the terminal: Tab completion, history entries, how values are shown, and help.
package repl
