package fs_test

import (
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/runtime/runtimetest"
	"github.com/exorun/exorun/stdlib/fs"
)

// env is a script folder and an --out folder on disk with a state's
// options that confine "fs" to them.
type env struct {
	script, out string
	opts        runtime.Options
}

func newEnv(t *testing.T) env {
	t.Helper()
	e := env{script: t.TempDir(), out: t.TempDir()}
	sr, err := os.OpenRoot(e.script)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sr.Close() })
	or, err := os.OpenRoot(e.out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { or.Close() })
	e.opts = runtime.Options{Modules: []runtime.Module{
		fs.Module(runtime.Folders{Script: runtime.RootDir(sr), Out: runtime.RootDir(or)}),
	}}
	return e
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
}

// failure runs src, which must fail, and returns the error message and
// the Go error behind it.
func failure(t *testing.T, e env, src string) (string, error) {
	t.Helper()
	se := runtimetest.Fail(t, `local fs = require("fs")`+"\n"+src, e.opts)
	return se.Message, se.Cause
}

func TestReadDefaultsToScriptFolder(t *testing.T) {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.script, "in.txt"), "from script")
	writeFile(t, filepath.Join(e.out, "in.txt"), "from out")
	out := runtimetest.MustRun(t, `
		local fs = require("fs")
		print(fs.read("in.txt"))
		print(fs.read("in.txt", {from = "script"}))
		print(fs.read("in.txt", {from = "out"}))
	`, e.opts)
	if want := "from script\nfrom script\nfrom out\n"; out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestWriteGoesToOutAndCreatesParents(t *testing.T) {
	e := newEnv(t)
	runtimetest.MustRun(t, `
		local fs = require("fs")
		fs.write("reports/2024/summary.csv", "a,b\n")
		fs.write("reports/2024/summary.csv", "c,d\n") -- truncates
		fs.write("count.txt", 42)
		fs.append("log/run.log", "one\n")
		fs.append("log/run.log", "two\n")
	`, e.opts)
	for name, want := range map[string]string{
		"reports/2024/summary.csv": "c,d\n",
		"count.txt":                "42",
		"log/run.log":              "one\ntwo\n",
	} {
		got, err := os.ReadFile(filepath.Join(e.out, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
		if _, err := os.Stat(filepath.Join(e.script, filepath.FromSlash(name))); !errors.Is(err, iofs.ErrNotExist) {
			t.Errorf("%s was written to the script's folder too (err %v)", name, err)
		}
	}
}

func TestBackslashesAndDotSegments(t *testing.T) {
	e := newEnv(t)
	runtimetest.MustRun(t, `
		local fs = require("fs")
		fs.write([[sub\file.txt]], "x")
		assert(fs.read("sub/./other/../file.txt", {from = "out"}) == "x")
	`, e.opts)
	if _, err := os.Stat(filepath.Join(e.out, "sub", "file.txt")); err != nil {
		t.Fatal(err)
	}
}

func TestExists(t *testing.T) {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.script, "a.txt"), "")
	writeFile(t, filepath.Join(e.out, "b/c.txt"), "")
	runtimetest.MustRun(t, `
		local fs = require("fs")
		assert(fs.exists("a.txt") == true)
		assert(fs.exists("a.txt", {from = "out"}) == false)
		assert(fs.exists("b", {from = "out"}) == true)
		assert(fs.exists("b/c.txt", {from = "out"}) == true)
		assert(fs.exists("nope") == false)
		assert(fs.exists("a.txt/below") == false)
		assert(fs.exists(".") == true)
	`, e.opts)
}

func TestList(t *testing.T) {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.script, "b.txt"), "")
	writeFile(t, filepath.Join(e.script, "A.txt"), "")
	writeFile(t, filepath.Join(e.script, "lib/util.lua"), "")
	writeFile(t, filepath.Join(e.script, "data/x.csv"), "")
	out := runtimetest.MustRun(t, `
		local fs = require("fs")
		print(table.concat(fs.list("."), " "))
		print(table.concat(fs.list(), " "))
		print(table.concat(fs.list("lib"), " "))
		print(#fs.list(".", {from = "out"}))
	`, e.opts)
	want := "A.txt b.txt data/ lib/\nA.txt b.txt data/ lib/\nutil.lua\n0\n"
	if out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestListSymlinks(t *testing.T) {
	e := newEnv(t)
	outside := t.TempDir()
	writeFile(t, filepath.Join(e.script, "real/x.txt"), "")
	symlink(t, "real", filepath.Join(e.script, "inside"))
	symlink(t, outside, filepath.Join(e.script, "outside"))
	out := runtimetest.MustRun(t, `
		local fs = require("fs")
		print(table.concat(fs.list("."), " "))
		print(table.concat(fs.list("inside"), " "))
	`, e.opts)
	if want := "inside/ outside real/\nx.txt\n"; out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestMkdirAndRemove(t *testing.T) {
	e := newEnv(t)
	runtimetest.MustRun(t, `
		local fs = require("fs")
		fs.mkdir("a/b/c")
		fs.mkdir("a/b/c") -- already there: fine
		assert(fs.exists("a/b/c", {from = "out"}))
		fs.write("a/f.txt", "x")
		assert(fs.remove("a/f.txt") == true)
		assert(fs.remove("a/f.txt") == false)
		assert(fs.remove("a/b/c") == true)
		assert(not fs.exists("a/b/c", {from = "out"}))
	`, e.opts)
	if _, err := os.Stat(filepath.Join(e.out, "a", "b")); err != nil {
		t.Fatal(err)
	}
}

func TestOperationErrors(t *testing.T) {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.script, "dir/x.txt"), "")
	writeFile(t, filepath.Join(e.out, "full/x.txt"), "")
	writeFile(t, filepath.Join(e.out, "file.txt"), "")
	for _, c := range []struct{ src, want string }{
		{`fs.read("missing.txt")`, `fs.read: "missing.txt": no such file or folder in the script's folder`},
		{`fs.read("missing.txt", {from = "out"})`, `fs.read: "missing.txt": no such file or folder in the --out folder`},
		{`fs.read("dir")`, `fs.read: "dir" is a folder in the script's folder, not a file`},
		{`fs.list("dir/x.txt")`, `fs.list: "dir/x.txt" is a file in the script's folder, not a folder`},
		{`fs.list("nope")`, `fs.list: "nope": no such file or folder in the script's folder`},
		{`fs.write("full", "x")`, `fs.write: "full" is a folder in the --out folder, not a file`},
		{`fs.write("file.txt/x", "x")`, `fs.write: "file.txt/x": part of the path is a file, not a folder`},
		{`fs.mkdir("file.txt")`, `fs.mkdir: "file.txt" is a file in the --out folder`},
		{`fs.remove("full")`, `fs.remove: "full": the folder is not empty`},
		{`fs.remove(".")`, `fs.remove: "." is the --out folder itself`},
		{`fs.read("")`, `fs.read: empty path`},
		{`fs.read(nil)`, `fs.read: path must be a string, not nil`},
		{`fs.write("x.txt", {})`, `fs.write: data must be a string, not table`},
		{`fs.write("x.txt")`, `fs.write: data must be a string, not nil`},
		{`fs.read("dir/x.txt", "out")`, `fs.read: options must be a table such as {from = "out"}, not string`},
		{`fs.read("dir/x.txt", {from = "tmp"})`, `fs.read: from must be "script" or "out", not "tmp"`},
		{`fs.read("dir/x.txt", {form = "out"})`, `fs.read: unknown option "form"`},
	} {
		msg, _ := failure(t, e, c.src)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, msg, c.want)
		}
		if strings.Contains(msg, e.script) || strings.Contains(msg, e.out) {
			t.Errorf("%s: message shows a host path: %q", c.src, msg)
		}
	}
}

func TestNotExistUnwraps(t *testing.T) {
	e := newEnv(t)
	_, err := failure(t, e, `fs.read("missing.txt")`)
	if !errors.Is(err, iofs.ErrNotExist) {
		t.Fatalf("cause %v does not unwrap to fs.ErrNotExist", err)
	}
}

func TestEscapesAreRefused(t *testing.T) {
	e := newEnv(t)
	writeFile(t, filepath.Join(filepath.Dir(e.script), "x"), "outside")
	paths := []struct{ lua, shown, reason string }{
		{`"../x"`, `"../x"`, `".." may not climb above it`},
		{`"a/../../x"`, `"a/../../x"`, `".." may not climb above it`},
		{`"..\\x"`, `"..\\x"`, `".." may not climb above it`},
		{`"/etc/passwd"`, `"/etc/passwd"`, "absolute paths are not allowed"},
		{`[[C:\x]]`, `"C:\\x"`, "absolute paths are not allowed"},
		{`"c:/windows/win.ini"`, `"c:/windows/win.ini"`, "absolute paths are not allowed"},
		{`[[\\server\share\x]]`, `"\\\\server\\share\\x"`, "absolute paths are not allowed"},
	}
	calls := []struct{ call, folder string }{
		{`fs.read(%s)`, "the script's folder"},
		{`fs.read(%s, {from = "out"})`, "the --out folder"},
		{`fs.exists(%s)`, "the script's folder"},
		{`fs.list(%s)`, "the script's folder"},
		{`fs.write(%s, "x")`, "the --out folder"},
		{`fs.append(%s, "x")`, "the --out folder"},
		{`fs.mkdir(%s)`, "the --out folder"},
		{`fs.remove(%s)`, "the --out folder"},
	}
	for _, p := range paths {
		for _, c := range calls {
			src := strings.Replace(c.call, "%s", p.lua, 1)
			msg, cause := failure(t, e, src)
			fn := src[:strings.Index(src, "(")]
			want := fn + ": " + p.shown + " leaves " + c.folder + ": " + p.reason
			if !strings.Contains(msg, want) {
				t.Errorf("%s:\n got %q\nwant %q", src, msg, want)
			}
			if !errors.Is(cause, runtime.ErrEscape) {
				t.Errorf("%s: cause %v does not unwrap to runtime.ErrEscape", src, cause)
			}
		}
	}
}

func TestSymlinkEscapesAreRefused(t *testing.T) {
	e := newEnv(t)
	secret := t.TempDir()
	writeFile(t, filepath.Join(secret, "passwd"), "root:x:0:0")
	symlink(t, secret, filepath.Join(e.script, "link"))
	symlink(t, filepath.Join(secret, "passwd"), filepath.Join(e.script, "file"))
	symlink(t, secret, filepath.Join(e.out, "link"))
	for _, c := range []struct{ src, want string }{
		{`fs.read("link/passwd")`, `fs.read: "link/passwd" leaves the script's folder: a symbolic link on the way points outside it`},
		{`fs.read("file")`, `fs.read: "file" leaves the script's folder: a symbolic link on the way points outside it`},
		{`fs.exists("link/passwd")`, `fs.exists: "link/passwd" leaves the script's folder`},
		{`fs.list("link")`, `fs.list: "link" leaves the script's folder`},
		{`fs.read("link/passwd", {from = "out"})`, `fs.read: "link/passwd" leaves the --out folder: a symbolic link`},
		{`fs.write("link/passwd", "pwned")`, `fs.write: "link/passwd" leaves the --out folder: a symbolic link`},
		{`fs.append("link/new.txt", "x")`, `fs.append: "link/new.txt" leaves the --out folder: a symbolic link`},
		{`fs.mkdir("link/sub")`, `fs.mkdir: "link/sub" leaves the --out folder: a symbolic link`},
		{`fs.remove("link/passwd")`, `fs.remove: "link/passwd" leaves the --out folder: a symbolic link`},
	} {
		msg, cause := failure(t, e, c.src)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, msg, c.want)
		}
		if strings.Contains(msg, "escapes from parent") || strings.Contains(msg, "openat") || strings.Contains(msg, secret) {
			t.Errorf("%s: raw system error in message %q", c.src, msg)
		}
		if !errors.Is(cause, runtime.ErrEscape) {
			t.Errorf("%s: cause %v does not unwrap to runtime.ErrEscape", c.src, cause)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(secret, "passwd")); string(got) != "root:x:0:0" {
		t.Fatalf("file outside was changed: %q", got)
	}
	if _, err := os.Stat(filepath.Join(secret, "sub")); !errors.Is(err, iofs.ErrNotExist) {
		t.Fatalf("folder outside was created (err %v)", err)
	}
}

func TestMissingFolders(t *testing.T) {
	opts := runtime.Options{Modules: []runtime.Module{fs.Module(runtime.Folders{})}}
	for _, c := range []struct{ src, want string }{
		{`fs.read("a.txt")`, `fs.read: "a.txt": the script's folder is not available to this script`},
		{`fs.write("a.txt", "x")`, `fs.write: "a.txt": the --out folder is not available to this script`},
	} {
		msg, _ := failure(t, env{opts: opts}, c.src)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, msg, c.want)
		}
	}
}

func TestLuaSide(t *testing.T) {
	src, err := os.ReadFile("testdata/fs_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	sr, err := os.OpenRoot("testdata")
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	or, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer or.Close()
	runtimetest.MustRun(t, string(src), runtime.Options{Modules: []runtime.Module{
		fs.Module(runtime.Folders{Script: runtime.RootDir(sr), Out: runtime.RootDir(or)}),
	}})
}
