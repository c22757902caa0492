// Package statefile loads the emulator's long-lived secrets from its state
// folder, creating each on first use: RSA signing keys (the token service's,
// the test OIDC issuer's) and random shared secrets (the managed identity
// endpoint's header, the GitHub Actions request token). Keeping them lets
// tokens, environment variables and shells set up before a restart work
// after it.
//
// Files are created with atomicfile.Create (mode 0600), which never replaces
// an existing file: two processes starting at once agree on one value, and a
// crash never leaves half a key behind.
package statefile

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/exorun/exorun/emulator/internal/atomicfile"
)

// RSAKey returns the RSA 2048 private key kept in path (PEM PKCS#8),
// creating it on first use. what names the key in errors ("signing key").
// A file that is not such a key is an error naming it; it is never
// replaced, because tokens already issued depend on it.
func RSAKey(path, what string) (*rsa.PrivateKey, error) {
	key, err := readKey(path, what)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(path, what)
	}
	return key, err
}

func readKey(path, what string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s %s: no PEM PRIVATE KEY block", what, path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s %s: a %T, not an RSA key", what, path, parsed)
	}
	return key, nil
}

func createKey(path, what string) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", what, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	err = atomicfile.Create(path, 0o600, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	if errors.Is(err, fs.ErrExist) {
		return readKey(path, what) // another process won the race; use its key
	} else if err != nil {
		return nil, fmt.Errorf("save %s: %w", what, err)
	}
	return key, nil
}

// Secret returns the secret kept in path, creating it with generate on
// first use. what names it in errors; the value itself never appears in
// one. An empty file is an error: an empty secret would match a missing
// header.
func Secret(path, what string, generate func() (string, error)) (string, error) {
	s, err := readSecret(path, what)
	if !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s, err = generate()
	if err != nil {
		return "", fmt.Errorf("generate %s: %w", what, err)
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", fmt.Errorf("generate %s: empty", what)
	}
	err = atomicfile.Create(path, 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, s+"\n")
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		return readSecret(path, what)
	} else if err != nil {
		return "", fmt.Errorf("save %s: %w", what, err)
	}
	return s, nil
}

// ReadSecret reads a secret Secret created, without creating one: an
// error wrapping fs.ErrNotExist when there is none yet.
func ReadSecret(path, what string) (string, error) { return readSecret(path, what) }

func readSecret(path, what string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s %s: %w", what, path, err)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("%s %s: the file is empty; remove it and restart the emulator to make a new one", what, path)
	}
	return s, nil
}
