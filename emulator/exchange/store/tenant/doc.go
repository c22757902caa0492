// Package tenant is the emulated Exchange Online tenant's data and nothing
// else: the model (recipients, mailboxes, groups, rules, policies, message
// trace, admin audit log, Security & Compliance objects), the identity
// index cmdlets resolve -Identity values with (State), the state file
// format (Encode, Decode, LoadDir, Save), Exchange Online's defaults for
// new objects (Builder, with which package fixture builds the tenants
// that fixture files describe, the demo tenant among them), and Generate,
// a deterministic tenant of 10 to 200,000 mailboxes.
//
// It knows no cmdlet: package store runs cmdlets against a State, under
// its lock, and decides what they mean. The one rule it needs from the
// cmdlets, how a transport rule's settings are typed, is passed in to
// Decode and LoadDir.
//
// GUIDs are UUID, 16 bytes (a 200,000-mailbox tenant holds three per
// mailbox), written as google/uuid formats them. Objects that cmdlets
// create take NameUUID GUIDs derived from the tenant and a counter, so a
// replay of the same calls gives the same GUIDs and golden files hold.
package tenant
