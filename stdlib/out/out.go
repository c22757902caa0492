package out

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

const (
	ellipsis  = "…"
	boldOn    = "\x1b[1m"
	boldOff   = "\x1b[0m"
	noRows    = "(no rows)"
	minColumn = 1 // narrowest a column gets when fitting a width
)

// request is one parsed call: what to print and how.
type request struct {
	rows    []*lua.LTable
	columns []string
	format  string
	title   string
	path    string // a CSV file in the --out folder instead of stdout
	tenant  string // JSON only: stamped on every row (Options.Tenant)
}

// request parses (rows [, opts]) from the Lua stack. forced is the format
// of out.table/csv/json, "" for out.print.
func (p *printer) request(L *lua.LState, forced string) (*request, error) {
	rows, err := records(L, L.Get(1))
	if err != nil {
		return nil, err
	}
	req := &request{rows: rows, format: forced}
	if req.format == "" {
		if req.format, err = ParseFormat(p.opts.Format); err != nil {
			return nil, err
		}
	}
	switch o := L.Get(2).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		if err := req.options(o, forced); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("options must be a table, got %s", o.Type())
	}
	if req.columns == nil {
		req.columns = runtime.UnionKeys(req.rows)
	}
	return req, nil
}

// options applies the opts table of a call.
func (req *request) options(o *lua.LTable, forced string) error {
	var err error
	o.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		key, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("options: unexpected key %s (want columns, format, path or title)", runtime.Format(k))
			return
		}
		switch key {
		case "columns":
			req.columns, err = columnList(v)
		case "format":
			s, ok := v.(lua.LString)
			if !ok {
				err = fmt.Errorf("options: format must be a string, got %s", v.Type())
				return
			}
			if forced != "" {
				err = fmt.Errorf("options: format is not allowed here (this function always prints %s; use out.print to choose)", forced)
				return
			}
			if s == "" { // keep the default, so format = params.format or "" works
				return
			}
			req.format, err = ParseFormat(string(s))
			if err != nil {
				err = fmt.Errorf("options: %w", err)
			}
		case "title":
			s, ok := v.(lua.LString)
			if !ok {
				err = fmt.Errorf("options: title must be a string, got %s", v.Type())
				return
			}
			req.title = string(s)
		case "path":
			req.path, err = pathOption(v)
		default:
			err = fmt.Errorf("options: unknown option %q (want columns, format, path or title)", string(key))
		}
	})
	return err
}

// pathOption checks the path option. It is checked in every format, though
// only CSV uses it, so a bad path fails the same way whatever --output is.
func pathOption(v lua.LValue) (string, error) {
	s, ok := v.(lua.LString)
	if !ok {
		return "", fmt.Errorf("options: path must be a string, got %s", v.Type())
	}
	if _, err := runtime.CleanPath(string(s)); err != nil {
		return "", fmt.Errorf("options: path: %w", err)
	}
	return string(s), nil
}

// records turns the rows argument into a list of records: a list, one
// record, or anything callable (a cmdlet's result stream, an iterator
// function) that gives records until nil.
func records(L *lua.LState, v lua.LValue) ([]*lua.LTable, error) {
	if callable(L, v) {
		return drain(L, v)
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("rows must be a list of records (tables) or an iterator of them, got %s", v.Type())
	}
	if k, _ := t.Next(lua.LNil); k == lua.LNil {
		return nil, nil
	}
	if !runtime.IsArray(t) {
		if len(runtime.SortedKeys(t)) == 0 {
			return nil, fmt.Errorf("rows must be a list of records (tables), got a table with no string keys that is not a list")
		}
		return []*lua.LTable{t}, nil
	}
	rows := make([]*lua.LTable, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		r, ok := t.RawGetInt(i).(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("rows[%d] is a %s, want a record (table)", i, t.RawGetInt(i).Type())
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// callable reports whether v can be called: a function, or a table or
// userdata with a __call metamethod. The out module cannot know the
// bindings' result stream, so it reads any iterator alike.
func callable(L *lua.LState, v lua.LValue) bool {
	switch v.(type) {
	case *lua.LFunction:
		return true
	case *lua.LTable, *lua.LUserData:
		return L.GetMetaField(v, "__call") != lua.LNil
	}
	return false
}

// drain calls the iterator iter until it gives nil. The calls are not
// protected: an error of the iterator (a failed page, a stop) is the
// script's, as it would be in a for loop over it.
func drain(L *lua.LState, iter lua.LValue) ([]*lua.LTable, error) {
	var rows []*lua.LTable
	for {
		L.Push(iter)
		L.Call(0, 1)
		v := L.Get(-1)
		L.Pop(1)
		switch r := v.(type) {
		case *lua.LNilType:
			return rows, nil
		case *lua.LTable:
			rows = append(rows, r)
		default:
			return nil, fmt.Errorf("rows[%d] (from the iterator) is a %s, want a record (table)", len(rows)+1, v.Type())
		}
	}
}

// columnList checks the columns option: a list of strings.
func columnList(v lua.LValue) ([]string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("options: columns must be a list of strings, got %s", v.Type())
	}
	if k, _ := t.Next(lua.LNil); k != lua.LNil && !runtime.IsArray(t) {
		return nil, fmt.Errorf("options: columns must be a list of strings, got a table with other keys")
	}
	cols := make([]string, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("options: columns[%d] is a %s, want a string", i, t.RawGetInt(i).Type())
		}
		cols = append(cols, string(s))
	}
	return cols, nil
}

// cellText is the text of a value in a cell or CSV field: for userdata its
// tostring (a log.secret shows [REDACTED]), else runtime.Text.
func cellText(L *lua.LState, v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		if L.GetMetaField(ud, "__tostring") != lua.LNil {
			return L.ToStringMeta(ud).String()
		}
		return "<userdata>"
	}
	return runtime.Text(v)
}

// sanitize makes text safe for a terminal cell: tabs become a space, other
// control characters (ESC included) U+FFFD; line breaks stay.
func sanitize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

func writeCSV(L *lua.LState, w io.Writer, req *request) error {
	if len(req.rows) == 0 {
		return nil
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(req.columns); err != nil {
		return err
	}
	rec := make([]string, len(req.columns))
	for _, r := range req.rows {
		for i, c := range req.columns {
			rec[i] = cellText(L, r.RawGetString(c))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable prints req for a terminal: the title, the table and a line
// with the row count, which also says how many columns were shown when
// some did not fit the width.
func writeTable(L *lua.LState, w io.Writer, req *request, width int, color bool) error {
	title := sanitize(req.title)
	if width > 0 {
		title = cut(title, width)
	}
	if title != "" {
		if color {
			title = boldOn + title + boldOff
		}
		if _, err := fmt.Fprintln(w, title); err != nil {
			return err
		}
	}
	shown, err := drawTable(L, w, req.rows, req.columns, width, color)
	if err != nil {
		return err
	}
	var count string
	switch len(req.rows) {
	case 0:
		count = noRows
	case 1:
		count = "(1 row)"
	default:
		count = fmt.Sprintf("(%d rows)", len(req.rows))
	}
	if shown < len(req.columns) {
		// On the count's line, so the table's last line stays its
		// summary; cut like the title, a note wider than the table would
		// undo the fitting.
		count = cut(fmt.Sprintf("%s; %d of %d columns fit, choose with columns = {...})",
			strings.TrimSuffix(count, ")"), shown, len(req.columns)), width)
	}
	_, err = fmt.Fprintln(w, count)
	return err
}

// WriteTable draws rows as out.table does, without the title and the row
// count line, for Go callers that add lines of their own (the REPL). When
// width > 0 it shows the columns that fit, from the first (at least
// one); it returns how many it showed.
func WriteTable(L *lua.LState, w io.Writer, rows []*lua.LTable, columns []string, width int) (int, error) {
	return drawTable(L, w, rows, columns, width, false)
}

// WriteCSV writes rows as out.csv does: the columns as the header, a line
// per row, nothing at all for no rows.
func WriteCSV(L *lua.LState, w io.Writer, rows []*lua.LTable, columns []string) error {
	return writeCSV(L, w, &request{rows: rows, columns: columns})
}

// WriteJSON writes rows as out.json does: one array of objects holding
// the columns in order.
func WriteJSON(L *lua.LState, w io.Writer, rows []*lua.LTable, columns []string) error {
	return writeJSON(L, w, &request{rows: rows, columns: columns})
}

// drawTable renders rows with tablewriter: light box borders, a header
// line, one space of padding, no automatic formatting or wrapping (cells
// are cut to width here, so the layout is fully decided before tablewriter
// sees it). When width > 0, the columns that do not fit are left out
// (fitting) and the others narrowed (fit). It returns how many columns it
// drew; none for no columns.
func drawTable(L *lua.LState, w io.Writer, rows []*lua.LTable, columns []string, width int, color bool) (int, error) {
	n := len(columns)
	if n == 0 {
		return 0, nil
	}
	header := make([]string, n)
	for i, c := range columns {
		header[i] = sanitize(c)
	}
	cells := make([][]string, len(rows))
	// A column is numeric when it holds a number and nothing but numbers
	// and nils.
	numbers := make([]int, n)
	others := make([]int, n)
	for r, row := range rows {
		cells[r] = make([]string, n)
		for i, c := range columns {
			v := row.RawGetString(c)
			cells[r][i] = sanitize(cellText(L, v))
			switch v.(type) {
			case lua.LNumber:
				numbers[i]++
			case *lua.LNilType:
			default:
				others[i]++
			}
		}
	}
	numeric := make([]bool, n)
	for i := range numeric {
		numeric[i] = numbers[i] > 0 && others[i] == 0
	}
	if width > 0 {
		_, floor := measure(header, cells, numeric)
		n = fitting(floor, width)
		header, numeric = header[:n], numeric[:n]
		for r := range cells {
			cells[r] = cells[r][:n]
		}
		fit(header, cells, numeric, width-(3*n+1))
	}
	return n, renderTable(w, header, cells, numeric, color)
}

func renderTable(w io.Writer, header []string, cells [][]string, numeric []bool, color bool) error {
	aligns := make(tw.Alignment, len(header))
	for i, num := range numeric {
		aligns[i] = tw.AlignLeft
		if num {
			aligns[i] = tw.AlignRight
		}
	}
	if color {
		bold := make([]string, len(header))
		for i, h := range header {
			bold[i] = boldOn + h + boldOff
		}
		header = bold
	}
	table := tablewriter.NewTable(w, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
		Borders: tw.Border{Left: tw.On, Right: tw.On, Top: tw.On, Bottom: tw.On},
		Symbols: tw.NewSymbols(tw.StyleLight),
		Settings: tw.Settings{
			Separators: tw.Separators{ShowHeader: tw.On, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.On},
			Lines:      tw.Lines{ShowTop: tw.On, ShowBottom: tw.On, ShowHeaderLine: tw.On, ShowFooterLine: tw.Off},
		},
	})))
	table.Configure(func(cfg *tablewriter.Config) {
		cfg.MaxWidth = 0
		cfg.Widths = tw.CellWidth{}
		cfg.Behavior = tw.Behavior{AutoHide: tw.Off, TrimSpace: tw.Off, TrimLine: tw.Off, TrimTab: tw.Off}
		section := tw.CellConfig{
			Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
			Padding:    tw.CellPadding{Global: tw.PaddingDefault},
			Alignment:  tw.CellAlignment{Global: tw.AlignLeft, PerColumn: aligns},
		}
		cfg.Header = section
		cfg.Row = section
		cfg.Footer = section
	})
	table.Header(header)
	for _, row := range cells {
		if err := table.Append(row); err != nil {
			return err
		}
	}
	return table.Render()
}

// measure returns each column's natural width (its widest line) and its
// floor, the narrowest it may get: its header's width, since a header cut
// to "A…" names nothing, and for a numeric column its widest number, since
// a cut number would be misread.
func measure(header []string, cells [][]string, numeric []bool) (natural, floor []int) {
	natural = make([]int, len(header))
	floor = make([]int, len(header))
	for i, h := range header {
		natural[i] = textWidth(h)
		floor[i] = natural[i]
	}
	for _, row := range cells {
		for i, c := range row {
			natural[i] = max(natural[i], textWidth(c))
			if numeric[i] {
				floor[i] = max(floor[i], textWidth(c))
			}
		}
	}
	return natural, floor
}

// fitting returns how many columns, from the first, fit in width at their
// floors, with the borders and padding (3 a column and 1). The first is
// always kept, so a table shows something.
func fitting(floor []int, width int) int {
	used := 1
	for i, f := range floor {
		used += f + 3
		if used > width && i > 0 {
			return i
		}
	}
	return len(floor)
}

// fit narrows columns so their content widths add up to at most budget.
// Every column is capped at the largest common width C that fits, but not
// below its floor (measure); when the floors alone do not fit (a single
// column wider than the terminal, as fitting leaves no other case), every
// floor is one character. Spare width left under the cap goes one
// character each to the capped columns from the left. Each line of a cell
// wider than its column is cut with an ellipsis.
func fit(header []string, cells [][]string, numeric []bool, budget int) {
	n := len(header)
	natural, floor := measure(header, cells, numeric)
	total, floors, widest := 0, 0, 0
	for i, w := range natural {
		floor[i] = max(floor[i], minColumn)
		total += w
		floors += min(floor[i], w)
		widest = max(widest, w)
	}
	if total <= budget {
		return
	}
	if floors > budget {
		for i := range floor {
			floor[i] = minColumn
		}
	}
	width := func(i, c int) int { return min(natural[i], max(floor[i], c)) }
	capped := func(c int) int {
		sum := 0
		for i := range natural {
			sum += width(i, c)
		}
		return sum
	}
	// Largest cap that fits, by binary search on [minColumn, widest].
	lo, hi := minColumn, widest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if capped(mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	limit := make([]int, n)
	spare := budget - capped(lo)
	for i := range natural {
		limit[i] = width(i, lo)
		if limit[i] < natural[i] && spare > 0 {
			limit[i]++
			spare--
		}
	}
	for i := range header {
		header[i] = cut(header[i], limit[i])
	}
	for _, row := range cells {
		for i := range row {
			row[i] = cut(row[i], limit[i])
		}
	}
}

// textWidth is the display width of the widest line of s.
func textWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, twwidth.Width(line))
	}
	return w
}

// cut shortens each line of s wider than limit, ending it with an ellipsis.
func cut(s string, limit int) string {
	if textWidth(s) <= limit {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if twwidth.Width(line) > limit {
			lines[i] = twwidth.Truncate(line, limit, ellipsis)
		}
	}
	return strings.Join(lines, "\n")
}
