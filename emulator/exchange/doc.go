// Package exchange is the contract inside the emulator between the
// Exchange Online side's two halves: the tenant data store, which runs
// cmdlets (a Backend), and the admin API front end, which speaks
// InvokeCommand over HTTP (PROTOCOL.md 3-4) and calls a Backend.
//
// Nothing here is a wire struct: the front end decodes and encodes JSON on
// its own, and exorun's client never imports the emulator.
package exchange
