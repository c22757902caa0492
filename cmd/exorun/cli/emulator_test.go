package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
