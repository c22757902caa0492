// Package scripttest is `exorun test`: it finds an admin's *_test.lua
// files, runs each against a fresh emulated tenant built from the
// fixture the file names, and reports what passed and what failed as
// text, JSON or JUnit XML.
//
// A test file is one test. Its header (leading `-- key: value` comment
// lines) picks the tenant: `fixture:` a fixture file (else fixture.yaml,
// fixture.yml or fixture.json beside the test, else the demo tenant),
// `role:` the app's directory role, `faults:` the admin API's injected
// failures, `now:` the time scripts see and `timeout:` how long the test
// may take. The file then calls the script under test with run(), which
// goes through `exorun run` in-process on the real connect path (MSAL,
// TLS, the role filter) and returns its exit code, output, files and the
// cmdlets the tenant received; expect() and expect_golden() assert, and
// tenant.get() reads the tenant afterwards.
//
// The package knows nothing of the CLI: the caller hands in Exec, which
// runs `exorun run` for a test against the endpoints of its tenant.
package scripttest
