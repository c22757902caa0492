package entra

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/golang-jwt/jwt/v5"
)

// The assertion is checked with golang-jwt rather than by hand: a
// maintained library gets the security-sensitive parts right (algorithm
// allow-listing against "none"/HS256 confusion, RSA-PSS parameters, numeric
// dates given as integers, floats or strings) and this file keeps only
// Entra's rules and error codes.

const certDocs = "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."

// keysHint ends Entra's messages about registered keys.
func keysHint(appID string) string {
	return "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '" + appID + "'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you are not using the Global endpoint."
}

// assertion is a client assertion as parsed, not yet verified.
type assertion struct {
	tok    *jwt.Token
	claims jwt.RegisteredClaims
	// signed is the header and payload exactly as sent: what the
	// signature covers.
	signed string
}

// parseAssertion reads a client assertion without verifying it, and
// refuses algorithms other than RS256 and PS256.
func parseAssertion(raw string) (assertion, *oauthError) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return assertion{}, fail("invalid_client", 50027, "JWT token is invalid or malformed: the client assertion must have three dot-separated parts.")
	}
	// Some clients (CIPP) encode the segments in standard base64 with
	// padding, and Entra accepts them. Decode from the URL alphabet, but
	// verify the signature over the segments exactly as sent.
	norm := make([]string, len(parts))
	for i, p := range parts {
		norm[i] = toRawURL(p)
	}
	var a assertion
	tok, _, err := jwt.NewParser().ParseUnverified(strings.Join(norm, "."), &a.claims)
	if err != nil {
		if alg, ok := tok.Header["alg"].(string); ok && errors.Is(err, jwt.ErrTokenUnverifiable) {
			return assertion{}, unsupportedAlg(alg)
		}
		return assertion{}, fail("invalid_client", 50027, "JWT token is invalid or malformed: %v.", err)
	}
	if alg := tok.Method.Alg(); alg != jwt.SigningMethodPS256.Alg() && alg != jwt.SigningMethodRS256.Alg() {
		return assertion{}, unsupportedAlg(alg)
	}
	a.tok, a.signed = tok, parts[0]+"."+parts[1]
	return a, nil
}

// federated reports whether the assertion is an external identity
// provider's token (workload identity federation) rather than one the app
// signed with its certificate: its issuer is not the client, and it names
// no certificate thumbprint. The thumbprint test keeps a certificate
// assertion with a mistyped iss on the certificate path, where
// AADSTS700021 says what is wrong; an OIDC provider's token carries a kid,
// never an x5t.
func (a assertion) federated(clientID string) bool {
	_, x5t := a.tok.Header["x5t"]
	_, x5tS256 := a.tok.Header["x5t#S256"]
	return !strings.EqualFold(a.claims.Issuer, clientID) && !x5t && !x5tS256
}

// verifyAssertion checks a certificate-signed client assertion
// (PROTOCOL.md 1.4) against the app's registered certificates; audOK says
// whether an aud value names the token endpoint the request came to.
func (s *Service) verifyAssertion(a assertion, app directory.App, audOK func(string) bool) *oauthError {
	tok, claims := a.tok, a.claims
	sum, shown := thumbprint(tok.Header)
	cert, ok := app.CertificateByThumbprint(sum)
	if !ok {
		return fail("invalid_client", 700027, "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', %s]", shown, keysHint(app.AppID))
	}
	now := s.now()
	if !cert.ValidAt(now) {
		reason := "The key used is expired."
		if now.Before(cert.NotBefore) {
			reason = "The key used is not yet valid."
		}
		return fail("invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - %s, Thumbprint of key used by client: '%s', Found key 'Start=%s, End=%s', %s]",
			reason, shown, cert.NotBefore.Format("01/02/2006 15:04:05"), cert.NotAfter.Format("01/02/2006 15:04:05"), keysHint(app.AppID))
	}
	x, err := cert.X509()
	if err != nil {
		return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - the registered certificate cannot be read: %v]", err)
	}
	if err := tok.Method.Verify(a.signed, tok.Signature, x.PublicKey); err != nil {
		return fail("invalid_client", 700027, "Client assertion failed signature validation.")
	}

	if !strings.EqualFold(claims.Issuer, app.AppID) || !strings.EqualFold(claims.Subject, app.AppID) {
		return fail("invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter (iss '%s', sub '%s', client_id '%s'). %s", claims.Issuer, claims.Subject, app.AppID, certDocs)
	}
	audMatches := false
	for _, aud := range claims.Audience {
		audMatches = audMatches || audOK(aud)
	}
	if !audMatches {
		return fail("invalid_client", 700023, "Client assertion audience claim does not match Realm issuer: aud %q is not the token endpoint this request was sent to. %s", strings.Join(claims.Audience, " "), certDocs)
	}
	return s.checkTimes(claims, certDocs)
}

// checkTimes checks an assertion's exp (required) and nbf against the
// clock, with Skew either way.
func (s *Service) checkTimes(claims jwt.RegisteredClaims, docs string) *oauthError {
	now := s.now()
	err := jwt.NewValidator(jwt.WithLeeway(Skew), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired()).Validate(claims)
	switch {
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fail("invalid_client", 50027, "JWT token is invalid or malformed: the client assertion has no exp claim.")
	case err != nil:
		return fail("invalid_client", 700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. %s",
			entraTime(now), entraTime(dateOf(claims.NotBefore)), entraTime(dateOf(claims.ExpiresAt)), docs)
	}
	return nil
}

func unsupportedAlg(alg string) *oauthError {
	return fail("invalid_client", 5002738, "Invalid JWT token. '%s' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, PS256'.", alg)
}

// thumbprint reads the certificate thumbprint of the assertion header:
// x5t#S256 (SHA-256) or else x5t (SHA-1), in either base64 alphabet,
// padded or not, as MSAL Go sends standard base64 (PROTOCOL.md 1.4). shown
// is how error messages name it: upper-case hex, like the portal. A value
// that is not a thumbprint of its hash's length gives no sum, so it matches
// no certificate, and is shown as sent.
func thumbprint(header map[string]any) (sum []byte, shown string) {
	name, size := "x5t#S256", 32
	if _, ok := header[name]; !ok {
		name, size = "x5t", 20
	}
	v, _ := header[name].(string)
	sum, err := base64.RawURLEncoding.DecodeString(toRawURL(v))
	if err != nil || len(sum) != size {
		return nil, v
	}
	return sum, strings.ToUpper(hex.EncodeToString(sum))
}

// toRawURL turns standard or URL base64, padded or not, into unpadded URL
// base64.
func toRawURL(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(s), "=")
}

func dateOf(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Unix(0, 0)
	}
	return d.Time
}

// entraTime formats a time the way AADSTS700024 messages do.
func entraTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }
