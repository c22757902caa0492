// Package emulator is exorun's emulated tenant: Microsoft Entra ID's token
// service and the Exchange Online / Security & Compliance admin API, over
// TLS on loopback, with a tenant data store that persists in a state
// folder. It is a product feature (as Azurite and LocalStack are for their
// clouds): tests, examples, `exorun run --demo` and `exorun emulator serve`
// use it; exorun's production path never imports it.
//
// The halves live in subpackages: directory (tenants, apps, managed
// identities, certificates, federated credentials, roles), entra (the
// token service), exchange/store (tenant data and cmdlets), exchange/api
// (InvokeCommand over HTTP), and for secretless sign-in oidc (a test OIDC
// issuer standing in for Kubernetes and GitHub Actions) and msi (the
// managed identity endpoint). This package wires them to one HTTPS
// listener, plus a plain HTTP loopback listener for the identity
// endpoint, issues the TLS certificates from its own CA, and provisions
// the demo tenant and app.
package emulator
