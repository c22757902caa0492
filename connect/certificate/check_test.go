package certificate

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
	"software.sslmate.com/src/go-pkcs12"
)

// TestRefusals checks every refusal: its kind, its exact wording, its exit
// code and hint, and that no password leaks into it.
func TestRefusals(t *testing.T) {
	now := time.Now()
	leaf := makeCert(t, keyA(), certOpts{cn: "exorun-refusals"})
	leafB := makeCert(t, keyB(), certOpts{cn: "other"})
	ecCert := makeCert(t, keyEC(), certOpts{cn: "ec"})
	shortCert := makeCert(t, key1024(), certOpts{cn: "short"})
	expired := makeCert(t, keyA(), certOpts{notBefore: now.AddDate(-1, 0, 0), notAfter: now.Add(-72 * time.Hour)})
	future := makeCert(t, keyA(), certOpts{notBefore: now.Add(72 * time.Hour), notAfter: now.AddDate(1, 0, 0)})
	keyPEM := pemBlock("PRIVATE KEY", pkcs8DER(t, keyA()))
	// Deprecated in x509 for its weak encryption; old OpenSSL wrote it.
	legacy, err := x509.EncryptPEMBlock(strings.NewReader(strings.Repeat("y", 64)), "RSA PRIVATE KEY",
		x509.MarshalPKCS1PrivateKey(keyA()), []byte(testPassword), x509.PEMCipherDES)
	if err != nil {
		t.Fatal(err)
	}

	fsys := files(map[string][]byte{
		"app.pfx":        encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, testPassword),
		"legacy.pfx":     encodePFX(t, pkcs12.LegacyRC2, keyA(), leaf, nil, testPassword),
		"nopass.pfx":     encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, ""),
		"truststore.pfx": mustTrustStore(t, leaf),
		"ec.pfx":         encodePFX(t, pkcs12.Modern2023, keyEC(), ecCert, nil, testPassword),
		"cert.pem":       certPEM(leaf),
		"app.cer":        leaf.Raw,
		"encrypted.pem":  append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", encryptedPKCS8(t, keyA(), testPassword))...),
		"legacy.pem":     append(certPEM(leaf), pem.EncodeToMemory(legacy)...),
		"key.pem":        keyPEM,
		"mismatch.pem":   append(certPEM(leafB), keyPEM...),
		"key-b.pem":      pemBlock("PRIVATE KEY", pkcs8DER(t, keyB())),
		"chain-b.pem":    append(certPEM(leafB, makeCert(t, keyB(), certOpts{cn: "other 2"})), keyPEM...),
		"ec.pem":         append(certPEM(ecCert), pemBlock("EC PRIVATE KEY", mustEC(t))...),
		"short.pem":      append(certPEM(shortCert), pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key1024()))...),
		"expired.pem":    append(certPEM(expired), keyPEM...),
		"future.pem":     append(certPEM(future), keyPEM...),
		"two-keys.pem":   append(append(certPEM(leaf), keyPEM...), keyPEM...),
		"notes.txt":      []byte("this is not a certificate!\n"),
		"empty.pem":      []byte("\n"),
		"b64-of-b64.txt": []byte("TUlJQ2tqQ0NBZnVnQXdJQkFnSUpB"),
	})
	load := func(cert, key, password string) func() error {
		return func() error { _, err := LoadFile(cert, key, password, fsys); return err }
	}
	// checked is how a caller meets the validity window: LoadFile parses,
	// then Check judges the dates at the caller's time.
	checked := func(cert string) func() error {
		return func() error {
			c, err := LoadFile(cert, "", "", fsys)
			if err != nil {
				return err
			}
			_, err = Check(c, now)
			return err
		}
	}

	tests := []struct {
		name  string
		load  func() error
		kind  error
		code  exitcode.Code
		wants []string
	}{
		{"pfx wrong password", load("app.pfx", "", wrongPassword), ErrWrongPassword, exitcode.Auth,
			[]string{"certificate file app.pfx: wrong password"}},
		{"legacy pfx wrong password", load("legacy.pfx", "", wrongPassword), ErrWrongPassword, exitcode.Auth,
			[]string{"certificate file legacy.pfx: wrong password"}},
		{"pfx needs a password", load("app.pfx", "", ""), ErrPasswordNeeded, exitcode.Auth,
			[]string{"certificate file app.pfx: the PKCS#12 file is protected by a password and none was given"}},
		{"pfx has no password but one was given", load("nopass.pfx", "", wrongPassword), ErrWrongPassword, exitcode.Auth,
			[]string{"certificate file nopass.pfx: wrong password: the PKCS#12 file has none"}},
		{"pfx password PKCS#12 cannot hold", load("app.pfx", "", "pass\U0001F511word"), ErrWrongPassword, exitcode.Auth,
			[]string{"wrong password"}},
		{"encrypted pkcs8 wrong password", load("encrypted.pem", "", wrongPassword), ErrWrongPassword, exitcode.Auth,
			[]string{"certificate file encrypted.pem: wrong password"}},
		{"encrypted pkcs8 needs a password", load("encrypted.pem", "", ""), ErrPasswordNeeded, exitcode.Auth,
			[]string{"certificate file encrypted.pem: the private key is encrypted and no password was given"}},
		{"legacy pem wrong password", load("legacy.pem", "", wrongPassword), ErrWrongPassword, exitcode.Auth,
			[]string{"certificate file legacy.pem: wrong password"}},
		{"legacy pem needs a password", load("legacy.pem", "", ""), ErrPasswordNeeded, exitcode.Auth,
			[]string{"the private key is encrypted"}},
		{"file not found", load("missing.pfx", "", testPassword), fs.ErrNotExist, exitcode.Auth,
			[]string{"certificate file missing.pfx: file not found"}},
		{"key file not found", load("cert.pem", "missing.key", testPassword), fs.ErrNotExist, exitcode.Auth,
			[]string{"key file missing.key: file not found"}},
		{"pem without key", load("cert.pem", "", ""), ErrNoPrivateKey, exitcode.Auth,
			[]string{"certificate file cert.pem: no private key"}},
		{"der without key", load("app.cer", "", ""), ErrNoPrivateKey, exitcode.Auth,
			[]string{"certificate file app.cer: no private key"}},
		{"pfx without key", load("truststore.pfx", "", ""), ErrNoPrivateKey, exitcode.Auth,
			[]string{"certificate file truststore.pfx: the PKCS#12 file holds no private key"}},
		{"key file without key", load("app.cer", "cert.pem", ""), ErrNoPrivateKey, exitcode.Auth,
			[]string{"key file cert.pem: holds no private key"}},
		{"key without certificate", load("key.pem", "", ""), ErrNoCertificate, exitcode.Auth,
			[]string{"certificate file key.pem: no certificate"}},
		{"key does not match", load("mismatch.pem", "", ""), ErrKeyMismatch, exitcode.Auth,
			[]string{"certificate file mismatch.pem: the private key does not match the certificate"}},
		{"key matches none of several", load("chain-b.pem", "", ""), ErrKeyMismatch, exitcode.Auth,
			[]string{"does not match any of the 2 certificates"}},
		{"separate key does not match", load("app.cer", "key-b.pem", ""), ErrKeyMismatch, exitcode.Auth,
			[]string{"certificate file app.cer with key file key-b.pem: the private key does not match the certificate"}},
		{"ecdsa pem", load("ec.pem", "", ""), ErrNotRSA, exitcode.Auth,
			[]string{"certificate file ec.pem: Entra ID app-only authentication needs an RSA key; this is ECDSA P-256"}},
		{"ecdsa pfx", load("ec.pfx", "", testPassword), ErrNotRSA, exitcode.Auth,
			[]string{"this is ECDSA P-256"}},
		{"rsa 1024", load("short.pem", "", ""), ErrKeyTooShort, exitcode.Auth,
			[]string{"certificate file short.pem: the RSA key has 1024 bits; Entra ID needs at least 2048"}},
		{"expired", checked("expired.pem"), ErrExpired, exitcode.Auth,
			[]string{"certificate file expired.pem: expired on " + formatTime(expired.NotAfter), "(3 days ago)"}},
		{"not yet valid", checked("future.pem"), ErrNotYetValid, exitcode.Auth,
			[]string{"certificate file future.pem: not valid until " + formatTime(future.NotBefore)}},
		{"two keys", load("two-keys.pem", "", ""), ErrUnreadable, exitcode.Auth,
			[]string{"holds more than one private key"}},
		{"text", load("notes.txt", "", ""), ErrUnreadable, exitcode.Auth,
			[]string{"certificate file notes.txt: not PKCS#12, PEM, a DER certificate or key, or base64 of one of them"}},
		{"empty", load("empty.pem", "", ""), ErrUnreadable, exitcode.Auth,
			[]string{"certificate file empty.pem: the data is empty"}},
		{"base64 of base64", load("b64-of-b64.txt", "", ""), ErrUnreadable, exitcode.Auth,
			[]string{"certificate file b64-of-b64.txt: the data is base64 of base64 text; decode it once"}},
		{"pfx with a key file", load("app.pfx", "key.pem", testPassword), nil, exitcode.Usage,
			[]string{"a PKCS#12 file holds its own key"}},
		{"no file given", load("", "", ""), nil, exitcode.Usage, []string{"no certificate file given"}},
		{"bytes, wrong password", func() error {
			_, err := Load([]byte(encodeBase64(fsys, "app.pfx")), wrongPassword, "EXORUN_CERTIFICATE")
			return err
		}, ErrWrongPassword, exitcode.Auth, []string{"certificate EXORUN_CERTIFICATE: wrong password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			assertRefused(t, err, tt.kind, tt.code, tt.wants...)
			if tt.code == exitcode.Auth && exitcode.HintOf(err) == "" {
				t.Errorf("error %q has no hint", err)
			}
			if msg := err.Error(); msg != "" && strings.ToLower(msg[:1]) != msg[:1] {
				t.Errorf("error %q does not start in lower case", msg)
			}
		})
	}
}

// TestLoadDoesNotReadTheClock loads certificates valid only long ago and
// only far ahead: every loader accepts them, as loading never reads the
// wall clock, and Check refuses them at a time outside their window with
// the same words a refusal always had.
func TestLoadDoesNotReadTheClock(t *testing.T) {
	past := makeCert(t, keyA(), certOpts{
		notBefore: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
		notAfter:  time.Date(2002, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	future := makeCert(t, keyA(), certOpts{
		notBefore: time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC),
		notAfter:  time.Date(2091, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	keyPEM := pemBlock("PRIVATE KEY", pkcs8DER(t, keyA()))
	fsys := files(map[string][]byte{
		"past.pem":   append(certPEM(past), keyPEM...),
		"past.pfx":   encodePFX(t, pkcs12.Modern2023, keyA(), past, nil, testPassword),
		"past.cer":   past.Raw,
		"key.pem":    keyPEM,
		"future.pem": append(certPEM(future), keyPEM...),
	})
	pfxBase64 := []byte(encodeBase64(fsys, "past.pfx"))
	loaders := []struct {
		name   string
		load   func() (*Credential, error)
		leaf   *x509.Certificate
		source string
	}{
		{"Load, PEM", func() (*Credential, error) { return Load(must(fsys("past.pem")), "", "EXORUN_CERTIFICATE") },
			past, "certificate EXORUN_CERTIFICATE"},
		{"Load, base64 PFX", func() (*Credential, error) { return Load(pfxBase64, testPassword, "bytes") },
			past, "certificate bytes"},
		{"LoadFile, PFX", func() (*Credential, error) { return LoadFile("past.pfx", "", testPassword, fsys) },
			past, "certificate file past.pfx"},
		{"LoadFile, DER and key file", func() (*Credential, error) { return LoadFile("past.cer", "key.pem", "", fsys) },
			past, "certificate file past.cer with key file key.pem"},
		{"LoadFile, not yet valid", func() (*Credential, error) { return LoadFile("future.pem", "", "", fsys) },
			future, "certificate file future.pem"},
	}
	for _, tt := range loaders {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.load()
			if err != nil {
				t.Fatalf("a certificate outside its window today must load: %v", err)
			}
			inside := tt.leaf.NotAfter.Add(-24 * time.Hour)
			if warnings, err := Check(c, inside); err != nil || len(warnings) != 1 {
				t.Errorf("Check a day before expiry: %q, %v; want one warning", warnings, err)
			}
			after := tt.leaf.NotAfter.Add(72 * time.Hour)
			_, err = Check(c, after)
			assertRefused(t, err, ErrExpired, exitcode.Auth,
				tt.source+": expired on "+formatTime(tt.leaf.NotAfter)+" (3 days ago)")
			before := tt.leaf.NotBefore.Add(-72 * time.Hour)
			_, err = Check(c, before)
			assertRefused(t, err, ErrNotYetValid, exitcode.Auth,
				tt.source+": not valid until "+formatTime(tt.leaf.NotBefore)+" (3 days from now)")
		})
	}
}

func must(data []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return data
}

func TestCheckWarnsWithinThirtyDays(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cert := makeCert(t, keyA(), certOpts{notBefore: now.AddDate(-1, 0, 0), notAfter: now.AddDate(0, 0, 30)})
	c := &Credential{Chain: []*x509.Certificate{cert}, Key: keyA(), Source: "file app.pfx"}

	tests := []struct {
		name  string
		now   time.Time
		warn  string // "" when no warning is due
		error error
	}{
		{"31 days left", now.Add(-24 * time.Hour), "", nil},
		{"exactly 30 days left", now, "", nil},
		{"29 days left", now.Add(24 * time.Hour), "certificate file app.pfx expires in 29 days, on 2026-03-31 12:00 UTC", nil},
		{"5 hours left", cert.NotAfter.Add(-5 * time.Hour), "expires in 5 hours", nil},
		{"at the last second", cert.NotAfter, "expires in less than a minute", nil},
		{"a second late", cert.NotAfter.Add(time.Second), "", ErrExpired},
		{"before NotBefore", cert.NotBefore.Add(-time.Minute), "", ErrNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warnings, err := Check(c, tt.now)
			if !errors.Is(err, tt.error) || (err == nil) != (tt.error == nil) {
				t.Fatalf("Check error = %v, want %v", err, tt.error)
			}
			switch {
			case tt.warn == "" && len(warnings) != 0:
				t.Errorf("unexpected warnings %q", warnings)
			case tt.warn != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.warn)):
				t.Errorf("warnings %q, want one saying %q", warnings, tt.warn)
			}
		})
	}
}

func TestCheckRefusesIncompleteCredentials(t *testing.T) {
	now := time.Now()
	leaf := makeCert(t, keyA(), certOpts{})
	tests := []struct {
		name string
		c    *Credential
		kind error
	}{
		{"nil", nil, ErrNoCertificate},
		{"no chain", &Credential{Key: keyA(), Source: "x"}, ErrNoCertificate},
		{"no key", &Credential{Chain: []*x509.Certificate{leaf}, Source: "x"}, ErrNoPrivateKey},
		{"other key", &Credential{Chain: []*x509.Certificate{leaf}, Key: keyB(), Source: "x"}, ErrKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.c, now)
			assertRefused(t, err, tt.kind, exitcode.Auth)
		})
	}
}

func mustTrustStore(t *testing.T, cert *x509.Certificate) []byte {
	t.Helper()
	data, err := pkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{cert}, "")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustEC(t *testing.T) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(keyEC())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func encodeBase64(read func(string) ([]byte, error), name string) string {
	data, err := read(name)
	if err != nil {
		panic(err)
	}
	return wrap(base64.StdEncoding.EncodeToString(data), 64)
}
