package certificate

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/google/uuid"
)

// newCredential is one generated credential shared by the tests here: RSA
// key generation is the slow part.
func newCredential(t *testing.T) *Credential {
	t.Helper()
	c, err := New(NewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewMakesAnAppOnlyCertificate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(NewOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.Leaf()
	checks := []struct {
		what      string
		got, want any
	}{
		{"subject", leaf.Subject.String(), "CN=exorun-app"},
		{"key bits", c.KeyBits(), 2048},
		{"not before", leaf.NotBefore, now.Add(-5 * time.Minute)},
		{"not after", leaf.NotAfter, now.AddDate(1, 0, 0)},
		{"signature", leaf.SignatureAlgorithm, x509.SHA256WithRSA},
		{"key usage", leaf.KeyUsage, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{"ext key usage", slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}), true},
		{"serial positive", leaf.SerialNumber.Sign(), 1},
		{"subject key id", len(leaf.SubjectKeyId), 20},
		{"key matches", c.Key.PublicKey.Equal(leaf.PublicKey), true},
		{"source", c.Source, "new CN=exorun-app"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		t.Errorf("not validly self-signed: %v", err)
	}
	if _, err := Check(c, now); err != nil {
		t.Errorf("Check refuses a new certificate: %v", err)
	}
	again, err := New(NewOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if again.Leaf().SerialNumber.Cmp(leaf.SerialNumber) == 0 || again.Thumbprint() == c.Thumbprint() {
		t.Error("two new certificates share a serial or thumbprint")
	}
}

func TestNewHonoursOptions(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(NewOptions{Subject: `CN=Contoso\, Exchange jobs, O=Contoso, OU=IT, OU=Ops, L=Utrecht, S=UT, C=nl`, Years: 2, KeyBits: 3072, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	name := c.Leaf().Subject
	if name.CommonName != "Contoso, Exchange jobs" || !slices.Equal(name.Organization, []string{"Contoso"}) ||
		!slices.Equal(name.OrganizationalUnit, []string{"IT", "Ops"}) || !slices.Equal(name.Locality, []string{"Utrecht"}) ||
		!slices.Equal(name.Province, []string{"UT"}) || !slices.Equal(name.Country, []string{"NL"}) {
		t.Errorf("subject = %+v", name)
	}
	if c.KeyBits() != 3072 {
		t.Errorf("key bits = %d", c.KeyBits())
	}
	if !c.Leaf().NotAfter.Equal(now.AddDate(2, 0, 0)) {
		t.Errorf("not after = %v", c.Leaf().NotAfter)
	}
	bare, err := parseSubject("exorun-prod")
	if err != nil || bare.CommonName != "exorun-prod" {
		t.Errorf("bare name: %+v, %v", bare, err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts NewOptions
		want string
	}{
		{"1024 bits", NewOptions{KeyBits: 1024}, "key size 1024 bits: choose 2048, 3072 or 4096"},
		{"odd bits", NewOptions{KeyBits: 2500}, "choose 2048, 3072 or 4096"},
		{"negative years", NewOptions{Years: -1}, "validity -1 years"},
		{"no CN", NewOptions{Subject: "O=Contoso"}, "no CN"},
		{"two CNs", NewOptions{Subject: "CN=a,CN=b"}, "CN given twice"},
		{"unknown attribute", NewOptions{Subject: "CN=a,DC=contoso"}, "unknown attribute DC"},
		{"empty value", NewOptions{Subject: "CN=a,O="}, `"O=" is not ATTRIBUTE=value`},
		{"long country", NewOptions{Subject: "CN=a,C=NLD"}, "two-letter country code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			assertRefused(t, err, nil, exitcode.Usage, tt.want)
		})
	}
}

// TestEncodersRoundTrip writes a new credential in every encoding and
// reads each back with Load or LoadFile.
func TestEncodersRoundTrip(t *testing.T) {
	c := newCredential(t)
	encode := func(f func() ([]byte, error)) []byte {
		t.Helper()
		data, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	pemData := encode(c.PEM)
	keyPEM := encode(c.keyPEM)
	tests := []struct {
		name, password string
		data           []byte
	}{
		{"pfx", testPassword, encode(func() ([]byte, error) { return c.PFX(testPassword) })},
		{"pfx, empty password", "", encode(func() ([]byte, error) { return c.PFX("") })},
		{"pfx legacy", testPassword, encode(func() ([]byte, error) { return c.PFXLegacy(testPassword) })},
		{"pfx legacy, empty password", "", encode(func() ([]byte, error) { return c.PFXLegacy("") })},
		{"pem", "", pemData},
		{"base64 of pem", "", []byte(base64.StdEncoding.EncodeToString(pemData))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.data, tt.password, "round trip")
			if err != nil {
				t.Fatal(err)
			}
			if got.Thumbprint() != c.Thumbprint() || !got.Key.Equal(c.Key) {
				t.Error("came back as another credential")
			}
		})
	}
	t.Run("cer and key file", func(t *testing.T) {
		got, err := LoadFile("app.cer", "app.key", "", files(map[string][]byte{"app.cer": c.CertDER(), "app.key": keyPEM}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Thumbprint() != c.Thumbprint() {
			t.Error("came back as another certificate")
		}
	})
	if !bytes.HasPrefix(pemData, []byte("-----BEGIN CERTIFICATE-----")) || !bytes.Contains(pemData, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("PEM layout is not certificate then PKCS#8 key:\n%s", pemData)
	}
	if _, err := (&Credential{Chain: c.Chain, Source: "x"}).PFX(testPassword); err == nil {
		t.Error("PFX without a key succeeded")
	}
}

func TestThumbprints(t *testing.T) {
	c := newCredential(t)
	sum1, sum256 := sha1.Sum(c.CertDER()), sha256.Sum256(c.CertDER())
	if tp := c.Thumbprint(); len(tp) != 40 || tp != strings.ToUpper(hex.EncodeToString(sum1[:])) {
		t.Errorf("Thumbprint = %s", tp)
	}
	if tp := c.ThumbprintSHA256(); len(tp) != 64 || tp != strings.ToUpper(hex.EncodeToString(sum256[:])) {
		t.Errorf("ThumbprintSHA256 = %s", c.ThumbprintSHA256())
	}
	var empty *Credential
	if empty.Thumbprint() != "" || empty.KeyBits() != 0 || empty.Leaf() != nil || empty.CertDER() != nil {
		t.Error("a nil credential does not describe itself as empty")
	}
}

func TestKeyCredentialIsTheManifestEntry(t *testing.T) {
	c := newCredential(t)
	data, err := c.KeyCredential()
	if err != nil {
		t.Fatal(err)
	}
	var entry map[string]string
	if err := json.Unmarshal(data, &entry); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	wantFields := []string{"customKeyIdentifier", "displayName", "endDateTime", "key", "keyId", "startDateTime", "type", "usage"}
	if got := slices.Sorted(maps.Keys(entry)); !slices.Equal(got, wantFields) {
		t.Errorf("fields %v, want %v", got, wantFields)
	}
	sum := sha1.Sum(c.CertDER())
	leaf := c.Leaf()
	checks := map[string]string{
		"customKeyIdentifier": base64.StdEncoding.EncodeToString(sum[:]),
		"key":                 base64.StdEncoding.EncodeToString(leaf.Raw),
		"type":                "AsymmetricX509Cert",
		"usage":               "Verify",
		"displayName":         "CN=exorun-app",
		"startDateTime":       leaf.NotBefore.UTC().Format(time.RFC3339),
		"endDateTime":         leaf.NotAfter.UTC().Format(time.RFC3339),
	}
	for field, want := range checks {
		if entry[field] != want {
			t.Errorf("%s = %q, want %q", field, entry[field], want)
		}
	}
	if id, err := uuid.Parse(entry["keyId"]); err != nil || id.Version() != 4 {
		t.Errorf("keyId %q is not a random GUID", entry["keyId"])
	}
}

// EncryptedPEM writes the chain and an encrypted PKCS#8 key that opens
// with its password only, alone or as a key file beside the .cer.
func TestEncryptedPEMOpensWithItsPasswordOnly(t *testing.T) {
	c := newCredential(t)
	data, err := c.EncryptedPEM(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN CERTIFICATE-----")) ||
		!bytes.Contains(data, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) ||
		bytes.Contains(data, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("not a certificate followed by an encrypted PKCS#8 key:\n%s", data)
	}
	got, err := Load(data, testPassword, "encrypted pem")
	if err != nil {
		t.Fatal(err)
	}
	if got.Thumbprint() != c.Thumbprint() || !got.Key.Equal(c.Key) {
		t.Error("came back as another credential")
	}
	_, err = Load(data, wrongPassword, "encrypted pem")
	assertRefused(t, err, ErrWrongPassword, exitcode.Auth, "certificate encrypted pem: wrong password")
	_, err = Load(data, "", "encrypted pem")
	assertRefused(t, err, ErrPasswordNeeded, exitcode.Auth, "the private key is encrypted and no password was given")

	fsys := files(map[string][]byte{"app.cer": c.CertDER(), "app.pem": data})
	if got, err := LoadFile("app.cer", "app.pem", testPassword, fsys); err != nil || got.Thumbprint() != c.Thumbprint() {
		t.Errorf("as a key file: %v", err)
	}
	_, err = LoadFile("app.cer", "app.pem", wrongPassword, fsys)
	assertRefused(t, err, ErrWrongPassword, exitcode.Auth, "key file app.pem: wrong password")

	// Two encryptions of one key differ: a fresh salt and IV each time.
	again, err := c.EncryptedPEM(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(again, data) {
		t.Error("two encryptions came out the same")
	}
	if _, err := c.EncryptedPEM(""); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("an empty password: got %v, want a usage error", err)
	}
}
