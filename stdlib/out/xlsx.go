package out

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

const (
	// maxSheetName is Excel's limit, in UTF-16 code units.
	maxSheetName = 31
	// maxColumnWidth caps a fitted column (in characters): one long cell
	// should not push the rest of the sheet off screen.
	maxColumnWidth = 60
	// columnPadding is added to the widest cell so text does not touch
	// the cell border.
	columnPadding = 2
)

// Workbook is the xlsx file of a run: each out.print in xlsx format adds a
// sheet, and Close writes the file. The file is created with the first
// sheet, so a folder that cannot hold it fails that out.print (a script
// error) rather than the end of the run.
type Workbook struct {
	dir    runtime.Dir
	name   string         // the file in dir: NAME.xlsx
	file   *excelize.File // nil until the first sheet
	w      io.WriteCloser // the file in dir, open from the first sheet to Close
	bold   int            // the header row's style in file
	sheets []string
	closed bool
}

// NewWorkbook returns the workbook NAME.xlsx in dir (the --out folder);
// name is the script's base name without .lua. Nothing is written until a
// sheet is added.
func NewWorkbook(dir runtime.Dir, name string) *Workbook {
	return &Workbook{dir: dir, name: name + ".xlsx"}
}

// Name is the workbook's file name in its folder.
func (wb *Workbook) Name() string { return wb.name }

// Sheets are the names of the sheets added so far, in order; none means
// Close writes no file.
func (wb *Workbook) Sheets() []string { return slices.Clone(wb.sheets) }

// Close writes the workbook, if any sheet was added; later calls do
// nothing, and a sheet added after Close is an error.
func (wb *Workbook) Close() error {
	wb.closed = true
	if wb.file == nil {
		return nil
	}
	f, w := wb.file, wb.w
	wb.file, wb.w = nil, nil
	_, err := f.WriteTo(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	// Close removes the stream writers' temporary files.
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", wb.name, err)
	}
	return nil
}

// add writes req as a new sheet named after its title.
func (wb *Workbook) add(L *lua.LState, req *request) error {
	if wb.closed {
		return fmt.Errorf("%s is already written", wb.name)
	}
	if wb.file == nil {
		if err := wb.open(); err != nil {
			return err
		}
	}
	sheet := sheetName(req.title, wb.sheets)
	var err error
	if len(wb.sheets) == 0 {
		// A new excelize workbook holds one empty sheet; the first
		// sheet of the run takes its place.
		err = wb.file.SetSheetName(wb.file.GetSheetName(0), sheet)
	} else {
		_, err = wb.file.NewSheet(sheet)
	}
	if err != nil {
		return fmt.Errorf("%s: sheet %q: %w", wb.name, sheet, err)
	}
	wb.sheets = append(wb.sheets, sheet)
	if err := wb.fill(L, sheet, req); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", wb.name, sheet, err)
	}
	return nil
}

// open creates the file and the workbook behind it.
func (wb *Workbook) open() error {
	w, err := createFile(wb.dir, wb.name)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		_ = w.Close()
		_ = f.Close()
		return fmt.Errorf("%s: header style: %w", wb.name, err)
	}
	wb.file, wb.w, wb.bold = f, w, bold
	return nil
}

// fill streams req into sheet: a bold, frozen header row, then one row per
// record; column widths fit the content. The stream is flushed even after
// an error so the sheet stays well-formed with the rows written so far.
func (wb *Workbook) fill(L *lua.LState, sheet string, req *request) (err error) {
	sw, err := wb.file.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	defer func() {
		if ferr := sw.Flush(); err == nil {
			err = ferr
		}
	}()
	if len(req.columns) == 0 {
		return nil
	}
	// Widths and panes must be set before the first row.
	for i, w := range columnWidths(L, req) {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(req.columns))
	for i, c := range req.columns {
		header[i] = excelize.Cell{StyleID: wb.bold, Value: c}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	values := make([]any, len(req.columns))
	for r, row := range req.rows {
		for i, c := range req.columns {
			values[i] = cellValue(L, row.RawGetString(c))
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return fmt.Errorf("rows[%d]: %w", r+1, err)
		}
		if err := sw.SetRow(cell, values); err != nil {
			return fmt.Errorf("rows[%d]: %w", r+1, err)
		}
	}
	return nil
}

// cellValue is what a cell holds for a Lua value: numbers as numbers
// (excelize writes NaN and infinities, which a numeric cell cannot hold,
// as text), booleans as booleans, strings as strings, nil empty, other
// values as the text a table cell shows.
func cellValue(L *lua.LState, v lua.LValue) any {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(x)
	case lua.LNumber:
		return runtime.Number(x)
	case lua.LString:
		return string(x)
	}
	return cellText(L, v)
}

// columnWidths fits each column to its widest line of text, header
// included, plus padding, capped at maxColumnWidth.
func columnWidths(L *lua.LState, req *request) []float64 {
	widths := make([]float64, len(req.columns))
	for i, c := range req.columns {
		w := textWidth(c)
		for _, row := range req.rows {
			v := row.RawGetString(c)
			text := cellText(L, v)
			if b, ok := v.(lua.LBool); ok { // Excel shows TRUE and FALSE
				text = strings.ToUpper(b.String())
			}
			w = max(w, textWidth(text))
		}
		widths[i] = float64(min(w+columnPadding, maxColumnWidth))
	}
	return widths
}

// sheetName turns a title into a sheet name Excel accepts and the
// workbook does not hold yet: []:*?/\ become _, control characters a
// space, no apostrophe at either end, at most 31 UTF-16 units. An empty
// name is SheetN (N the sheet's position, or the next free number); a name
// already taken, compared as Excel does without case, or Excel's reserved
// "History", gets " (2)", " (3)"... .
func sheetName(title string, taken []string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '_'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, title)
	name = trimSheetName(name, maxSheetName)
	used := func(s string) bool {
		return strings.EqualFold(s, "History") || slices.ContainsFunc(taken, func(t string) bool { return strings.EqualFold(t, s) })
	}
	if name == "" {
		for n := len(taken) + 1; ; n++ {
			if name = fmt.Sprintf("Sheet%d", n); !used(name) {
				return name
			}
		}
	}
	for n, base := 2, name; used(name); n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		name = trimSheetName(base, maxSheetName-len(suffix)) + suffix
	}
	return name
}

// trimSheetName cuts s to limit UTF-16 units and trims spaces and
// apostrophes from both ends.
func trimSheetName(s string, limit int) string {
	s = strings.Trim(s, " '")
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > limit {
			s = s[:i]
			break
		}
	}
	return strings.Trim(s, " '")
}
