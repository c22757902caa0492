// Package store is the Exchange Online side of the emulated tenant: the
// tenants' data (recipients, permissions, rules, policies, message trace,
// admin audit log, and the Security & Compliance objects) and the cmdlets
// that read and change it. It implements exchange.Backend; the admin API
// front end calls Invoke and renders the lazily built Result.
//
// Data comes from Fixture (a small hand-written tenant with fixed GUIDs and
// dates for golden tests) or Generate (a deterministic tenant of 10 to
// 200,000 mailboxes). A Store keeps its tenants in memory and, when given a
// folder, persists each one as exchange-{tenantID}.jsonl (see persist.go)
// after every successful write, so a restarted emulator sees every change.
//
// Cmdlets answer with PowerShell's property names and the service's error
// texts; a cmdlet or parameter the emulator does not model is refused with
// a clear error, never a fake success.
package store
