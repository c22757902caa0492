package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/exitcode"
)

// token asks the emulator for a token as the demo app, with a new MSAL
// client each time so no cached token hides a directory change.
func token(t *testing.T, ep emulator.Endpoints) error {
	t.Helper()
	hc := emulatortest.Client(t, ep)
	app := emulatortest.DemoApp(t, ep, ep.TenantID, hc)
	_, err := app.AcquireTokenByCredential(context.Background(), []string{"https://outlook.office365.com/.default"})
	return err
}

func TestEmulatorAdminChangesARunningEmulator(t *testing.T) {
	state := t.TempDir()
	em := emulatortest.Start(t, emulator.Options{StateDir: state})
	ep := em.Endpoints()
	if err := token(t, ep); err != nil {
		t.Fatalf("demo app before any change: %v", err)
	}

	admin := func(args ...string) (int, string) {
		env, stdout, stderr := testEnv(t, append([]string{"emulator", "admin", "--state", state}, args...)...)
		code := Main(env)
		return code, stdout.String() + stderr.String()
	}
	if code, out := admin("app", "disable", ep.Organization, ep.AppID); code != 0 {
		t.Fatalf("app disable: %d %s", code, out)
	}
	if err := token(t, ep); err == nil || !strings.Contains(err.Error(), "7000112") {
		t.Fatalf("disabled app: want AADSTS7000112, got %v", err)
	}
	if code, out := admin("app", "enable", ep.TenantID, ep.AppID); code != 0 {
		t.Fatalf("app enable: %d %s", code, out)
	}
	if err := token(t, ep); err != nil {
		t.Fatalf("re-enabled app: %v", err)
	}

	code, out := admin("app", "register", ep.Organization, "nightly report")
	if code != 0 || !strings.HasPrefix(out, "app ") {
		t.Fatalf("app register: %d %s", code, out)
	}
	if code, out := admin("role", "assign", ep.Organization, strings.Fields(out)[1], "Global Reader"); code != 0 {
		t.Fatalf("role assign: %d %s", code, out)
	}
	if code, out := admin("role", "assign", ep.Organization, "no-such-app", "Global Reader"); code != int(exitcode.Usage) || !strings.Contains(out, "not found") {
		t.Fatalf("unknown app: %d %s", code, out)
	}
	if code, out := admin("frobnicate"); code != int(exitcode.Usage) || !strings.Contains(out, "emulator admin role assign") {
		t.Fatalf("unknown verb: %d %s", code, out)
	}
}
