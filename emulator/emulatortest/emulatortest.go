package emulatortest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/exorun/exorun/emulator"
)

// process is what Main sets up for one test process. It is the only
// package-level state: every field but closing is guarded by mu, the
// template and the shared emulator are created at most once each, and
// Main waits on closing for the emulators Start closes in the background.
var process struct {
	mu        sync.Mutex
	root      string // Main's folder; "" when Main is not running
	template  *template
	shared    *sharedEmulator
	closeErrs []error
	closing   sync.WaitGroup
}

// template is a state folder of the fixture tenant, provisioned once and
// copied by Start.
type template struct {
	once sync.Once
	dir  string
	err  error
}

// sharedEmulator is Shared's emulator and its state at start.
type sharedEmulator struct {
	em       *emulator.Emulator
	dir      string
	snapshot map[string][]byte
	err      error
}

// Main runs the package's tests (call it from TestMain), waits for the
// emulators still closing, closes the shared emulator, checks that no test
// changed it, removes the process's temporary folder and exits with the
// tests' code (1 if an emulator failed to close or the shared one was
// changed).
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := os.MkdirTemp("", "exorun-emulatortest-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "emulatortest: %v\n", err)
		return 1
	}
	process.mu.Lock()
	process.root = root
	process.template = &template{}
	process.mu.Unlock()

	code := m.Run()

	process.closing.Wait()
	process.mu.Lock()
	sh, closeErrs := process.shared, process.closeErrs
	process.root, process.template, process.shared, process.closeErrs = "", nil, nil, nil
	process.mu.Unlock()
	for _, err := range closeErrs {
		fmt.Fprintf(os.Stderr, "emulatortest: %v\n", err)
		code = 1
	}
	if sh != nil && sh.em != nil {
		if err := sh.closeAndCheck(); err != nil {
			fmt.Fprintf(os.Stderr, "emulatortest: shared emulator: %v\n", err)
			code = 1
		}
	}
	if err := os.RemoveAll(root); err != nil {
		fmt.Fprintf(os.Stderr, "emulatortest: %v\n", err)
	}
	return code
}

// Start starts an emulator for t alone with opts and closes it when t
// ends. An empty opts.StateDir means a new folder of its own; under Main
// that folder is in Main's folder and the emulator closes in the
// background once t ends, because closing waits a second for a client
// that still holds an HTTP/2 connection (connect's sessions do, and have
// no Close); Main waits for it and reports a failed close. Without Main,
// or with a StateDir of the caller's, it closes before t ends. For the
// fixture tenant (opts.Mailboxes 0), a state folder that is empty or
// missing gets a copy of the process's template (see the package doc),
// unless opts.Now is set: the template's CA was issued on the real clock,
// so an emulator on another clock provisions its own. A generated tenant
// is provisioned from scratch: copying it would cost about what
// generating it does.
func Start(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	background := false
	if opts.StateDir == "" {
		process.mu.Lock()
		root := process.root
		process.mu.Unlock()
		if root == "" {
			opts.StateDir = t.TempDir()
		} else {
			dir, err := os.MkdirTemp(root, "state-")
			if err != nil {
				t.Fatalf("emulatortest: %v", err)
			}
			opts.StateDir, background = dir, true
		}
	}
	if opts.Now == nil && opts.Mailboxes == 0 {
		if err := seed(opts.StateDir); err != nil {
			t.Fatalf("emulatortest: %v", err)
		}
	}
	em, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("emulatortest: start: %v", err)
	}
	if !background {
		t.Cleanup(func() {
			if err := em.Close(); err != nil {
				t.Errorf("emulatortest: close: %v", err)
			}
		})
		return em
	}
	name := t.Name()
	t.Cleanup(func() {
		process.closing.Add(1)
		go func() {
			defer process.closing.Done()
			if err := errors.Join(em.Close(), os.RemoveAll(opts.StateDir)); err != nil {
				process.mu.Lock()
				process.closeErrs = append(process.closeErrs, fmt.Errorf("closing the emulator of %s: %w", name, err))
				process.mu.Unlock()
			}
		}()
	})
	return em
}

// Shared returns the process's shared emulator of the fixture tenant,
// starting it on first use. Tests that use it only read (see the package
// doc). It needs Main.
func Shared(t testing.TB) *emulator.Emulator {
	t.Helper()
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.root == "" {
		t.Fatal("emulatortest.Shared needs the package's TestMain to call emulatortest.Main")
	}
	if process.shared == nil {
		process.shared = startShared(process.root, filepath.Join(process.root, "shared"))
	}
	if err := process.shared.err; err != nil {
		t.Fatalf("emulatortest: shared emulator: %v", err)
	}
	return process.shared.em
}

// startShared starts an emulator of the fixture tenant in dir and takes
// a snapshot of its state; the caller holds process.mu.
func startShared(root, dir string) *sharedEmulator {
	sh := &sharedEmulator{dir: dir}
	if sh.err = process.template.copyTo(root, sh.dir); sh.err != nil {
		return sh
	}
	if sh.em, sh.err = emulator.Start(emulator.Options{StateDir: sh.dir}); sh.err != nil {
		return sh
	}
	if sh.snapshot, sh.err = readState(sh.dir); sh.err != nil {
		sh.em.Close()
		sh.em = nil
	}
	return sh
}

// closeAndCheck closes the shared emulator (flushing its data) and
// compares its state folder with the snapshot taken at start.
func (sh *sharedEmulator) closeAndCheck() error {
	if err := sh.em.Close(); err != nil {
		return err
	}
	after, err := readState(sh.dir)
	if err != nil {
		return err
	}
	var changed []error
	for name, before := range sh.snapshot {
		if !bytes.Equal(before, after[name]) {
			changed = append(changed, fmt.Errorf("a test changed %s; tests that change the emulator must use emulatortest.Start", name))
		}
	}
	for name := range after {
		if _, ok := sh.snapshot[name]; !ok {
			changed = append(changed, fmt.Errorf("a test added %s; tests that change the emulator must use emulatortest.Start", name))
		}
	}
	return errors.Join(changed...)
}

// readState reads the files of a state folder but endpoints.json and the
// lock file (which name the port and are rewritten at every start).
func readState(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || e.Name() == emulator.EndpointsFile || e.Name() == emulator.LockFile {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	return files, nil
}

// seed copies the template into dir when dir is empty or missing and
// Main is running; otherwise it leaves dir alone.
func seed(dir string) error {
	process.mu.Lock()
	root, tpl := process.root, process.template
	process.mu.Unlock()
	if tpl == nil {
		return nil
	}
	return tpl.copyTo(root, dir)
}

// copyTo provisions the template on first use, then copies it into dst.
func (tpl *template) copyTo(root, dst string) error {
	tpl.once.Do(func() { tpl.dir, tpl.err = makeTemplate(root) })
	if tpl.err != nil {
		return tpl.err
	}
	return copyIfEmpty(tpl.dir, dst)
}

// makeTemplate provisions a state folder of the fixture tenant by
// starting and closing an emulator in it.
func makeTemplate(root string) (string, error) {
	dir := filepath.Join(root, "template")
	em, err := emulator.Start(emulator.Options{StateDir: dir})
	if err != nil {
		return "", fmt.Errorf("template state: %w", err)
	}
	if err := em.Close(); err != nil {
		return "", fmt.Errorf("template state: %w", err)
	}
	return dir, nil
}

// copyIfEmpty copies the files of src into dst, keeping their modes,
// when dst has no entries (or does not exist yet).
func copyIfEmpty(src, dst string) error {
	if entries, err := os.ReadDir(dst); err == nil && len(entries) > 0 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == emulator.EndpointsFile || e.Name() == emulator.LockFile {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// Transport returns an HTTP transport that trusts only the emulator's CA,
// as a client given ca_file does. Its idle connections are closed when t
// ends, before the cleanup of an emulator started earlier in t (an idle
// connection that never carried a request would hold the emulator's
// shutdown for seconds).
func Transport(t testing.TB, ep emulator.Endpoints) *http.Transport {
	t.Helper()
	pem, err := os.ReadFile(ep.CAFile)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("emulatortest: %s holds no certificate", ep.CAFile)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: 64,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// Client is an HTTP client over Transport.
func Client(t testing.TB, ep emulator.Endpoints) *http.Client {
	t.Helper()
	return &http.Client{Transport: Transport(t, ep)}
}

// DemoApp returns a new MSAL Go confidential client for the emulator's
// demo app, signing in to tenant (its name or id) with the app's
// certificate over hc, as exorun's connect does: instance discovery off.
// A new client each time means no cached token hides a directory change.
func DemoApp(t testing.TB, ep emulator.Endpoints, tenant string, hc *http.Client) confidential.Client {
	t.Helper()
	data, err := os.ReadFile(ep.CertificateFile)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	certs, key, err := confidential.CertFromPEM(data, "")
	if err != nil {
		t.Fatalf("emulatortest: demo certificate: %v", err)
	}
	cred, err := confidential.NewCredFromCert(certs, key)
	if err != nil {
		t.Fatalf("emulatortest: demo credential: %v", err)
	}
	app, err := confidential.New(ep.Authority+"/"+tenant, ep.AppID, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(hc))
	if err != nil {
		t.Fatalf("emulatortest: msal: %v", err)
	}
	return app
}
