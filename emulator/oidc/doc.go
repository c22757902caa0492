// Package oidc is the emulated tenant's test OpenID Connect issuer. Its one
// job is standing in for the external identity providers whose tokens
// workload identity federation exchanges for Entra tokens — a Kubernetes
// cluster's service account issuer, GitHub Actions — since the emulator
// cannot reach the real ones.
//
// An Issuer signs RS256 JWTs ({iss, sub, aud, iat, nbf, exp, jti}) with an
// RSA key kept in the emulator's state folder (KeyFile) and serves, under
// the emulator's own HTTPS base URL:
//
//	GET /oidc/.well-known/openid-configuration   (issuer = {base}/oidc)
//	GET /oidc/keys                               (the JWKS, with kid)
//	GET /oidc/actions/idtoken?subject=SUB[&audience=AUD]
//
// The last is shaped like GitHub Actions' ID token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL): it wants Authorization: Bearer and the
// request token kept in the state folder (RequestTokenFile), and answers
// {"value": "<jwt>"}. Where a real runner knows the workflow's subject,
// the emulator takes it from the query. Without an audience the token's
// is GitHub's default, the repository owner's URL (DefaultActionsAudience).
package oidc
