package runtime_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
