package signature

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/smallstep/pkcs7"
)

// Sign returns a DER-encoded detached CMS SignedData over content.
//
// The signature uses SHA-256, carries signed attributes (content type,
// message digest and a signing time of now) and embeds leaf followed by
// chain, so that a verifier needs nothing but the signature and content.
// chain may be empty (self-signed certificates), in any order, and may
// repeat leaf; it is embedded as given minus leaf.
//
// Sign refuses a key that does not belong to leaf and a leaf that is not
// valid at now, because [Verify] would refuse such a signature anyway and
// the signer deserves to learn it while signing rather than from users.
func Sign(content []byte, leaf *x509.Certificate, key crypto.Signer, chain []*x509.Certificate, now time.Time) ([]byte, error) {
	if leaf == nil || key == nil {
		return nil, errors.New("sign: a certificate and its private key are required")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return nil, fmt.Errorf("sign: the private key does not belong to certificate %s (thumbprint %s)",
			leaf.Subject, Thumbprint(leaf))
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return nil, fmt.Errorf("sign: certificate %s is not valid at %s (valid from %s to %s)",
			leaf.Subject, stamp(now), stamp(leaf.NotBefore), stamp(leaf.NotAfter))
	}

	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	// AddSigner rather than AddSignerChain: the latter insists that chain
	// is ordered leaf-upwards, which certificate files do not promise, and
	// verifiers find the issuer in the embedded set regardless of order.
	if err := sd.AddSigner(leaf, key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	for _, c := range chain {
		if c != nil && !c.Equal(leaf) {
			sd.AddCertificate(c)
		}
	}
	if err := restampSigningTime(sd, key, now); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}

	// Check our own output: a signature that does not verify must never be
	// written into a bundle, whatever went wrong above.
	if _, err := Verify(content, der); err != nil {
		return nil, fmt.Errorf("sign: the new signature does not verify: %w", err)
	}
	return der, nil
}

// restampSigningTime sets the signing-time attribute to now and signs the
// attributes again.
//
// pkcs7 always stamps time.Now() and offers no option for it; a caller-given
// time keeps Sign consistent with its validity check above and testable.
// GetSignedData exposes the signer info for exactly this kind of adjustment.
func restampSigningTime(sd *pkcs7.SignedData, key crypto.Signer, now time.Time) error {
	infos := sd.GetSignedData().SignerInfos
	if len(infos) != 1 {
		return fmt.Errorf("expected one signer info, pkcs7 produced %d", len(infos))
	}
	when, err := asn1.Marshal(now.UTC())
	if err != nil {
		return fmt.Errorf("encode signing time: %w", err)
	}
	attrs := infos[0].AuthenticatedAttributes
	found := false
	for i := range attrs {
		if attrs[i].Type.Equal(pkcs7.OIDAttributeSigningTime) {
			attrs[i].Value = asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: when}
			found = true
		}
	}
	if !found {
		return errors.New("pkcs7 produced no signing-time attribute")
	}

	// RFC 5652 §5.4: the signature covers the DER encoding of the attributes
	// as a SET OF; encoding/asn1 sorts SET OF elements as DER requires.
	signed, err := asn1.MarshalWithParams(attrs, "set")
	if err != nil {
		return fmt.Errorf("encode signed attributes: %w", err)
	}
	digest := sha256.Sum256(signed)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return fmt.Errorf("sign attributes: %w", err)
	}
	infos[0].EncryptedDigest = sig
	return nil
}

// stamp formats times in messages the same way everywhere.
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
