package entra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/exorun/exorun/emulator/internal/atomicfile"
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
	path := filepath.Join(dir, SigningKeyFile)
	key, err = readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(path)
	}
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

func readKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: no PEM PRIVATE KEY block", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: a %T, not an RSA key", path, parsed)
	}
	return key, nil
}

// createKey writes a new key to path without ever replacing an existing
// file: atomicfile.Create links a complete temporary file into place, so
// two emulators starting at once agree on one key and a crash never leaves
// half a key behind.
func createKey(path string) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	err = atomicfile.Create(path, 0o600, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	if errors.Is(err, fs.ErrExist) {
		return readKey(path) // another process won the race; use its key
	} else if err != nil {
		return nil, fmt.Errorf("save signing key: %w", err)
	}
	return key, nil
}
