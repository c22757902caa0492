// Package out is the Lua module "out": it prints a list of records (Lua
// tables) to stdout as an aligned table for people, as CSV or JSON for
// machines, or as a sheet of an Excel workbook, chosen by the --output flag
// (Options.Format) or per call.
//
// Lua functions:
//
//	out.print(rows [, opts])  -- in the call's format, else Options.Format
//	out.table(rows [, opts])  -- always a table
//	out.csv(rows [, opts])    -- always CSV
//	out.json(rows [, opts])   -- always JSON
//	out.format() -> string    -- the default format: "table", "csv", "json" or "xlsx"
//
// rows is a list of records: {{Name = "a", SizeGB = 1}, ...}. A single
// record (a table with string keys that is not a list) prints as one row;
// an empty table is an empty list. Anything callable (a function, or a
// table or userdata with __call, such as a cmdlet's result stream) is an
// iterator: it is called until it returns nil and prints what it gave; an
// error it raises is the script's. opts is a table of:
//
//	columns = {"Name", "SizeGB"}  -- which columns, in this order; default:
//	                              -- the sorted union of the rows' string keys
//	format  = "table"|"csv"|"json"|"xlsx" -- out.print only; wins over
//	                              -- --output ("" keeps the default), except
//	                              -- where Exclusive reserves stdout
//	title   = "Mailboxes"         -- a line above a table; the sheet's name
//	                              -- in xlsx (ignored by CSV and JSON, which
//	                              -- stay machine-readable)
//	path    = "rules.csv"         -- CSV only: write this CSV to a file in the
//	                              -- --out folder instead of stdout; ignored by
//	                              -- the other formats, so one script serves
//	                              -- every --output
//
// Table output has a header row (bold when Options.Color), numbers
// right-aligned, cells as runtime.Text gives them (arrays joined with ", ",
// objects as JSON) except userdata, shown by tostring (a log.secret shows
// [REDACTED]), control characters replaced with U+FFFD, and a last line
// "(N rows)" ("(1 row)"); an empty list prints the header and "(no rows)".
// When Options.Width > 0 the table fits in Width columns: the widest
// columns are narrowed first, numbers are kept whole while the other
// columns can give way, and long cells are cut with an ellipsis (…).
// Headers are never cut: the columns that would not fit at the width of
// their headers (and numbers) are left out, from the last, and the row
// count line says so ("(3 rows; 4 of 9 columns fit, ...)"); the first
// column always shows, so only a first header wider than Width is cut.
// With Options.Color false the output holds no ANSI escapes.
//
// CSV output is RFC 4180 quoting (encoding/csv, "\n" line ends), header
// first; an empty list prints nothing. Stdout holds at most one CSV table,
// so that it parses as one: a second CSV call to stdout (out.print or
// out.csv, even after an empty first one) is an error asking for a path.
// A path is relative to the --out folder (Options.Folders.Out) and
// confined to it as fs.write is; its parent folders are created.
//
// JSON output is one document per call, so several calls make a stream
// that jq or a JSON stream decoder reads: an array of objects, even for
// one record or none ([]), without the title. Each object holds the chosen
// columns in their order (nil values left out, a repeated column once);
// without columns the keys are sorted, since a Lua table has no order of
// its own. Nested tables are encoded as runtime.EncodeJSON does, with
// sorted keys. Indented 2 spaces.
//
// With Options.Exclusive and Format json or csv, stdout is data a program
// reads, so
// a call that would print another format to it (out.table, out.json under
// csv, format = "table") is an error saying so; CSV files (path) and xlsx
// sheets are still written.
//
// xlsx output adds one sheet per call to Options.Workbook, the file
// NAME.xlsx in the --out folder (NAME is the script's name without .lua),
// and prints nothing to stdout; the CLI writes the workbook when the run
// ends. The sheet is named after the title, made valid for Excel: []:*?/\
// become _, at most 31 characters, unique (" (2)" is added); without a
// title it is SheetN. Row 1 is the bold header, frozen; numbers are
// numeric cells, booleans boolean cells, strings text, nil an empty cell,
// other values their table text. Columns are as wide as their widest
// text, at most 60 characters.
package out
