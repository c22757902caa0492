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
// files that were there before (the folder it runs from) stay unreadable,
// also when it appends to them, folder listings leave them out, removing
// them fails as if they were absent, and dot names are refused.
func TestWrittenOnlyDir(t *testing.T) {
	for _, replace := range []bool{false, true} {
		dir := t.TempDir()
		for _, f := range []string{"private.txt", "log.txt"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("before\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(filepath.Join(dir, "reports"), 0o755); err != nil {
			t.Fatal(err)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		d := runtime.WrittenOnlyDir(runtime.RootDir(root), replace)
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
		for _, name := range []string{"reports/today.csv", "new.log"} {
			if err := write(d.Create, name); err != nil {
				t.Fatal(err)
			}
		}
		for name, want := range map[string]string{"reports/today.csv": "run\n", "new.log": "run\n"} {
			if got, err := fs.ReadFile(d, name); err != nil || string(got) != want {
				t.Errorf("%s: %q, %v", name, got, err)
			}
		}
		// Changing what was there: only in a folder given with --out.
		for _, change := range []func(string) (io.WriteCloser, error){d.Create, d.Append} {
			err := write(change, "log.txt")
			if replace != (err == nil) || !replace && !errors.Is(err, runtime.ErrNotReplaced) {
				t.Errorf("replace=%v: changing log.txt: %v", replace, err)
			}
		}
		untouched := []string{"private.txt", "log.txt"}
		if replace {
			untouched = untouched[:1] // log.txt was replaced: what it holds is the run's
		}
		for _, name := range untouched {
			if _, err := fs.ReadFile(d, name); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was there before the run, and reads: %v", name, err)
			}
			if err := d.Remove(name); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was there before the run, and removing it gives %v", name, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "private.txt")); err != nil {
			t.Errorf("private.txt is gone: %v", err)
		}
		for _, name := range []string{".bashrc", ".git/hooks/pre-commit", "a/.env"} {
			if err := write(d.Create, name); !errors.Is(err, runtime.ErrDotName) {
				t.Errorf("create %s: %v", name, err)
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
		want := []string{"new.log", "reports"}
		if replace {
			want = []string{"log.txt", "new.log", "reports"}
		}
		if !slices.Equal(names, want) {
			t.Errorf("listing %v, want %v", names, want)
		}
		if err := d.Remove("new.log"); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Stat(d, "new.log"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("removed file: %v", err)
		}
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
