package directory

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// errPrivateKey is what an upload holding a private key gets: the portal
// takes only the public part, and a key sent to a directory has leaked.
var errPrivateKey = errors.New("the file holds a private key: upload the public part only (a .cer or a PEM CERTIFICATE, e.g. Export-Certificate or openssl x509 -in cert.pem -outform der)")

// parseUpload reads an uploaded certificate: DER (.cer) or PEM with a
// CERTIFICATE block (the first one, when a chain follows).
func parseUpload(data []byte) (*x509.Certificate, error) {
	if block, _ := pem.Decode(data); block != nil {
		return parsePEM(data)
	}
	cert, err := x509.ParseCertificate(data)
	if err == nil {
		return checkKey(cert)
	}
	if isPrivateKeyDER(data) {
		return nil, errPrivateKey
	}
	return nil, fmt.Errorf("not a certificate: want a .cer (DER) or PEM CERTIFICATE file; a .pfx also holds the private key, so export the public part only: %w", err)
}

func parsePEM(data []byte) (*x509.Certificate, error) {
	var first *pem.Block
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return nil, errPrivateKey
		}
		if block.Type == "CERTIFICATE" && first == nil {
			first = block
		}
	}
	if first == nil {
		return nil, errors.New("the PEM file has no CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(first.Bytes)
	if err != nil {
		return nil, fmt.Errorf("bad PEM CERTIFICATE: %w", err)
	}
	return checkKey(cert)
}

// checkKey refuses what Entra ID client assertions cannot use: MSAL signs
// assertions with RSA only, and so does every tool in the seed documents.
func checkKey(cert *x509.Certificate) (*x509.Certificate, error) {
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("the certificate's key is %s: client certificates must have an RSA key", cert.PublicKeyAlgorithm)
	}
	return cert, nil
}

func isPrivateKeyDER(data []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(data)
	return err == nil
}
