package signature

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Trust is a set of trusted certificates and SHA-1 thumbprints, each
// remembered with the name of the source it came from. The zero value is an
// empty set, ready to use.
type Trust struct {
	certs  []trustedCert
	thumbs map[string]string // thumbprint -> source name
}

type trustedCert struct {
	cert   *x509.Certificate
	source string
}

// Add reads one trust source and adds what it holds. data is one of:
//   - PEM with one or more CERTIFICATE blocks;
//   - a DER certificate (a .cer file);
//   - text with one SHA-1 thumbprint per line; '#' starts a comment, and
//     spaces, colons and letter case do not matter.
//
// A private key is refused: whoever holds the trust file is not meant to
// be able to sign. name (usually the file name) appears in errors and in
// Check's explanations. On error nothing is added.
func (t *Trust) Add(name string, data []byte) error {
	switch {
	case bytes.Contains(data, []byte("-----BEGIN")):
		certs, err := parsePEM(data)
		if err != nil {
			return fmt.Errorf("trust file %s: %w", name, err)
		}
		for _, c := range certs {
			t.addCert(c, name)
		}
	case isText(data):
		thumbs, err := parseThumbprints(data)
		if err != nil {
			return fmt.Errorf("trust file %s: %w", name, err)
		}
		if t.thumbs == nil {
			t.thumbs = make(map[string]string)
		}
		for _, tp := range thumbs {
			if _, dup := t.thumbs[tp]; !dup {
				t.thumbs[tp] = name
			}
		}
	default:
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return fmt.Errorf("trust file %s: not a PEM or DER certificate, nor a list of thumbprints: %w", name, err)
		}
		t.addCert(c, name)
	}
	return nil
}

func (t *Trust) addCert(c *x509.Certificate, source string) {
	for _, have := range t.certs {
		if have.cert.Equal(c) {
			return
		}
	}
	t.certs = append(t.certs, trustedCert{cert: c, source: source})
}

// Certificates returns the trusted certificates, in the order added.
func (t *Trust) Certificates() []*x509.Certificate {
	out := make([]*x509.Certificate, len(t.certs))
	for i, c := range t.certs {
		out[i] = c.cert
	}
	return out
}

// Thumbprints returns the listed thumbprints (not those of the trusted
// certificates), sorted.
func (t *Trust) Thumbprints() []string {
	return slices.Sorted(maps.Keys(t.thumbs))
}

// Check says whether s is trusted, and why or why not in a sentence fit for
// the user.
//
// s is trusted when its certificate's thumbprint is listed or equals a
// trusted certificate's, or when its certificate chains to a trusted
// certificate, using the certificates embedded in the signature as
// intermediates. Either way the certificate must be valid at the signing
// time and now: without a timestamp authority, a signature does not
// outlive its certificate.
func (t *Trust) Check(s *Signer, now time.Time) (trusted bool, why string) {
	if s == nil || s.Certificate == nil {
		return false, "there is no signer to trust"
	}
	if t == nil {
		t = &Trust{} // nothing is trusted
	}
	leaf := s.Certificate
	// Recompute rather than believe s.Thumbprint: Signer is a plain struct
	// and Check must judge the certificate itself.
	tp := Thumbprint(leaf)
	// The signing time is the signer's own claim (no timestamp
	// authority vouches for it), so the certificate must be valid now
	// too: whoever still holds an expired key could otherwise backdate.
	at := now
	for _, check := range []struct {
		t    time.Time
		what string
	}{{s.SignedAt, "when it signed"}, {now, "now"}} {
		if check.t.IsZero() {
			continue
		}
		if check.t.Before(leaf.NotBefore) || check.t.After(leaf.NotAfter) {
			return false, fmt.Sprintf("signer %s (thumbprint %s) is not trusted: its certificate is not valid %s (%s; valid from %s to %s); ask for the bundle signed with a current certificate",
				Printable(leaf.Subject.String()), tp, check.what, stamp(check.t), stamp(leaf.NotBefore), stamp(leaf.NotAfter))
		}
	}

	if src, ok := t.thumbs[tp]; ok {
		return true, fmt.Sprintf("thumbprint %s is trusted (%s)", tp, src)
	}
	for _, c := range t.certs {
		if c.cert.Equal(leaf) {
			return true, fmt.Sprintf("thumbprint %s is trusted (%s)", tp, c.source)
		}
	}

	// Roots must be a non-nil pool even when empty: a nil pool would make
	// crypto/x509 fall back to the system roots, trusting any public CA.
	roots := x509.NewCertPool()
	for _, c := range t.certs {
		roots.AddCert(c.cert)
	}
	inter := x509.NewCertPool()
	for _, c := range s.Chain {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		// Admin certificates carry no code-signing EKU; require none.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err == nil && len(chains) > 0 {
		root := chains[0][len(chains[0])-1]
		for _, c := range t.certs {
			if c.cert.Equal(root) {
				return true, fmt.Sprintf("chains to trusted certificate %s (%s)", Printable(root.Subject.String()), c.source)
			}
		}
	}

	why = fmt.Sprintf("signer %s (thumbprint %s) is not trusted; to trust it, add that thumbprint, the signer's certificate or its issuing CA certificate to a trust file",
		Printable(leaf.Subject.String()), tp)
	var unknown x509.UnknownAuthorityError
	if err != nil && len(t.certs) > 0 && !errors.As(err, &unknown) {
		// It reached a trusted certificate but failed for another reason
		// (expired CA, not a CA, ...): that is worth saying.
		why += fmt.Sprintf(" (checking its chain: %v)", err)
	}
	return false, why
}

// parsePEM returns the certificates in PEM data, refusing private keys and
// any other kind of block so that a wrong file is noticed, not half-used.
func parsePEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch {
		case strings.Contains(block.Type, "PRIVATE KEY"):
			return nil, errors.New("a trust file holds certificates, never a private key")
		case block.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
			}
			certs = append(certs, c)
		default:
			return nil, fmt.Errorf("unexpected PEM block %q; a trust file holds CERTIFICATE blocks", block.Type)
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return certs, nil
}

// parseThumbprints reads one SHA-1 thumbprint per line.
func parseThumbprints(data []byte) ([]string, error) {
	var thumbs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		tp := strings.Map(func(r rune) rune {
			// Windows' certificate dialog puts an invisible left-to-right
			// mark before a copied thumbprint; drop it with the separators.
			if r == ':' || r == '\u200e' || r == '\ufeff' || unicode.IsSpace(r) {
				return -1
			}
			return unicode.ToUpper(r)
		}, line)
		if tp == "" {
			continue
		}
		if !isHex(tp) || len(tp) != 40 {
			hint := ""
			if isHex(tp) && len(tp) == 64 {
				hint = " (that is a SHA-256 fingerprint; use the SHA-1 thumbprint Windows shows)"
			}
			return nil, fmt.Errorf("line %d: %q is not a SHA-1 thumbprint of 40 hex digits%s", n, strings.TrimSpace(line), hint)
		}
		thumbs = append(thumbs, tp)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(thumbs) == 0 {
		return nil, errors.New("no certificate or thumbprint found")
	}
	return thumbs, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEF", r) {
			return false
		}
	}
	return true
}

// isText tells a thumbprint list from a DER certificate. DER always holds
// control bytes (tags and lengths), while a text file holds none besides
// line breaks and tabs.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
