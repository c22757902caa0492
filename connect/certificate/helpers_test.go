package certificate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
)

// Passwords that must never show up in an error or hint.
const (
	testPassword  = "Tr0ub4dor&3-secret"
	wrongPassword = "n0t-the-Passw0rd-7731"
)

// Keys are slow to make, so each is made once for the whole test binary.
var (
	keyA            = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	keyB            = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	keyRoot         = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	keyIntermediate = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	key1024         = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(1024) })
	keyEC           = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// certOpts describes a test certificate; zero fields get defaults: valid
// from an hour ago for a year, self-signed.
type certOpts struct {
	cn                  string
	notBefore, notAfter time.Time
	isCA                bool
	parent              *x509.Certificate
	parentKey           crypto.Signer
}

func makeCert(t testing.TB, key crypto.Signer, o certOpts) *x509.Certificate {
	t.Helper()
	now := time.Now()
	if o.cn == "" {
		o.cn = "exorun-test"
	}
	if o.notBefore.IsZero() {
		o.notBefore = now.Add(-time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = now.AddDate(1, 0, 0)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.cn},
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		IsCA:                  o.isCA,
		BasicConstraintsValid: o.isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	parent, parentKey := tmpl, key
	if o.parent != nil {
		parent, parentKey = o.parent, o.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// chain is root -> intermediate -> leaf, the leaf holding keyA.
type chain struct{ root, intermediate, leaf *x509.Certificate }

func makeChain(t testing.TB) chain {
	root := makeCert(t, keyRoot(), certOpts{cn: "test root", isCA: true})
	mid := makeCert(t, keyIntermediate(), certOpts{cn: "test intermediate", isCA: true, parent: root, parentKey: keyRoot()})
	leaf := makeCert(t, keyA(), certOpts{cn: "test leaf", parent: mid, parentKey: keyIntermediate()})
	return chain{root, mid, leaf}
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pemBlock("CERTIFICATE", c.Raw)...)
	}
	return out
}

func pkcs8DER(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// files is an in-memory readFile for LoadFile.
func files(m map[string][]byte) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		data, ok := m[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return data, nil
	}
}

// assertRefused checks that err is a refusal of the given kind: it matches
// the sentinel, contains every wanted piece of text, carries an exit code
// and a hint, and never holds a password.
func assertRefused(t *testing.T, err error, kind error, code exitcode.Code, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v", kind)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q does not match %v", err, kind)
	}
	if got := exitcode.Of(err); got != code {
		t.Errorf("exit code %d, want %d (error %q)", got, code, err)
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	assertNoSecret(t, err)
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range []string{testPassword, wrongPassword} {
		if strings.Contains(err.Error(), secret) || strings.Contains(exitcode.HintOf(err), secret) {
			t.Errorf("error or hint holds a password: %q (hint %q)", err, exitcode.HintOf(err))
		}
	}
}

// dirFS is a StoreFS on the real filesystem, like the CLI's. WriteFile
// replaces files atomically with exactly perm, as StoreFS asks.
type dirFS struct{}

func (dirFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (dirFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (dirFS) MkdirAll(name string, perm fs.FileMode) error {
	return os.MkdirAll(name, perm)
}
func (dirFS) RemoveAll(name string) error { return os.RemoveAll(name) }

func (dirFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
