package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/cmd/exorun/tenants"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/internal/exitcode"
)

// tenantsEnv is testEnv for a --demo run over tenants: a folder with the
// tenants file and the script, the demo's temporary folders in the test's,
// and files written as the CLI writes them.
func tenantsEnv(t *testing.T, tenantsCSV, script string, args ...string) (env *Env, dir string, stdout, stderr *strings.Builder) {
	t.Helper()
	dir = t.TempDir()
	for name, data := range map[string]string{"tenants.csv": tenantsCSV, "script.lua": script} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	full := append([]string{"run", "--demo", "--tenants", filepath.Join(dir, "tenants.csv"), "--out", filepath.Join(dir, "out"),
		"--summary-json", filepath.Join(dir, "summary.json")}, args...)
	full = append(full, filepath.Join(dir, "script.lua"))
	e, _, _ := testEnv(t, full...)
	stdout, stderr = &strings.Builder{}, &strings.Builder{}
	e.Stdout, e.Stderr = &lockedBuilder{b: stdout}, &lockedBuilder{b: stderr}
	e.MkdirTemp = func() (string, error) { return os.MkdirTemp(t.TempDir(), "demo-") }
	e.RemoveAll = os.RemoveAll
	e.WriteFile = func(name string, data []byte, perm os.FileMode) error { return os.WriteFile(name, data, perm) }
	e.LookupEnv = func(k string) (string, bool) {
		if k == "EXORUN_LOG_NO_TIME" {
			return "1", true
		}
		return "", false
	}
	return e, dir, stdout, stderr
}

// lockedBuilder is a strings.Builder that tenants write to at once.
type lockedBuilder struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func readTenantsSummary(t *testing.T, dir string) tenantsSummary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s tenantsSummary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

const reportScript = `local params = require("params")
local out = require("out")
local p = params.declare{ top = { type = "integer", default = 5 }, fail = { type = "boolean", default = false } }
if p.fail then error("this tenant fails") end
local exo = connect()
local rows = {}
for mb in exo.get_mailbox{ ResultSize = p.top } do rows[#rows+1] = { Upn = mb.UserPrincipalName } end
out.print(rows)
require("fs").write("done.txt", tostring(#rows))
`

// TestTenantsRun: each tenant runs with its row's parameters in its own
// folder; stdout and stderr lines name their tenant; the summary holds
// every tenant and the totals.
func TestTenantsRun(t *testing.T) {
	env, dir, stdout, stderr := tenantsEnv(t, "organization,top\ncontoso.onmicrosoft.com,2\nfabrikam.onmicrosoft.com,1\nnorthwind.onmicrosoft.com,3\n", reportScript)
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for org, rows := range map[string]string{"contoso.onmicrosoft.com": "2", "fabrikam.onmicrosoft.com": "1", "northwind.onmicrosoft.com": "3"} {
		got, err := os.ReadFile(filepath.Join(dir, "out", org, "done.txt"))
		if err != nil || string(got) != rows {
			t.Errorf("%s wrote %q, %v; want %s rows", org, got, err, rows)
		}
		if !strings.Contains(stdout.String(), org+" | │ LeeG@"+strings.TrimSuffix(org, ".onmicrosoft.com")+".com") {
			t.Errorf("stdout has no line of %s:\n%s", org, stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if !strings.Contains(line, ".onmicrosoft.com | ") {
			t.Errorf("stdout line without its tenant: %q", line)
		}
	}
	s := readTenantsSummary(t, dir)
	if s.ExitCode != 0 || len(s.Tenants) != 3 || s.Totals.OK != 3 || s.Totals.Objects != 6 || s.Parallel != defaultParallel {
		t.Errorf("summary = %+v", s)
	}
	for _, o := range s.Tenants {
		if o.Summary == nil || o.Summary.Tenant == nil || o.Summary.Tenant.Domain != o.Organization || o.Status != statusOK {
			t.Errorf("tenant %s: %+v", o.Organization, o)
		}
	}
	if want := "run summary: exit 0 (ok); 3 tenants: 3 ok\n  contoso.onmicrosoft.com    ok    2 objects\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// TestTenantsFailFast: with --parallel 1 --fail-fast, the tenants after
// the first failure are not run, and say why; the exit code is the
// failed tenant's.
func TestTenantsFailFast(t *testing.T) {
	env, dir, _, stderr := tenantsEnv(t, "organization,fail\ncontoso.onmicrosoft.com,false\nfabrikam.onmicrosoft.com,true\nnorthwind.onmicrosoft.com,false\n",
		reportScript, "--parallel", "1", "--fail-fast")
	if code := Main(env); code != int(exitcode.Script) {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Script, stderr)
	}
	s := readTenantsSummary(t, dir)
	got := []string{}
	for _, o := range s.Tenants {
		got = append(got, o.Organization+" "+o.Status)
	}
	if strings.Join(got, ", ") != "contoso.onmicrosoft.com ok, fabrikam.onmicrosoft.com failed, northwind.onmicrosoft.com not_run" {
		t.Fatalf("tenants: %v", got)
	}
	if n := s.Tenants[2]; n.ExitCode != nil || n.Reason != "--fail-fast: a tenant had failed" || n.Summary != nil {
		t.Errorf("not run tenant: %+v", n)
	}
	if !regexp.MustCompile(`(?m)^fabrikam\.onmicrosoft\.com \| exorun: .*script\.lua:4: this tenant fails$`).MatchString(stderr.String()) {
		t.Errorf("the failure is not on the tenant's lines:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "exorun: 1 of 3 tenants failed: fabrikam.onmicrosoft.com (script)") {
		t.Errorf("no verdict line:\n%s", stderr)
	}
}

// TestTenantsInterrupted: Ctrl-C stops the running tenants (interrupted)
// and the ones not started are not run, never ok; exit 130.
func TestTenantsInterrupted(t *testing.T) {
	env, dir, _, stderr := tenantsEnv(t, "organization\ncontoso.onmicrosoft.com\nfabrikam.onmicrosoft.com\nnorthwind.onmicrosoft.com\nadatum.onmicrosoft.com\n",
		`local exo = connect()
print("started")
while true do exo.get_mailbox{ ResultSize = 1 } end`, "--parallel", "2", "--demo-latency", "20ms")
	stdout := env.Stdout.(*lockedBuilder)
	env.Notify = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		go func() {
			// Ctrl-C once two tenants run.
			for strings.Count(stdout.String(), "started") < 2 && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by SIGINT"))
		}()
		return ctx, func() { cancel(nil) }
	}
	if code := Main(env); code != int(exitcode.Interrupted) {
		t.Fatalf("exit %d, want 130\n%s", code, stderr)
	}
	s := readTenantsSummary(t, dir)
	var statuses []string
	for _, o := range s.Tenants {
		statuses = append(statuses, o.Status)
		if o.Status == statusOK {
			t.Errorf("%s is ok after an interrupt", o.Organization)
		}
		if o.Status == statusFailed && o.ExitName != "interrupted" {
			t.Errorf("%s failed with %s, want interrupted", o.Organization, o.ExitName)
		}
		if o.Status == statusNotRun && o.Reason != "interrupted by SIGINT before it started" {
			t.Errorf("%s not run: %q", o.Organization, o.Reason)
		}
	}
	if strings.Join(statuses, " ") != "failed failed not_run not_run" || s.Totals.NotRun != 2 || s.ExitName != "interrupted" {
		t.Errorf("statuses %v, totals %+v, exit %s", statuses, s.Totals, s.ExitName)
	}
}

// TestTenantsFlags: the multi-tenant flags are checked before anything
// runs.
func TestTenantsFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--parallel", "3", "x.lua"}, "--parallel needs --tenants FILE"},
		{[]string{"run", "--shard", "0/2", "x.lua"}, "--shard needs --tenants FILE"},
		{[]string{"run", "--tenants", "t.csv", "--parallel", "0", "x.lua"}, "--parallel 0: want 1 to 64"},
		{[]string{"run", "--tenants", "t.csv", "--parallel", "65", "x.lua"}, "want 1 to 64"},
		{[]string{"run", "--tenants", "t.csv", "--shard", "3/3", "x.lua"}, "want a whole number from 0 to 2"},
		{[]string{"run", "--tenants", "t.csv", "-o", "csv", "x.lua"}, "one stdout cannot hold many tenants' CSV"},
		{[]string{"run", "--tenants", "t.csv", "--organization", "a.com", "x.lua"}, "the tenants file names each tenant's organization"},
		{[]string{"run", "--tenants", "missing.csv", "x.lua"}, "--tenants missing.csv: no such file"},
	} {
		env, _, stderr := testEnv(t, tc.args...)
		if code := Main(env); code != int(exitcode.Usage) || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestTenantSettings: a row's columns beat the flags, a secret comes from
// the variable its *_env column names, and a token cache shared by the
// flags becomes one file per tenant (a row's own stays as it is).
func TestTenantSettings(t *testing.T) {
	env, _, _ := testEnv(t)
	env.LookupEnv = func(k string) (string, bool) {
		if k == "FAB_PFX" {
			return "s3cret", true
		}
		return "", false
	}
	o, err := parseRun(env, runCommand(t), []string{"--tenants", "t.csv", "--app-id", "flag-app", "--token-cache", "/var/cache/tokens.json", "s.lua"})
	if err != nil {
		t.Fatal(err)
	}
	row := func(org string, s connect.Settings, secretEnv map[string]string) *tenantScope {
		s.Organization = org
		return &tenantScope{row: tenants.Tenant{Organization: org, Settings: s, SecretEnv: secretEnv, Line: 2}}
	}
	o.tenant = row("fabrikam.onmicrosoft.com", connect.Settings{AppID: "row-app"}, map[string]string{"certificate_password": "FAB_PFX"})
	s, err := o.connectSettings(env)
	if err != nil {
		t.Fatal(err)
	}
	if s.AppID != "row-app" || s.CertificatePassword != "s3cret" || s.TokenCache != "/var/cache/tokens.fabrikam.onmicrosoft.com.json" {
		t.Errorf("fabrikam settings: app %q, password set %v, cache %q", s.AppID, s.CertificatePassword != "", s.TokenCache)
	}
	o.tenant = row("contoso.onmicrosoft.com", connect.Settings{TokenCache: "/own.json"}, nil)
	if s, err = o.connectSettings(env); err != nil || s.AppID != "flag-app" || s.TokenCache != "/own.json" {
		t.Errorf("contoso settings: %+v, %v", s, err)
	}
	// A profile that allows only signed bundles, which the run was not
	// checked for, is refused where it is used.
	env.ConfigDir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(env.ConfigDir, "profiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env.ConfigDir, "profiles", "strict.json"), []byte(`{"require_signed": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o.tenant = row("adatum.onmicrosoft.com", connect.Settings{Profile: "strict"}, nil)
	if _, err = o.connectSettings(env); exitcode.Of(err) != exitcode.Bundle || !strings.Contains(err.Error(), "profile strict allows only signed bundles") {
		t.Errorf("strict profile in an unchecked run: %v", err)
	}
	o.tenant.signedOnly = true
	if _, err = o.connectSettings(env); err != nil {
		t.Errorf("strict profile in a signed-only run: %v", err)
	}
	o.tenant = row("northwind.onmicrosoft.com", connect.Settings{}, map[string]string{"client_secret": "UNSET"})
	if _, err = o.connectSettings(env); err == nil || !strings.Contains(err.Error(), "tenants file line 2: the environment variable that column client_secret_env names is not set") {
		t.Errorf("unset variable: %v", err)
	}
}
