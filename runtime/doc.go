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
// can catch it: exit cancels the run's context, and the VM stops at the
// next instruction.
//
// The package also holds what every module needs: Go<->Lua value conversion
// with array/object markers, a pretty-printer, and the REPL engine.
package runtime
