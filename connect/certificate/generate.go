package certificate

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// DefaultSubject is the subject New gives a certificate when asked for none.
const DefaultSubject = "CN=exorun-app"

// NewOptions says what certificate New makes. The zero value is a valid
// request: CN=exorun-app, one year, 2048 bits, now.
type NewOptions struct {
	// Subject is a distinguished name such as "CN=exorun-app,O=Contoso,C=NL"
	// (attributes CN, O, OU, L, ST or S, C; backslash escapes a comma). A
	// value with no "=" is taken as the CN. Empty means DefaultSubject.
	Subject string
	// Years is how long the certificate is valid; 0 means 1.
	Years int
	// KeyBits is the RSA key size: 2048 (when 0), 3072 or 4096.
	KeyBits int
	// Now is when the certificate is made; zero means time.Now().
	Now time.Time
	// Rand is the randomness for the serial number; nil means
	// crypto/rand. RSA key generation ignores it since Go 1.26 and always
	// uses a secure source (testing/cryptotest.SetGlobalRandom makes that
	// deterministic in a test).
	Rand io.Reader
}

// New makes a self-signed certificate for app-only authentication, as
// New-SelfSignedCertificate does in Microsoft's onboarding steps: an RSA
// key, a SHA-256 signature, key usage for signing client assertions, a
// random serial, and a NotBefore five minutes back so a client with a
// slightly slow clock can use it at once. Bad options are a usage error.
func New(opts NewOptions) (*Credential, error) {
	subject, err := parseSubject(cmp.Or(opts.Subject, DefaultSubject))
	if err != nil {
		return nil, err
	}
	bits := cmp.Or(opts.KeyBits, 2048)
	if bits != 2048 && bits != 3072 && bits != 4096 {
		return nil, invalid("certificate key size %d bits: choose 2048, 3072 or 4096", bits)
	}
	years := cmp.Or(opts.Years, 1)
	if years < 1 || years > 100 {
		return nil, invalid("certificate validity %d years: choose 1 to 100", opts.Years)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	random := opts.Rand
	if random == nil {
		random = rand.Reader
	}

	key, err := rsa.GenerateKey(random, bits)
	if err != nil {
		return nil, fmt.Errorf("certificate: generate RSA key: %w", err)
	}
	// A positive 127-bit serial: unique enough, and never negative or
	// zero, which RFC 5280 forbids.
	serial, err := rand.Int(random, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate: serial number: %w", err)
	}
	serial.Add(serial, big.NewInt(1))
	// Go only derives a SubjectKeyId for CAs; Windows shows it for every
	// certificate, and it is conventionally the SHA-1 of the public key.
	keyID := sha1.Sum(x509.MarshalPKCS1PublicKey(&key.PublicKey))
	template := &x509.Certificate{
		SerialNumber:       serial,
		Subject:            subject,
		NotBefore:          now.Add(-5 * time.Minute),
		NotAfter:           now.AddDate(years, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SubjectKeyId:       keyID[:],
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(random, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("certificate: sign: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certificate: parse the new certificate: %w", err)
	}
	return &Credential{Chain: []*x509.Certificate{leaf}, Key: key, Source: "new " + leaf.Subject.String()}, nil
}

// parseSubject reads a simple distinguished name, "CN=app,O=Org,C=NL".
func parseSubject(dn string) (pkix.Name, error) {
	var name pkix.Name
	if !strings.Contains(dn, "=") {
		dn = "CN=" + dn
	}
	for _, part := range splitUnescaped(dn, ',') {
		attr, value, ok := strings.Cut(part, "=")
		attr, value = strings.ToUpper(strings.TrimSpace(attr)), strings.TrimSpace(value)
		if !ok || value == "" {
			return pkix.Name{}, invalid("certificate subject %q: %q is not ATTRIBUTE=value", dn, strings.TrimSpace(part))
		}
		switch attr {
		case "CN":
			if name.CommonName != "" {
				return pkix.Name{}, invalid("certificate subject %q: CN given twice", dn)
			}
			name.CommonName = value
		case "O":
			name.Organization = append(name.Organization, value)
		case "OU":
			name.OrganizationalUnit = append(name.OrganizationalUnit, value)
		case "L":
			name.Locality = append(name.Locality, value)
		case "ST", "S":
			name.Province = append(name.Province, value)
		case "C":
			if len(value) != 2 {
				return pkix.Name{}, invalid("certificate subject %q: C must be a two-letter country code", dn)
			}
			name.Country = append(name.Country, strings.ToUpper(value))
		default:
			return pkix.Name{}, invalid("certificate subject %q: unknown attribute %s (use CN, O, OU, L, ST, C)", dn, attr)
		}
	}
	if name.CommonName == "" {
		return pkix.Name{}, invalid("certificate subject %q: no CN", dn)
	}
	return name, nil
}

// splitUnescaped splits s at sep, except where a backslash escapes it, and
// removes the escaping backslashes.
func splitUnescaped(s string, sep byte) []string {
	var (
		parts []string
		cur   strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == sep:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(parts, cur.String())
}
