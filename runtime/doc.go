// Package runtime is exorun's Lua host: it builds a fresh, sandboxed
// gopher-lua state for every run, compiles a script once so it can run many
// times, carries cancellation (--timeout, Ctrl-C) into the VM, and turns Lua
// failures into typed Go errors with file:line and a traceback.
//
// The sandbox opens base, table, string, math and coroutine, plus a reduced
// os (time, date, clock, difftime). There is no io, no debug, no os.execute,
// no native loaders; dofile and loadfile are gone, load refuses bytecode, and
// require resolves only built-in modules (the explicit list the caller hands
// in) and Lua files inside the script's own folder.
//
// exit(code [, message]) ends a run with 0 (success), 1 (failure) or 7
// (findings, exitcode.Checks); Run returns it as an *ExitError. No pcall
// can catch it: exit halts the run's guard, and the VM stops at the next
// instruction.
//
// A script cannot take the host down. Every stop (the caller's context,
// exit, a limit) sets a flag the VM reads before each instruction, so
// loops, tail calls, pcall retries and coroutines all stop at once; the
// chunk runs on a goroutine of its own, and one stuck in a Go built-in is
// given up after Limits.Grace (*StuckError). Limits.Memory bounds the
// heap, measured every few milliseconds (*MemoryError, exit code 8);
// since a long copy can keep the watcher from looking, Compile turns `..`
// into a call that checks the heap before a large result, as string.rep
// and table.concat do (concat.go). The
// string pattern functions run on luapattern, a Lua 5.1 matcher with a
// step budget that a stop interrupts. A Go panic in a built-in becomes an
// *InternalError.
//
// The package also holds what every module needs: Go<->Lua value conversion
// with array/object markers, a pretty-printer, and the REPL engine.
package runtime
