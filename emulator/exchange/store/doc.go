// Package store is the Exchange Online side of the emulated tenant: it
// runs cmdlets against the tenants' data. It implements exchange.Backend;
// the admin API front end calls Invoke and renders the lazily built
// Result.
//
// # Where things are
//
// The data is package tenant (model, identity index, state file format,
// Fixture and Generate); this package never reaches inside it. Here:
//
//   - store.go: Store, its tenants and Invoke, the one way in: it finds
//     the cmdlet, binds its parameters, takes the tenant's lock (shared
//     for a catalog Read, exclusive for a Write) and audits writes.
//   - persist.go: when the store has a folder, saving changed tenants a
//     moment after a write (the format is tenant's).
//   - registry.go: the only file that knows every area. It composes the
//     areas' declarations (name, service, modelled parameters, handler)
//     with the catalog, which declares what each cmdlet is (parameters,
//     aliases, sets, Effect); and it builds the areas' output views.
//   - bind.go: parameter binding as PowerShell does it, with the
//     service's error texts, read from the catalog's declaration; and
//     the typed accessors handlers read values with.
//   - view.go, format.go: output objects (ordered properties that -Filter
//     tests one at a time) and Exchange's value formats.
//   - cmd_*.go, one area each, each exporting its declarations to
//     registry.go and calling only the files above and package tenant:
//     recipient (Get-Mailbox, -Recipient, -User, -MailUser,
//     -MailContact), mailbox (Set-Mailbox, statistics, CAS), permission,
//     group (distribution and Microsoft 365 groups), items (inbox rules,
//     mobile devices), org (organization config, protection policies),
//     transport (mail flow rules), log (message trace, admin audit log),
//     compliance (Security & Compliance).
//
// A Store keeps its tenants in memory and, when given a folder, persists
// each one as exchange-{tenantID}.jsonl after every successful write, so a
// restarted emulator sees every change.
//
// Cmdlets answer with PowerShell's property names and the service's error
// texts; a cmdlet or parameter the emulator does not model is refused with
// a clear error, never a fake success.
package store
