// Package directory is the emulated tenant's Entra ID directory. Its one job
// is holding tenants and their app registrations (service principals) and
// performing the onboarding steps of the seed documents on them: register an
// app, grant and consent Exchange.ManageAsApp, upload a certificate (public
// part only), add a client secret or a federated identity credential,
// assign a directory role, disable or enable the app.
//
// The service principals of managed identities live beside the apps: the
// emulated host's system-assigned identity (one per tenant) and
// user-assigned identities. They take the same permission and role steps
// (see GrantManageAsApp for how consent differs) but hold no certificates
// or secrets.
//
// A Directory lives in a state folder as one JSON file (directory.json),
// rewritten atomically after every change, so a crash never leaves a half
// written file and an emulator restart finds the same tenants. A corrupt
// file is reported, never replaced. Client secrets are stored only as salted
// hashes; certificates only as their public DER.
//
// Role names and template ids come from catalog, the one place that
// declares the directory-role model.
package directory
