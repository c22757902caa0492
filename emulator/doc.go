// Package emulator is exorun's emulated tenant: Microsoft Entra ID's token
// service and the Exchange Online / Security & Compliance admin API, over
// TLS on loopback, with a tenant data store that persists in a state
// folder. It is a product feature (as Azurite and LocalStack are for their
// clouds): tests, examples, `exorun run --demo` and `exorun emulator serve`
// use it; exorun's production path never imports it.
//
// The halves live in subpackages: directory (tenants, apps, certificates,
// roles), entra (the token service), exchange/store (tenant data and
// cmdlets) and exchange/api (InvokeCommand over HTTP). This package wires
// them to one HTTPS listener, issues the TLS certificates from its own CA,
// and provisions the demo tenant and app.
package emulator
