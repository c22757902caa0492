package directory_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/directory"
)

// selfSigned makes a self-signed certificate valid from nb to na, with key
// (RSA 2048 unless key is given).
func selfSigned(t *testing.T, key crypto.Signer, nb, na time.Time) []byte {
	t.Helper()
	if key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "exorun test"},
		NotBefore:    nb,
		NotAfter:     na,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func validCert(t *testing.T) []byte {
	return selfSigned(t, nil, time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour))
}

func open(t *testing.T, dir string) *directory.Directory {
	t.Helper()
	d, err := directory.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustApp(t *testing.T, d *directory.Directory) (directory.Tenant, directory.App) {
	t.Helper()
	ten, err := d.CreateTenant("contoso")
	if err != nil {
		t.Fatal(err)
	}
	app, err := d.RegisterApp(ten.ID, "exorun reports")
	if err != nil {
		t.Fatal(err)
	}
	return ten, app
}

func TestTenantLookup(t *testing.T) {
	d := open(t, "")
	ten, err := d.CreateTenant("Contoso.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if ten.InitialDomain != "contoso.onmicrosoft.com" || ten.DisplayName != "contoso" || len(ten.ID) != 36 {
		t.Fatalf("tenant = %+v", ten)
	}
	if err := d.AddDomain(ten.ID, "Contoso.COM"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{ten.ID, strings.ToUpper(ten.ID), "CONTOSO.onmicrosoft.com", "contoso.com", "CONTOSO.COM."} {
		got, err := d.Tenant(key)
		if err != nil || got.ID != ten.ID {
			t.Errorf("Tenant(%q) = %v, %v", key, got.ID, err)
		}
	}
	if _, err := d.Tenant("fabrikam.com"); !errors.Is(err, directory.ErrTenantNotFound) {
		t.Errorf("unknown tenant: %v", err)
	}
}

func TestTenantRules(t *testing.T) {
	d := open(t, "")
	ten, _ := d.CreateTenant("contoso")
	other, _ := d.CreateTenant("fabrikam")
	for _, bad := range []string{"", "contoso.com", "-x", "a b", "x.y.onmicrosoft.com"} {
		if _, err := d.CreateTenant(bad); err == nil {
			t.Errorf("CreateTenant(%q) succeeded", bad)
		}
	}
	if _, err := d.CreateTenant("CONTOSO"); !errors.Is(err, directory.ErrExists) {
		t.Errorf("duplicate tenant: %v", err)
	}
	if err := d.AddDomain(ten.ID, "contoso.com"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddDomain(ten.ID, "contoso.com"); err != nil {
		t.Errorf("adding a domain twice to its own tenant: %v", err)
	}
	if err := d.AddDomain(other.ID, "CONTOSO.com"); !errors.Is(err, directory.ErrExists) {
		t.Errorf("domain of another tenant: %v", err)
	}
	if err := d.AddDomain(other.ID, "x.onmicrosoft.com"); err == nil {
		t.Error("onmicrosoft.com domain accepted as extra domain")
	}
	if err := d.AddDomain(other.ID, "nodot"); err == nil {
		t.Error("single-label domain accepted")
	}
	if err := d.SetTenantDisplayName("fabrikam.onmicrosoft.com", "Fabrikam Inc."); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Tenant(other.ID); got.DisplayName != "Fabrikam Inc." || len(got.Domains) != 0 {
		t.Errorf("fabrikam = %+v", got)
	}
}

func TestUploadCertificate(t *testing.T) {
	d := open(t, "")
	ten, app := mustApp(t, d)
	der := validCert(t)
	c, err := d.UploadCertificate(ten.ID, app.AppID, der)
	if err != nil {
		t.Fatal(err)
	}
	s1, s256 := sha1.Sum(der), sha256.Sum256(der)
	if c.Thumbprint != strings.ToUpper(hex.EncodeToString(s1[:])) || c.ThumbprintSHA256 != strings.ToUpper(hex.EncodeToString(s256[:])) {
		t.Errorf("thumbprints %s %s", c.Thumbprint, c.ThumbprintSHA256)
	}
	if _, err := d.UploadCertificate(ten.ID, app.AppID, der); !errors.Is(err, directory.ErrExists) {
		t.Errorf("duplicate upload: %v", err)
	}

	// PEM, with a chain after the leaf: the leaf is registered.
	leaf, next := validCert(t), validCert(t)
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: next})...)
	if c, err := d.UploadCertificate(ten.ID, app.AppID, chain); err != nil || !reflect.DeepEqual(c.DER, leaf) {
		t.Fatalf("PEM upload: %v", err)
	}

	got, _ := d.App(ten.ID, app.AppID)
	if _, ok := got.CertificateByThumbprint(s1[:]); !ok {
		t.Error("not found by SHA-1")
	}
	if _, ok := got.CertificateByThumbprint(s256[:]); !ok {
		t.Error("not found by SHA-256")
	}
	colons := strings.ToLower(hex.EncodeToString(s256[:2])) + ":" + strings.ToLower(hex.EncodeToString(s256[2:]))
	if err := d.RemoveCertificate(ten.ID, app.AppID, colons); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveCertificate(ten.ID, app.AppID, c.Thumbprint); !errors.Is(err, directory.ErrCertificateNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	if got, _ := d.App(ten.ID, app.AppID); len(got.Certificates) != 1 {
		t.Errorf("%d certificates left, want 1", len(got.Certificates))
	}
}

func TestUploadRefusals(t *testing.T) {
	d := open(t, "")
	ten, app := mustApp(t, d)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: validCert(t)})
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"pem private key":     {keyPEM, "upload the public part only"},
		"pem rsa private key": {rsaPEM, "upload the public part only"},
		"cert and key":        {append(certPEM, keyPEM...), "upload the public part only"},
		"der private key":     {pkcs8, "upload the public part only"},
		"garbage":             {[]byte("hello"), "not a certificate"},
		"pem without cert":    {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), "no CERTIFICATE block"},
		"ec certificate":      {selfSigned(t, ec, time.Now(), time.Now().Add(time.Hour)), "RSA"},
	} {
		_, err := d.UploadCertificate(ten.ID, app.AppID, tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, tc.want)
		}
	}
	if _, err := d.UploadCertificate(ten.ID, "00000000-0000-0000-0000-000000000000", certPEM); !errors.Is(err, directory.ErrAppNotFound) {
		t.Errorf("unknown app: %v", err)
	}
}

func TestClientSecret(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stateDir := t.TempDir()
	d, err := directory.Open(stateDir, &directory.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ten, app := mustApp(t, d)
	text, sec, err := d.AddClientSecret(ten.ID, app.AppID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(text) != 40 || sec.Hint != text[:3] || !sec.Expires.Equal(now.Add(directory.DefaultSecretLifetime)) {
		t.Errorf("secret %q, %+v", text, sec)
	}
	got, _ := d.App(ten.ID, app.AppID)
	if s, ok := got.MatchSecret(text); !ok || s.ID != sec.ID {
		t.Error("the returned value does not match the stored secret")
	}
	if _, ok := got.MatchSecret(text[:39] + "x"); ok {
		t.Error("a wrong value matches")
	}
	raw, _ := os.ReadFile(filepath.Join(stateDir, directory.FileName))
	if strings.Contains(string(raw), text) {
		t.Error("directory.json holds the secret value")
	}
	if err := d.RemoveClientSecret(ten.ID, app.AppID, sec.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveClientSecret(ten.ID, app.AppID, sec.ID); !errors.Is(err, directory.ErrSecretNotFound) {
		t.Errorf("removing twice: %v", err)
	}
}

func TestPermissionsRolesAndState(t *testing.T) {
	d := open(t, "")
	ten, app := mustApp(t, d)
	check := func(step string, want bool) {
		t.Helper()
		if got, _ := d.App(ten.ID, app.AppID); got.HasManageAsApp() != want {
			t.Errorf("after %s: HasManageAsApp = %v", step, !want)
		}
	}
	check("register", false)
	if err := d.Consent(ten.ID, app.AppID); err != nil {
		t.Fatal(err)
	}
	check("consent without grant", false)
	_ = d.GrantManageAsApp(ten.ID, app.AppID)
	check("grant and consent", true)
	_ = d.RevokeConsent(ten.ID, app.AppID)
	check("revoke consent", false)
	_ = d.Consent(ten.ID, app.AppID)
	_ = d.RemoveManageAsApp(ten.ID, app.AppID)
	check("remove permission", false)

	for role, want := range map[string]string{
		"Exchange Administrator":                 "29232cdf-9323-42fd-ade2-1d097af3e4de",
		"globalreader":                           "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
		"5D6B6BB7-DE71-4623-B4AF-96380A352509":   "5d6b6bb7-de71-4623-b4af-96380a352509",
		"{11111111-2222-3333-4444-555555555555}": "11111111-2222-3333-4444-555555555555",
	} {
		id, err := d.AssignRole(ten.ID, app.AppID, role)
		if err != nil || id != want {
			t.Errorf("AssignRole(%q) = %q, %v; want %s", role, id, err, want)
		}
	}
	_, _ = d.AssignRole(ten.ID, app.AppID, "exchange administrator") // again: no duplicate
	for _, bad := range []string{"Exchange Overlord", "0997a1d0-0d1d-4acb-b408-d5ca73121e90"} {
		if _, err := d.AssignRole(ten.ID, app.AppID, bad); err == nil {
			t.Errorf("AssignRole(%q) succeeded", bad)
		}
	}
	if err := d.RemoveRole(ten.ID, app.AppID, "Global Reader"); err != nil {
		t.Fatal(err)
	}
	if err := d.DisableApp(ten.ID, app.AppID); err != nil {
		t.Fatal(err)
	}
	got, _ := d.App(ten.ID, app.AppID)
	if len(got.Roles) != 3 || !got.Disabled {
		t.Errorf("roles %v, disabled %v", got.Roles, got.Disabled)
	}
	_ = d.EnableApp(ten.ID, app.AppID)
	if got, _ := d.App(ten.ID, app.AppID); got.Disabled {
		t.Error("still disabled")
	}
}

func TestGettersReturnCopies(t *testing.T) {
	d := open(t, "")
	ten, app := mustApp(t, d)
	_, _ = d.AssignRole(ten.ID, app.AppID, "Global Reader")
	got, _ := d.App(ten.ID, app.AppID)
	got.Roles[0] = "changed"
	if again, _ := d.App(ten.ID, app.AppID); again.Roles[0] == "changed" {
		t.Error("a getter's result aliases the directory")
	}
}

func TestPersistence(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	d := open(t, stateDir)
	if len(d.Tenants()) != 0 {
		t.Fatal("a missing file is not an empty directory")
	}
	ten, app := mustApp(t, d)
	_ = d.AddDomain(ten.ID, "contoso.com")
	if _, err := d.UploadCertificate(ten.ID, app.AppID, validCert(t)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.AddClientSecret(ten.ID, app.AppID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_ = d.GrantManageAsApp(ten.ID, app.AppID)
	_ = d.Consent(ten.ID, app.AppID)
	_, _ = d.AssignRole(ten.ID, app.AppID, "Exchange Administrator")
	_, _ = d.RegisterApp(ten.ID, "second")

	again := open(t, stateDir)
	if !reflect.DeepEqual(again.Tenants(), d.Tenants()) {
		t.Errorf("reloaded directory differs:\n%+v\n%+v", again.Tenants(), d.Tenants())
	}
	info, err := os.Stat(again.Path())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(stateDir)
	if len(entries) != 1 {
		t.Errorf("state folder holds %d entries, want only %s", len(entries), directory.FileName)
	}
}

func TestCorruptFile(t *testing.T) {
	for name, tc := range map[string]struct{ content, want string }{
		"syntax":  {"{\n  \"version\": 1,\n  \"tenants\": [ oops ]\n}\n", "line 3, column 17"},
		"type":    {`{"version": 1, "tenants": {}}`, "cannot unmarshal"},
		"version": {`{"version": 7, "tenants": []}`, "unsupported version 7"},
		"der":     {`{"version": 1, "tenants": [{"id": "x", "apps": [{"certificates": [{"der": "AAAA"}]}]}]}`, "bad der"},
	} {
		stateDir := t.TempDir()
		path := filepath.Join(stateDir, directory.FileName)
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := directory.Open(stateDir, nil)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want the file name and %q", name, err, tc.want)
		}
		if after, _ := os.ReadFile(path); string(after) != tc.content {
			t.Errorf("%s: the corrupt file was changed", name)
		}
	}
}

func TestFailedSaveChangesNothing(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	d := open(t, stateDir)
	// A file where the state folder should be makes every save fail.
	if err := os.WriteFile(stateDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateTenant("contoso"); err == nil {
		t.Fatal("save into a file succeeded")
	}
	if n := len(d.Tenants()); n != 0 {
		t.Errorf("%d tenants after a failed save, want 0", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	stateDir := t.TempDir()
	d := open(t, stateDir)
	ten, _ := mustApp(t, d)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := d.RegisterApp(ten.ID, fmt.Sprintf("app %d", i)); err != nil {
				t.Error(err)
			}
			_, _ = d.Tenant("contoso.onmicrosoft.com")
		})
	}
	wg.Wait()
	if apps, _ := open(t, stateDir).Apps(ten.ID); len(apps) != 21 {
		t.Errorf("%d apps after reload, want 21", len(apps))
	}
}
