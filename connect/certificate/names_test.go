package certificate

import (
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
)

// Hints name what the caller says its user types; a caller that says
// nothing gets the connection settings' names, word for word as before.
func TestHintsNameTheCallersSettings(t *testing.T) {
	c := newCredential(t)
	pfx, err := c.PFX(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	fsys := files(map[string][]byte{"app.pfx": pfx, "app.cer": c.CertDER()})
	names := Names{CertFile: "the FILE argument", KeyFile: "--key-file FILE", Password: "--password-env VAR"}
	tests := []struct {
		name, path, password string
		kind                 error
		settings, named      string
	}{
		{"no password", "app.pfx", "", ErrPasswordNeeded,
			"give the password the certificate was exported with (EXORUN_CERTIFICATE_PASSWORD, or the variable named by --certificate-password-env)",
			"give the password the certificate was exported with (--password-env VAR)"},
		{"wrong password", "app.pfx", wrongPassword, ErrWrongPassword,
			"give the password the certificate was exported with (EXORUN_CERTIFICATE_PASSWORD, or the variable named by --certificate-password-env)",
			"give the password the certificate was exported with (--password-env VAR)"},
		{"no key", "app.cer", "", ErrNoPrivateKey,
			"use a .pfx that holds the private key, or give the key file (certificate_key_file / --certificate-key-file)",
			"use a .pfx that holds the private key, or give the key file (--key-file FILE)"},
		{"missing file", "nope.pfx", "", nil,
			"check the path given in certificate_file / --certificate-file or certificate_key_file / --certificate-key-file",
			"check the path given in the FILE argument or --key-file FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFile(tt.path, "", tt.password, fsys)
			assertRefused(t, err, tt.kind, exitcode.Auth)
			if got := exitcode.HintOf(err); got != tt.settings {
				t.Errorf("LoadFile hint %q, want %q", got, tt.settings)
			}
			_, err = LoadFileNamed(tt.path, "", tt.password, names, fsys)
			assertRefused(t, err, tt.kind, exitcode.Auth)
			if got := exitcode.HintOf(err); got != tt.named {
				t.Errorf("LoadFileNamed hint %q, want %q", got, tt.named)
			}
			if strings.Contains(exitcode.HintOf(err), "--certificate-") {
				t.Errorf("LoadFileNamed hint %q still names a connection setting", exitcode.HintOf(err))
			}
		})
	}
	t.Run("key file without key", func(t *testing.T) {
		fsys := files(map[string][]byte{"app.cer": c.CertDER(), "other.cer": c.CertDER()})
		_, err := LoadFileNamed("app.cer", "other.cer", "", names, fsys)
		assertRefused(t, err, ErrNoPrivateKey, exitcode.Auth, "key file other.cer: holds no private key")
		if got, want := exitcode.HintOf(err), "use a .pfx that holds the private key, or give the key file (--key-file FILE)"; got != want {
			t.Errorf("hint %q, want %q", got, want)
		}
	})
}
