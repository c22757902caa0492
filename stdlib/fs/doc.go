// Package fs is exorun's "fs" Lua module: file access confined to the
// script's own folder and the --out folder, nothing else.
//
// Reads resolve against the script's folder unless {from = "out"} is given;
// writes always go to the --out folder. Every path is relative and
// slash-separated ("reports/today.csv"; backslashes are accepted). An
// absolute path, a drive letter, a ".." that climbs out, or a symbolic link
// that points outside fails with an error that names the path and the
// folder it would leave.
//
//	fs.read(path [, {from = "script"|"out"}]) -> string
//	fs.exists(path [, {from = "script"|"out"}]) -> boolean
//	fs.list(dir [, {from = "script"|"out"}]) -> sorted array of names; folders end with "/"
//	fs.write(path, data)   -- create or truncate, in --out; creates parent folders
//	fs.append(path, data)  -- append, in --out; creates the file and parent folders
//	fs.mkdir(path)         -- create a folder and its parents, in --out
//	fs.remove(path) -> boolean  -- remove a file or empty folder in --out; false if it was absent
//
// data is a string (a number is written as its text). Errors are raised as
// Lua error tables whose Go error, for escapes, wraps runtime.ErrEscape.
package fs
