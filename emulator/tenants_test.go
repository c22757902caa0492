package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/emulatortest"
)

// tenantToken gets a fresh token for tenant as the demo app (a new MSAL
// client, so no cached token hides a directory change).
func tenantToken(t *testing.T, ep emulator.Endpoints, hc *http.Client, tenant string) (string, error) {
	t.Helper()
	app := emulatortest.DemoApp(t, ep, tenant, hc)
	res, err := app.AcquireTokenByCredential(context.Background(), []string{"https://outlook.office365.com/.default"})
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// claims decodes an access token's payload without verifying it.
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

const getMailbox = `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`

// mailboxes runs Get-Mailbox in tenant and returns the status, the
// mailboxes' addresses and the body.
func mailboxes(t *testing.T, ep emulator.Endpoints, hc *http.Client, tenant, token string) (int, []string, []byte) {
	t.Helper()
	resp, data := invoke(t, hc, ep.ExchangeURL+"/adminapi/beta/"+tenant+"/InvokeCommand", token, getMailbox, 0)
	var page struct{ Value []map[string]any }
	_ = json.Unmarshal(data, &page)
	var out []string
	for _, m := range page.Value {
		s, _ := m["PrimarySmtpAddress"].(string)
		out = append(out, s)
	}
	return resp.StatusCode, out, data
}

func TestReadyTenantsShareTheDemoApp(t *testing.T) {
	dir := t.TempDir()
	em, err := emulator.Start(emulator.Options{StateDir: dir, Tenants: []string{"fabrikam", "Fabrikam.onmicrosoft.com", "contoso", "northwind"}, Mailboxes: 12, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	ep := em.Endpoints()

	var orgs []string
	for _, tn := range ep.Tenants {
		orgs = append(orgs, tn.Organization)
	}
	if want := []string{"contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com", "northwind.onmicrosoft.com"}; !slices.Equal(orgs, want) {
		t.Fatalf("Endpoints.Tenants %v, want %v", orgs, want)
	}
	if ep.Tenants[0].TenantID != ep.TenantID {
		t.Fatalf("the demo tenant comes first: %+v vs %s", ep.Tenants[0], ep.TenantID)
	}
	csv, err := os.ReadFile(filepath.Join(dir, emulator.TenantsFile))
	if err != nil || string(csv) != "organization\ncontoso.onmicrosoft.com\nfabrikam.onmicrosoft.com\nnorthwind.onmicrosoft.com\n" {
		t.Fatalf("tenants file: %v %q", err, csv)
	}
	raw, err := os.ReadFile(filepath.Join(dir, emulator.EndpointsFile))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		AppID   string `json:"app_id"`
		Tenants []struct {
			Organization string `json:"organization"`
			TenantID     string `json:"tenant_id"`
		} `json:"tenants"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || file.AppID != ep.AppID || len(file.Tenants) != 3 || file.Tenants[1].TenantID != ep.Tenants[1].TenantID {
		t.Fatalf("endpoints.json: %v %s", err, raw)
	}

	hc := httpClient(t, ep)
	seen := map[string]string{}
	for _, tn := range ep.Tenants {
		token, err := tenantToken(t, ep, hc, tn.Organization)
		if err != nil {
			t.Fatalf("%s: token with the demo app id and certificate: %v", tn.Organization, err)
		}
		if c := claims(t, token); c["tid"] != tn.TenantID || c["appid"] != ep.AppID {
			t.Fatalf("%s: token claims tid %v appid %v, want %s %s", tn.Organization, c["tid"], c["appid"], tn.TenantID, ep.AppID)
		}
		status, boxes, body := mailboxes(t, ep, hc, tn.Organization, token)
		if status != 200 || len(boxes) != 12 {
			t.Fatalf("%s: Get-Mailbox %d, %d mailboxes: %.300s", tn.Organization, status, len(boxes), body)
		}
		local := strings.Split(boxes[0], "@")[0]
		if other, dup := seen[local]; dup {
			t.Fatalf("%s and %s generated the same first mailbox %s: the seed must differ per tenant", tn.Organization, other, local)
		}
		seen[local] = tn.Organization
	}

	// One app registration, a service principal in each other tenant.
	fab, err := em.Directory().App("fabrikam.onmicrosoft.com", ep.AppID)
	if err != nil || fab.HomeTenant != ep.TenantID || !fab.HasManageAsApp() || len(fab.Certificates) != 0 {
		t.Fatalf("fabrikam's service principal: %v %+v", err, fab)
	}

	// A restart with the same state serves the same tenants and app.
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	again := start(t, dir, 0)
	if got := again.Endpoints(); got.AppID != ep.AppID || len(got.Tenants) != 1 {
		t.Fatalf("restart without Tenants: %+v", got)
	}
}

func TestOneTenantMisconfiguredOthersFine(t *testing.T) {
	em := emulatortest.Start(t, emulator.Options{StateDir: t.TempDir(), Tenants: []string{"fabrikam"}})
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	const fab = "fabrikam.onmicrosoft.com"

	if err := em.Directory().RevokeConsent(fab, ep.AppID); err != nil {
		t.Fatal(err)
	}
	// As Entra does (PROTOCOL.md 1.7), the token is issued without the
	// permission; Exchange refuses it, saying why.
	token, err := tenantToken(t, ep, hc, fab)
	if err != nil {
		t.Fatalf("fabrikam without consent: %v", err)
	}
	if _, has := claims(t, token)["roles"]; has {
		t.Fatalf("a token without consent carries roles: %v", claims(t, token))
	}
	status, _, body := mailboxes(t, ep, hc, fab, token)
	if status != 401 || !bytes.Contains(body, []byte("does not carry the Exchange.ManageAsApp")) {
		t.Fatalf("fabrikam without consent: %d %.300s", status, body)
	}
	good, err := tenantToken(t, ep, hc, ep.Organization)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := mailboxes(t, ep, hc, ep.Organization, good); status != 200 {
		t.Fatalf("contoso must keep working: %d %.300s", status, body)
	}
	// The demo app's registration in contoso is untouched.
	if home, _ := em.Directory().App(ep.TenantID, ep.AppID); !home.HasManageAsApp() {
		t.Fatalf("revoking in fabrikam changed contoso: %+v", home)
	}

	// Consent back, role removed: the role step fails instead.
	if err := em.Directory().Consent(fab, ep.AppID); err != nil {
		t.Fatal(err)
	}
	if err := em.Directory().RemoveRole(fab, ep.AppID, "Exchange Administrator"); err != nil {
		t.Fatal(err)
	}
	token, err = tenantToken(t, ep, hc, fab)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := mailboxes(t, ep, hc, fab, token); status != 401 || !bytes.Contains(body, []byte("isn't supported in this scenario")) {
		t.Fatalf("fabrikam without a role: %d %.300s", status, body)
	}
	// Disabled in fabrikam only: no token there.
	if err := em.Directory().DisableApp(fab, ep.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := tenantToken(t, ep, hc, fab); err == nil || !strings.Contains(err.Error(), "AADSTS7000112") {
		t.Fatalf("disabled in fabrikam: %v", err)
	}
	if _, err := tenantToken(t, ep, hc, ep.Organization); err != nil {
		t.Fatalf("contoso after disabling in fabrikam: %v", err)
	}
}

func TestTenantFaults(t *testing.T) {
	em := emulatortest.Start(t, emulator.Options{StateDir: t.TempDir(), Tenants: []string{"fabrikam"}})
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	const fab = "fabrikam.onmicrosoft.com"
	tokens := map[string]string{}
	for _, org := range []string{ep.Organization, fab} {
		tok, err := tenantToken(t, ep, hc, org)
		if err != nil {
			t.Fatal(err)
		}
		tokens[org] = tok
	}
	fabID := ep.Tenants[1].TenantID

	// Faults for fabrikam only, named by GUID; the URL names it by domain.
	if err := em.SetTenantFaults(fabID, emulator.Faults{Unavailable: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if status, _, _ := mailboxes(t, ep, hc, fab, tokens[fab]); status != 503 {
			t.Fatalf("fabrikam request %d: %d, want 503", i, status)
		}
		if status, _, body := mailboxes(t, ep, hc, ep.Organization, tokens[ep.Organization]); status != 200 {
			t.Fatalf("contoso request %d: %d %.300s", i, status, body)
		}
	}
	if status, _, _ := mailboxes(t, ep, hc, fab, tokens[fab]); status != 200 {
		t.Fatalf("fabrikam after its burst: %d", status)
	}

	// Everyone throttled but contoso, which has (empty) faults of its own.
	if err := em.ClearTenantFaults(fab); err != nil {
		t.Fatal(err)
	}
	em.SetFaults(emulator.Faults{ThrottleEvery: 1})
	if err := em.SetTenantFaults(ep.Organization, emulator.Faults{}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := mailboxes(t, ep, hc, fab, tokens[fab]); status != 429 {
		t.Fatalf("fabrikam under the global faults: %d", status)
	}
	if status, _, _ := mailboxes(t, ep, hc, ep.Organization, tokens[ep.Organization]); status != 200 {
		t.Fatalf("contoso with its own faults: %d", status)
	}
	if err := em.ClearTenantFaults(ep.Organization); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := mailboxes(t, ep, hc, ep.Organization, tokens[ep.Organization]); status != 429 {
		t.Fatalf("contoso back under the global faults: %d", status)
	}
	if err := em.SetTenantFaults("nowhere.example", emulator.Faults{}); err == nil {
		t.Fatal("faults for an unknown tenant: want an error")
	}
}

func TestTenantCreatedWhileRunningIsServed(t *testing.T) {
	state := t.TempDir()
	em := emulatortest.Start(t, emulator.Options{StateDir: state})
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	// Concurrent requests may leave a dialled connection that never
	// carried a request; the server's Shutdown waits 5 s for those.
	t.Cleanup(hc.CloseIdleConnections)

	// Another process (exorun emulator admin) creates a tenant of 7
	// generated mailboxes and admits the demo app there.
	admin, err := emulator.OpenDirectory(state)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := admin.CreateTenant("woodgrove", directory.WithMailboxes(15))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddServicePrincipal(tn.InitialDomain, ep.Organization, ep.AppID); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(string, string) error{admin.GrantManageAsApp, admin.Consent} {
		if err := step(tn.ID, ep.AppID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.AssignRole(tn.ID, ep.AppID, "Exchange Administrator"); err != nil {
		t.Fatal(err)
	}

	token, err := tenantToken(t, ep, hc, tn.InitialDomain)
	if err != nil {
		t.Fatalf("token in the new tenant: %v", err)
	}
	// Two first requests at once: provisioned once, both served.
	var wg sync.WaitGroup
	results := make([]int, 4)
	counts := make([]int, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, data := invoke(t, hc, ep.ExchangeURL+"/adminapi/beta/"+tn.ID+"/InvokeCommand", token, getMailbox, 0)
			var page struct{ Value []json.RawMessage }
			_ = json.Unmarshal(data, &page)
			results[i], counts[i] = resp.StatusCode, len(page.Value)
		}()
	}
	wg.Wait()
	for i := range results {
		if results[i] != 200 || counts[i] != 15 {
			t.Fatalf("request %d: %d with %d mailboxes, want 200 with 15", i, results[i], counts[i])
		}
	}

	// A tenant nobody created is the service's 404, not a 500.
	resp, data := invoke(t, hc, ep.ExchangeURL+"/adminapi/beta/nowhere.onmicrosoft.com/InvokeCommand", token, getMailbox, 0)
	if resp.StatusCode != 404 || !bytes.Contains(data, []byte(`"code":"NotFound"`)) {
		t.Fatalf("unknown tenant: %d %.300s", resp.StatusCode, data)
	}
}

func TestTenantNames(t *testing.T) {
	if got := emulator.TenantNames(3); !slices.Equal(got, []string{"contoso", "tenant02", "tenant03"}) {
		t.Fatalf("TenantNames(3) = %v", got)
	}
	got := emulator.TenantNames(100)
	if len(got) != 100 || got[1] != "tenant002" || got[99] != "tenant100" {
		t.Fatalf("TenantNames(100) = %v ... %v", got[:2], got[len(got)-1])
	}
	if got := emulator.TenantNames(1); !slices.Equal(got, []string{"contoso"}) {
		t.Fatalf("TenantNames(1) = %v", got)
	}
}
