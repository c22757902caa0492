package cli

import (
	"context"
	"encoding/json"
	"net/http"
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

func TestEmulatorAdminPrintsChangesAndServesNewTenants(t *testing.T) {
	state := t.TempDir()
	em := emulatortest.Start(t, emulator.Options{StateDir: state})
	ep := em.Endpoints()
	hc := emulatortest.Client(t, ep)
	t.Cleanup(hc.CloseIdleConnections)
	admin := func(args ...string) string {
		t.Helper()
		env, stdout, stderr := testEnv(t, append([]string{"emulator", "admin", "--state", state}, args...)...)
		if code := Main(env); code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, stderr)
		}
		return stdout.String()
	}
	const org = "woodgrove.onmicrosoft.com"
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"tenant", "create", "--mailboxes", "12", "woodgrove"}, " woodgrove.onmicrosoft.com (Exchange data of 12 generated mailboxes)\n"},
		// The name tenant create took stands for the initial domain.
		{[]string{"sp", "add", "woodgrove", "contoso", ep.AppID}, "of app " + ep.AppID + " (registered in contoso.onmicrosoft.com) to " + org},
		{[]string{"permission", "grant", "woodgrove", ep.AppID}, "granted Exchange.ManageAsApp to app " + ep.AppID + " in " + org + " (consent still needed: exorun emulator admin consent grant " + org + " " + ep.AppID + ")\n"},
		{[]string{"consent", "grant", org, ep.AppID}, "consented Exchange.ManageAsApp for app " + ep.AppID + " in " + org + "\n"},
		{[]string{"role", "assign", org, ep.AppID, "Exchange Administrator"}, "assigned role Exchange Administrator (29232cdf-9323-42fd-ade2-1d097af3e4de) to app " + ep.AppID + " in " + org + "\n"},
	} {
		if out := admin(step.args...); !strings.Contains(out, step.want) || strings.Count(out, "\n") != 1 {
			t.Fatalf("%q printed %q, want one line with %q", step.args, out, step.want)
		}
	}

	// The running emulator serves the new tenant's data at once.
	app := emulatortest.DemoApp(t, ep, org, hc)
	tok, err := app.AcquireTokenByCredential(context.Background(), []string{"https://outlook.office365.com/.default"})
	if err != nil {
		t.Fatalf("token in the new tenant: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, ep.ExchangeURL+"/adminapi/beta/"+org+"/InvokeCommand",
		strings.NewReader(`{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Value []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 || len(page.Value) != 12 {
		t.Fatalf("Get-Mailbox in the new tenant: %d, %d mailboxes, %v", resp.StatusCode, len(page.Value), err)
	}

	if out := admin("consent", "revoke", org, ep.AppID); !strings.HasPrefix(out, "revoked admin consent for app "+ep.AppID+" in "+org) {
		t.Fatalf("consent revoke printed %q", out)
	}
	if out := admin("app", "disable", org, ep.AppID); out != "disabled app "+ep.AppID+" in "+org+"\n" {
		t.Fatalf("app disable printed %q", out)
	}
}
