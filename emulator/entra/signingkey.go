package entra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"path/filepath"

	"github.com/exorun/exorun/emulator/internal/statefile"
)

// SigningKeyFile is the token-signing key's file in the state folder.
const SigningKeyFile = "token-signing-key.pem"

// LoadOrCreateSigningKey returns the emulator's token-signing key kept in
// the state folder dir, creating an RSA 2048 key there (PEM, mode 0600) on
// first use, so tokens issued before a restart still verify after it. An
// empty dir gives a fresh key that is not saved. kid is KeyID of the key.
// A file that cannot be read as a key is an error naming it.
func LoadOrCreateSigningKey(dir string) (key *rsa.PrivateKey, kid string, err error) {
	if dir == "" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, "", fmt.Errorf("generate signing key: %w", err)
		}
		return key, KeyID(&key.PublicKey), nil
	}
	key, err = statefile.RSAKey(filepath.Join(dir, SigningKeyFile), "signing key")
	if err != nil {
		return nil, "", err
	}
	return key, KeyID(&key.PublicKey), nil
}

// KeyID is the kid (and x5t) of tokens signed with the key: the base64url
// SHA-1 of its public key, shaped like Entra's certificate thumbprint ids.
func KeyID(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only an invalid key (no modulus) gets here; Service refuses those.
		return ""
	}
	sum := sha1.Sum(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
