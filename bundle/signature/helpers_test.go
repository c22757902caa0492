package signature

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// manifest is the content the tests sign.
var manifest = []byte(`{"name":"mailbox-report","version":"1.2.0","files":{"main.lua":"sha256:0f1e"}}` + "\n")

// identity is a certificate with its key.
type identity struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// newCert issues a certificate for cn valid over [notBefore, notAfter],
// signed by parent, or self-signed when parent is nil. isCA makes a CA.
func newCert(t testing.TB, cn string, parent *identity, isCA bool, notBefore, notAfter time.Time) *identity {
	t.Helper()
	key := newKey(t)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Contoso"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		// Like New-SelfSignedCertificate: signing and encipherment, no EKU.
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	if isCA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &identity{cert: cert, key: key}
}

// selfSigned is the usual admin certificate: valid from an hour ago for a year.
func selfSigned(t testing.TB, cn string) *identity {
	now := time.Now()
	return newCert(t, cn, nil, false, now.Add(-time.Hour), now.AddDate(1, 0, 0))
}

// pkiChain returns a root CA, an intermediate CA and a leaf issued by it.
func pkiChain(t testing.TB) (root, inter, leaf *identity) {
	now := time.Now()
	root = newCert(t, "Contoso Root CA", nil, true, now.Add(-time.Hour), now.AddDate(5, 0, 0))
	inter = newCert(t, "Contoso Issuing CA", root, true, now.Add(-time.Hour), now.AddDate(3, 0, 0))
	leaf = newCert(t, "Alice Admin", inter, false, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	return root, inter, leaf
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func mustSign(t testing.TB, content []byte, id *identity, chain ...*x509.Certificate) []byte {
	t.Helper()
	sig, err := Sign(content, id.cert, id.key, chain, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// rawSign builds signatures Sign refuses to make, straight with pkcs7.
// digest nil means SHA-256; detach false embeds the content.
func rawSign(t testing.TB, content []byte, digest asn1.ObjectIdentifier, detach bool, signers ...*identity) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if digest == nil {
		digest = pkcs7.OIDDigestAlgorithmSHA256
	}
	sd.SetDigestAlgorithm(digest)
	for _, id := range signers {
		if err := sd.AddSigner(id.cert, id.key, pkcs7.SignerInfoConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	if detach {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x01
	return out
}
