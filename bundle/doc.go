// Package bundle is exorun's shareable script bundle (NAME.exob): a zip
// holding manifest.json, the entry script, the Lua modules it requires and
// static data files, and when signed a detached CMS signature over the
// manifest (manifest.p7s).
//
// The manifest says what the bundle is (name, semver version, author,
// the exorun version it needs, its entry script), which parameters it
// takes (the schema params.declare uses, so one declaration serves the
// script and the bundle), which cmdlets it calls and whether each reads
// or writes, the directory roles and services those need (derived from
// the catalog), and the SHA-256 of every file. The signature covers the
// manifest, and the manifest covers every file, so one check of each
// proves the whole bundle.
//
// Pack builds a bundle from a folder: it refuses secrets, derives the
// cmdlets by analysing the scripts (luascan) and holds them against the
// folder's manifest, and writes the same bytes for the same folder.
// Open reads one back defensively (archive), takes only a manifest in the
// form pack writes, and checks every file against its hash; the
// signature package checks the signature over Bundle.ManifestData and
// says whether its signer is trusted. Running a bundle,
// with its cmdlets enforced, is the CLI's and the bindings' job: this
// package describes and checks, it touches no file and no network.
package bundle
