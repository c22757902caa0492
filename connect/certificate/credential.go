package certificate

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Credential is what an Entra ID app authenticates with: a certificate
// chain and the RSA private key of its leaf. Chain and Key go to MSAL Go's
// confidential.NewCredFromCert as they are.
type Credential struct {
	// Chain is the leaf certificate first, then the certificates that
	// issued it, in issuing order as far as the file lets us tell.
	Chain []*x509.Certificate
	// Key is the private key of Chain[0].
	Key *rsa.PrivateKey
	// Source names where the credential came from, as a noun phrase that
	// reads after "certificate ": "file app.pfx", "store 3F2A…",
	// "EXORUN_CERTIFICATE". Messages use it; it never holds a secret.
	Source string
}

// Leaf is the certificate the key belongs to, the one uploaded to the app.
func (c *Credential) Leaf() *x509.Certificate {
	if c == nil || len(c.Chain) == 0 {
		return nil
	}
	return c.Chain[0]
}

// Thumbprint is the SHA-1 hash of the leaf's DER in upper-case hex: what
// Windows, the Entra admin center and Connect-ExchangeOnline
// -CertificateThumbprint show, and the store's key.
func (c *Credential) Thumbprint() string {
	leaf := c.Leaf()
	if leaf == nil {
		return ""
	}
	sum := sha1.Sum(leaf.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// ThumbprintSHA256 is the SHA-256 hash of the leaf's DER in upper-case hex,
// for tools that have moved on from SHA-1.
func (c *Credential) ThumbprintSHA256() string {
	leaf := c.Leaf()
	if leaf == nil {
		return ""
	}
	sum := sha256.Sum256(leaf.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// KeyBits is the RSA key's modulus size in bits, 0 without a key.
func (c *Credential) KeyBits() int {
	if c == nil || c.Key == nil {
		return 0
	}
	return c.Key.N.BitLen()
}

// bundle is what one file or blob held, before it is judged.
type bundle struct {
	certs  []*x509.Certificate
	key    crypto.PrivateKey
	format string // formatPKCS12, formatPEM or formatDER
}

const (
	formatPKCS12 = "PKCS#12"
	formatPEM    = "PEM"
	formatDER    = "DER"
)

// assemble turns a bundle into a Credential: it needs a certificate and an
// RSA key, and picks as leaf the certificate the key belongs to. Files do
// not reliably put the leaf first (a PFX's bag order is whatever the
// exporting tool chose), so the key decides.
func assemble(b bundle, source string, names Names) (*Credential, error) {
	subject := "certificate " + source
	switch {
	case len(b.certs) == 0:
		return nil, refuse(subject, ErrNoCertificate, hintNoCert, "")
	case b.key == nil:
		return nil, refuse(subject, ErrNoPrivateKey, names.noKeyHint(), "")
	}
	key, ok := b.key.(*rsa.PrivateKey)
	if !ok {
		return nil, refuse(subject, ErrNotRSA, hintNewRSA,
			"Entra ID app-only authentication needs an RSA key; this is %s", describeKey(b.key))
	}
	certs := uniqueCertificates(b.certs)
	leaf := slices.IndexFunc(certs, func(c *x509.Certificate) bool { return key.PublicKey.Equal(c.PublicKey) })
	if leaf < 0 {
		what := "the certificate"
		if len(certs) > 1 {
			what = fmt.Sprintf("any of the %d certificates", len(certs))
		}
		return nil, refuse(subject, ErrKeyMismatch, hintMismatch, "the private key does not match %s", what)
	}
	return &Credential{Chain: orderChain(certs, leaf), Key: key, Source: source}, nil
}

// uniqueCertificates drops repeats: PEM bundles assembled by hand often
// hold the same intermediate twice.
func uniqueCertificates(certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if !slices.ContainsFunc(out, func(o *x509.Certificate) bool { return bytes.Equal(o.Raw, c.Raw) }) {
			out = append(out, c)
		}
	}
	return out
}

// orderChain puts certs[leaf] first, then follows issuer links upward;
// certificates that are not on the path keep their order at the end.
func orderChain(certs []*x509.Certificate, leaf int) []*x509.Certificate {
	chain := []*x509.Certificate{certs[leaf]}
	rest := slices.Delete(slices.Clone(certs), leaf, leaf+1)
	for {
		last := chain[len(chain)-1]
		if bytes.Equal(last.RawIssuer, last.RawSubject) {
			break // self-signed: the path ends here
		}
		next := slices.IndexFunc(rest, func(c *x509.Certificate) bool { return bytes.Equal(c.RawSubject, last.RawIssuer) })
		if next < 0 {
			break
		}
		chain = append(chain, rest[next])
		rest = slices.Delete(rest, next, next+1)
	}
	return append(chain, rest...)
}

// describeKey names a key's algorithm and size the way people say it:
// "RSA 2048-bit", "ECDSA P-256", "Ed25519".
func describeKey(key any) string {
	if signer, ok := key.(crypto.Signer); ok {
		key = signer.Public()
	}
	if priv, ok := key.(*ecdh.PrivateKey); ok {
		key = priv.PublicKey()
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	case *ecdh.PublicKey:
		return "ECDH " + fmt.Sprint(k.Curve())
	default:
		return fmt.Sprintf("a %T key", key)
	}
}

// keyAlgorithm is the short algorithm name of a certificate's public key.
func keyAlgorithm(cert *x509.Certificate) string {
	switch cert.PublicKeyAlgorithm {
	case x509.RSA:
		return "RSA"
	case x509.ECDSA:
		return "ECDSA"
	case x509.Ed25519:
		return "Ed25519"
	default:
		return cert.PublicKeyAlgorithm.String()
	}
}

// publicKeyBits is the size of a certificate's public key: the modulus for
// RSA, the curve for ECDSA.
func publicKeyBits(cert *x509.Certificate) int {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return 256
	default:
		return 0
	}
}
