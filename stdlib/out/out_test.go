package out

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// TestMain pins tablewriter's width measure to narrow: with
// RUNEWIDTH_EASTASIAN=1, or a CJK locale on a terminal tablewriter does not
// recognise, it counts box-drawing characters and the ellipsis two columns
// wide, and the golden tables below would not match.
func TestMain(m *testing.M) {
	twwidth.SetOptions(twwidth.Options{})
	os.Exit(m.Run())
}

// run runs src with the out module printing to a buffer and returns what
// the module printed.
func run(t *testing.T, opts Options, src string) string {
	t.Helper()
	var b bytes.Buffer
	opts.Stdout = &b
	runtimetest.MustRun(t, src, runtime.Options{Modules: []runtime.Module{Module(opts)}})
	return b.String()
}

// runErr runs src, which must fail, and returns the error message.
func runErr(t *testing.T, opts Options, src string) string {
	t.Helper()
	_, err := runtimetest.Run(t, src, runtime.Options{Modules: []runtime.Module{Module(opts)}})
	if err == nil {
		t.Fatalf("no error from %s", src)
	}
	return err.Error()
}

const mailboxes = `local out = require("out")
local rows = {
	{Name = "alice", SizeGB = 12.5, Items = 1200, Aliases = {"alice@contoso.com", "a@contoso.com"}},
	{Name = "bob", SizeGB = 3, Items = 7, Enabled = false},
	{Name = "carol, the \"admin\"", Items = 42, Enabled = true},
}
`

func TestTableGolden(t *testing.T) {
	got := run(t, Options{}, mailboxes+`out.print(rows, {title = "Mailboxes"})`)
	want := `Mailboxes
┌──────────────────────────────────┬─────────┬───────┬────────────────────┬────────┐
│ Aliases                          │ Enabled │ Items │ Name               │ SizeGB │
├──────────────────────────────────┼─────────┼───────┼────────────────────┼────────┤
│ alice@contoso.com, a@contoso.com │         │  1200 │ alice              │   12.5 │
│                                  │ false   │     7 │ bob                │      3 │
│                                  │ true    │    42 │ carol, the "admin" │        │
└──────────────────────────────────┴─────────┴───────┴────────────────────┴────────┘
(3 rows)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTableColumnsAndSingleRow(t *testing.T) {
	got := run(t, Options{}, `local out = require("out")
out.table({Name = "alice", SizeGB = 1, Secret = "not shown"}, {columns = {"SizeGB", "Name", "Missing"}})`)
	want := `┌────────┬───────┬─────────┐
│ SizeGB │ Name  │ Missing │
├────────┼───────┼─────────┤
│      1 │ alice │         │
└────────┴───────┴─────────┘
(1 row)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTableMixedColumnIsLeftAligned(t *testing.T) {
	got := run(t, Options{}, `require("out").print({{V = 1}, {V = "many"}, {V = 22}})`)
	want := `┌──────┐
│ V    │
├──────┤
│ 1    │
│ many │
│ 22   │
└──────┘
(3 rows)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTableEmpty(t *testing.T) {
	got := run(t, Options{}, `require("out").print({}, {columns = {"Name", "SizeGB"}})`)
	want := `┌──────┬────────┐
│ Name │ SizeGB │
└──────┴────────┘
(no rows)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := run(t, Options{}, `require("out").print({})`); got != "(no rows)\n" {
		t.Errorf("no rows, no columns: got %q", got)
	}
}

// widest is the display width of the widest line of s, ANSI escapes not
// counted.
func widest(s string) int {
	w := 0
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		w = max(w, twwidth.Width(line))
	}
	return w
}

func TestTableFitsWidth(t *testing.T) {
	src := mailboxes + `rows[2].Name = "bob with a display name far longer than any terminal is wide, really"
out.print(rows, {title = "All the mailboxes of the contoso.com tenant, sorted by name"})`
	natural := widest(run(t, Options{}, src))
	if natural <= 100 {
		t.Fatalf("test table is only %d wide; make it wider", natural)
	}
	for _, color := range []bool{false, true} {
		for width := 21; width <= natural+5; width++ {
			got := run(t, Options{Width: width, Color: color}, src)
			if w := widest(got); w > width {
				t.Fatalf("width %d (color %v): a line is %d wide:\n%s", width, color, w, got)
			}
			if width < natural && !strings.Contains(got, ellipsis) {
				t.Fatalf("width %d: nothing was cut:\n%s", width, got)
			}
			if width >= natural && strings.Contains(got, ellipsis) {
				t.Fatalf("width %d: a cell was cut though the table fits:\n%s", width, got)
			}
			// Headers are never cut: a column that cannot hold its
			// header is left out. The header line follows the title
			// and the top border.
			if header := strings.Split(got, "\n")[2]; strings.Contains(header, ellipsis) {
				t.Fatalf("width %d: a header was cut:\n%s", width, got)
			}
			// All 5 columns fit from 45 (16 for borders and padding,
			// 29 for the headers and the numbers); numbers are not cut.
			if width >= 45 {
				for _, n := range []string{" 1200 ", " 12.5 ", " 42 "} {
					if !strings.Contains(got, n) {
						t.Fatalf("width %d: number %q was cut:\n%s", width, n, got)
					}
				}
				if !strings.HasSuffix(got, "(3 rows)\n") {
					t.Fatalf("width %d: no row count:\n%s", width, got)
				}
			} else if !strings.Contains(got, "(3 rows; ") || strings.Contains(got, "SizeGB") {
				t.Fatalf("width %d: SizeGB does not fit, and the last line should say columns were left out:\n%s", width, got)
			}
		}
	}
}

func TestTableFitsNarrowWidth(t *testing.T) {
	got := run(t, Options{Width: 20}, mailboxes+`out.print(rows, {columns = {"Name", "Aliases"}})`)
	// A budget of 20-7 = 13 for widths 18 and 32, floors 4 and 7 (the
	// headers): a cap of 6 gives 6 and 7.
	want := `┌────────┬─────────┐
│ Name   │ Aliases │
├────────┼─────────┤
│ alice  │ alice@… │
│ bob    │         │
│ carol… │         │
└────────┴─────────┘
(3 rows)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestColor(t *testing.T) {
	src := mailboxes + `rows[1].Name = "evil\27[31mred\27[0m"
out.print(rows, {title = "Mailboxes"})`
	plain := run(t, Options{Color: false, Width: 60}, src)
	if strings.Contains(plain, "\x1b") {
		t.Errorf("Color false: output has an ANSI escape:\n%q", plain)
	}
	if !strings.Contains(plain, "evil\uFFFD[31mred") {
		t.Errorf("control character in a cell not replaced:\n%s", plain)
	}
	colored := run(t, Options{Color: true, Width: 60}, src)
	for _, want := range []string{"\x1b[1mMailboxes\x1b[0m", "\x1b[1mName\x1b[0m"} {
		if !strings.Contains(colored, want) {
			t.Errorf("Color true: no %q in\n%s", want, colored)
		}
	}
	if strings.Contains(colored, "\x1b[31m") {
		t.Errorf("Color true: an escape from the data reached the output:\n%q", colored)
	}
	if stripped := strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(colored); stripped != plain {
		t.Errorf("Color true differs from Color false by more than bold:\n%s\n%s", stripped, plain)
	}
}

func TestCSV(t *testing.T) {
	got := run(t, Options{Format: "csv"}, mailboxes+`rows[3].Name = "carol, the \"admin\"\nline two"
out.print(rows, {columns = {"Name", "Items", "Aliases", "Enabled"}, title = "ignored"})`)
	want := `Name,Items,Aliases,Enabled
alice,1200,"alice@contoso.com, a@contoso.com",
bob,7,,false
"carol, the ""admin""
line two",42,,true
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := run(t, Options{}, `require("out").csv({}, {columns = {"A"}})`); got != "" {
		t.Errorf("empty csv: got %q, want nothing", got)
	}
}

func TestJSON(t *testing.T) {
	// Keys come in the order of columns, not sorted.
	got := run(t, Options{Format: "json"}, mailboxes+`out.print(rows, {columns = {"Name", "SizeGB", "Aliases"}})`)
	want := `[
  {
    "Name": "alice",
    "SizeGB": 12.5,
    "Aliases": [
      "alice@contoso.com",
      "a@contoso.com"
    ]
  },
  {
    "Name": "bob",
    "SizeGB": 3
  },
  {
    "Name": "carol, the \"admin\""
  }
]
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := run(t, Options{}, `require("out").json({})`); got != "[]\n" {
		t.Errorf("empty json: got %q, want []", got)
	}
}

func TestFormatChoice(t *testing.T) {
	src := `local out = require("out")
local rows = {{A = 1}}
out.print(rows)
out.print(rows, {format = "JSON"})
out.table(rows)
out.json(rows)
`
	got := run(t, Options{Format: "csv"}, src)
	want := "A\n1\n" +
		"[\n  {\n    \"A\": 1\n  }\n]\n" +
		"┌───┐\n│ A │\n├───┤\n│ 1 │\n└───┘\n(1 row)\n" +
		"[\n  {\n    \"A\": 1\n  }\n]\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestUserdataCells(t *testing.T) {
	var b bytes.Buffer
	globals := map[string]lua.LGFunction{
		"marked": func(L *lua.LState) int {
			ud := L.NewUserData()
			ud.Value = "hunter2"
			mt := L.NewTable()
			mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
				L.Push(lua.LString("[REDACTED]"))
				return 1
			}))
			ud.Metatable = mt
			L.Push(ud)
			return 1
		},
		"plain": func(L *lua.LState) int {
			L.Push(L.NewUserData())
			return 1
		},
	}
	runtimetest.MustRun(t, `local out = require("out")
local rows = {{User = "alice", Password = marked(), Handle = plain()}}
out.table(rows)
out.csv(rows)
out.json(rows, {columns = {"User", "Password"}})
`, runtime.Options{Globals: globals, Modules: []runtime.Module{Module(Options{Stdout: &b})}})
	got := b.String()
	if strings.Contains(got, "hunter2") {
		t.Errorf("a marked value leaked:\n%s", got)
	}
	for _, want := range []string{"│ <userdata> │ [REDACTED] │ alice │", "<userdata>,[REDACTED],alice\n", `"Password": "[REDACTED]"`} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		opts    Options
		src     string
		want    string
		wantErr error
	}{
		{Options{}, `require("out").print("x")`, "out.print: rows must be a list of records (tables) or an iterator of them, got string", nil},
		{Options{}, `local n = 0; require("out").print(function() n = n + 1; if n < 3 then return {A = n} end return n end)`, "out.print: rows[3] (from the iterator) is a number, want a record (table)", nil},
		{Options{}, `require("out").print(function() error("page 2 failed") end)`, "page 2 failed", nil},
		{Options{}, `require("out").print({{A = 1}, 2})`, "out.print: rows[2] is a number, want a record (table)", nil},
		{Options{}, `require("out").print({[5] = {}})`, "out.print: rows must be a list of records (tables), got a table with no string keys that is not a list", nil},
		{Options{}, `require("out").print({}, "csv")`, "out.print: options must be a table, got string", nil},
		{Options{}, `require("out").print({}, {colums = {"A"}})`, `out.print: options: unknown option "colums" (want columns, format, path or title)`, nil},
		{Options{}, `require("out").print({}, {format = "xml"})`, `out.print: options: unknown output format "xml": want table, csv, json or xlsx`, nil},
		{Options{}, `require("out").print({}, {columns = "A"})`, "out.print: options: columns must be a list of strings, got string", nil},
		{Options{}, `require("out").print({}, {columns = {"A", 2}})`, "out.print: options: columns[2] is a number, want a string", nil},
		{Options{}, `require("out").print({}, {title = 1})`, "out.print: options: title must be a string, got number", nil},
		{Options{}, `require("out").print({}, {path = 1})`, "out.print: options: path must be a string, got number", nil},
		{Options{}, `require("out").print({}, {path = "../x.csv"})`, `out.print: options: path: "../x.csv": path leaves the folder`, runtime.ErrEscape},
		{Options{}, `require("out").print({}, {path = ""})`, "out.print: options: path: empty path", nil},
		{Options{Format: "xlsx"}, `require("out").print({{A = 1}})`, "out.print: xlsx output is not available here (no workbook to write to)", nil},
		{Options{}, `require("out").csv({}, {format = "json"})`, "out.csv: options: format is not allowed here (this function always prints csv; use out.print to choose)", nil},
		{Options{Format: "yaml"}, `require("out").print({})`, `out.print: unknown output format "yaml": want table, csv, json or xlsx`, nil},
		{Options{Format: "yaml"}, `require("out").format()`, `out.format: unknown output format "yaml": want table, csv, json or xlsx`, nil},
		{Options{Stdout: failWriter{}}, `require("out").print({{A = 1}})`, "out.print: write: disk full", errDiskFull},
	} {
		_, err := runtimetest.Run(t, tc.src, runtime.Options{Modules: []runtime.Module{Module(tc.opts)}})
		if err == nil {
			t.Errorf("%s: no error", tc.src)
			continue
		}
		if !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, err.Error(), tc.want)
		}
		if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: %v does not wrap %v", tc.src, err, tc.wantErr)
		}
	}
}

var errDiskFull = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"": "table", "table": "table", " CSV ": "csv", "Json": "json", "XLSX": "xlsx"} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || err.Error() != `unknown output format "xml": want table, csv, json or xlsx` {
		t.Errorf("ParseFormat(xml): %v", err)
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		header  []string
		cells   []string
		numeric []bool
		budget  int
		want    string
	}{
		{"fits", []string{"A", "B"}, []string{"abc", "de"}, []bool{false, false}, 5, "A|B|abc|de"},
		// Widths 5, 25, 5 in 22: the number keeps its 5 (its floor) and
		// a cap of 12 gives 5+12+5 = 22.
		{"number kept", []string{"Name", "Description", "N"}, []string{"alice", "a fairly long description", "12345"}, []bool{false, false, true}, 22, "Name|Description|N|alice|a fairly lo…|12345"},
		// Widths 5, 25 in 16: Description keeps its header's 11 though
		// a cap of 5 would fit; the largest cap that fits is 11.
		{"header kept", []string{"Name", "Description"}, []string{"alice", "a fairly long description"}, []bool{false, false}, 16, "Name|Description|alice|a fairly l…"},
		// Widths 10, 10, 10 in 20: a cap of 6 gives 18, the 2 spare go to
		// the first two columns.
		{"spare from the left", []string{"a", "b", "c"}, []string{"0123456789", "0123456789", "0123456789"}, []bool{false, false, false}, 20, "a|b|c|012345…|012345…|01234…"},
		// The numbers need 10 of a budget of 6: every floor drops to 1.
		{"floors do not fit", []string{"x", "y"}, []string{"12345", "67890"}, []bool{true, true}, 6, "x|y|12…|67…"},
		{"nothing fits", []string{"x", "y"}, []string{"abc", "def"}, []bool{false, false}, 0, "x|y|…|…"},
		{"each line cut", []string{"T"}, []string{"short\na much longer line"}, []bool{false}, 6, "T|short\na muc…"},
	} {
		header := append([]string(nil), tc.header...)
		cells := [][]string{append([]string(nil), tc.cells...)}
		fit(header, cells, tc.numeric, tc.budget)
		if got := strings.Join(append(header, cells[0]...), "|"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFitting(t *testing.T) {
	floor := []int{4, 11, 5} // 1 + 7 + 14 + 8 = 30 with borders
	for width, want := range map[int]int{30: 3, 31: 3, 29: 2, 22: 2, 21: 1, 3: 1} {
		if got := fitting(floor, width); got != want {
			t.Errorf("fitting(%v, %d) = %d, want %d", floor, width, got, want)
		}
	}
}

// A table too wide for the terminal leaves out the columns that would
// not fit rather than cut headers to a letter, and says so.
func TestTableDropsColumns(t *testing.T) {
	src := `require("out").print({
	{Name = "alice", DisplayName = "Alice Example", PrimarySmtpAddress = "alice@contoso.com", RecipientTypeDetails = "UserMailbox"},
}, {columns = {"Name", "DisplayName", "PrimarySmtpAddress", "RecipientTypeDetails"}})`
	got := run(t, Options{Width: 60}, src)
	want := `┌───────┬───────────────┬────────────────────┐
│ Name  │ DisplayName   │ PrimarySmtpAddress │
├───────┼───────────────┼────────────────────┤
│ alice │ Alice Example │ alice@contoso.com  │
└───────┴───────────────┴────────────────────┘
(1 row; 3 of 4 columns fit, choose with columns = {...})
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// out.print reads anything callable until nil: a result stream of the
// bindings, which the module does not know, or a Lua iterator.
func TestPrintIterator(t *testing.T) {
	want := "[\n  {\n    \"N\": 1\n  },\n  {\n    \"N\": 2\n  }\n]\n"
	for name, src := range map[string]string{
		"function": `local n = 0
require("out").print(function() n = n + 1; if n <= 2 then return {N = n} end end)`,
		"table with __call": `local n = 0
require("out").print(setmetatable({}, {__call = function(self) n = n + 1; if n <= 2 then return {N = n} end end}))`,
		"userdata with __call": `require("out").print(stream())`,
	} {
		var b bytes.Buffer
		mod := Module(Options{Stdout: &b, Format: "json"})
		runtimetest.MustRun(t, src, runtime.Options{Modules: []runtime.Module{mod}, Globals: map[string]lua.LGFunction{
			"stream": func(L *lua.LState) int { L.Push(fakeStream(L, 2)); return 1 },
		}})
		if got := b.String(); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

// fakeStream is a userdata shaped like the bindings' result stream:
// calling it gives {N = 1} ... {N = n}, then nil. __call receives the
// userdata itself first, as Lua passes it.
func fakeStream(L *lua.LState, n int) *lua.LUserData {
	ud := L.NewUserData()
	i := 0
	mt := L.NewTable()
	mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
		if L.CheckUserData(1) != ud {
			L.ArgError(1, "want the stream")
		}
		if i++; i > n {
			L.Push(lua.LNil)
			return 1
		}
		t := L.NewTable()
		t.RawSetString("N", lua.LNumber(i))
		L.Push(t)
		return 1
	}))
	ud.Metatable = mt
	return ud
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/out_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, Options{Format: "json", Width: 40}, string(src))
	want := "[\n  {\n    \"Name\": \"alice\"\n  }\n]\n" +
		"┌───────┬────────┐\n│ Name  │ SizeGB │\n├───────┼────────┤\n│ alice │      1 │\n└───────┴────────┘\n(1 row)\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
