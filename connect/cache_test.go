package connect

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokenCacheFile(t *testing.T) {
	t.Parallel()
	_, ep := sharedEmulator(t)
	cacheFile := filepath.Join(t.TempDir(), "tokens.json")
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile
	s.TokenCache = cacheFile

	open := func() (*Session, *countingTransport, string) {
		t.Helper()
		tr := newCountingTransport(t, ep)
		sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, WriteFile: os.WriteFile, Transport: tr})
		tok, err := sess.Tokens.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sess, tr, tok
	}

	_, tr1, tok1 := open()
	if tr1.tokens.Load() != 1 {
		t.Errorf("first Open: %d token requests", tr1.tokens.Load())
	}
	fi, err := os.Stat(cacheFile)
	if err != nil {
		t.Fatalf("no cache file after the first Open: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(cacheFile)
	if !strings.Contains(string(data), tok1) {
		t.Error("the cache file does not hold the token")
	}

	// A new process: a new Open with a new MSAL client.
	sess2, tr2, tok2 := open()
	if tr2.tokens.Load() != 0 {
		t.Errorf("second Open sent %d token requests; want the token from the cache", tr2.tokens.Load())
	}
	if tok2 != tok1 {
		t.Error("second Open got another token than the cached one")
	}
	if sess2.Tokens.Refreshes() != 1 {
		t.Errorf("refreshes %d", sess2.Tokens.Refreshes())
	}
	// A refused token bypasses the cache.
	sess2.Tokens.Invalidate(tok2)
	tok3, err := sess2.Tokens.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok3 == tok2 || tr2.tokens.Load() != 1 {
		t.Errorf("after Invalidate: same token %v, %d token requests", tok3 == tok2, tr2.tokens.Load())
	}

	// Without WriteFile nothing is written; without the setting, no file.
	other := filepath.Join(t.TempDir(), "none.json")
	s2 := s
	s2.TokenCache = other
	mustOpen(t, s2, Options{ReadFile: os.ReadFile})
	s2.TokenCache = ""
	mustOpen(t, s2, Options{ReadFile: os.ReadFile, WriteFile: os.WriteFile})
	if _, err := os.Stat(other); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cache file written without WriteFile: %v", err)
	}
}

func TestTokenCacheCorruptOrUnwritable(t *testing.T) {
	t.Parallel()
	_, ep := sharedEmulator(t)
	dir := t.TempDir()
	s := emuSettings(ep, ep.AppID)
	s.CertificateFile = ep.CertificateFile

	// Corrupt: a warning, a new token, the file rewritten.
	s.TokenCache = writeFile(t, dir, "corrupt.json", []byte("{not json"))
	var logs logBuffer
	sess := mustOpen(t, s, Options{ReadFile: os.ReadFile, WriteFile: os.WriteFile, Logger: logs.logger()})
	if sess.Identity.AppID != ep.AppID {
		t.Fatal("no session")
	}
	if !strings.Contains(logs.String(), "token cache corrupt") {
		t.Errorf("no warning: %s", logs.String())
	}
	if data, _ := os.ReadFile(s.TokenCache); !strings.Contains(string(data), "AccessToken") {
		t.Errorf("corrupt cache not replaced: %.40s", data)
	}

	// Unwritable: a warning, never a failed sign-in.
	s.TokenCache = filepath.Join(dir, "no-such-folder", "tokens.json")
	logs = logBuffer{}
	mustOpen(t, s, Options{ReadFile: os.ReadFile, WriteFile: os.WriteFile, Logger: logs.logger()})
	if !strings.Contains(logs.String(), "token cache not saved") {
		t.Errorf("no warning: %s", logs.String())
	}
	if strings.Contains(logs.String(), "unreadable") {
		t.Errorf("a missing cache file is reported: %s", logs.String())
	}
}
