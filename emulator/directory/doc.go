// Package directory is the emulated tenant's Entra ID directory. Its one job
// is holding tenants and their app registrations (service principals) and
// performing the onboarding steps of the seed documents on them: register an
// app, grant and consent Exchange.ManageAsApp, upload a certificate (public
// part only) or add a client secret, assign a directory role, disable or
// enable the app.
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
