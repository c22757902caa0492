package scripttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/fixture"
	"github.com/exorun/exorun/runtime"
	luajson "github.com/exorun/exorun/stdlib/json"
)

// DefaultTimeout bounds a test whose header sets none.
const DefaultTimeout = 2 * time.Minute

// fixtureNames are the files beside a test that give its tenant when its
// header names none, in the order they are looked for.
var fixtureNames = []string{"fixture.yaml", "fixture.yml", "fixture.json"}

// testRun is one test file being run: its tenant, its Lua state and what
// it has found so far.
type testRun struct {
	o    *Options
	name string // slash path, the chunk name errors and failures show
	src  []byte
	hdr  header
	em   *emulator.Emulator
	ep   emulator.Endpoints
	now  time.Time
	// roles are the app's directory roles in the test's tenant.
	roles []string
	// scratch holds the emulator's state and each run()'s --out folder.
	scratch string
	runs    int
	output  bytes.Buffer
	// failures and updated are what Result reports.
	failures []failure
	updated  []update
}

// runOne runs the test file name in a tenant of its own.
func runOne(ctx context.Context, o *Options, name string, clock func() time.Time) Result {
	start := clock()
	t := &testRun{o: o, name: name}
	if err := t.run(ctx); err != nil {
		// A Lua error, a bad header or fixture: the test ends here.
		t.failures = append(t.failures, failure{File: name, Message: err.Error()})
	}
	return Result{
		Name: name, Passed: len(t.failures) == 0, Duration: clock().Sub(start),
		Failures: t.failures, Updated: t.updated, Output: t.output.String(),
	}
}

// run reads the test, starts its tenant, runs the file and stops the
// tenant. Its error ends the test: a bad header or fixture, a tenant that
// would not start, a Lua error.
func (t *testRun) run(ctx context.Context) error {
	var err error
	if t.src, err = t.o.Files.ReadFile(filepath.FromSlash(t.name)); err != nil {
		return err
	}
	if t.hdr, err = parseHeader(t.name, t.src); err != nil {
		return err
	}
	timeout := t.hdr.Timeout
	if timeout == 0 {
		timeout = t.o.Timeout
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the test took longer than %s (-- timeout: sets its own)", timeout))
	defer cancel()
	t.now = t.hdr.Now
	if t.now.IsZero() {
		t.now = t.o.Now
	}
	fx, err := t.fixture()
	if err != nil {
		return err
	}
	if t.scratch, err = t.o.Files.MkdirTemp(); err != nil {
		return fmt.Errorf("test folder: %w", err)
	}
	defer t.o.Files.RemoveAll(t.scratch)
	if err := t.startTenant(fx); err != nil {
		return err
	}
	defer t.em.Close()
	sc, err := runtime.Compile(t.name, t.src)
	if err != nil {
		return err
	}
	st := runtime.New(runtime.Options{
		Stdout:  &t.output,
		Modules: []runtime.Module{luajson.Module()},
		Globals: map[string]lua.LGFunction{
			"run":           t.runScript,
			"expect":        t.expect,
			"expect_golden": t.expectGolden,
			"read_file":     t.readFile,
		},
	})
	defer st.Close()
	st.L.SetGlobal("tenant", t.tenantTable(st.L))
	err = st.Run(ctx, sc)
	var exit *runtime.ExitError
	if errors.As(err, &exit) && exit.Code == 0 {
		return nil
	}
	return err
}

// fixture is the test's tenant description: the header's file ("demo"
// for the built-in demo tenant), else one beside the test, else nil for
// the demo tenant.
func (t *testRun) fixture() (*fixture.Fixture, error) {
	dir := testDir(t.name)
	var name string
	if t.hdr.Fixture == "demo" {
		return nil, nil // the emulator's own
	}
	if t.hdr.Fixture != "" {
		name = filepath.Join(dir, filepath.FromSlash(t.hdr.Fixture))
	} else {
		for _, n := range fixtureNames {
			p := filepath.Join(dir, n)
			if _, err := t.o.Files.Stat(p); err == nil {
				name = p
				break
			}
		}
	}
	if name == "" {
		return nil, nil
	}
	data, err := t.o.Files.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("fixture %s: no such file", filepath.ToSlash(name))
		}
		return nil, fmt.Errorf("fixture: %w", err)
	}
	return fixture.Parse(filepath.ToSlash(name), data)
}

// startTenant starts the test's own emulator, serving fx (nil: the demo
// tenant) to the demo app with the header's role and faults.
func (t *testRun) startTenant(fx *fixture.Fixture) error {
	opts := emulator.Options{StateDir: filepath.Join(t.scratch, "tenant"), Seed: 1, RecordCalls: true, SkipSecretless: true}
	var roles []string
	if fx != nil {
		opts.TenantData = fx.Tenant
		roles = fx.Roles()
	}
	if t.hdr.Role != "" {
		roles = []string{t.hdr.Role}
	}
	em, err := emulator.Start(opts)
	if err != nil {
		return fmt.Errorf("tenant: %w", err)
	}
	if roles != nil {
		if err := em.SetDemoRoles(roles...); err != nil {
			em.Close()
			return fmt.Errorf("role: %w", err)
		}
	} else if roles, err = em.DemoRoles(); err != nil {
		em.Close()
		return fmt.Errorf("role: %w", err)
	}
	t.roles = roles
	em.SetFaults(t.hdr.Faults)
	t.em, t.ep = em, em.Endpoints()
	return nil
}
