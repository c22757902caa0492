package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/exorun/exorun/runtime"
	lua "github.com/yuin/gopher-lua"
)

// encode is csv.encode(rows [, columns]).
func encode(L *lua.LState) int {
	const fn = "csv.encode"
	rows := checkRows(L, fn, 1)
	var columns []string
	if v := L.Get(2); v != lua.LNil {
		columns = checkColumns(L, fn, "bad argument #2", v)
	}
	data, _, err := format(rows, columns)
	if err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(lua.LString(data))
	return 1
}

// decode is csv.decode(text [, {header = true}]).
func decode(L *lua.LState) int {
	const fn = "csv.decode"
	text, ok := L.Get(1).(lua.LString)
	if !ok {
		L.RaiseError("%s: bad argument #1: expected a string, got %s", fn, L.Get(1).Type())
	}
	header := headerOption(L, fn, runtime.OptionsArg(L, fn, 2, "header"))
	records, err := parse(string(text), header)
	if err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(toRows(L, records, header))
	return 1
}

// write is csv.write(rows [, {columns = {...}, path = "x.csv"}]).
func (m *module) write(L *lua.LState) int {
	const fn = "csv.write"
	rows := checkRows(L, fn, 1)
	opts := runtime.OptionsArg(L, fn, 2, "columns", "path")
	var columns []string
	var target string
	if opts != nil {
		if v := opts.RawGetString("columns"); v != lua.LNil {
			columns = checkColumns(L, fn, "option columns", v)
		}
		switch v := opts.RawGetString("path").(type) {
		case *lua.LNilType:
		case lua.LString:
			target = string(v)
			if target == "" {
				L.RaiseError("%s: option path is empty", fn)
			}
		default:
			L.RaiseError("%s: option path must be a string, got %s", fn, v.Type())
		}
	}
	data, n, err := format(rows, columns)
	if err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	if target == "" {
		if _, err := io.WriteString(m.opts.Stdout, data); err != nil {
			L.RaiseError("%s: standard output: %v", fn, err)
		}
	} else if err := writeFile(m.opts.Folders.Out, target, []byte(data)); err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

// read is csv.read(path [, {from = "script" | "out", header = true}]).
func (m *module) read(L *lua.LState) int {
	const fn = "csv.read"
	p, ok := L.Get(1).(lua.LString)
	if !ok {
		L.RaiseError("%s: bad argument #1: expected a path string, got %s", fn, L.Get(1).Type())
	}
	opts := runtime.OptionsArg(L, fn, 2, "from", "header")
	header := headerOption(L, fn, opts)
	dir, folder := m.opts.Folders.Script, "the script's folder"
	if opts != nil {
		switch v := opts.RawGetString("from"); v {
		case lua.LNil, lua.LString("script"):
		case lua.LString("out"):
			dir, folder = m.opts.Folders.Out, "the --out folder"
		default:
			L.RaiseError("%s: option from must be \"script\" or \"out\", got %s", fn, describe(v))
		}
	}
	data, err := readFile(dir, folder, string(p))
	if err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	records, err := parse(string(data), header)
	if err != nil {
		L.RaiseError("%s: %s: %v", fn, p, err)
	}
	L.Push(toRows(L, records, header))
	return 1
}

// format renders rows as CSV text and returns it with the number of data
// rows. columns nil means the sorted union of the rows' string keys, or, when
// every row is a list, the rows as they are with no header.
func format(rows []*lua.LTable, columns []string) (string, int, error) {
	var records [][]string
	if columns == nil && len(rows) > 0 && allLists(rows) {
		width := rows[0].Len()
		for i, row := range rows {
			if row.Len() != width {
				return "", 0, fmt.Errorf("row %d has %d values, row 1 has %d; every row of a CSV file has the same number of fields", i+1, row.Len(), width)
			}
			record := make([]string, width)
			for j := range record {
				cell, err := text(row.RawGetInt(j + 1))
				if err != nil {
					return "", 0, fmt.Errorf("row %d, value %d: %v", i+1, j+1, err)
				}
				record[j] = cell
			}
			records = append(records, record)
		}
	} else {
		if columns == nil {
			columns = runtime.UnionKeys(rows)
			if len(columns) == 0 {
				return "", 0, nil
			}
		}
		records = append(records, columns)
		for i, row := range rows {
			if runtime.IsArray(row) && row.Len() > 0 {
				return "", 0, fmt.Errorf("row %d is a list of values, not a table keyed by column name; pass keyed rows, or only lists and no columns", i+1)
			}
			record := make([]string, len(columns))
			for j, col := range columns {
				cell, err := text(row.RawGetString(col))
				if err != nil {
					return "", 0, fmt.Errorf("row %d, column %q: %v", i+1, col, err)
				}
				record[j] = cell
			}
			records = append(records, record)
		}
	}
	var b bytes.Buffer
	w := stdcsv.NewWriter(&b)
	if err := w.WriteAll(records); err != nil {
		return "", 0, err
	}
	return b.String(), len(rows), nil
}

// allLists reports whether every row is a non-empty list.
func allLists(rows []*lua.LTable) bool {
	for _, row := range rows {
		if !runtime.IsArray(row) || row.Len() == 0 {
			return false
		}
	}
	return true
}

// text is the CSV field of a value; values that have no text are errors.
func text(v lua.LValue) (string, error) {
	switch v.(type) {
	case *lua.LNilType, lua.LBool, lua.LNumber, lua.LString:
	case *lua.LTable:
		if _, err := runtime.FromLua(v); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("%s cannot be a CSV field", typeName(v))
	}
	return runtime.Text(v), nil
}

// parse reads CSV text into records. With header, the first record is the
// header, it may not repeat a name, and an input with only a header has no
// rows. Every record must have as many fields as the first.
func parse(text string, header bool) ([][]string, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	skipped := 0
	if strings.HasPrefix(text, "#TYPE ") {
		// Windows PowerShell's Export-Csv names the .NET type on line 1.
		skipped = 1
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i+1:]
		} else {
			text = ""
		}
	}
	r := stdcsv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	var records [][]string
	for {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *stdcsv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d, column %d: %v", pe.Line+skipped, pe.Column, pe.Err)
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		line += skipped
		if len(records) == 0 {
			if header {
				if dup := duplicate(record); dup != "" {
					return nil, fmt.Errorf("line %d: the header names column %q twice", line, dup)
				}
			}
		} else if want := len(records[0]); len(record) != want {
			first := "line 1"
			if header {
				first = "the header"
			}
			return nil, fmt.Errorf("line %d: %d fields, but %s has %d", line, len(record), first, want)
		}
		records = append(records, record)
	}
	return records, nil
}

// duplicate returns a name that occurs twice in names, or "".
func duplicate(names []string) string {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return n
		}
		seen[n] = true
	}
	return ""
}

// toRows turns records into a Lua list (marked as an array) of rows: tables
// keyed by the header, or lists of strings without one.
func toRows(L *lua.LState, records [][]string, header bool) *lua.LTable {
	if !header {
		rows := runtime.NewArray(L, len(records))
		for _, record := range records {
			rows.Append(runtime.ToLua(L, record))
		}
		return rows
	}
	if len(records) == 0 {
		return runtime.NewArray(L, 0)
	}
	columns, data := records[0], records[1:]
	rows := runtime.NewArray(L, len(data))
	for _, record := range data {
		row := L.CreateTable(0, len(columns))
		for i, col := range columns {
			row.RawSetString(col, lua.LString(record[i]))
		}
		rows.Append(row)
	}
	return rows
}

// writeFile writes data to p inside dir, creating p's parent folders.
func writeFile(dir runtime.Dir, p string, data []byte) error {
	name, err := runtime.CleanPath(p)
	if err != nil {
		return err
	}
	if dir == nil {
		return fmt.Errorf("%s: no output folder is available", p)
	}
	if parent := path.Dir(name); parent != "." {
		if err := dir.MkdirAll(parent); err != nil {
			return fileError(p, err)
		}
	}
	w, err := dir.Create(name)
	if err != nil {
		return fileError(p, err)
	}
	_, err = w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fileError(p, err)
	}
	return nil
}

// readFile reads p inside dir, which folder names for errors.
func readFile(dir runtime.Dir, folder, p string) ([]byte, error) {
	name, err := runtime.CleanPath(p)
	if err != nil {
		return nil, err
	}
	if dir == nil {
		return nil, fmt.Errorf("%s: %s is not available", p, folder)
	}
	data, err := fs.ReadFile(dir, name)
	if err != nil {
		return nil, fileError(p, err)
	}
	return data, nil
}

// fileError says what went wrong with the file p in words a script author
// needs, without the system call's name.
func fileError(p string, err error) error {
	switch {
	case escapes(err):
		return fmt.Errorf("%s: %w", p, runtime.ErrEscape)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", p)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied", p)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", p, pe.Err)
	}
	return fmt.Errorf("%s: %v", p, err)
}

// escapes reports whether err says a path left its folder: runtime.ErrEscape,
// or os.Root's "path escapes from parent" (a symlink that points outside),
// which os does not export.
func escapes(err error) bool {
	return errors.Is(err, runtime.ErrEscape) || strings.Contains(err.Error(), "path escapes from parent")
}

// checkRows returns argument n as a list of tables.
func checkRows(L *lua.LState, fn string, n int) []*lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		L.RaiseError("%s: bad argument #%d: expected a list of rows, got %s", fn, n, L.Get(n).Type())
	}
	if key := nonListKey(t); key != "" {
		L.RaiseError("%s: bad argument #%d: expected a list of rows, got a table with the key %s (wrap a single row in {})", fn, n, key)
	}
	rows := make([]*lua.LTable, t.Len())
	for i := range rows {
		v := t.RawGetInt(i + 1)
		row, ok := v.(*lua.LTable)
		if !ok {
			L.RaiseError("%s: row %d is %s, not a table", fn, i+1, typeName(v))
		}
		rows[i] = row
	}
	return rows
}

// nonListKey returns a key of t that a list 1..n cannot have, "" if none.
func nonListKey(t *lua.LTable) string {
	n := t.Len()
	var bad []string
	t.ForEach(func(k, _ lua.LValue) {
		switch x := k.(type) {
		case lua.LNumber:
			if f := float64(x); f != math.Trunc(f) || f < 1 || int(f) > n {
				bad = append(bad, x.String())
			}
		case lua.LString:
			bad = append(bad, fmt.Sprintf("%q", string(x)))
		default:
			bad = append(bad, x.String())
		}
	})
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return bad[0]
}

// checkColumns returns v as a non-empty list of column names; what names the
// value in errors.
func checkColumns(L *lua.LState, fn, what string, v lua.LValue) []string {
	t, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("%s: %s: expected a list of column names, got %s", fn, what, v.Type())
	}
	if key := nonListKey(t); key != "" {
		L.RaiseError("%s: %s: expected a list of column names, got a table with the key %s", fn, what, key)
	}
	if t.Len() == 0 {
		L.RaiseError("%s: %s: the list of column names is empty", fn, what)
	}
	columns := make([]string, t.Len())
	for i := range columns {
		s, ok := t.RawGetInt(i + 1).(lua.LString)
		if !ok {
			L.RaiseError("%s: %s: column %d is %s, not a string", fn, what, i+1, typeName(t.RawGetInt(i+1)))
		}
		columns[i] = string(s)
	}
	return columns
}

// headerOption is the header option (default true) of an options table.
func headerOption(L *lua.LState, fn string, opts *lua.LTable) bool {
	if opts == nil {
		return true
	}
	switch v := opts.RawGetString("header").(type) {
	case *lua.LNilType:
		return true
	case lua.LBool:
		return bool(v)
	default:
		L.RaiseError("%s: option header must be a boolean, got %s", fn, v.Type())
	}
	return true
}

// describe is a short text of an option value for an error message.
func describe(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return fmt.Sprintf("%q", string(s))
	}
	return v.Type().String()
}

// typeName is "nil" or "a <type>", for "row 2 is a string".
func typeName(v lua.LValue) string {
	if v == lua.LNil {
		return "nil"
	}
	return "a " + v.Type().String()
}
