package out

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestXLSX(t *testing.T) {
	dir, out := outDir(t)
	wb := NewWorkbook(out, "report")
	long := strings.Repeat("bob with a long display name ", 4)
	got := run(t, Options{Format: "xlsx", Workbook: wb}, `local out = require("out")
local rows = {
	{Name = "alice", Items = 1200, SizeGB = 12.5, Enabled = true, Code = "0042", Aliases = {"a@x", "b@x"}},
	{Name = "`+long+`", Items = 7, Enabled = false},
}
out.print(rows, {columns = {"Name", "Items", "SizeGB", "Enabled", "Code", "Aliases", "Missing"}, title = "Mailboxes: by size [all]"})
out.print(rows, {columns = {"Name"}, title = "Mailboxes: by size [all]", path = "ignored.csv"})
out.print({{A = 0/0}})
out.table({{A = 1}})
`)
	if !strings.HasPrefix(got, "┌───┐") || strings.Count(got, "┌") != 1 {
		t.Errorf("stdout should hold out.table's table alone:\n%s", got)
	}
	wantSheets := []string{"Mailboxes_ by size _all_", "Mailboxes_ by size _all_ (2)", "Sheet3"}
	if s := wb.Sheets(); !slices.Equal(s, wantSheets) {
		t.Errorf("Sheets() = %q, want %q", s, wantSheets)
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := wb.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ignored.csv")); err == nil {
		t.Errorf("xlsx output wrote the CSV path")
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if s := f.GetSheetList(); !slices.Equal(s, wantSheets) {
		t.Errorf("sheets %q, want %q", s, wantSheets)
	}
	sheet := wantSheets[0]
	for _, tc := range []struct {
		cell  string
		value string
		types []excelize.CellType
	}{
		{"A1", "Name", []excelize.CellType{excelize.CellTypeInlineString}},
		{"G1", "Missing", []excelize.CellType{excelize.CellTypeInlineString}},
		{"A2", "alice", []excelize.CellType{excelize.CellTypeInlineString}},
		// A number cell has no type attribute, or "n": both are numeric.
		{"B2", "1200", []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}},
		{"C2", "12.5", []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}},
		{"D2", "1", []excelize.CellType{excelize.CellTypeBool}},
		{"D3", "0", []excelize.CellType{excelize.CellTypeBool}},
		{"E2", "0042", []excelize.CellType{excelize.CellTypeInlineString}},
		{"F2", "a@x, b@x", []excelize.CellType{excelize.CellTypeInlineString}},
		{"G2", "", []excelize.CellType{excelize.CellTypeUnset}},
		{"C3", "", []excelize.CellType{excelize.CellTypeUnset}},
		{"B3", "7", []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}},
	} {
		v, err := f.GetCellValue(sheet, tc.cell, excelize.Options{RawCellValue: true})
		if err != nil || v != tc.value {
			t.Errorf("%s = %q (%v), want %q", tc.cell, v, err, tc.value)
		}
		ct, err := f.GetCellType(sheet, tc.cell)
		if err != nil || !slices.Contains(tc.types, ct) {
			t.Errorf("%s: type %v (%v), want one of %v", tc.cell, ct, err, tc.types)
		}
	}
	if v, _ := f.GetCellValue("Sheet3", "A2"); v != "NaN" {
		t.Errorf("NaN cell = %q, want the text NaN", v)
	}
	for _, cell := range []string{"A1", "G1"} {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(id)
		if err != nil || style.Font == nil || !style.Font.Bold {
			t.Errorf("header %s is not bold (style %d: %+v, %v)", cell, id, style, err)
		}
	}
	if id, _ := f.GetCellStyle(sheet, "A2"); id != 0 {
		t.Errorf("a data cell has style %d, want the default", id)
	}
	// Widths: the widest text plus 2, at most 60.
	for col, want := range map[string]float64{"A": 60, "B": 7, "C": 8, "D": 9, "E": 6, "F": 10, "G": 9} {
		if w, err := f.GetColWidth(sheet, col); err != nil || w != want {
			t.Errorf("column %s width %v (%v), want %v", col, w, err, want)
		}
	}
	if p, err := f.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", p, err)
	}
	if rows, _ := f.GetRows(wantSheets[1]); len(rows) != 3 || rows[2][0] != long {
		t.Errorf("second sheet rows %q", rows)
	}
}

func TestXLSXNoSheetsNoFile(t *testing.T) {
	dir, out := outDir(t)
	wb := NewWorkbook(out, "report")
	run(t, Options{Workbook: wb}, `require("out").print({{A = 1}})`)
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a workbook without sheets wrote %v", entries)
	}
}

func TestXLSXErrors(t *testing.T) {
	dir, out := outDir(t)
	if err := os.Mkdir(filepath.Join(dir, "taken.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	closed := NewWorkbook(out, "closed")
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		wb   *Workbook
		want string
	}{
		{NewWorkbook(nil, "report"), "out.print: report.xlsx: no output folder is available"},
		// The file is created by the first sheet, so the script learns
		// at once that it cannot be written.
		{NewWorkbook(out, "taken"), "out.print: taken.xlsx: "},
		{closed, "out.print: closed.xlsx is already written"},
	} {
		got := runErr(t, Options{Format: "xlsx", Workbook: tc.wb}, `require("out").print({{A = 1}})`)
		if !strings.Contains(got, tc.want) {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestSheetName(t *testing.T) {
	x31 := strings.Repeat("x", 31)
	for _, tc := range []struct {
		title string
		taken []string
		want  string
	}{
		{"", nil, "Sheet1"},
		{"", []string{"Mailboxes"}, "Sheet2"},
		{"", []string{"a", "sheet3"}, "Sheet4"},
		{"  ", nil, "Sheet1"},
		{`a:b/c\d?e*f[g]h`, nil, "a_b_c_d_e_f_g_h"},
		{"line\nbreak", nil, "line break"},
		{"'quoted'", nil, "quoted"},
		{strings.Repeat("abcdefghij", 4), nil, "abcdefghijabcdefghijabcdefghija"},
		{strings.Repeat("😀", 20), nil, strings.Repeat("😀", 15)},
		{"History", nil, "History (2)"},
		{"REPORT", []string{"Report"}, "REPORT (2)"},
		{"Report", []string{"Report", "report (2)"}, "Report (3)"},
		{x31, []string{x31}, strings.Repeat("x", 27) + " (2)"},
		{"Summary over 12 mailboxes (organization SMTP AUTH: on)", nil, "Summary over 12 mailboxes (orga"},
	} {
		got := sheetName(tc.title, tc.taken)
		if got != tc.want {
			t.Errorf("sheetName(%q, %q) = %q, want %q", tc.title, tc.taken, got, tc.want)
		}
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", got); err != nil {
			t.Errorf("excelize refuses %q: %v", got, err)
		}
		f.Close()
	}
}
