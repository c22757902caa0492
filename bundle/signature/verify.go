package signature

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/smallstep/pkcs7"
)

// ErrMismatch is returned (wrapped) by Verify when the signature is intact
// but was made over other bytes than the content given.
var ErrMismatch = errors.New("the signature does not match the manifest (it was changed after signing, or signed for another manifest)")

// Signer describes who made a signature. Verify fills it in; it says nothing
// about trust, see Trust.Check.
type Signer struct {
	Subject    string    `json:"subject"`    // leaf certificate subject, RFC 2253 style
	Issuer     string    `json:"issuer"`     // leaf certificate issuer
	Thumbprint string    `json:"thumbprint"` // see Thumbprint
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	// SignedAt is the signing-time attribute, zero if the signature has
	// none. The signer asserts it; no timestamp authority vouches for it.
	SignedAt time.Time `json:"signed_at,omitzero"`

	Certificate *x509.Certificate   `json:"-"` // the leaf that signed
	Chain       []*x509.Certificate `json:"-"` // the other embedded certificates
}

// Thumbprint returns the SHA-1 hash of cert's DER encoding as 40 upper-case
// hex digits, the form Windows certificate tools show and admins copy.
// It returns "" for a nil certificate.
func Thumbprint(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	return fmt.Sprintf("%X", sha1.Sum(cert.Raw))
}

// Verify checks that sig is a valid detached CMS signature over content:
// exactly one signer, its certificate embedded, a SHA-2 digest that matches
// content, a signature that verifies over the signed attributes, and a
// signing time (if present) inside the certificate's validity period.
//
// Verify does not decide trust: anyone can make a valid signature with a
// certificate of their own. Pass the result to Trust.Check.
func Verify(content, sig []byte) (*Signer, error) {
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN")) {
		return nil, errors.New("not a CMS signature: it is PEM text, a bundle signature is binary DER")
	}
	// pkcs7.Parse reads the first ASN.1 element and silently ignores any
	// bytes after it; a signature file must be exactly one DER element, so
	// nothing can ride along unsigned.
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(sig, &outer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a CMS signature: %w", err)
	case len(rest) > 0:
		return nil, fmt.Errorf("not a CMS signature: %d bytes of trailing data", len(rest))
	}
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("not a CMS signature: %w", err)
	}
	switch n := len(p7.Signers); {
	case n == 0:
		return nil, errors.New("the signature has no signer; a bundle signature has exactly one")
	case n > 1:
		return nil, fmt.Errorf("the signature has %d signers; a bundle signature has exactly one", n)
	}
	if len(p7.Content) > 0 {
		// A bundle keeps the manifest next to its signature. An embedded copy
		// would be a second, possibly different, manifest to be confused by.
		return nil, errors.New("the signature embeds content; a bundle signature must be detached")
	}
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		return nil, errors.New("the signer's certificate is not embedded in the signature")
	}
	info := p7.Signers[0]
	if err := checkDigestAlgorithm(info.DigestAlgorithm.Algorithm); err != nil {
		return nil, err
	}
	if len(info.AuthenticatedAttributes) > 0 {
		// pkcs7 does not check the content-type attribute (a TODO in its
		// code); RFC 5652 requires it, and openssl rejects a signature
		// without it, so we do too.
		var ct asn1.ObjectIdentifier
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil || !ct.Equal(pkcs7.OIDData) {
			return nil, errors.New("the signature's signed attributes lack the content type \"data\"")
		}
	}

	p7.Content = content
	if err := p7.Verify(); err != nil {
		var mismatch *pkcs7.MessageDigestMismatchError
		var expired *pkcs7.SigningTimeNotValidError
		switch {
		case errors.As(err, &mismatch):
			return nil, ErrMismatch
		case errors.As(err, &expired):
			return nil, fmt.Errorf("the signer certificate was not valid when it signed (signed %s, valid from %s to %s)",
				stamp(expired.SigningTime), stamp(expired.NotBefore), stamp(expired.NotAfter))
		default:
			return nil, fmt.Errorf("the signature is damaged or forged: it does not verify with the signer's certificate %s: %w",
				leaf.Subject, err)
		}
	}

	s := &Signer{
		Subject:     Printable(leaf.Subject.String()),
		Issuer:      Printable(leaf.Issuer.String()),
		Thumbprint:  Thumbprint(leaf),
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		Certificate: leaf,
	}
	var signedAt time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signedAt) == nil {
		s.SignedAt = signedAt.UTC()
	}
	for _, c := range p7.Certificates {
		if !c.Equal(leaf) {
			s.Chain = append(s.Chain, c)
		}
	}
	return s, nil
}

// checkDigestAlgorithm refuses SHA-1 and anything unknown. pkcs7 accepts
// SHA-1, and crypto/x509 still verifies SHA-1 RSA signatures, so without
// this a collision-prone digest would pass.
func checkDigestAlgorithm(oid asn1.ObjectIdentifier) error {
	switch {
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA256),
		oid.Equal(pkcs7.OIDDigestAlgorithmSHA384),
		oid.Equal(pkcs7.OIDDigestAlgorithmSHA512):
		return nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA1):
		return errors.New("the signature uses SHA-1, which is too weak; sign again with SHA-256")
	default:
		return fmt.Errorf("the signature uses an unsupported digest algorithm %s", oid)
	}
}

// Printable is text from a certificate made safe for a terminal: control
// and invisible characters escaped, so a subject such as "CN=x\x1b[2K\r
// CN=Contoso" cannot pose as another when shown.
func Printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) < 0 {
		return s
	}
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}
