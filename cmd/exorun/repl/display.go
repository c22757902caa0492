package repl

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/out"
)

// Display shows the values a REPL chunk returned the way PowerShell shows
// a pipeline's output: a result stream or a list of records as a table, a
// record too wide for one line as a list of its properties, other values as Lua literals.
//
// In table format a stream is read to MaxRows objects only, since reading
// on fetches pages nobody asked to see; in json and csv format it is read
// to its end, since that is what someone switching to data wants.
type Display struct {
	Out     io.Writer
	Width   int    // terminal columns; 0 means 80
	MaxRows int    // rows of a list or stream shown before the rest is cut; 0 means 20
	Format  string // "table" (default), "json" or "csv" (the REPL's .output)
	// MaxLines is the most lines one chunk's values are shown in, in
	// table format, so a long value never floods the screen; 0 means 60.
	MaxLines int

	// last is the stream shown last with objects left, for More.
	last *lua.LUserData
}

const (
	defaultWidth   = 80
	defaultMaxRows = 20
	// defaultMaxLines is a screenful and a half: more than any table of
	// defaultMaxRows rows needs.
	defaultMaxLines = 60
	// allKeysUpTo is the most keys a list's records may have for every
	// one to be a column; past it the identity keys come first and only
	// scalar keys follow.
	allKeysUpTo = 6
	ellipsis    = "…"
	// The notes under a table cut short: a stream cannot know how many
	// objects are left without fetching them all, a list can.
	moreObjects = ellipsis + " more: .more shows the next ones; :all() on the stream, or a loop over it, gives the rest"
	moreRows    = ellipsis + " %d more (out.print(t) shows them all)"
	moreColumns = "(%d of %d columns; :show(...) or out.print(t, {columns = {...}}) for others)"
)

// identityKeys are the properties that name an object, the first columns
// of a list whose records have too many keys to show them all.
func identityKeys() []string {
	return []string{"Name", "DisplayName", "Identity", "Alias", "PrimarySmtpAddress", "UserPrincipalName", "RecipientTypeDetails"}
}

// Show prints values. It runs inside the chunk (L is the chunk's state,
// under the chunk's context): reading a stream may fetch pages, and a stop
// or a failed page raises in L as the chunk's error. So does a value json
// cannot hold, or a failed write.
func (d *Display) Show(L *lua.LState, values []lua.LValue) {
	var b strings.Builder
	var plain []string // plain values wait here, to share a line
	flush := func() {
		if len(plain) > 0 {
			b.WriteString(strings.Join(plain, "\t") + "\n")
			plain = nil
		}
	}
	for _, v := range values {
		if d.Format == "json" {
			d.json(L, &b, v)
			continue
		}
		switch {
		case isStream(L, v):
			flush()
			d.stream(L, &b, v.(*lua.LUserData))
		case isList(v):
			flush()
			d.list(L, &b, listRows(v.(*lua.LTable)))
		case isRecord(v) && !d.fitsOneLine(v):
			flush()
			d.record(L, &b, v.(*lua.LTable))
		default:
			plain = append(plain, runtime.Format(v))
		}
	}
	flush()
	d.write(L, b.String())
}

// More shows the next objects of the stream shown last, where the REPL's
// .more asks for them; it says so when there is none.
func (d *Display) More(L *lua.LState) {
	if d.last == nil {
		d.write(L, "no stream left to continue: .more follows a table that ended with "+ellipsis+" more\n")
		return
	}
	var b strings.Builder
	d.stream(L, &b, d.last)
	d.write(L, b.String())
}

// write writes out, in table format cut to MaxLines lines with a note of
// how many were left, so a long value never floods the screen.
func (d *Display) write(L *lua.LState, out string) {
	maxLines := d.MaxLines
	if maxLines <= 0 {
		maxLines = defaultMaxLines
	}
	if d.Format == "" || d.Format == "table" {
		if lines := strings.SplitAfter(out, "\n"); len(lines) > maxLines+1 {
			left := len(lines) - maxLines
			if lines[len(lines)-1] == "" {
				left--
			}
			out = strings.Join(lines[:maxLines], "") +
				fmt.Sprintf("%s %d more lines (print(...), out.print(...) or .output json show everything)\n", ellipsis, left)
		}
	}
	if _, err := io.WriteString(d.Out, out); err != nil {
		runtime.Raise(L, fmt.Errorf("display: write: %w", err))
	}
}

// fitsOneLine reports whether v's Lua literal fits on one line: a small
// table the user built stays the literal they would write, a record from
// a cmdlet (a mailbox has 150 fields) is shown one field a line.
func (d *Display) fitsOneLine(v lua.LValue) bool {
	s := runtime.Format(v)
	return !strings.Contains(s, "\n") && len(s) <= d.width()
}

func (d *Display) width() int {
	if d.Width > 0 {
		return d.Width
	}
	return defaultWidth
}

func (d *Display) maxRows() int {
	if d.MaxRows > 0 {
		return d.MaxRows
	}
	return defaultMaxRows
}

// stream shows a result stream: as a table of its first objects in the
// columns chosen with :show, else the cmdlet's default view, else those a
// list would get; as CSV of all its objects, with every key when neither
// chose columns.
func (d *Display) stream(L *lua.LState, b *strings.Builder, ud *lua.LUserData) {
	s := stream{L, ud}
	cols := s.columns()
	if d.Format == "csv" {
		rows := s.read(-1)
		if cols == nil {
			cols = runtime.UnionKeys(rows)
		}
		d.csv(L, b, rows, cols)
		return
	}
	rows := s.read(d.maxRows())
	more := d.maxRows() > 0 && s.more()
	d.last = nil
	if more {
		d.last = ud
	}
	if len(rows) == 0 {
		b.WriteString("(no objects)\n")
		return
	}
	total := len(cols)
	if cols == nil {
		cols, total = listColumns(rows)
	}
	d.table(L, b, rows, cols, total)
	if more {
		d.note(b, moreObjects)
	}
}

// list shows a list of records: a table of its first MaxRows, or CSV of
// them all with every key as a column.
func (d *Display) list(L *lua.LState, b *strings.Builder, rows []*lua.LTable) {
	if d.Format == "csv" {
		d.csv(L, b, rows, runtime.UnionKeys(rows))
		return
	}
	shown := rows[:min(len(rows), d.maxRows())]
	cols, total := listColumns(shown)
	d.table(L, b, shown, cols, total)
	if left := len(rows) - len(shown); left > 0 {
		d.note(b, fmt.Sprintf(moreRows, left))
	}
}

// table draws rows in the columns that fit the width, from the first;
// when fewer than total show, a note says how to see the others.
func (d *Display) table(L *lua.LState, b *strings.Builder, rows []*lua.LTable, cols []string, total int) {
	shown, err := out.WriteTable(L, b, rows, cols, d.width())
	if err != nil {
		runtime.Raise(L, fmt.Errorf("display: %w", err))
	}
	if shown < total {
		d.note(b, fmt.Sprintf(moreColumns, shown, total))
	}
}

// record shows one record as PowerShell's Format-List does: a line per
// key, sorted, names padded to the longest, each value on one line cut to
// the width. In csv format it is a one-row table of its keys.
func (d *Display) record(L *lua.LState, b *strings.Builder, t *lua.LTable) {
	keys := runtime.SortedKeys(t)
	if d.Format == "csv" {
		d.csv(L, b, []*lua.LTable{t}, keys)
		return
	}
	pad := 0
	for _, k := range keys {
		pad = max(pad, twwidth.Width(oneLine(k)))
	}
	for _, k := range keys {
		name := oneLine(k)
		name += strings.Repeat(" ", pad-twwidth.Width(name))
		line := name + " : " + fieldText(L, t.RawGetString(k))
		b.WriteString(cut(line, d.width()) + "\n")
	}
}

func (d *Display) csv(L *lua.LState, b *strings.Builder, rows []*lua.LTable, cols []string) {
	if err := out.WriteCSV(L, b, rows, cols); err != nil {
		runtime.Raise(L, fmt.Errorf("display as csv: %w", err))
	}
}

// json writes v as one JSON document: a stream as the array of all its
// objects (in the columns :show chose, if any), other values as
// runtime.EncodeJSON gives them.
func (d *Display) json(L *lua.LState, b *strings.Builder, v lua.LValue) {
	if isStream(L, v) {
		s := stream{L, v.(*lua.LUserData)}
		rows := s.read(-1)
		cols := s.chosen()
		if cols == nil {
			cols = runtime.UnionKeys(rows)
		}
		if err := out.WriteJSON(L, b, rows, cols); err != nil {
			runtime.Raise(L, fmt.Errorf("display as json: %w", err))
		}
		return
	}
	doc, err := runtime.EncodeJSON(v, "  ")
	if err != nil {
		runtime.Raise(L, fmt.Errorf("display as json: %w", err))
	}
	b.Write(doc)
	b.WriteByte('\n')
}

// note writes a line under a table, wrapped at spaces to the width.
func (d *Display) note(b *strings.Builder, text string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && twwidth.Width(line+" "+word) > d.width() {
			b.WriteString(line + "\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
}

// stream is a result stream as the display reads it: through its Lua
// methods and fields, as a script would, so pages are fetched under the
// chunk's context and a failure raises in the chunk.
type stream struct {
	L  *lua.LState
	ud *lua.LUserData
}

func isStream(L *lua.LState, v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	return ok && ud.Metatable != lua.LNil && ud.Metatable == L.GetTypeMetatable(bindings.ResultsType)
}

// call calls the stream's method and returns its first result.
func (s stream) call(method string) lua.LValue {
	s.L.Push(s.L.GetField(s.ud, method))
	s.L.Push(s.ud)
	s.L.Call(1, 1)
	v := s.L.Get(-1)
	s.L.Pop(1)
	return v
}

// read returns the stream's next objects, at most limit (all for
// limit < 0).
func (s stream) read(limit int) (rows []*lua.LTable) {
	for limit < 0 || len(rows) < limit {
		v := s.call("next")
		if v == lua.LNil {
			return rows
		}
		t, ok := v.(*lua.LTable)
		if !ok {
			s.L.RaiseError("display: the stream gave a %s, not an object", v.Type())
		}
		rows = append(rows, t)
	}
	return rows
}

// more reports whether the stream has objects left; the one it may read
// to know stays in the stream (its .more field).
func (s stream) more() bool {
	return s.L.GetField(s.ud, "more") == lua.LTrue
}

// chosen returns the columns chosen with :show, or nil.
func (s stream) chosen() []string {
	t, ok := s.L.GetField(s.ud, "columns").(*lua.LTable)
	if !ok {
		return nil
	}
	cols := make([]string, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		cols = append(cols, lua.LVAsString(t.RawGetInt(i)))
	}
	return cols
}

// columns returns the chosen columns, else the cmdlet's default view,
// else nil.
func (s stream) columns() []string {
	if cols := s.chosen(); cols != nil {
		return cols
	}
	return catalog.DefaultView(lua.LVAsString(s.L.GetField(s.ud, "cmdlet")))
}

// isRecord reports whether v is a record: a table with string keys only,
// at least one, that is not an array.
func isRecord(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok || runtime.IsArray(t) {
		return false
	}
	keys, strs := 0, 0
	t.ForEach(func(k, _ lua.LValue) {
		keys++
		if _, ok := k.(lua.LString); ok {
			strs++
		}
	})
	return keys > 0 && keys == strs
}

// isList reports whether v is a non-empty array of records.
func isList(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok || !runtime.IsArray(t) || t.Len() == 0 {
		return false
	}
	for i := 1; i <= t.Len(); i++ {
		if !isRecord(t.RawGetInt(i)) {
			return false
		}
	}
	return true
}

func listRows(t *lua.LTable) []*lua.LTable {
	rows := make([]*lua.LTable, t.Len())
	for i := range rows {
		rows[i] = t.RawGetInt(i + 1).(*lua.LTable)
	}
	return rows
}

// listColumns chooses the columns of records that came without any, in
// the order they are offered to the width: all their keys when there are
// few, else the identity keys they have, then their scalar keys (a nested
// table says little in a cell), each in alphabetical order. It also
// returns how many keys the records have.
func listColumns(rows []*lua.LTable) (cols []string, total int) {
	keys := runtime.UnionKeys(rows)
	nested := map[string]bool{}
	for _, r := range rows {
		r.ForEach(func(k, v lua.LValue) {
			if _, ok := v.(*lua.LTable); ok {
				nested[lua.LVAsString(k)] = true
			}
		})
	}
	taken := map[string]bool{}
	for _, k := range identityKeys() {
		if hasKey(rows, k) {
			cols = append(cols, k)
			taken[k] = true
		}
	}
	for _, k := range keys {
		if !taken[k] && (len(keys) <= allKeysUpTo || !nested[k]) {
			cols = append(cols, k)
		}
	}
	return cols, len(keys)
}

func hasKey(rows []*lua.LTable, key string) bool {
	for _, r := range rows {
		if r.RawGetString(key) != lua.LNil {
			return true
		}
	}
	return false
}

// fieldText is a value in a Format-List line: scalars as text, a list as
// {a, b, c}, another table as a Lua literal, all on one line.
func fieldText(L *lua.LState, v lua.LValue) string {
	switch x := v.(type) {
	case *lua.LTable:
		if !runtime.IsArray(x) {
			return oneLine(runtime.Format(x))
		}
		items := make([]string, x.Len())
		for i := range items {
			items[i] = fieldText(L, x.RawGetInt(i+1))
		}
		return "{" + strings.Join(items, ", ") + "}"
	case *lua.LUserData:
		if L.GetMetaField(x, "__tostring") != lua.LNil {
			return oneLine(L.ToStringMeta(x).String())
		}
		return runtime.Format(x)
	case *lua.LFunction:
		return runtime.Format(x)
	}
	return oneLine(runtime.Text(v))
}

// oneLine puts text on one line safe for a terminal: a line break and
// the next line's indent (runtime.Format's long tables) become a space, a
// tab or carriage return too; other control characters (ESC included)
// become U+FFFD.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.TrimLeft(lines[i], " \t")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return unicode.ReplacementChar
		}
		return r
	}, strings.Join(lines, " "))
}

// cut shortens s to width columns, ending it with an ellipsis.
func cut(s string, width int) string {
	if twwidth.Width(s) <= width {
		return s
	}
	return twwidth.Truncate(s, width, ellipsis)
}
