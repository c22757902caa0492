package connect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/internal/exitcode"
)

// credentialKind names how a session authenticates, for whoami and logs.
type credentialKind string

const (
	kindCertificate credentialKind = "certificate"
	kindSecret      credentialKind = "client secret"
	kindToken       credentialKind = "access token"
	// The secretless kinds (secretless.go).
	kindManagedIdentity credentialKind = "managed identity"
	kindFederated       credentialKind = "federated token"
)

// loadCertificate finds the certificate the settings point at: bytes
// handed in at run time first, then a file, then the thumbprint store
// (the order of PROTOCOL-independent precedence documented in README).
// It returns nil, nil when the settings name no certificate.
func loadCertificate(s Settings, o *Options) (*certificate.Credential, []string, error) {
	var (
		cred *certificate.Credential
		err  error
	)
	switch {
	case s.Certificate != "":
		cred, err = certificate.Load([]byte(s.Certificate), s.CertificatePassword, "bytes")
	case s.CertificateFile != "":
		cred, err = certificate.LoadFile(s.CertificateFile, s.CertificateKeyFile, s.CertificatePassword, o.ReadFile)
	case s.Thumbprint != "":
		if o.Store == nil {
			return nil, nil, exitcode.New(exitcode.Usage, "certificate thumbprint %s: no certificate store is configured", s.Thumbprint)
		}
		cred, err = o.Store.Load(s.Thumbprint)
	default:
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	// The one validity check, with the session's clock: the loaders only
	// parse, so a clock pinned in Options.Now is the only one consulted.
	warnings, err := certificate.Check(cred, o.now())
	if err != nil {
		return nil, nil, err
	}
	return cred, warnings, nil
}

// msalCredential builds MSAL's credential from a certificate or secret.
func msalCredential(cert *certificate.Credential, secret string) (confidential.Credential, error) {
	if cert != nil {
		cred, err := confidential.NewCredFromCert(cert.Chain, cert.Key)
		if err != nil {
			return confidential.Credential{}, exitcode.Wrap(exitcode.Auth, fmt.Errorf("certificate %s: %w", cert.Thumbprint(), err))
		}
		return cred, nil
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		// MSAL's message does not contain the secret, but say it our way.
		return confidential.Credential{}, exitcode.New(exitcode.Auth, "client secret: the value is empty or malformed")
	}
	return cred, nil
}

// msalAcquirer gets app tokens for scope from client. A fresh request
// passes a claims challenge, which makes MSAL skip its cache: the service
// refused the cached token.
func msalAcquirer(client confidential.Client, scope string) acquireFunc {
	return func(ctx context.Context, fresh bool) (string, time.Time, error) {
		var opts []confidential.AcquireByCredentialOption
		if fresh {
			opts = append(opts, confidential.WithClaims(freshClaims))
		}
		res, err := client.AcquireTokenByCredential(ctx, []string{scope}, opts...)
		if err != nil {
			return "", time.Time{}, err
		}
		if res.AccessToken == "" {
			return "", time.Time{}, errors.New("entra id returned an empty access token")
		}
		return res.AccessToken, res.ExpiresOn, nil
	}
}

// freshClaims is the standard "token issued after now" challenge: it asks
// Entra ID for a new token, so MSAL bypasses its cache.
const freshClaims = `{"access_token":{"nbf":{"essential":true}}}`
