// Package catalog declares what exorun knows about Exchange Online and
// Security & Compliance cmdlets, once, for every consumer: the Lua
// bindings, the client-side role filter, REPL completion, the emulator's
// server-side checks and the generated docs. It imports only the standard
// library.
//
// # Cmdlets
//
// Lookup finds a cmdlet by name in any case, BySnakeName by its Lua name
// (exo.get_mailbox_permission, see Cmdlet.SnakeName), All lists them. A
// Cmdlet carries its verb and noun, the services that run it, its Effect
// (Read for the verbs Get, Search and Test, Write otherwise), its
// parameters (name, type as written, switch, aliases, services, Kind for
// value checks) and its parameter sets (default, required, position).
// Cmdlet.Param matches a name or an alias ignoring case but, unlike
// PowerShell, no abbreviations; Cmdlet.Suggest and SuggestCmdlet answer
// "did you mean".
//
// The facts come from the shared reference
// (../shared/reference/exo-cmdlets.json, taken from Microsoft's public
// cmdlet pages): go generate turns it into cmdlets_gen.txt (see
// internal/refgen), which is committed and embedded, so building exorun
// never needs the reference. It is decoded once, on first use (a few
// milliseconds, about 2 MB; BenchmarkLoad), and read-only afterwards.
// TestGeneratedUpToDate fails when the committed file no longer matches
// the reference.
//
// # Decisions on top of the reference
//
//   - Module-only cmdlets are left out: Connect-*, Disconnect-*,
//     Get-ConnectionInformation and the Viva/MyAnalytics feature cmdlets
//     that Microsoft's PowerShell module implements itself (wrappers.go).
//     ModuleOnly says why a name is missing. The catalog keeps 915 of the
//     reference's 941 cmdlets.
//   - Cmdlets the reference marks Exchange Server only although Exchange
//     Online still runs them (Search-AdminAuditLog) are declared in
//     retired.go and merged when the catalog loads; the generated file
//     stays what the reference says.
//   - The module's nine Get-EXO* cmdlets stay, marked with WrapperOf: the
//     binding calls the server cmdlet (Cmdlet.Server) and turns their
//     client-side -PropertySets/-Properties into $select (Select,
//     PropertySet).
//   - Cmdlets Microsoft documents as not working with app-only
//     authentication carry AppOnly.Unsupported (apponly.go).
//   - Known reports cmdlets a service itself runs, so wrappers are not
//     Known.
//
// # Roles
//
// Roles lists the directory roles an app-only session can hold
// (PROTOCOL.md 2.3-2.4); Grants, GrantingRoles and Allowed apply this
// project's model of Exchange RBAC (grants.go), written as verb and noun
// groups with explicit exceptions and tested against the whole catalog.
// The service stays the final authority.
//
// Nothing in the package changes after the first use: the only
// package-level state is the embedded data and indexes built once by
// sync.OnceValue. Values handed out (*Cmdlet, *Parameter) are shared and
// must be treated as read-only.
package catalog
