package certificate

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

func encodePFX(t testing.TB, enc *pkcs12.Encoder, key any, leaf *x509.Certificate, cas []*x509.Certificate, password string) []byte {
	t.Helper()
	data, err := enc.Encode(key, leaf, cas, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func encryptedPKCS8(t testing.TB, key any, password string) []byte {
	t.Helper()
	der, err := pkcs8.MarshalPrivateKey(key, []byte(password), nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// wrap breaks s into lines of n characters, as base64 tools do.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s + "\n")
	return b.String()
}

// utf16LE is text as PowerShell 5's ">" writes it: UTF-16LE with a BOM.
func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestLoadReadsEverySource(t *testing.T) {
	leaf := makeCert(t, keyA(), certOpts{cn: "exorun-load"})
	ch := makeChain(t)
	pfxModern := encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, testPassword)
	pemPKCS8 := append(certPEM(leaf), pemBlock("PRIVATE KEY", pkcs8DER(t, keyA()))...)
	// Deprecated in x509 for its weak encryption; old OpenSSL wrote it.
	legacyBlock, err := x509.EncryptPEMBlock(strings.NewReader(strings.Repeat("x", 64)), "RSA PRIVATE KEY",
		x509.MarshalPKCS1PrivateKey(keyA()), []byte(testPassword), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		data      []byte
		password  string
		wantLeaf  *x509.Certificate
		wantChain int
	}{
		{"pfx modern with password", pfxModern, testPassword, leaf, 1},
		{"pfx modern, empty password", encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, ""), "", leaf, 1},
		{"pfx password-less encoding", encodePFX(t, pkcs12.Passwordless, keyA(), leaf, nil, ""), "", leaf, 1},
		{"pfx legacy 3DES", encodePFX(t, pkcs12.LegacyDES, keyA(), leaf, nil, testPassword), testPassword, leaf, 1},
		{"pfx legacy RC2", encodePFX(t, pkcs12.LegacyRC2, keyA(), leaf, nil, testPassword), testPassword, leaf, 1},
		{"pfx modern 2026 (PBMAC1)", encodePFX(t, pkcs12.Modern2026, keyA(), leaf, nil, testPassword), testPassword, leaf, 1},
		// The encoder puts its "certificate" argument first; handing it the
		// intermediate makes a PFX whose first certificate is not the leaf.
		{"pfx chain, leaf not first", encodePFX(t, pkcs12.Modern2023, keyA(), ch.intermediate, []*x509.Certificate{ch.root, ch.leaf}, testPassword), testPassword, ch.leaf, 3},
		{"pem pkcs1", append(certPEM(leaf), pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(keyA()))...), "", leaf, 1},
		{"pem pkcs8", pemPKCS8, "", leaf, 1},
		{"pem key before certificate", append(pemBlock("PRIVATE KEY", pkcs8DER(t, keyA())), certPEM(leaf)...), "", leaf, 1},
		{"pem encrypted pkcs8", append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", encryptedPKCS8(t, keyA(), testPassword))...), testPassword, leaf, 1},
		{"pem legacy Proc-Type encrypted", append(certPEM(leaf), pem.EncodeToMemory(legacyBlock)...), testPassword, leaf, 1},
		{"pem chain shuffled, duplicated intermediate", append(certPEM(ch.root, ch.intermediate, ch.leaf, ch.intermediate), pemBlock("PRIVATE KEY", pkcs8DER(t, keyA()))...), "", ch.leaf, 3},
		{"pem with BOM and CRLF", append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(pemPKCS8, []byte("\n"), []byte("\r\n"))...), "", leaf, 1},
		{"base64 std of pfx, wrapped", []byte(wrap(base64.StdEncoding.EncodeToString(pfxModern), 64)), testPassword, leaf, 1},
		{"base64 url of pfx, no padding", []byte(base64.RawURLEncoding.EncodeToString(pfxModern)), testPassword, leaf, 1},
		{"base64 std of pem", []byte(base64.StdEncoding.EncodeToString(pemPKCS8)), "", leaf, 1},
		{"base64 url of pem, wrapped with CRLF", []byte(strings.ReplaceAll(wrap(base64.URLEncoding.EncodeToString(pemPKCS8), 76), "\n", "\r\n")), "", leaf, 1},
		{"base64 of pfx in UTF-16LE (PowerShell 5)", utf16LE(base64.StdEncoding.EncodeToString(pfxModern) + "\r\n"), testPassword, leaf, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.data, tt.password, "EXORUN_CERTIFICATE")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !c.Leaf().Equal(tt.wantLeaf) {
				t.Errorf("leaf is %s, want %s", c.Leaf().Subject, tt.wantLeaf.Subject)
			}
			if !c.Key.Equal(keyA()) {
				t.Error("key is not the leaf's key")
			}
			if len(c.Chain) != tt.wantChain {
				t.Errorf("chain has %d certificates, want %d", len(c.Chain), tt.wantChain)
			}
			if c.Source != "EXORUN_CERTIFICATE" {
				t.Errorf("Source = %q", c.Source)
			}
		})
	}
}

func TestLoadOrdersChainLeafFirstThenIssuers(t *testing.T) {
	ch := makeChain(t)
	data := encodePFX(t, pkcs12.Modern2023, keyA(), ch.root, []*x509.Certificate{ch.leaf, ch.intermediate}, "")
	c, err := Load(data, "", "test")
	if err != nil {
		t.Fatal(err)
	}
	want := []*x509.Certificate{ch.leaf, ch.intermediate, ch.root}
	for i, cert := range c.Chain {
		if !cert.Equal(want[i]) {
			t.Errorf("Chain[%d] = %s, want %s", i, cert.Subject, want[i].Subject)
		}
	}
}

func TestLoadFileReadsEveryLayout(t *testing.T) {
	leaf := makeCert(t, keyA(), certOpts{cn: "exorun-file"})
	fsys := files(map[string][]byte{
		"app.pfx":          encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, testPassword),
		"app.pem":          append(certPEM(leaf), pemBlock("PRIVATE KEY", pkcs8DER(t, keyA()))...),
		"cert.pem":         certPEM(leaf),
		"app.cer":          leaf.Raw,
		"pkcs8.pem":        pemBlock("PRIVATE KEY", pkcs8DER(t, keyA())),
		"pkcs1.pem":        pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(keyA())),
		"encrypted.pem":    pemBlock("ENCRYPTED PRIVATE KEY", encryptedPKCS8(t, keyA(), testPassword)),
		"pkcs8.der":        pkcs8DER(t, keyA()),
		"pkcs1.der":        x509.MarshalPKCS1PrivateKey(keyA()),
		"encrypted.der":    encryptedPKCS8(t, keyA(), testPassword),
		"app.pfx.b64":      []byte(wrap(base64.StdEncoding.EncodeToString(encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, testPassword)), 64)),
		"key-and-cert.pem": append(pemBlock("PRIVATE KEY", pkcs8DER(t, keyA())), certPEM(leaf)...),
	})
	tests := []struct {
		cert, key, password, wantSource string
	}{
		{"app.pfx", "", testPassword, "file app.pfx"},
		{"app.pfx.b64", "", testPassword, "file app.pfx.b64"},
		{"app.pem", "", "", "file app.pem"},
		{"cert.pem", "pkcs8.pem", "", "file cert.pem with key file pkcs8.pem"},
		{"cert.pem", "pkcs1.pem", "", "file cert.pem with key file pkcs1.pem"},
		{"cert.pem", "encrypted.pem", testPassword, "file cert.pem with key file encrypted.pem"},
		{"app.cer", "pkcs8.der", "", "file app.cer with key file pkcs8.der"},
		{"app.cer", "pkcs1.der", "", "file app.cer with key file pkcs1.der"},
		{"app.cer", "encrypted.der", testPassword, "file app.cer with key file encrypted.der"},
		{"app.cer", "pkcs8.pem", "", "file app.cer with key file pkcs8.pem"},
		{"app.cer", "key-and-cert.pem", "", "file app.cer with key file key-and-cert.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.cert+"+"+tt.key, func(t *testing.T) {
			c, err := LoadFile(tt.cert, tt.key, tt.password, fsys)
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if !c.Leaf().Equal(leaf) || !c.Key.Equal(keyA()) {
				t.Error("wrong certificate or key")
			}
			if c.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", c.Source, tt.wantSource)
			}
		})
	}
}

// TestLoadSurvivesDamage feeds Load random bytes and truncated or
// corrupted versions of every format: each must give an error or a
// credential, never a panic, and random bytes must give an error.
func TestLoadSurvivesDamage(t *testing.T) {
	leaf := makeCert(t, keyA(), certOpts{})
	valid := map[string][]byte{
		"pfx modern":    encodePFX(t, pkcs12.Modern2023, keyA(), leaf, nil, testPassword),
		"pfx legacy":    encodePFX(t, pkcs12.LegacyRC2, keyA(), leaf, nil, testPassword),
		"pfx no pass":   encodePFX(t, pkcs12.Passwordless, keyA(), leaf, nil, ""),
		"pem encrypted": append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", encryptedPKCS8(t, keyA(), testPassword))...),
		"der encrypted": encryptedPKCS8(t, keyA(), testPassword),
		"der cert":      leaf.Raw,
	}
	rng := rand.New(rand.NewChaCha8([32]byte{7}))
	load := func(data []byte, password string) error {
		_, err := Load(data, password, "damaged")
		assertNoSecret(t, err)
		return err
	}
	for name, data := range valid {
		step := max(1, len(data)/150)
		for n := 0; n < len(data); n += step {
			load(data[:n], testPassword)
			load(data[:n], "")
		}
		for range 200 {
			damaged := bytes.Clone(data)
			damaged[rng.IntN(len(damaged))] ^= byte(1 + rng.IntN(255))
			load(damaged, testPassword)
		}
		for range 50 {
			load(base64.StdEncoding.AppendEncode(nil, data[:rng.IntN(len(data))]), testPassword)
		}
		t.Logf("%s: survived", name)
	}
	for range 2000 {
		junk := make([]byte, rng.IntN(600))
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		if rng.IntN(2) == 0 && len(junk) > 4 {
			copy(junk, []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03}) // look like a PFX
		}
		if err := load(junk, testPassword); err == nil {
			t.Fatalf("random bytes %x loaded", junk)
		}
	}
}

// TestLoadSurvivesTornCiphertext hands youmark/pkcs8 a ciphertext that is
// not a whole number of AES blocks, which makes crypto/cipher panic.
func TestLoadSurvivesTornCiphertext(t *testing.T) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	if _, err := asn1.Unmarshal(encryptedPKCS8(t, keyA(), testPassword), &info); err != nil {
		t.Fatal(err)
	}
	info.Data = info.Data[:len(info.Data)-1]
	torn, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	leaf := makeCert(t, keyA(), certOpts{})
	_, err = Load(append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", torn)...), testPassword, "torn")
	assertRefused(t, err, ErrUnreadable, exitcode.Auth, "certificate torn: the data is damaged")
}

func FuzzLoad(f *testing.F) {
	leaf := makeCert(f, keyA(), certOpts{})
	f.Add(encodePFX(f, pkcs12.Modern2023, keyA(), leaf, nil, testPassword), testPassword)
	f.Add(encodePFX(f, pkcs12.LegacyRC2, keyA(), leaf, nil, ""), "")
	f.Add(append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", encryptedPKCS8(f, keyA(), testPassword))...), testPassword)
	f.Add([]byte(base64.StdEncoding.EncodeToString(leaf.Raw)), "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		c, err := Load(data, password, "fuzz")
		if err == nil && (c == nil || c.Key == nil || c.Leaf() == nil) {
			t.Fatal("no error and no usable credential")
		}
	})
}

func BenchmarkLoadPFX(b *testing.B) {
	leaf := makeCert(b, keyA(), certOpts{})
	data := encodePFX(b, pkcs12.Modern2023, keyA(), leaf, nil, testPassword)
	for b.Loop() {
		if _, err := Load(data, testPassword, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadRefusesExcessiveWork: a damaged iteration count must give an
// error, not a Load that runs PBKDF2 for days.
func TestLoadRefusesExcessiveWork(t *testing.T) {
	leaf := makeCert(t, keyA(), certOpts{})

	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			MacSalt    []byte
			Iterations int `asn1:"optional,default:1"`
		}
	}
	if _, err := asn1.Unmarshal(encodePFX(t, pkcs12.LegacyDES, keyA(), leaf, nil, testPassword), &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 1 << 40
	hugeMAC, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}

	var key struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params struct {
				KDF struct {
					OID    asn1.ObjectIdentifier
					Params struct {
						Salt       []byte
						Iterations int
						PRF        asn1.RawValue `asn1:"optional"`
					}
				}
				Cipher asn1.RawValue
			}
		}
		Data []byte
	}
	if _, err := asn1.Unmarshal(encryptedPKCS8(t, keyA(), testPassword), &key); err != nil {
		t.Fatal(err)
	}
	key.Algorithm.Params.KDF.Params.Iterations = 1 << 40
	hugeKDF, err := asn1.Marshal(key)
	if err != nil {
		t.Fatal(err)
	}

	scrypt, err := pkcs8.MarshalPrivateKey(keyA(), []byte(testPassword), &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: pkcs8.ScryptOpts{SaltSize: 16, CostParameter: 1 << 10, BlockSize: 8, ParallelizationParameter: 1},
	})
	if err != nil {
		t.Fatal(err)
	}

	for name, data := range map[string][]byte{
		"pfx mac":          hugeMAC,
		"pkcs8 pbkdf2":     append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", hugeKDF)...),
		"pkcs8 pbkdf2 der": hugeKDF,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(data, testPassword, "huge")
			assertRefused(t, err, ErrUnreadable, exitcode.Auth, "it asks for 1099511627776 key-derivation rounds")
		})
	}
	t.Run("scrypt", func(t *testing.T) {
		_, err := Load(append(certPEM(leaf), pemBlock("ENCRYPTED PRIVATE KEY", scrypt)...), testPassword, "scrypt")
		assertRefused(t, err, ErrUnreadable, exitcode.Auth, "encrypted with scrypt")
	})
}
