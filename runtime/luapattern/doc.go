// Package luapattern reimplements Lua 5.1's pattern matching (the
// patterns of string.find, match, gmatch and gsub) with a step budget, so
// that a costly pattern fails with an error instead of running for minutes.
//
// The matcher follows the backtracking algorithm of Lua 5.1's lstrlib.c,
// so a pattern finds the same match and captures as in Lua 5.1, %f and
// back-references included. Unlike gopher-lua's matcher it counts its
// work: every step of the main loop and every character an expansion
// (*, +, -) or %b tests costs one step of a Budget, and a match that
// exceeds the budget fails with a *TooComplexError. Every CheckInterval
// steps it calls the budget's Check function, so a run's timeout or Ctrl-C
// stops a long match at once. Recursion is bounded (ErrTooDeep), so the Go
// stack stays small whatever the pattern.
//
// Compile parses a pattern once; a *Pattern is immutable and may be used
// for many Find calls. Find returns one match at a time, so gmatch and gsub
// can stop after the first match, or after n.
//
// Where it departs from Lua 5.1: Compile reports an error anywhere in a
// pattern, where Lua 5.1 reports it only if the matcher gets there; %b
// without its two characters says so (Lua 5.2's message) instead of
// "unbalanced pattern"; a pattern may contain '\0' (Lua 5.1 stops reading
// it there in places); and more than 200 nested repetitions fail with
// ErrTooDeep, as in Lua 5.2, where Lua 5.1 would use the C stack.
package luapattern
