package entra

import (
	"crypto/rsa"
	"slices"
	"strings"

	"github.com/exorun/exorun/emulator/directory"
)

// Workload identity federation: the client assertion is a token an
// external OIDC provider issued (a Kubernetes service account's, a GitHub
// Actions job's), which the app trusts through a federated identity
// credential. The codes and messages are Entra's as seen in public issue
// threads (PROTOCOL.md 8); where none was seen (a bad signature on a known
// key) the certificate path's code stands in.

const wifDocs = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

// IssuerKeys returns the signing keys, by kid, that an external OIDC
// issuer publishes in its JWKS, as Entra fetches them through the
// issuer's discovery document; ok false means they cannot be fetched.
type IssuerKeys func(issuer string) (keys map[string]*rsa.PublicKey, ok bool)

// verifyFederated checks an external token against the app's federated
// credentials in the order Entra reports failures: a credential for the
// token's issuer, then for its subject, then for its audience (all
// compared exactly: Entra's matching is case-sensitive), then the
// issuer's keys and the signature, then the token's times. Matching comes
// first because Entra fetches metadata only from issuers an app trusts.
func (s *Service) verifyFederated(a assertion, app directory.App) *oauthError {
	c := a.claims
	iss, sub := c.Issuer, c.Subject
	aud := strings.Join(c.Audience, " ")
	if len(app.FederatedCredentials) == 0 {
		// The older, all-in-one form, which Entra still answers for an
		// app without federated credentials; it came with 400
		// invalid_request in 2022 threads and 401 invalid_client since.
		return fail("invalid_client", 70021, "No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. %s", iss, sub, aud, wifDocs)
	}
	byIssuer := matching(app.FederatedCredentials, func(fc directory.FederatedCredential) bool { return fc.Issuer == iss })
	if len(byIssuer) == 0 {
		return fail("invalid_client", 700211, "No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", iss, wifDocs)
	}
	bySubject := matching(byIssuer, func(fc directory.FederatedCredential) bool { return fc.Subject == sub })
	if len(bySubject) == 0 {
		return subjectMismatch(byIssuer, sub)
	}
	match := matching(bySubject, func(fc directory.FederatedCredential) bool {
		return slices.ContainsFunc(fc.Audiences, func(want string) bool { return slices.Contains(c.Audience, want) })
	})
	if len(match) == 0 {
		expected := ""
		if len(bySubject) == 1 {
			expected = " Please make sure the federated identity credential Audience is '" + strings.Join(bySubject[0].Audiences, " ") + "'."
		}
		return fail("invalid_client", 700212, "No matching federated identity record found for presented assertion audience '%s'.%s Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", aud, expected, wifDocs)
	}

	keys, ok := s.issuerKeys(iss)
	if !ok {
		return fail("invalid_request", 50166, "Request to External OIDC endpoint failed. [The emulator cannot reach '%s/.well-known/openid-configuration': it reaches no identity provider but its own test issuer (exorun emulator admin federated-token).]", strings.TrimSuffix(iss, "/"))
	}
	kid, _ := a.tok.Header["kid"].(string)
	key, ok := keys[kid]
	if !ok {
		return fail("invalid_client", 7000272, "The certificate with identifier %s used to sign the federated credential could not be found in the metadata of identity provider %s. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.", kid, iss)
	}
	if err := a.tok.Method.Verify(a.signed, a.tok.Signature, key); err != nil {
		return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Key identifier used by the identity provider: '%s', Issuer: '%s']", kid, iss)
	}
	return s.checkTimes(c, wifDocs)
}

// subjectMismatch is the answer for a token of a trusted issuer whose
// subject no credential names. Where exactly one credential has the
// issuer, the message also says what it expects, as Entra's AADSTS7002137
// does: the presented subject is the one to register, the expected one
// is what is registered.
func subjectMismatch(byIssuer []directory.FederatedCredential, sub string) *oauthError {
	expected := ""
	if len(byIssuer) == 1 {
		expected = " Please make sure the federated identity credential Subject is '" + byIssuer[0].Subject + "'."
	}
	if slices.ContainsFunc(byIssuer, func(fc directory.FederatedCredential) bool { return strings.EqualFold(fc.Subject, sub) }) {
		// Entra's own code for the August 2024 change to case-sensitive
		// matching.
		return fail("invalid_client", 7002138, "No matching federated identity record found for presented assertion subject '%s'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.%s Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: %s. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.", sub, expected, wifDocs)
	}
	return fail("invalid_client", 700213, "No matching federated identity record found for presented assertion subject '%s'.%s Check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", sub, expected, wifDocs)
}

func matching(fcs []directory.FederatedCredential, ok func(directory.FederatedCredential) bool) []directory.FederatedCredential {
	var out []directory.FederatedCredential
	for _, fc := range fcs {
		if ok(fc) {
			out = append(out, fc)
		}
	}
	return out
}

// issuerKeys asks Options.IssuerKeys; without it no issuer is reachable.
func (s *Service) issuerKeys(issuer string) (map[string]*rsa.PublicKey, bool) {
	if s.issuers == nil {
		return nil, false
	}
	return s.issuers(issuer)
}
