// Package certificate loads, checks, generates and stores the X.509
// certificate and RSA private key an Entra ID app authenticates with in the
// app-only (client credentials) flow.
//
// A Credential is the leaf certificate, any intermediates, and the leaf's
// RSA key, ready for MSAL Go. It comes from:
//
//   - Load: bytes handed in at run time, e.g. from a secret store such as
//     Key Vault: PKCS#12 (PFX), PEM, or base64 of either. The format is
//     sniffed, never guessed from a name.
//   - LoadFile: a .pfx/.p12, a .pem/.crt, or a DER .cer, with an optional
//     separate key file (PEM or DER, PKCS#1 or PKCS#8, encrypted or not).
//   - Store: a certificate store keyed by SHA-1 thumbprint, the portable
//     stand-in for Windows' Cert:\CurrentUser\My.
//   - New: a fresh self-signed certificate, the New-SelfSignedCertificate
//     step of onboarding, with encoders for every file Entra ID and Windows
//     want (.pfx, .cer, PEM with the key plain or encrypted by the
//     password, the manifest's keyCredentials entry).
//
// Loading refuses early and precisely what Entra ID would refuse later
// with a vaguer message: a wrong or missing password, no private key, a key
// that belongs to another certificate, a non-RSA or short key. Loading
// never reads the clock; Check, run once by the caller with its own clock,
// refuses a certificate outside its validity window and warns when it
// expires soon. Every refusal wraps a sentinel error (errors.Is), carries
// exitcode.Auth and a hint, and never contains the password. Hints name
// the connection settings unless the caller passes its own Names
// (LoadFileNamed), as cert import does for its --key-file and
// --password-env.
//
// The package is a library: it reads no flags or environment and touches
// no file itself. Files come in through a readFile function and the store
// works through a StoreFS, both provided by cmd/exorun/cli, the one place
// that touches the operating system.
package certificate
