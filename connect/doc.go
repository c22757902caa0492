// Package connect turns connection settings into an authenticated session
// with Exchange Online or Security & Compliance, the way
// Connect-ExchangeOnline and Connect-IPPSSession do with -AppId,
// -Organization and a certificate, without PowerShell:
//
//   - Settings: one value filled, highest first, from the script's
//     connect{...} table, command-line flags, environment variables and a
//     named profile. Each setting is declared once (Fields) and the flags,
//     environment variables, Lua keys and docs derive from that.
//   - Credentials: a certificate (package certificate: PFX, PEM, DER+key,
//     the thumbprint store, bytes handed in at run time), a client secret,
//     a pre-acquired access token, or none at all: a managed identity
//     (MSAL Go's managed identity client) or a federated token from a
//     Kubernetes token file or GitHub Actions (secretless.go).
//   - Tokens: MSAL Go's confidential client, built once per session, behind
//     a Tokens source that refreshes ahead of expiry so a job longer than
//     many token lifetimes never sends an expired token; concurrent callers
//     share one refresh.
//   - Identity: the tenant, app, application permissions and directory
//     roles read from the token, which the bindings use to expose only the
//     cmdlets those roles grant.
//   - Doctor: the onboarding steps (tenant, app, certificate, consent,
//     role, service) checked in order, each failure named in plain words
//     with its fix.
//
// The package never touches the operating system itself: files, the
// environment and the clock come in through Options, from cmd/exorun/cli.
// The one exception is MSAL's managed identity client, which reads the
// platform's IDENTITY_ENDPOINT and related variables from the process
// environment on its own.
package connect
