// Package emulatortest starts emulated tenants (package emulator) for
// tests, so that every test package starts them the same way and cheaply.
//
// Start gives a test its own emulator in a fresh state folder, closed
// when the test ends. Tests that change anything (roles, apps,
// certificates, faults, tenant data) or read Stats use Start.
//
// Shared gives tests that only read the fixture tenant one emulator per
// test process, started on first use. A test that uses Shared must not
// change it: no SetFaults, SetDemoRoles, ResetStats, directory changes or
// write cmdlets, and it must not read Stats (other tests' requests count
// there too). When the process ends, Main compares the shared emulator's
// state folder with its state at start and fails the run if a test
// changed the directory or the tenant data.
//
// A package that uses this package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { emulatortest.Main(m) }
//
// Main owns a temporary folder for the process: the shared emulator's
// state and a template state folder. Generating an emulator's CA, token
// signing key and demo app certificate (three key pairs) is most of a cold
// start, so Start copies them, with the fixture tenant, from a template
// made once per process; each test still gets its own copy, and so its
// own directory and data. Closing an emulator waits a second while a
// client still holds an HTTP/2 connection to it (connect's sessions do,
// and have no Close), so under Main an emulator closes in the background
// once its test has ended, and Main waits for it. Without Main, Start
// provisions every state folder from scratch under t.TempDir and closes
// before the test ends (slower, same behaviour), and Shared fails the
// test.
//
// Transport and Client reach an emulator the way a client given its
// ca_file does: trusting only the emulator's CA.
package emulatortest
