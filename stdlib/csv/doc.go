// Package csv is exorun's "csv" Lua module. Its one job is turning lists of
// Lua tables into CSV text and CSV text into lists of tables, in strings or
// in files confined to the script's folder and the --out folder.
//
// Lua functions:
//
//	csv.encode(rows [, columns]) -> string
//	csv.decode(text [, {header = true}]) -> rows
//	csv.write(rows [, {columns = {...}, path = "x.csv"}]) -> number of rows
//	csv.read(path [, {from = "script" | "out", header = true}]) -> rows
//
// rows is a list of tables keyed by column name. columns, a list of names,
// fixes which columns are written and in what order (a header row first);
// without it the columns are the sorted union of the rows' string keys. A
// cell is the text of its value: strings as they are, integral numbers
// without a fraction, nil as "", lists joined with ", ", other tables as
// compact JSON. When columns is omitted and every row is a list, the rows are
// written as they are, without a header. Fields are quoted as RFC 4180 says;
// lines end in "\n".
//
// csv.decode and csv.read give a list of tables keyed by the header row, all
// values strings; with header = false, each row is a list of strings. A
// leading UTF-8 byte order mark, and a first line starting with "#TYPE " (as
// Windows PowerShell's Export-Csv writes), are skipped. A row whose field
// count differs from the header's raises an error that names its line.
//
// csv.write writes to path inside the --out folder, creating parent folders,
// or to standard output when no path is given. csv.read reads path from the
// script's folder, or from the --out folder with from = "out". Paths are
// relative; an absolute path, a ".." that climbs out, or a symlink that
// points outside the folder is refused.
package csv
