package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/internal/exitcode"
)

func TestEmulatorServePrintsEndpointsAndStopsOnSignal(t *testing.T) {
	state := t.TempDir()
	env, stdout, stderr := testEnv(t, "emulator", "serve", "--state", state)
	env.Notify = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		time.AfterFunc(300*time.Millisecond, func() {
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by SIGTERM"))
		})
		return ctx, func() { cancel(context.Canceled) }
	}
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var printed map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil {
		t.Fatalf("stdout is not the endpoints JSON: %v\n%s", err, stdout)
	}
	for _, key := range []string{"authority", "exchange_url", "compliance_url", "ca_file", "tenant_id", "organization", "app_id", "certificate_file", "thumbprint"} {
		if s, _ := printed[key].(string); s == "" {
			t.Errorf("endpoints lack %q: %v", key, printed)
		}
	}
	if authority, _ := printed["authority"].(string); !strings.HasPrefix(authority, "https://127.0.0.1:") || printed["organization"] != "contoso.onmicrosoft.com" {
		t.Errorf("unexpected endpoints %v", printed)
	}
	written, err := os.ReadFile(filepath.Join(state, "endpoints.json"))
	if err != nil || !strings.Contains(string(written), printed["app_id"].(string)) {
		t.Errorf("endpoints.json: %v %s", err, written)
	}
	if !strings.Contains(stderr.String(), "exorun emulator: stopped") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestEmulatorServeRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"emulator"},
		{"emulator", "serve", "--mailboxes", "-1", "--state", t.TempDir()},
		{"emulator", "serve", "--addr", "0.0.0.0:0", "--state", t.TempDir()},
		{"emulator", "serve", "--tenants", "0", "--state", t.TempDir()},
		{"emulator", "serve", "--tenants", "1001", "--state", t.TempDir()},
	} {
		env, _, stderr := testEnv(t, args...)
		if code := Main(env); code != int(exitcode.Usage) {
			t.Errorf("%q: exit 0, stderr %s", args, stderr)
		}
	}
}

func TestEmulatorServeTenants(t *testing.T) {
	state := t.TempDir()
	env, stdout, stderr := testEnv(t, "emulator", "serve", "--state", state, "--tenants", "3")
	env.Notify = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		time.AfterFunc(200*time.Millisecond, func() {
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by SIGTERM"))
		})
		return ctx, func() { cancel(context.Canceled) }
	}
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var printed struct {
		Tenants []struct {
			Organization string `json:"organization"`
			TenantID     string `json:"tenant_id"`
		} `json:"tenants"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil {
		t.Fatalf("stdout is not the endpoints JSON: %v\n%s", err, stdout)
	}
	var orgs []string
	for _, tn := range printed.Tenants {
		if tn.TenantID == "" {
			t.Errorf("tenant %s has no tenant_id", tn.Organization)
		}
		orgs = append(orgs, tn.Organization)
	}
	want := "contoso.onmicrosoft.com tenant02.onmicrosoft.com tenant03.onmicrosoft.com"
	if got := strings.Join(orgs, " "); got != want {
		t.Fatalf("tenants %q, want %q", got, want)
	}
	csv, err := os.ReadFile(filepath.Join(state, "tenants.csv"))
	if err != nil || string(csv) != "organization\n"+strings.ReplaceAll(want, " ", "\n")+"\n" {
		t.Fatalf("tenants.csv: %v %q", err, csv)
	}
}

// servingEmulator is `exorun emulator serve` running in-process until
// stop, with its output in locked buffers.
type servingEmulator struct {
	stdout, stderr *lockedBuilder
	stop           func() int // stops it as SIGTERM would; its exit code
}

// serveInBackground starts `exorun emulator serve` with args (and
// configDir as the config folder) and waits until it has said how to
// connect, so its files are written.
func serveInBackground(t *testing.T, configDir string, args ...string) *servingEmulator {
	t.Helper()
	env, _, _ := testEnv(t, append([]string{"emulator", "serve"}, args...)...)
	s := &servingEmulator{stdout: &lockedBuilder{b: &strings.Builder{}}, stderr: &lockedBuilder{b: &strings.Builder{}}}
	env.Stdout, env.Stderr = s.stdout, s.stderr
	env.ConfigDir, env.WriteFile = configDir, writeFileAtomic
	stopped := make(chan struct{})
	env.Notify = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		go func() {
			<-stopped
			cancel(exitcode.New(exitcode.Interrupted, "interrupted by SIGTERM"))
		}()
		return ctx, func() { cancel(context.Canceled) }
	}
	done := make(chan int, 1)
	go func() { done <- Main(env) }()
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() {
			close(stopped)
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Error("emulator serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.stderr.String(), "exorun emulator: connect with"); time.Sleep(10 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("emulator serve exited %d: %s", code, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator serve never got ready: %s", s.stderr)
		}
	}
	return s
}

// endpoints are the endpoints the emulator printed.
func (s *servingEmulator) endpoints(t *testing.T) emulator.Endpoints {
	t.Helper()
	var ep emulator.Endpoints
	if err := json.Unmarshal([]byte(s.stdout.String()), &ep); err != nil {
		t.Fatalf("stdout is not the endpoints JSON: %v\n%s", err, s.stdout)
	}
	return ep
}

func TestEmulatorSecondServeIsRefused(t *testing.T) {
	state := t.TempDir()
	first := serveInBackground(t, "", "--state", state)
	ep := first.endpoints(t)
	before, err := os.ReadFile(filepath.Join(state, emulator.EndpointsFile))
	if err != nil {
		t.Fatal(err)
	}

	env, stdout, stderr := testEnv(t, "emulator", "serve", "--state", state, "--addr", "127.0.0.1:0")
	if code := Main(env); code != int(exitcode.Usage) {
		t.Fatalf("second serve: exit %d, want 2: %s", code, stderr)
	}
	want := fmt.Sprintf("exorun: emulator: state folder %s: another emulator (pid %d) serves it at %s\n", state, os.Getpid(), ep.Authority)
	if !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "hint: stop that one first") || stdout.Len() != 0 {
		t.Errorf("stderr %q, want it to start %q", stderr, want)
	}
	for _, name := range []string{emulator.EndpointsFile, emulator.ProfileFile} {
		after, err := os.ReadFile(filepath.Join(state, name))
		if err != nil || (name == emulator.EndpointsFile && string(after) != string(before)) || !strings.Contains(string(after), ep.Authority) {
			t.Errorf("the refused serve changed %s: %v\n%s", name, err, after)
		}
	}
	if code := first.stop(); code != 0 {
		t.Fatalf("first serve exit %d: %s", code, first.stderr)
	}
}

func TestEmulatorServeRemembersItsAddress(t *testing.T) {
	state := t.TempDir()
	first := serveInBackground(t, "", "--state", state)
	authority := first.endpoints(t).Authority
	first.stop()

	again := serveInBackground(t, "", "--state", state)
	if got := again.endpoints(t).Authority; got != authority || strings.Contains(again.stderr.String(), "note:") {
		t.Fatalf("restart serves %s, want %s: %s", got, authority, again.stderr)
	}
	again.stop()

	u, _ := url.Parse(authority)
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	moved := serveInBackground(t, "", "--state", state)
	if got := moved.endpoints(t).Authority; got == authority {
		t.Fatalf("serves on the taken %s", got)
	}
	note := "exorun emulator: note: " + u.Host + ", where this state folder was last served, is taken"
	if !strings.Contains(moved.stderr.String(), note) {
		t.Errorf("stderr %q lacks %q", moved.stderr, note)
	}
}

// TestEmulatorServeProfile: serve on the default state keeps the config
// folder's "emulator" profile, which whoami then connects with; a
// profile of that name someone wrote is left alone.
func TestEmulatorServeProfile(t *testing.T) {
	config := t.TempDir()
	s := serveInBackground(t, config)
	ep := s.endpoints(t)
	state := filepath.Join(config, "emulator")
	path := filepath.Join(config, "profiles", "emulator.json")
	for _, file := range []string{filepath.Join(state, emulator.ProfileFile), path} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := connect.ParseProfile("emulator", data, func(string) (string, bool) { return "", false })
		want := connect.Settings{AppID: ep.AppID, Organization: ep.Organization, CertificateFile: ep.CertificateFile,
			Authority: ep.Authority, ExchangeURL: ep.ExchangeURL, ComplianceURL: ep.ComplianceURL, CAFile: ep.CAFile}
		if err != nil || got != want {
			t.Errorf("%s: %v\n%+v\nwant %+v", file, err, got, want)
		}
	}
	if !strings.Contains(s.stderr.String(), "connect with --profile emulator ("+path+`) or eval "$(exorun emulator env)"`) {
		t.Errorf("stderr %q", s.stderr)
	}

	env, stdout, stderr := testEnv(t, "whoami", "--profile", "emulator", "--json")
	env.ConfigDir = config
	if code := Main(env); code != 0 {
		t.Fatalf("whoami --profile emulator: exit %d: %s", code, stderr)
	}
	var info connect.Info
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.TenantID != ep.TenantID || info.AppID != ep.AppID {
		t.Errorf("whoami: %v %+v", err, info)
	}
	s.stop()

	mine := []byte(`{"app_id": "mine", "ca_file": "/elsewhere/ca.pem"}` + "\n")
	if err := os.WriteFile(path, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	s = serveInBackground(t, config)
	if data, _ := os.ReadFile(path); string(data) != string(mine) {
		t.Errorf("serve replaced someone's profile: %s", data)
	}
	if !strings.Contains(s.stderr.String(), "exists and is not this emulator's; left as it is") {
		t.Errorf("stderr %q", s.stderr)
	}
}

func TestEmulatorEnv(t *testing.T) {
	// A quote and a space in the path: the quoting must hold.
	state := filepath.Join(t.TempDir(), "it's my state")
	s := serveInBackground(t, "", "--state", state)
	ep := s.endpoints(t)

	env, stdout, stderr := testEnv(t, "emulator", "env", "--state", state, "--shell", "sh")
	if code := Main(env); code != 0 {
		t.Fatalf("emulator env: exit %d: %s", code, stderr)
	}
	want := map[string]string{
		"EXORUN_APP_ID": ep.AppID, "EXORUN_ORGANIZATION": ep.Organization, "EXORUN_CERTIFICATE_FILE": ep.CertificateFile,
		"EXORUN_AUTHORITY": ep.Authority, "EXORUN_EXCHANGE_URL": ep.ExchangeURL, "EXORUN_COMPLIANCE_URL": ep.ComplianceURL,
		"EXORUN_CA_FILE": ep.CAFile,
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		// What eval "$(exorun emulator env)" leaves in a shell that had
		// a real tenant's thumbprint and profile.
		cmd := exec.Command(sh, "-c", `eval "$1" && env`, "sh", stdout.String())
		cmd.Env = append(os.Environ(), "EXORUN_CERTIFICATE_THUMBPRINT=AB12", "EXORUN_PROFILE=prod")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sh: %v\n%s", err, stdout)
		}
		got := map[string]string{}
		for _, line := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "EXORUN_") {
				got[k] = v
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("after eval:\n%v\nwant\n%v\noutput:\n%s", got, want, stdout)
		}
	}

	env, stdout, stderr = testEnv(t, "emulator", "env", "--state", state, "--shell", "powershell")
	if code := Main(env); code != 0 {
		t.Fatalf("emulator env --shell powershell: exit %d: %s", code, stderr)
	}
	wantPS := "$env:EXORUN_CA_FILE = '" + strings.ReplaceAll(ep.CAFile, "'", "''") + "'\n"
	if !strings.Contains(stdout.String(), wantPS) || !strings.Contains(stdout.String(), "Remove-Item Env:EXORUN_PROFILE -ErrorAction SilentlyContinue\n") {
		t.Errorf("powershell lines:\n%s\nlack %q", stdout, wantPS)
	}

	s.stop()
	// endpoints.json is still there, naming a port nothing serves.
	env, stdout, stderr = testEnv(t, "emulator", "env", "--state", state)
	if code := Main(env); code != int(exitcode.Usage) || stdout.Len() != 0 ||
		!strings.Contains(stderr.String(), "exorun: emulator env: no emulator is serving the state folder "+state+"\nhint: start one first: exorun emulator serve --state '") {
		t.Errorf("env without a serving emulator: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestEmulatorEnvRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"emulator", "env", "--state", t.TempDir(), "--shell", "fish"},
		{"emulator", "env", "--state", t.TempDir(), "extra"},
		{"emulator", "env"}, // no config folder, no --state
	} {
		env, _, stderr := testEnv(t, args...)
		if code := Main(env); code != int(exitcode.Usage) {
			t.Errorf("%q: exit %d, stderr %s", args, code, stderr)
		}
	}
}

func TestShellQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          `'plain'`,
		"it's":           `'it'\''s'`,
		`$HOME "x" \n`:   `'$HOME "x" \n'`,
		"":               `''`,
		"line\nbreak":    "'line\nbreak'",
		"a'b'":           `'a'\''b'\'''`,
		"back`tick $(x)": "'back`tick $(x)'",
	} {
		if got := shQuote(in); got != want {
			t.Errorf("shQuote(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`C:\Users\o'brien\ca.pem`: `'C:\Users\o''brien\ca.pem'`,
		"$env:PATH `n":            "'$env:PATH `n'",
		"curly ’ quote":           "'curly ’’ quote'",
	} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
