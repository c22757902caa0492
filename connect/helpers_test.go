package connect

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/exitcode"
)

// startEmulator runs an emulated tenant of t's own (see emulatortest).
func startEmulator(t testing.TB, opts emulator.Options) (*emulator.Emulator, emulator.Endpoints) {
	t.Helper()
	em := emulatortest.Start(t, opts)
	return em, em.Endpoints()
}

// sharedEmulator is the process's shared demo tenant, for tests that only
// read: no new apps, no directory changes, no writes, no Stats.
func sharedEmulator(t testing.TB) (*emulator.Emulator, emulator.Endpoints) {
	t.Helper()
	em := emulatortest.Shared(t)
	return em, em.Endpoints()
}

// emuSettings are the settings that reach the emulator's demo tenant,
// without a credential.
func emuSettings(ep emulator.Endpoints, appID string) Settings {
	return Settings{
		AppID:         appID,
		Organization:  ep.Organization,
		Authority:     ep.Authority,
		ExchangeURL:   ep.ExchangeURL,
		ComplianceURL: ep.ComplianceURL,
		CAFile:        ep.CAFile,
	}
}

// testApp is an app registered in the emulator's demo tenant.
type testApp struct {
	ID   string
	Cert *certificate.Credential
}

// appSetup says which onboarding steps newApp takes.
type appSetup struct {
	noUpload  bool
	noGrant   bool
	noConsent bool
	role      string // "" means Exchange Administrator; "-" none
	cert      *certificate.Credential
}

// newApp registers an app with a new certificate and takes the
// onboarding steps setup does not leave out.
func newApp(t testing.TB, em *emulator.Emulator, setup appSetup) testApp {
	t.Helper()
	ep := em.Endpoints()
	d := em.Directory()
	app, err := d.RegisterApp(ep.TenantID, "connect test "+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	cert := setup.cert
	if cert == nil {
		cert = newCert(t)
	}
	if !setup.noUpload {
		if _, err := d.UploadCertificate(ep.TenantID, app.AppID, cert.CertDER()); err != nil {
			t.Fatal(err)
		}
	}
	if !setup.noGrant {
		if err := d.GrantManageAsApp(ep.TenantID, app.AppID); err != nil {
			t.Fatal(err)
		}
		if !setup.noConsent {
			if err := d.Consent(ep.TenantID, app.AppID); err != nil {
				t.Fatal(err)
			}
		}
	}
	role := setup.role
	if role == "" {
		role = "Exchange Administrator"
	}
	if role != "-" {
		if _, err := d.AssignRole(ep.TenantID, app.AppID, role); err != nil {
			t.Fatal(err)
		}
	}
	return testApp{ID: app.AppID, Cert: cert}
}

// testKey is the one RSA key of every newCert certificate in the process:
// a 2048-bit key costs 100 ms or more of CPU, and the doctor and session
// tests register dozens of apps. Each certificate still has its own serial
// and so its own thumbprint, which is how Entra ID (and the emulator) tell
// an app's certificates apart. certificate.New itself is tested in its
// package.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// newCert makes a certificate valid from five minutes ago for a year, as
// certificate.New does, over testKey.
func newCert(t testing.TB) *certificate.Credential {
	t.Helper()
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:       serial.Add(serial, big.NewInt(1)),
		Subject:            pkix.Name{CommonName: "connect-test"},
		NotBefore:          now.Add(-5 * time.Minute),
		NotAfter:           now.AddDate(1, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &certificate.Credential{Chain: []*x509.Certificate{leaf}, Key: key, Source: "new " + leaf.Subject.String()}
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// osStoreFS is a certificate.StoreFS on the real filesystem; WriteFile
// replaces files atomically with exactly perm.
type osStoreFS struct{}

func (osStoreFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (osStoreFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osStoreFS) MkdirAll(name string, perm fs.FileMode) error {
	return os.MkdirAll(name, perm)
}
func (osStoreFS) RemoveAll(name string) error { return os.RemoveAll(name) }
func (osStoreFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
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

// logBuffer is a Debug-level text logger into a buffer, safe for the
// concurrent writes of token refreshes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// makeJWT builds an unsigned token with claims; ParseToken does not
// check signatures.
func makeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("signature"))
}

// countingTransport trusts the emulator's CA and counts token requests.
type countingTransport struct {
	base   *http.Transport
	tokens atomic.Int64
	all    atomic.Int64
}

func newCountingTransport(t testing.TB, ep emulator.Endpoints) *countingTransport {
	t.Helper()
	return &countingTransport{base: emulatortest.Transport(t, ep)}
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.all.Add(1)
	if strings.HasSuffix(r.URL.Path, "/token") {
		c.tokens.Add(1)
	}
	return c.base.RoundTrip(r)
}

// mustOpen opens a session or fails the test.
func mustOpen(t testing.TB, s Settings, o Options) *Session {
	t.Helper()
	sess, err := Open(context.Background(), s, o)
	if err != nil {
		t.Fatalf("Open: %v (hint: %s)", err, exitcode.HintOf(err))
	}
	return sess
}
