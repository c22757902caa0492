package statefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRSAKeyIsCreatedOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.pem")
	k1, err := RSAKey(path, "test key")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := RSAKey(path, "test key")
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) || k1.N.BitLen() != 2048 {
		t.Fatal("the second load did not return the saved 2048-bit key")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	os.WriteFile(path, []byte("junk"), 0o600)
	if _, err := RSAKey(path, "test key"); err == nil || !strings.Contains(err.Error(), "test key "+path) {
		t.Fatalf("corrupt key file: %v", err)
	}
}

func TestSecretIsCreatedOnceAndNeverShownInErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	if _, err := ReadSecret(path, "header"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing secret: %v", err)
	}
	n := 0
	gen := func() (string, error) { n++; return "s3cret-value", nil }
	s1, err := Secret(path, "header", gen)
	if err != nil || s1 != "s3cret-value" {
		t.Fatalf("%q %v", s1, err)
	}
	s2, err := Secret(path, "header", gen)
	if err != nil || s2 != s1 || n != 1 {
		t.Fatalf("second Secret: %q %v, generated %d times", s2, err, n)
	}
	if got, err := ReadSecret(path, "header"); err != nil || got != s1 {
		t.Fatalf("ReadSecret: %q %v", got, err)
	}
	os.WriteFile(path, []byte("\n"), 0o600)
	if _, err := ReadSecret(path, "header"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("empty secret file: %v", err)
	}
	if _, err := Secret(filepath.Join(t.TempDir(), "x"), "header", func() (string, error) { return " ", nil }); err == nil {
		t.Fatal("an empty generated secret was accepted")
	}
}
