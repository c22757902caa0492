package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeOrNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	if err := WriteBytes(path, []byte("v1"), 0o600); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("disk on fire")
	err := Write(path, 0o600, func(w io.Writer) error {
		w.Write([]byte("half of v2"))
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("want the writer's error, got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "v1" {
		t.Fatalf("a failed write changed the file to %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("a temporary file was left behind: %v", entries)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := Create(path, 0o600, func(w io.Writer) error { _, err := w.Write([]byte("first")); return err }); err != nil {
		t.Fatal(err)
	}
	err := Create(path, 0o600, func(w io.Writer) error { _, err := w.Write([]byte("second")); return err })
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create: want fs.ErrExist, got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("Create replaced the file: %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("a temporary file was left behind: %v", entries)
	}
}
