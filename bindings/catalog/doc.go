// Package catalog declares what exorun knows about Exchange Online and
// Security & Compliance cmdlets, once, for every consumer: the Lua
// bindings, the client-side role filter, REPL completion, the emulator's
// server-side checks and the generated docs.
//
// This first part is the role model: the directory roles an app-only
// session can hold (PROTOCOL.md 2.3-2.4) and the rules that say which
// cmdlets each role grants. The rules are this project's model of
// Exchange's RBAC; the service stays the final authority. The package
// imports only the standard library.
package catalog
