package certificate

import (
	"crypto/x509"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

func newStore(t *testing.T) *Store {
	return &Store{Dir: filepath.Join(t.TempDir(), "certificates"), FS: dirFS{}}
}

// credentialFor is a valid credential named CN=cn; all share keyA, which
// the store does not mind: it keys by certificate.
func credentialFor(t *testing.T, cn string) *Credential {
	t.Helper()
	return &Credential{Chain: []*x509.Certificate{makeCert(t, keyA(), certOpts{cn: cn})}, Key: keyA(), Source: "test " + cn}
}

func TestStoreImportListLoadRemove(t *testing.T) {
	s := newStore(t)
	if entries, err := s.List(); err != nil || len(entries) != 0 {
		t.Fatalf("a store that does not exist yet lists %v, %v", entries, err)
	}
	beta := credentialFor(t, "beta")
	alpha := credentialFor(t, "alpha")

	tpBeta, err := s.Import(beta)
	if err != nil {
		t.Fatal(err)
	}
	if tpBeta != beta.Thumbprint() {
		t.Errorf("Import returned %s, want %s", tpBeta, beta.Thumbprint())
	}
	if _, err := s.Import(alpha); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(beta); err != nil { // again: idempotent
		t.Fatalf("second import: %v", err)
	}

	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Subject != "CN=alpha" || entries[1].Subject != "CN=beta" {
		t.Fatalf("List = %+v, want alpha then beta", entries)
	}
	e := entries[1]
	if e.Thumbprint != tpBeta || e.KeyType != "RSA" || e.KeyBits != 2048 ||
		!e.NotBefore.Equal(beta.Leaf().NotBefore) || !e.NotAfter.Equal(beta.Leaf().NotAfter) {
		t.Errorf("entry = %+v", e)
	}

	// As people paste it: lower case, spaced or colon-separated, with the
	// left-to-right mark Windows' certificate dialog copies along.
	pasted := "\u200e" + strings.ToLower(tpBeta[:2]+" "+tpBeta[2:4]+":"+tpBeta[4:])
	got, err := s.Load(pasted)
	if err != nil {
		t.Fatal(err)
	}
	if got.Thumbprint() != tpBeta || !got.Key.Equal(beta.Key) || got.Source != "store "+tpBeta {
		t.Errorf("Load gave %s from %q", got.Thumbprint(), got.Source)
	}

	if err := s.Remove(strings.ToLower(tpBeta)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(tpBeta)
	assertRefused(t, err, ErrNotInStore, exitcode.Auth, "certificate "+tpBeta+": not in the certificate store")
	if hint := exitcode.HintOf(err); !strings.Contains(hint, "exorun cert import FILE") {
		t.Errorf("hint %q does not say how to import", hint)
	}
	assertRefused(t, s.Remove(tpBeta), ErrNotInStore, exitcode.Auth, tpBeta)
	if entries, _ := s.List(); len(entries) != 1 || entries[0].Subject != "CN=alpha" {
		t.Errorf("after Remove, List = %+v", entries)
	}
}

func TestStoreFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes; its ACLs protect the profile folder")
	}
	s := newStore(t)
	c := credentialFor(t, "modes")
	tp, err := s.Import(c)
	if err != nil {
		t.Fatal(err)
	}
	// An old key file with a loose mode must end up 0600 after import.
	if err := os.Chmod(filepath.Join(s.Dir, tp, "key.pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(c); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]fs.FileMode{
		"":         0o700 | fs.ModeDir,
		"key.pem":  0o600,
		"cert.pem": 0o644,
	} {
		info, err := os.Stat(filepath.Join(s.Dir, tp, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s/%s has mode %v, want %v", tp, name, info.Mode(), want)
		}
	}
}

func TestStoreToleratesStrangers(t *testing.T) {
	s := newStore(t)
	c := credentialFor(t, "kept")
	tp, err := s.Import(c)
	if err != nil {
		t.Fatal(err)
	}
	// Things the store did not write, and an import cut short after the
	// key: List shows only complete entries.
	half := strings.Repeat("AB", 20)
	for _, dir := range []string{"notes", half, strings.ToLower(strings.Repeat("CD", 20))} {
		if err := os.MkdirAll(filepath.Join(s.Dir, dir), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Dir, half, "key.pem"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "README"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Thumbprint != tp {
		t.Errorf("List = %+v, want only %s", entries, tp)
	}
}

func TestStoreRefusals(t *testing.T) {
	s := newStore(t)
	good := credentialFor(t, "good")
	leaf := makeCert(t, keyA(), certOpts{})

	t.Run("import of a mismatched key", func(t *testing.T) {
		_, err := s.Import(&Credential{Chain: []*x509.Certificate{leaf}, Key: keyB(), Source: "bad"})
		assertRefused(t, err, ErrKeyMismatch, exitcode.Auth)
	})
	t.Run("expired certificate imports and loads, and Check refuses it", func(t *testing.T) {
		// Dates far from now: Load must not read the wall clock, so only
		// the time handed to Check decides.
		notBefore := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		notAfter := time.Date(2002, 1, 1, 0, 0, 0, 0, time.UTC)
		expired := makeCert(t, keyA(), certOpts{notBefore: notBefore, notAfter: notAfter})
		tp, err := s.Import(&Credential{Chain: []*x509.Certificate{expired}, Key: keyA(), Source: "old"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Load(tp)
		if err != nil {
			t.Fatalf("Store.Load of a certificate valid only in 2001: %v", err)
		}
		if _, err := Check(c, notAfter.Add(-time.Hour)); err != nil {
			t.Errorf("Check inside the validity window: %v", err)
		}
		_, err = Check(c, notAfter.AddDate(1, 0, 0))
		assertRefused(t, err, ErrExpired, exitcode.Auth, "certificate store "+tp+": expired on 2002-01-01 00:00 UTC (365 days ago)")
	})
	t.Run("entry without its key", func(t *testing.T) {
		tp, err := s.Import(good)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(s.Dir, tp, "key.pem")); err != nil {
			t.Fatal(err)
		}
		_, err = s.Load(tp)
		assertRefused(t, err, ErrNoPrivateKey, exitcode.Auth, "certificate store "+tp+": no private key")
	})
	t.Run("folder holding another certificate", func(t *testing.T) {
		tp, err := s.Import(good)
		if err != nil {
			t.Fatal(err)
		}
		other := strings.Repeat("0", 40)
		if err := os.Rename(filepath.Join(s.Dir, tp), filepath.Join(s.Dir, other)); err != nil {
			t.Fatal(err)
		}
		_, err = s.Load(other)
		assertRefused(t, err, ErrUnreadable, exitcode.Auth, "holds certificate "+tp+" instead")
	})
	t.Run("malformed thumbprints", func(t *testing.T) {
		for thumbprint, want := range map[string]string{
			"../../etc":                    `'.' is not a hexadecimal digit`,
			"3F2A":                         "has 4 hexadecimal digits; a SHA-1 thumbprint has 40",
			strings.Repeat("ab", 32):       "is a SHA-256 thumbprint",
			strings.Repeat("G", 40):        `'G' is not a hexadecimal digit`,
			"":                             "has 0 hexadecimal digits",
			strings.Repeat("a", 39) + "/x": "not a hexadecimal digit",
		} {
			_, err := s.Load(thumbprint)
			assertRefused(t, err, nil, exitcode.Usage, want)
			assertRefused(t, s.Remove(thumbprint), nil, exitcode.Usage, want)
		}
	})
	t.Run("store without a folder", func(t *testing.T) {
		_, err := (&Store{FS: dirFS{}}).List()
		assertRefused(t, err, nil, exitcode.Usage, "no folder configured")
	})
}
