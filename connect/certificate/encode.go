package certificate

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

// PFX encodes the credential as a PKCS#12 file with the modern algorithms
// (PBES2 with AES-256-CBC, PBKDF2 and an HMAC-SHA-256 MAC) that OpenSSL 3,
// Windows Server 2019 and later, and current Windows clients read.
//
// An empty password still produces an encrypted, MAC-protected file with
// the empty password, which Windows' import dialog and OpenSSL accept;
// the truly password-less PKCS#12 encoding has no MAC and many tools
// reject it.
func (c *Credential) PFX(password string) ([]byte, error) {
	// Pinned to Modern2023 rather than pkcs12.Modern, which may move on to
	// PBMAC1 (Modern2026) that Windows does not read yet.
	return c.encodePFX(pkcs12.Modern2023, password)
}

// PFXLegacy encodes the credential as a PKCS#12 file with 3DES and a
// SHA-1 MAC, for Windows Server 2016 and older and other software that
// predates the modern encoding. Its encryption is weak: protect the file
// by other means.
func (c *Credential) PFXLegacy(password string) ([]byte, error) {
	return c.encodePFX(pkcs12.LegacyDES, password)
}

func (c *Credential) encodePFX(enc *pkcs12.Encoder, password string) ([]byte, error) {
	if err := checkKey(c); err != nil {
		return nil, err
	}
	data, err := enc.Encode(c.Key, c.Leaf(), c.Chain[1:], password)
	if err != nil {
		// go-pkcs12's messages name no password, only what is wrong with it.
		return nil, fmt.Errorf("certificate %s: encode PKCS#12: %w", c.Source, err)
	}
	return data, nil
}

// CertDER is the leaf certificate in DER: the .cer file to upload to the
// app registration in Entra ID.
func (c *Credential) CertDER() []byte {
	leaf := c.Leaf()
	if leaf == nil {
		return nil
	}
	return bytes.Clone(leaf.Raw)
}

// PEM encodes the chain (leaf first) followed by the key as unencrypted
// PKCS#8, the layout Load and most Linux tools read.
func (c *Credential) PEM() ([]byte, error) {
	key, err := c.keyPEM()
	if err != nil {
		return nil, err
	}
	return append(c.chainPEM(), key...), nil
}

// EncryptedPEM is PEM with the key encrypted by password: an encrypted
// PKCS#8 block ("ENCRYPTED PRIVATE KEY", PBES2 with AES-256-CBC and
// PBKDF2-HMAC-SHA-256), the form OpenSSL 3 writes and reads with
// "openssl pkey -passin", and LoadFile reads with the same password. A
// key file beside a password-protected PFX must not be the weak copy.
func (c *Credential) EncryptedPEM(password string) ([]byte, error) {
	if password == "" {
		// An empty password would still encrypt, yet protect nothing and
		// make OpenSSL prompt: say so instead of writing such a file.
		return nil, invalid("certificate %s: encrypting the PEM key needs a password", c.Source)
	}
	if err := checkKey(c); err != nil {
		return nil, err
	}
	der, err := pkcs8.MarshalPrivateKey(c.Key, []byte(password), pemKeyEncryption())
	if err != nil {
		// The library's messages name the algorithm, never the password.
		return nil, fmt.Errorf("certificate %s: encrypt private key: %w", c.Source, err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
	return append(c.chainPEM(), key...), nil
}

// pemKeyEncryption is how EncryptedPEM encrypts: AES-256-CBC with a key
// from PBKDF2-HMAC-SHA-256 (the library's default is only 10000 rounds
// and an 8-byte salt). 600000 rounds is OWASP's advice for PBKDF2-SHA256
// and stays well under the maxIterations that loading accepts, so the
// file reads back here and in OpenSSL. A function, not a variable, so
// nothing can change it for the whole program.
func pemKeyEncryption() *pkcs8.Opts {
	return &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: pemKeyIterations, HMACHash: crypto.SHA256},
	}
}

const pemKeyIterations = 600_000

// chainPEM is the certificate chain as PEM, leaf first.
func (c *Credential) chainPEM() []byte {
	var buf bytes.Buffer
	for _, cert := range c.Chain {
		buf.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	}
	return buf.Bytes()
}

// keyPEM is the private key as an unencrypted PKCS#8 PEM block.
func (c *Credential) keyPEM() ([]byte, error) {
	if err := checkKey(c); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: encode private key: %w", c.Source, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// keyCredential is one entry of an application's keyCredentials, as the
// app manifest and Microsoft Graph's keyCredential resource spell it.
type keyCredential struct {
	CustomKeyIdentifier string `json:"customKeyIdentifier"`
	KeyID               string `json:"keyId"`
	Type                string `json:"type"`
	Usage               string `json:"usage"`
	Key                 string `json:"key"`
	DisplayName         string `json:"displayName"`
	StartDateTime       string `json:"startDateTime"`
	EndDateTime         string `json:"endDateTime"`
}

// KeyCredential is the JSON object to add to the app's keyCredentials (in
// the manifest, or with PATCH /applications/{id} in Microsoft Graph) when
// the admin center's upload is not an option. Each call draws a new keyId.
func (c *Credential) KeyCredential() ([]byte, error) {
	leaf := c.Leaf()
	if leaf == nil {
		return nil, refuse("certificate", ErrNoCertificate, hintNoCert, "")
	}
	keyID, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("certificate %s: key id: %w", c.Source, err)
	}
	thumbprint := sha1.Sum(leaf.Raw)
	return json.Marshal(keyCredential{
		CustomKeyIdentifier: base64.StdEncoding.EncodeToString(thumbprint[:]),
		KeyID:               keyID.String(),
		Type:                "AsymmetricX509Cert",
		Usage:               "Verify",
		Key:                 base64.StdEncoding.EncodeToString(leaf.Raw),
		DisplayName:         leaf.Subject.String(),
		StartDateTime:       leaf.NotBefore.UTC().Format(time.RFC3339),
		EndDateTime:         leaf.NotAfter.UTC().Format(time.RFC3339),
	})
}
