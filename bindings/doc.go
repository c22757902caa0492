// Package bindings is the exo session object a Lua script sees.
//
// A script calls connect{...} (or connect() for the settings of the command
// line, environment and profile) and gets a session table:
//
//	local exo = connect{ organization = "contoso.onmicrosoft.com" }
//	for mbx in exo.get_mailbox{ ResultSize = "Unlimited" } do ... end
//
// Every cmdlet of the catalog the session's service runs is a function
// under its mechanical snake_case name (Get-MailboxPermission ->
// exo.get_mailbox_permission) and under its own name
// (exo["Get-MailboxPermission"]); exo.invoke(name, params) passes any
// other name through to the service. Before any request a call is checked
// against the catalog (parameter names, case-insensitive like PowerShell,
// with "did you mean" suggestions; value types by parameter kind) and
// against the session's directory roles (the role filter, which names the
// roles that would grant a refused cmdlet). When the service publishes its
// own list of the app's cmdlets (EXOModuleFile) that list decides, and
// disagreements with the catalog are logged.
//
// A call returns a result stream: iterate it (one object at a time, pages
// fetched as needed), or take :all(), :first(), .warnings; :show("A", "B")
// chooses the columns the REPL shows it with (.columns). A stream read in a
// later REPL chunk than the one that made it fetches its later pages under
// the reading chunk's context. Objects are
// tables with the PowerShell property names (package decode documents the
// types). Write cmdlets honour exo.what_if, and every write actually sent
// is appended to the run journal.
package bindings
