// Package luascan finds, without running them, the cmdlets a set of Lua
// scripts calls: that is its one job. `exorun bundle pack` uses it to
// derive a bundle manifest's cmdlet list, and, while it has the syntax
// trees, the modules the scripts require and the parameters
// params.declare declares.
//
// Scan parses every file with gopher-lua's parser (a syntax error is a
// *SyntaxError naming file:line) and walks every statement and
// expression of each, function bodies included. The analysis is lexical,
// not a data flow analysis: its rules are few so that a script author can
// predict them.
//
// # Sessions
//
// A session is an expression that holds connect()'s result:
//
//   - any variable named exo, in every file and every scope, whatever
//     it was assigned: the documented convention, which also covers a
//     function parameter (function report(exo) ... end);
//   - a name assigned connect(...) or connect{...} directly, by local or
//     plain assignment (local scc = connect{service = "compliance"}),
//     anywhere in the file: the name is a session throughout that file,
//     before the assignment and in other scopes too;
//   - such a name assigned by a plain assignment (a global) in one file
//     is a session in the other files as well, unless a file declares a
//     local of that name (local, local function, parameter, loop
//     variable);
//   - a connect(...) call itself: connect().get_mailbox{}.
//
// Nothing else is followed: not aliases (local e = exo), fields
// (M.exo, t.session), table constructors ({exo = connect()}), pcall
// results (local ok, s = pcall(connect, {...})) or function returns.
// Shadowing is not followed either: a local exo = {} is still taken for a
// session, and its fields for cmdlets. Calls through an untracked name
// are missed; the bindings' run-time check of a bundle's cmdlets catches
// them.
//
// # What a session's use counts as
//
// For a session S (method syntax S:name is read as S.name):
//
//   - S.name and S["Verb-Noun"], called or only read (local get =
//     exo.get_mailbox), name a cmdlet resolved as the bindings do: a
//     name with '-' is a cmdlet's name, any other its snake name, both
//     ignoring case, and for either service (the session's service is
//     not tracked). A Call per site.
//   - invoke, parallel, cmdlets, whoami, stats and what_if are the exo
//     methods: no Call. Writing a field (exo.what_if = true,
//     function exo.helper() end) is no call either; a field some script
//     writes on a session is then no Problem when read.
//   - S.invoke("Verb-Noun", ...) is a Call of that cmdlet: its catalog
//     name when the catalog knows it, else as written with Known false
//     (invoke sends names the catalog does not know).
//     S.invoke("get_mailbox") is a Problem: invoke does not translate
//     snake names and the service knows none.
//   - S.parallel("name", inputs [, options]) is a Call, the name
//     resolved like S.name (parallel takes one cmdlet name and an array
//     of parameter tables; it takes no Lua functions).
//   - pcall(S.invoke, "X", ...) and pcall(S.parallel, "X", ...) count as
//     S.invoke("X", ...) and S.parallel("X", ...).
//   - Dynamic: S[expr] when expr is not a string constant, S.invoke(e)
//     and S.parallel(e) when e is not a string constant ("Get-" .. noun
//     included: no constant folding), and S.invoke or S.parallel read as
//     a value other than in the pcall form above.
//   - Problem: a constant name that is neither a cmdlet nor a method
//     (exo.get_mailboxx, with catalog.SuggestCmdlet's did-you-mean, or
//     catalog.ModuleOnly's reason), invoke or parallel without a name,
//     invoke with a snake name, require().
//
// # require and params.declare
//
// require("x"), require "x" and require'x' with a constant name are
// Requires; any other argument is a RequiresDynamic site.
//
// The params module is the name params, a name assigned
// require("params") (with the same file and global rules as sessions),
// or require("params") itself. Each params.declare call (params:declare
// is read the same way) is a ParamsDecl:
// Empty for declare() and declare(nil), Constant with Spec when its
// argument is a table constructor of literals (strings, numbers with an
// optional unary minus, booleans, nil for an absent field, and list
// constructors such as {"a", "b"} for defaults), otherwise Reason says
// which part is not a literal and the manifest must declare the
// parameters by hand.
package luascan
