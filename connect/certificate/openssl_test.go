package certificate

import (
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/internal/exitcode"
)

// These tests prove interoperability with the real tool admins use: what
// we write, OpenSSL reads, and what OpenSSL writes, we read. They skip
// where openssl is not installed.

// openssl runs the openssl command in dir and returns its combined output.
// The password reaches it through the environment, never argv.
func openssl(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not on PATH")
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TEST_PASSWORD="+testPassword, "EMPTY_PASSWORD=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustOpenSSL(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := openssl(t, dir, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestOpenSSLReadsWhatWeWrite(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not on PATH")
	}
	dir := t.TempDir()
	c, err := New(NewOptions{Subject: "CN=exorun-interop,O=Contoso"})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	modern, err := c.PFX(testPassword)
	write("modern.pfx", modern, err)
	legacy, err := c.PFXLegacy(testPassword)
	write("legacy.pfx", legacy, err)
	empty, err := c.PFX("")
	write("empty.pfx", empty, err)
	write("app.cer", c.CertDER(), nil)
	pemData, err := c.PEM()
	write("app.pem", pemData, err)
	encrypted, err := c.EncryptedPEM(testPassword)
	write("encrypted.pem", encrypted, err)
	// The key block alone, for asn1parse, which reads the first block.
	var keyBlock []byte
	for rest := encrypted; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			keyBlock = pem.EncodeToMemory(block)
		}
	}
	write("encrypted-key.pem", keyBlock, nil)

	for _, tt := range []struct{ file, pass, want string }{
		{"modern.pfx", "env:TEST_PASSWORD", "PBES2, PBKDF2, AES-256-CBC"},
		{"legacy.pfx", "env:TEST_PASSWORD", "pbeWithSHA1And3-KeyTripleDES-CBC"},
		{"empty.pfx", "pass:", "PBES2"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			out := mustOpenSSL(t, dir, "pkcs12", "-info", "-in", tt.file, "-passin", tt.pass, "-noout")
			if !strings.Contains(out, tt.want) {
				t.Errorf("openssl pkcs12 -info does not report %q:\n%s", tt.want, out)
			}
		})
	}
	t.Run("app.cer", func(t *testing.T) {
		out := mustOpenSSL(t, dir, "x509", "-inform", "DER", "-in", "app.cer", "-noout", "-subject", "-fingerprint", "-sha1")
		if !strings.Contains(out, "CN = exorun-interop") || !strings.Contains(out, "O = Contoso") {
			t.Errorf("subject not shown:\n%s", out)
		}
		if !strings.Contains(strings.ReplaceAll(out, ":", ""), c.Thumbprint()) {
			t.Errorf("openssl's SHA-1 fingerprint is not our thumbprint %s:\n%s", c.Thumbprint(), out)
		}
	})
	t.Run("app.pem", func(t *testing.T) {
		mustOpenSSL(t, dir, "x509", "-in", "app.pem", "-noout", "-subject")
		out := mustOpenSSL(t, dir, "pkey", "-in", "app.pem", "-noout", "-text")
		if !strings.Contains(out, "Private-Key: (2048 bit") {
			t.Errorf("openssl pkey does not read our key:\n%s", out)
		}
	})
	t.Run("encrypted.pem", func(t *testing.T) {
		if out, err := openssl(t, dir, "pkey", "-in", "encrypted.pem", "-passin", "pass:"+wrongPassword, "-noout"); err == nil {
			t.Fatalf("openssl pkey opened the encrypted key with a wrong password:\n%s", out)
		}
		out := mustOpenSSL(t, dir, "pkey", "-in", "encrypted.pem", "-passin", "env:TEST_PASSWORD", "-noout", "-text")
		if !strings.Contains(out, "Private-Key: (2048 bit") {
			t.Errorf("openssl pkey does not read our encrypted key:\n%s", out)
		}
		// The scheme the key is encrypted with, as OpenSSL parses it.
		der := mustOpenSSL(t, dir, "asn1parse", "-in", "encrypted-key.pem", "-i")
		for _, want := range []string{"PBES2", "PBKDF2", "aes-256-cbc", "hmacWithSHA256"} {
			if !strings.Contains(der, want) {
				t.Errorf("the encrypted key does not use %s:\n%s", want, der)
			}
		}
	})
}

func TestWeReadWhatOpenSSLWrites(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not on PATH")
	}
	dir := t.TempDir()
	// An encrypted PKCS#8 key (OpenSSL 3's default: PBES2, AES-256-CBC).
	mustOpenSSL(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem",
		"-days", "365", "-subj", "/CN=openssl-made", "-passout", "env:TEST_PASSWORD")
	mustOpenSSL(t, dir, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-passin", "env:TEST_PASSWORD",
		"-out", "default.pfx", "-passout", "env:TEST_PASSWORD")
	mustOpenSSL(t, dir, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-passin", "env:TEST_PASSWORD",
		"-out", "nopass.pfx", "-passout", "pass:")
	// The traditional ("RSA PRIVATE KEY") layouts, plain and with
	// "Proc-Type: 4,ENCRYPTED".
	mustOpenSSL(t, dir, "rsa", "-in", "key.pem", "-passin", "env:TEST_PASSWORD", "-traditional", "-out", "pkcs1.pem")
	mustOpenSSL(t, dir, "rsa", "-in", "key.pem", "-passin", "env:TEST_PASSWORD", "-traditional", "-aes256",
		"-passout", "env:TEST_PASSWORD", "-out", "pkcs1-encrypted.pem")
	mustOpenSSL(t, dir, "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.cer")
	mustOpenSSL(t, dir, "pkcs8", "-topk8", "-in", "key.pem", "-passin", "env:TEST_PASSWORD", "-outform", "DER",
		"-out", "key.der", "-passout", "env:TEST_PASSWORD")

	type source struct{ cert, key, password string }
	sources := []source{
		{"default.pfx", "", testPassword},
		{"nopass.pfx", "", ""},
		{"cert.pem", "key.pem", testPassword},
		{"cert.pem", "pkcs1.pem", ""},
		{"cert.pem", "pkcs1-encrypted.pem", testPassword},
		{"cert.cer", "key.der", testPassword},
	}
	// -legacy (RC2 certificates, 3DES key) needs OpenSSL 3's legacy
	// provider, which not every build ships.
	if out, err := openssl(t, dir, "pkcs12", "-export", "-legacy", "-in", "cert.pem", "-inkey", "key.pem",
		"-passin", "env:TEST_PASSWORD", "-out", "legacy.pfx", "-passout", "env:TEST_PASSWORD"); err == nil {
		sources = append(sources, source{"legacy.pfx", "", testPassword})
	} else {
		t.Logf("openssl pkcs12 -legacy unavailable, not tested: %s", strings.TrimSpace(out))
	}
	readFile := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	var thumbprint string
	for _, src := range sources {
		t.Run(src.cert+"+"+src.key, func(t *testing.T) {
			c, err := LoadFile(src.cert, src.key, src.password, readFile)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Leaf().Subject.CommonName; got != "openssl-made" {
				t.Errorf("subject CN = %q", got)
			}
			if thumbprint == "" {
				thumbprint = c.Thumbprint()
			} else if c.Thumbprint() != thumbprint {
				t.Errorf("thumbprint %s, the others gave %s", c.Thumbprint(), thumbprint)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		_, err := LoadFile("default.pfx", "", wrongPassword, readFile)
		assertRefused(t, err, ErrWrongPassword, exitcode.Auth, "certificate file default.pfx: wrong password")
		_, err = LoadFile("cert.pem", "key.pem", wrongPassword, readFile)
		assertRefused(t, err, ErrWrongPassword, exitcode.Auth, "key file key.pem: wrong password")
	})
}

func TestWeRefuseOpenSSLECDSA(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not on PATH")
	}
	dir := t.TempDir()
	mustOpenSSL(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "key.pem", "-out", "cert.pem", "-days", "30", "-subj", "/CN=openssl-ec")
	mustOpenSSL(t, dir, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "ec.pfx", "-passout", "env:TEST_PASSWORD")
	data, err := os.ReadFile(filepath.Join(dir, "ec.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(data, testPassword, "ec.pfx")
	assertRefused(t, err, ErrNotRSA, exitcode.Auth,
		"certificate ec.pfx: Entra ID app-only authentication needs an RSA key; this is ECDSA P-256")
	if errors.Is(err, ErrWrongPassword) {
		t.Error("an ECDSA refusal also claims a wrong password")
	}
}
