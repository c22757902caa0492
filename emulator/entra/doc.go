// Package entra is the emulated tenant's Entra ID token service. Its one job
// is issuing app-only access tokens the way login.microsoftonline.com does
// for the client credentials grant (PROTOCOL.md 1-2), from the apps of an
// emulator/directory, and verifying them again for the emulated Exchange.
//
// Service is an http.Handler serving, for {tenant} = a tenant GUID or any of
// its domains, case-insensitively:
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	GET  /{tenant}/.well-known/openid-configuration        (v1)
//	GET  /{tenant}/discovery/v2.0/keys                     ({tenant} may be common)
//	GET  /{tenant}/discovery/keys                          ({tenant} may be common)
//	GET  /common/discovery/instance
//	POST /{tenant}/oauth2/v2.0/token                       (scope={resource}/.default)
//	POST /{tenant}/oauth2/token                            (v1, resource={resource})
//
// Clients authenticate with a certificate-signed client assertion (PS256 or
// RS256, x5t#S256 or x5t), a client secret, or an external OIDC provider's
// token matched by one of the app's federated identity credentials
// (workload identity federation; Options.IssuerKeys says which issuers'
// keys can be fetched). IssueFor signs a managed identity's token for an
// identity endpoint. Failures answer with Entra's error body and AADSTS
// codes. Tokens are v1-shaped like those Exchange
// Online receives, signed with the emulator's own RSA key
// (LoadOrCreateSigningKey), so they are worthless anywhere else and a real
// Microsoft token is never accepted by Verify.
package entra
