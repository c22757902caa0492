package runtime_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

func TestCleanPathRefusesEscapes(t *testing.T) {
	for _, p := range []string{"../x", "a/../../x", "/etc/passwd", `C:\x`, `..\x`} {
		if _, err := runtime.CleanPath(p); !errors.Is(err, runtime.ErrEscape) {
			t.Errorf("CleanPath(%q) = %v, want ErrEscape", p, err)
		}
	}
	if got, err := runtime.CleanPath("reports/./q1/../q2.csv"); err != nil || got != "reports/q2.csv" {
		t.Errorf("CleanPath kept a valid path as %q, %v", got, err)
	}
}

func TestRootDirReportsSymlinkEscape(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link.txt")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d := runtime.RootDir(root)
	if _, err := fs.ReadFile(d, "link.txt"); !errors.Is(err, runtime.ErrEscape) {
		t.Errorf("read through symlink: %v, want ErrEscape", err)
	}
	if _, err := d.Create("link.txt"); !errors.Is(err, runtime.ErrEscape) {
		t.Errorf("write through symlink: %v, want ErrEscape", err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "secret" {
		t.Errorf("the outside file changed: %q", b)
	}
}

func TestDecodeJSONRefusesTrailingData(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, bad := range []string{"[1]]", "{}}", "1 2"} {
		if _, err := runtime.DecodeJSON(L, []byte(bad)); err == nil {
			t.Errorf("DecodeJSON(%q) accepted trailing data", bad)
		}
	}
	v, err := runtime.DecodeJSON(L, []byte(`{"a":[]} `))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := runtime.EncodeJSON(v, ""); string(b) != `{"a":[]}` {
		t.Errorf("round trip gave %s", b)
	}
}

// TestModuleFor: the names Tab offers inside require(" are exactly those
// require loads.
func TestModuleFor(t *testing.T) {
	for path, want := range map[string]string{
		"report.lua": "report", "lib/util.lua": "lib.util", "lib/my-util.lua": "lib.my-util",
		"my.util.lua": "", "my util.lua": "", "notes.txt": "", "1st.lua": "", "lib/.hidden.lua": "",
	} {
		name, ok := runtime.ModuleFor(path)
		if ok != (want != "") || ok && name != want {
			t.Errorf("ModuleFor(%q) = %q, %v; want %q", path, name, ok, want)
		}
	}
}

// A bundle's --out folder shows the bundle only what it wrote there:
// files that were there before stay unreadable (also once appended to),
// listings leave them out, removing them fails as if they were absent; a
// file replaced is a new file (an executable does not stay one), and dot
// names, reserved names and paths through symbolic links are refused.
func TestWrittenOnlyDir(t *testing.T) {
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"private.txt": 0o600, "log.txt": 0o644, "run.sh": 0o755} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("before\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"reports", ".git"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	symlinks := true
	if err := os.Symlink(".git", filepath.Join(dir, "data")); err != nil {
		symlinks = false
		t.Logf("no symlinks here: %v", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d := runtime.WrittenOnlyDir(runtime.RootDir(root), "journal.jsonl")
	write := func(open func(string) (io.WriteCloser, error), name string) error {
		w, err := open(name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, "run\n")
		w.Close()
		return err
	}
	if err := d.MkdirAll("reports"); err != nil {
		t.Fatalf("mkdir of a folder already there: %v", err)
	}
	for _, name := range []string{"reports/today.csv", "new.log", "run.sh"} {
		if err := write(d.Create, name); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"reports/today.csv": "run\n", "new.log": "run\n", "run.sh": "run\n"} {
		if got, err := fs.ReadFile(d, name); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "run.sh")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("run.sh replaced keeps mode %v (%v); want a new file, 0644", fi.Mode(), err)
	}
	if err := write(d.Append, "log.txt"); err != nil {
		t.Errorf("append to log.txt: %v", err)
	}
	for _, name := range []string{"private.txt", "log.txt"} {
		if _, err := fs.ReadFile(d, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was there before the run, and reads: %v", name, err)
		}
		if err := d.Remove(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was there before the run, and removing it gives %v", name, err)
		}
	}
	refused := map[string]error{".bashrc": runtime.ErrDotName, ".git/hooks/pre-commit": runtime.ErrDotName, "Journal.jsonl": runtime.ErrReserved}
	if symlinks {
		refused["data/hooks/pre-commit"] = runtime.ErrSymlink
	}
	for name, want := range refused {
		if err := write(d.Create, name); !errors.Is(err, want) {
			t.Errorf("create %s: %v, want %v", name, err, want)
		}
	}
	entries, err := fs.ReadDir(d, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"new.log", "reports", "run.sh"}; !slices.Equal(names, want) {
		t.Errorf("listing %v, want %v", names, want)
	}
	if err := d.Remove("new.log"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "private.txt")); err != nil {
		t.Errorf("private.txt is gone: %v", err)
	}
}

// An executable the run did not write is not appended to.
func TestWrittenOnlyDirAppendsToNoExecutable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := runtime.WrittenOnlyDir(runtime.RootDir(root)).Append("run.sh"); !errors.Is(err, runtime.ErrExecutable) {
		t.Errorf("append to run.sh: %v", err)
	}
}

func TestNoWrites(t *testing.T) {
	why := errors.New("give --out")
	d := runtime.NoWrites(why)
	if _, err := d.Create("x"); !errors.Is(err, why) {
		t.Errorf("Create: %v", err)
	}
	if _, err := fs.ReadFile(d, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read: %v", err)
	}
}

func TestReadOnlyDirRefusesChanges(t *testing.T) {
	d := runtime.ReadOnlyDir(os.DirFS(t.TempDir()))
	_, err := d.Create("x")
	if !errors.Is(err, runtime.ErrReadOnly) {
		t.Errorf("Create: %v", err)
	}
	if err := d.MkdirAll("x"); !errors.Is(err, runtime.ErrReadOnly) {
		t.Errorf("MkdirAll: %v", err)
	}
	if _, err := d.Append("x"); !errors.Is(err, runtime.ErrReadOnly) {
		t.Errorf("Append: %v", err)
	}
	if err := d.Remove("x"); !errors.Is(err, runtime.ErrReadOnly) {
		t.Errorf("Remove: %v", err)
	}
}
