package csv

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
)

// folders opens two temporary folders as the script and out folders.
func folders(t *testing.T) (script, out string, f runtime.Folders) {
	t.Helper()
	script, out = t.TempDir(), t.TempDir()
	return script, out, runtime.Folders{Script: openDir(t, script), Out: openDir(t, out)}
}

func openDir(t *testing.T, dir string) runtime.Dir {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return runtime.RootDir(r)
}

func runOpts(opts Options) runtime.Options {
	return runtime.Options{Modules: []runtime.Module{Module(opts)}}
}

// run runs a Lua snippet with the csv module loaded as the local csv.
func run(t *testing.T, opts Options, src string) string {
	t.Helper()
	return runtimetest.MustRun(t, `local csv = require("csv")`+"\n"+src, runOpts(opts))
}

// runErr runs a snippet that must fail and returns its error message.
func runErr(t *testing.T, opts Options, src string) string {
	t.Helper()
	return runtimetest.Fail(t, `local csv = require("csv")`+"\n"+src, runOpts(opts)).Message
}

func wantContains(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

func TestEncode(t *testing.T) {
	got := run(t, Options{}, `print(csv.encode({
  {name = "Zoë Martin", upn = "zoe@contoso.com", size = 3, ratio = 2.5, big = 1e15},
  {name = "Sales, EU", upn = 'say "hi"', size = nil, ratio = true, big = {"a", "b"}},
  {name = "two\nlines", upn = " lead", size = -1, ratio = false, big = {k = 1}},
}, {"name", "upn", "size", "ratio", "big"}))`)
	want := `name,upn,size,ratio,big
Zoë Martin,zoe@contoso.com,3,2.5,1000000000000000
"Sales, EU","say ""hi""",,true,"a, b"
"two
lines"," lead",-1,false,"{""k"":1}"

`
	if got != want {
		t.Errorf("csv.encode output:\n%s\nwant:\n%s", got, want)
	}
}

func TestEncodeColumnsOmitted(t *testing.T) {
	got := run(t, Options{}, `print(csv.encode({{b = 1, a = 2}, {c = 3, a = 4, [1] = "ignored"}}))`)
	if want := "a,b,c\n2,1,\n4,,3\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = run(t, Options{}, `print(csv.encode({{"x", "y"}, {1, 2}}))`)
	if want := "x,y\n1,2\n\n"; got != want {
		t.Errorf("list rows: got %q, want %q", got, want)
	}
	got = run(t, Options{}, `print(csv.encode({}) == "", csv.encode({}, {"a", "b"}))`)
	if want := "true\ta,b\n\n"; got != want {
		t.Errorf("no rows: got %q, want %q", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{`csv.encode("x")`, []string{"csv.encode: bad argument #1: expected a list of rows, got string"}},
		{`csv.encode({name = "x"})`, []string{`csv.encode: bad argument #1: expected a list of rows, got a table with the key "name" (wrap a single row in {})`}},
		{`csv.encode({{a = 1}, "b"})`, []string{"csv.encode: row 2 is a string, not a table"}},
		{`csv.encode({{a = print}})`, []string{`csv.encode: row 1, column "a": a function cannot be a CSV field`}},
		{`local t = {}; t.t = t; csv.encode({{a = t}})`, []string{`csv.encode: row 1, column "a":`, "contains itself"}},
		{`csv.encode({{a = 1}, {"x"}})`, []string{"csv.encode: row 2 is a list of values, not a table keyed by column name"}},
		{`csv.encode({{1, 2}, {3}})`, []string{"csv.encode: row 2 has 1 values, row 1 has 2"}},
		{`csv.encode({{a = 1}}, "a")`, []string{"csv.encode: bad argument #2: expected a list of column names, got string"}},
		{`csv.encode({{a = 1}}, {"a", 2})`, []string{"csv.encode: bad argument #2: column 2 is a number, not a string"}},
		{`csv.encode({{a = 1}}, {})`, []string{"csv.encode: bad argument #2: the list of column names is empty"}},
	}
	for _, tt := range tests {
		wantContains(t, runErr(t, Options{}, tt.src), tt.want...)
	}
}

func TestDecode(t *testing.T) {
	got := run(t, Options{}, `
local rows = csv.decode('name,upn\n"Sales, EU","a ""b"""\n"two\nlines",x\n')
print(#rows, rows[1].name, rows[1].upn, rows[2].name, rows[2].upn)
local lists = csv.decode("a,b\n1,2\n", {header = false})
print(#lists, lists[1][1], lists[1][2], lists[2][1], lists[2][2])
print(#csv.decode(""), #csv.decode("a,b\n"), #csv.decode("", {header = false}))`)
	want := "2\tSales, EU\ta \"b\"\ttwo\nlines\tx\n2\ta\tb\t1\t2\n0\t0\t0\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeKeepsStringsAndMarksArrays(t *testing.T) {
	got := run(t, Options{}, `
local rows = csv.decode("n,empty\n3,\n")
print(type(rows[1].n), rows[1].n, rows[1].empty == "", getmetatable(rows) ~= nil, getmetatable(csv.decode("")) ~= nil)`)
	if want := "string\t3\ttrue\ttrue\ttrue\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodePowerShellExport(t *testing.T) {
	got := run(t, Options{}, `
local rows = csv.decode('\239\187\191#TYPE System.Management.Automation.PSCustomObject\r\n"Name","Alias"\r\n"Zoë","zoe"\r\n')
print(#rows, rows[1].Name, rows[1].Alias)`)
	if want := "1\tZoë\tzoe\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{`csv.decode("a,b\n1,2\n3\n")`, "csv.decode: line 3: 1 fields, but the header has 2"},
		{`csv.decode("a,b\n1,2,3\n")`, "csv.decode: line 2: 3 fields, but the header has 2"},
		{`csv.decode("a,b\n1,2\n3,4,5\n", {header = false})`, "csv.decode: line 3: 3 fields, but line 1 has 2"},
		{`csv.decode('a,b\n"multi\nline",2\n3\n')`, "csv.decode: line 4: 1 fields"},
		{`csv.decode("#TYPE X\na,b\n1\n")`, "csv.decode: line 3: 1 fields, but the header has 2"},
		{`csv.decode('a,b\n1,x"y\n')`, `csv.decode: line 2, column 4: bare " in non-quoted-field`},
		{`csv.decode("a,b,a\n1,2,3\n")`, `csv.decode: line 1: the header names column "a" twice`},
		{`csv.decode(nil)`, "csv.decode: bad argument #1: expected a string, got nil"},
		{`csv.decode("a", {header = "yes"})`, "csv.decode: option header must be a boolean, got string"},
		{`csv.decode("a", {heading = true})`, `csv.decode: unknown option "heading" (known: header)`},
	}
	for _, tt := range tests {
		wantContains(t, runErr(t, Options{}, tt.src), tt.want)
	}
}

func TestRoundTrip(t *testing.T) {
	run(t, Options{}, `
local rows = {
  {DisplayName = "Zoë Martin", Email = "zoe@contoso.com", Note = 'says "hi", twice'},
  {DisplayName = "Sales, EU", Email = "", Note = "line 1\nline 2"},
}
local text = csv.encode(rows, {"DisplayName", "Email", "Note"})
local back = csv.decode(text)
assert(#back == 2, "rows: " .. #back)
for i, row in ipairs(rows) do
  for k, v in pairs(row) do
    assert(back[i][k] == v, ("row %d, %s: %q ~= %q"):format(i, k, tostring(back[i][k]), v))
  end
end
assert(csv.encode(back, {"DisplayName", "Email", "Note"}) == text)
local lists = csv.decode("a,b\n1,2\n", {header = false})
assert(csv.encode(lists) == "a,b\n1,2\n")`)
}

func TestWriteToStdout(t *testing.T) {
	var stdout bytes.Buffer
	got := run(t, Options{Stdout: &stdout}, `print(csv.write({{b = 2, a = 1}, {a = 3}}))
print(csv.write({{b = 2, a = 1}}, {columns = {"b"}}))`)
	if got != "2\n1\n" {
		t.Errorf("csv.write returned %q, want 2 then 1", got)
	}
	if want := "a,b\n1,2\n3,\nb\n2\n"; stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
}

func TestWriteAndReadFiles(t *testing.T) {
	script, out, f := folders(t)
	if err := os.WriteFile(filepath.Join(script, "in.csv"), []byte("upn,size\nzoe@contoso.com,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	got := run(t, Options{Stdout: &stdout, Folders: f}, `
local rows = csv.read("in.csv")
print(#rows, rows[1].upn, rows[1].size)
rows[1].size = 4
print(csv.write(rows, {path = "reports/2024/out.csv", columns = {"upn", "size"}}))
print(csv.write(rows, {path = "flat.csv"}))
local again = csv.read("reports/2024/out.csv", {from = "out"})
print(#again, again[1].size)
local lists = csv.read("in.csv", {from = "script", header = false})
print(#lists, lists[2][1])`)
	if want := "1\tzoe@contoso.com\t3\n1\n1\n1\t4\n2\tzoe@contoso.com\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("writing to a file also wrote %q to stdout", stdout.String())
	}
	for name, want := range map[string]string{
		"reports/2024/out.csv": "upn,size\nzoe@contoso.com,4\n",
		"flat.csv":             "size,upn\n4,zoe@contoso.com\n",
	} {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if string(data) != want {
			t.Errorf("%s = %q, want %q", name, data, want)
		}
	}
	// A second write replaces the file instead of appending.
	run(t, Options{Folders: f}, `csv.write({{a = 1}}, {path = "flat.csv"})`)
	if data, _ := os.ReadFile(filepath.Join(out, "flat.csv")); string(data) != "a\n1\n" {
		t.Errorf("rewritten flat.csv = %q, want %q", data, "a\n1\n")
	}
}

func TestWriteLeavesNoFileOnBadRows(t *testing.T) {
	_, out, f := folders(t)
	msg := runErr(t, Options{Folders: f}, `csv.write({{a = 1}, {a = print}}, {path = "bad.csv"})`)
	wantContains(t, msg, `csv.write: row 2, column "a": a function cannot be a CSV field`)
	if _, err := os.Stat(filepath.Join(out, "bad.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bad.csv exists after a failed write (stat: %v)", err)
	}
}

func TestReadErrors(t *testing.T) {
	script, _, f := folders(t)
	if err := os.WriteFile(filepath.Join(script, "ragged.csv"), []byte("a,b\n1,2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(script, "folder.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts Options
		src  string
		want string
	}{
		{Options{Folders: f}, `csv.read("data.csv")`, "csv.read: data.csv: no such file"},
		{Options{Folders: f}, `csv.read("data.csv", {from = "out"})`, "csv.read: data.csv: no such file"},
		{Options{Folders: f}, `csv.read("ragged.csv")`, "csv.read: ragged.csv: line 3: 1 fields, but the header has 2"},
		{Options{Folders: f}, `csv.read("folder.csv")`, "csv.read: folder.csv: is a directory"},
		{Options{Folders: f}, `csv.read("in.csv", {from = "home"})`, `csv.read: option from must be "script" or "out", got "home"`},
		{Options{Folders: f}, `csv.read()`, "csv.read: bad argument #1: expected a path string, got nil"},
		{Options{Folders: f}, `csv.read("")`, "csv.read: empty path"},
		{Options{}, `csv.read("in.csv")`, "csv.read: in.csv: the script's folder is not available"},
		{Options{}, `csv.read("in.csv", {from = "out"})`, "csv.read: in.csv: the --out folder is not available"},
	}
	for _, tt := range tests {
		wantContains(t, runErr(t, tt.opts, tt.src), tt.want)
	}
}

func TestWriteErrors(t *testing.T) {
	_, _, f := folders(t)
	tests := []struct {
		opts Options
		src  string
		want string
	}{
		{Options{}, `csv.write({{a = 1}}, {path = "x.csv"})`, "csv.write: x.csv: no output folder is available"},
		{Options{Folders: f}, `csv.write({{a = 1}}, {path = ""})`, "csv.write: option path is empty"},
		{Options{Folders: f}, `csv.write({{a = 1}}, {path = 1})`, "csv.write: option path must be a string, got number"},
		{Options{Folders: f}, `csv.write({{a = 1}}, {file = "x.csv"})`, `csv.write: unknown option "file" (known: columns, path)`},
		{Options{Folders: f}, `csv.write({{a = 1}}, {columns = "a"})`, "csv.write: option columns: expected a list of column names, got string"},
		{Options{Folders: f}, `csv.write({{a = 1}}, "x.csv")`, "csv.write: bad argument #2: expected an options table, got string"},
	}
	for _, tt := range tests {
		wantContains(t, runErr(t, tt.opts, tt.src), tt.want)
	}
}

// TestEscapes checks that no path reaches outside the script and out
// folders: not "..", not an absolute path, not a symlink to a file or a
// folder outside.
func TestEscapes(t *testing.T) {
	script, out, f := folders(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	if err := os.WriteFile(secret, []byte("a\nsecret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{script, out} {
		if err := os.Symlink(secret, filepath.Join(dir, "link.csv")); err != nil {
			t.Skipf("cannot create symlinks here: %v", err)
		}
		if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ name, src, want string }{
		{"read dot-dot", `csv.read("../secret.csv")`, `csv.read: "../secret.csv": path leaves the folder`},
		{"read nested dot-dot", `csv.read("sub/../../secret.csv")`, `csv.read: "sub/../../secret.csv": path leaves the folder`},
		{"read absolute", `csv.read("/etc/passwd")`, `csv.read: "/etc/passwd": absolute paths are not allowed`},
		{"read windows absolute", `csv.read("C:\\Windows\\win.ini")`, `csv.read: "C:\\Windows\\win.ini": absolute paths are not allowed`},
		{"read symlink", `csv.read("link.csv")`, "csv.read: link.csv: path leaves the folder"},
		{"read symlink from out", `csv.read("link.csv", {from = "out"})`, "csv.read: link.csv: path leaves the folder"},
		{"read through symlinked folder", `csv.read("linkdir/secret.csv")`, "csv.read: linkdir/secret.csv: path leaves the folder"},
		{"write dot-dot", `csv.write({{a = 1}}, {path = "../secret.csv"})`, `csv.write: "../secret.csv": path leaves the folder`},
		{"write absolute", `csv.write({{a = 1}}, {path = "/etc/passwd"})`, `csv.write: "/etc/passwd": absolute paths are not allowed`},
		{"write symlink", `csv.write({{a = 1}}, {path = "link.csv"})`, "csv.write: link.csv: path leaves the folder"},
		{"write through symlinked folder", `csv.write({{a = 1}}, {path = "linkdir/secret.csv"})`, "csv.write: linkdir/secret.csv: path leaves the folder"},
		{"write new file in symlinked folder", `csv.write({{a = 1}}, {path = "linkdir/new/x.csv"})`, "csv.write: linkdir/new/x.csv: path leaves the folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantContains(t, runErr(t, Options{Folders: f}, tt.src), tt.want)
		})
	}
	if data, err := os.ReadFile(secret); err != nil || string(data) != "a\nsecret\n" {
		t.Errorf("the file outside changed: %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a folder was created outside (stat: %v)", err)
	}
}

func TestEscapeErrorIsCatchable(t *testing.T) {
	_, _, f := folders(t)
	got := run(t, Options{Folders: f}, `local ok, err = pcall(csv.read, "../x.csv"); print(ok, err)`)
	if want := "false\ttest.lua:2: csv.read: \"../x.csv\": path leaves the folder\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/csv_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	opts := Options{
		Stdout:  &stdout,
		Folders: runtime.Folders{Script: openDir(t, "testdata"), Out: openDir(t, t.TempDir())},
	}
	if out := runtimetest.MustRun(t, string(src), runOpts(opts)); out != "ok\n" {
		t.Errorf("csv_test.lua printed %q, want \"ok\\n\"", out)
	}
	if want := "x,y\n1,2\n"; stdout.String() != want {
		t.Errorf("csv.write to stdout wrote %q, want %q", stdout.String(), want)
	}
}
