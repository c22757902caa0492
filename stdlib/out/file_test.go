package out

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

// outDir returns a temporary folder and the runtime.Dir confined to it.
func outDir(t *testing.T) (string, runtime.Dir) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return dir, runtime.RootDir(root)
}

func TestCSVPath(t *testing.T) {
	dir, out := outDir(t)
	src := `local out = require("out")
out.print({{Name = "alice", N = 1}}, {columns = {"Name", "N"}, title = "Main"})
out.print({{Rule = "r1"}, {Rule = "r, 2"}}, {path = "rules/dlp-rules.csv", title = "Rules"})
out.csv({{X = true}}, {path = "x.csv"})
`
	got := run(t, Options{Format: "csv", Folders: runtime.Folders{Out: out}}, src)
	if got != "Name,N\nalice,1\n" {
		t.Errorf("stdout: got %q, want the first table alone", got)
	}
	for name, want := range map[string]string{
		"rules/dlp-rules.csv": "Rule\nr1\n\"r, 2\"\n",
		"x.csv":               "X\ntrue\n",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != want {
			t.Errorf("%s: got %q (%v), want %q", name, b, err, want)
		}
	}
}

// TestPathIgnored checks that path changes nothing but CSV: one script
// serves every format.
func TestPathIgnored(t *testing.T) {
	dir, out := outDir(t)
	src := `require("out").print({{A = 1}}, {path = "a.csv"})`
	for _, format := range []string{"table", "json"} {
		got := run(t, Options{Format: format, Folders: runtime.Folders{Out: out}}, src)
		if want := run(t, Options{Format: format}, `require("out").print({{A = 1}})`); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("table and json wrote a file: %v", entries)
	}
}

func TestSecondCSVTable(t *testing.T) {
	var b bytes.Buffer
	// The first table is empty, so prints nothing, yet it counts: the
	// error must not depend on the data.
	src := `local out = require("out")
out.print({}, {columns = {"A"}})
local ok, err = pcall(out.print, {{B = 2}})
assert(not ok)
print(err.message)
out.print({{B = 3}}, {format = "json"})
local ok2, err2 = pcall(out.csv, {{C = 3}})
print(err2.message)
`
	printed := runtimetest.MustRun(t, src, runtime.Options{Modules: []runtime.Module{Module(Options{Stdout: &b, Format: "csv"})}})
	want := `out.print: stdout already holds a CSV table; give this one a path = "name.csv" to write it to a file in the --out folder` + "\n" +
		`out.csv: stdout already holds a CSV table; give this one a path = "name.csv" to write it to a file in the --out folder` + "\n"
	if printed != want {
		t.Errorf("errors:\n%s\nwant:\n%s", printed, want)
	}
	if b.String() != "[\n  {\n    \"B\": 3\n  }\n]\n" {
		t.Errorf("stdout got more than the json: %q", b.String())
	}
}

func TestCSVPathErrors(t *testing.T) {
	dir, out := outDir(t)
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "elsewhere")); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	for _, tc := range []struct {
		opts    Options
		src     string
		want    string
		wantErr error
	}{
		{Options{Format: "csv"}, `require("out").print({{A = 1}}, {path = "a.csv"})`, "out.print: a.csv: no output folder is available", nil},
		{Options{Folders: runtime.Folders{Out: out}}, `require("out").csv({{A = 1}}, {path = "elsewhere/a.csv"})`, "out.csv: elsewhere/a.csv: path leaves the folder", runtime.ErrEscape},
	} {
		_, err := runtimetest.Run(t, tc.src, runtime.Options{Modules: []runtime.Module{Module(tc.opts)}})
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %q", tc.src, err, tc.want)
			continue
		}
		if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: %v does not wrap %v", tc.src, err, tc.wantErr)
		}
	}
}
