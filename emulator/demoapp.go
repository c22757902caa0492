package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/internal/atomicfile"
)

// demoCertFile holds the demo app's certificate and private key (PEM); its
// public part is what the emulator registers on the demo app, exactly as an
// admin uploads a .cer to an app registration.
const demoCertFile = "demo-app.pem"

type demoCredential struct {
	certDER    []byte
	thumbprint string // SHA-1, upper-case hex, like Windows shows it
	path       string
}

// loadOrCreateDemoCredential reads the demo app's certificate from dir,
// creating an RSA 2048 self-signed one (as New-SelfSignedCertificate would)
// on first use.
func loadOrCreateDemoCredential(dir string, now time.Time) (*demoCredential, error) {
	path := filepath.Join(dir, demoCertFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = newDemoCertificate(now)
		if err == nil {
			err = atomicfile.WriteBytes(path, data, 0o600)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("demo app certificate: %w", err)
	}
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("demo app certificate %s holds no CERTIFICATE block", path)
		}
		if b.Type == "CERTIFICATE" {
			sum := sha1.Sum(b.Bytes)
			return &demoCredential{certDER: b.Bytes, thumbprint: strings.ToUpper(hex.EncodeToString(sum[:])), path: path}, nil
		}
	}
}

func newDemoCertificate(now time.Time) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "exorun demo app"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), nil
}
