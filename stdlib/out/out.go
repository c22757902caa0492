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
}

// request parses (rows [, opts]) from the Lua stack. forced is the format
// of out.table/csv/json, "" for out.print.
func (p *printer) request(L *lua.LState, forced string) (*request, error) {
	rows, err := records(L.Get(1))
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

// records turns the rows argument into a list of records.
func records(v lua.LValue) ([]*lua.LTable, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("rows must be a list of records (tables), got %s", v.Type())
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

// writeTable renders rows with tablewriter: light box borders, a header
// line, one space of padding, no automatic formatting or wrapping (cells
// are cut to width here, so the layout is fully decided before tablewriter
// sees it).
func writeTable(L *lua.LState, w io.Writer, req *request, width int, color bool) error {
	n := len(req.columns)
	header := make([]string, n)
	for i, c := range req.columns {
		header[i] = sanitize(c)
	}
	cells := make([][]string, len(req.rows))
	// A column is numeric when it holds a number and nothing but numbers
	// and nils.
	numbers := make([]int, n)
	others := make([]int, n)
	for r, row := range req.rows {
		cells[r] = make([]string, n)
		for i, c := range req.columns {
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
	title := sanitize(req.title)
	if width > 0 && n > 0 {
		fit(header, cells, numeric, width-(3*n+1))
	}
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
	if n > 0 {
		if err := renderTable(w, header, cells, numeric, color); err != nil {
			return err
		}
	}
	var err error
	switch len(req.rows) {
	case 0:
		_, err = fmt.Fprintln(w, noRows)
	case 1:
		_, err = fmt.Fprintln(w, "(1 row)")
	default:
		_, err = fmt.Fprintf(w, "(%d rows)\n", len(req.rows))
	}
	return err
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

// fit narrows columns so their content widths add up to at most budget.
// Every column is capped at the largest common width C that fits, but not
// below its floor: the width of its numbers for a numeric column (a cut
// number would be misread), one character otherwise; when the floors
// alone do not fit, every floor is one character. Spare width left under
// the cap goes one character each to the capped columns from the left.
// Each line of a cell wider than its column is cut with an ellipsis.
func fit(header []string, cells [][]string, numeric []bool, budget int) {
	n := len(header)
	natural := make([]int, n)
	floor := make([]int, n)
	for i, h := range header {
		natural[i] = textWidth(h)
	}
	for _, row := range cells {
		for i, c := range row {
			natural[i] = max(natural[i], textWidth(c))
			if numeric[i] {
				floor[i] = max(floor[i], textWidth(c))
			}
		}
	}
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
