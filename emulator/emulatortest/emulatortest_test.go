package emulatortest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exorun/exorun/emulator"
)

func TestMain(m *testing.M) { Main(m) }

// mailboxes counts the Get-Mailbox results of the demo tenant.
func mailboxes(t *testing.T, em *emulator.Emulator) int {
	t.Helper()
	return len(invoke(t, em, `{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}`))
}

// invoke runs one cmdlet (a CmdletInput) as the demo app, with a token
// MSAL gets as exorun does, and returns the objects of its one page.
func invoke(t *testing.T, em *emulator.Emulator, input string) []json.RawMessage {
	t.Helper()
	ep := em.Endpoints()
	hc := Client(t, ep)
	app := DemoApp(t, ep, ep.TenantID, hc)
	tok, err := app.AcquireTokenByCredential(context.Background(), []string{"https://outlook.office365.com/.default"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"CmdletInput":` + input + `}`
	req, err := http.NewRequest(http.MethodPost, ep.ExchangeURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []json.RawMessage `json:"value"`
		Next  string            `json:"@odata.nextLink"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: status %d, %v", input, resp.StatusCode, err)
	}
	if page.Next != "" {
		t.Fatalf("more than one page: use a smaller tenant")
	}
	return page.Value
}

func roles(t *testing.T, em *emulator.Emulator) []string {
	t.Helper()
	ep := em.Endpoints()
	app, err := em.Directory().App(ep.TenantID, ep.AppID)
	if err != nil {
		t.Fatal(err)
	}
	return app.Roles
}

func TestStartGivesEachTestItsOwnState(t *testing.T) {
	state := t.TempDir()
	a := Start(t, emulator.Options{StateDir: state})
	b := Start(t, emulator.Options{})
	if !strings.HasPrefix(a.Endpoints().CAFile, state+string(filepath.Separator)) {
		t.Errorf("ca_file %s is not in the state folder %s", a.Endpoints().CAFile, state)
	}
	if a.Endpoints().ExchangeURL == b.Endpoints().ExchangeURL {
		t.Fatal("two emulators on one address")
	}
	before := fmt.Sprint(roles(t, b))
	if err := a.SetDemoRoles("Global Reader"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(roles(t, a)); got == before {
		t.Fatalf("SetDemoRoles did not change the roles: %s", got)
	}
	if got := fmt.Sprint(roles(t, b)); got != before {
		t.Errorf("a role change in one emulator reached another: %s, was %s", got, before)
	}
	if n := mailboxes(t, b); n == 0 {
		t.Error("the fixture tenant has no mailboxes")
	}
}

func TestStartGeneratesTheTenantAsked(t *testing.T) {
	fixture := mailboxes(t, Start(t, emulator.Options{}))
	for _, n := range []int{30, 40} {
		if got := mailboxes(t, Start(t, emulator.Options{Mailboxes: n, Seed: 3})); got != n {
			t.Errorf("Mailboxes: %d: the tenant has %d (the fixture has %d)", n, got, fixture)
		}
	}
}

func TestTransportTrustsOnlyTheEmulatorCA(t *testing.T) {
	ep := Shared(t).Endpoints()
	resp, err := Client(t, ep).Get(ep.Authority + "/common/discovery/instance")
	if err != nil {
		t.Fatalf("with the emulator's CA: %v", err)
	}
	resp.Body.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr}).Get(ep.Authority); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("with the system roots: %v, want a certificate error", err)
	}
}

func TestSharedIsStartedOnce(t *testing.T) {
	a, b := Shared(t), Shared(t)
	if a != b {
		t.Fatal("Shared returned two emulators")
	}
	if mailboxes(t, a) == 0 {
		t.Fatal("the shared fixture tenant has no mailboxes")
	}
}

// TestSharedChangesAreCaught runs the check Main makes on the shared
// emulator against emulators started the same way: one only read from,
// one whose demo app lost its roles, one whose data was written.
func TestSharedChangesAreCaught(t *testing.T) {
	for _, change := range []func(*emulator.Emulator){
		nil,
		func(em *emulator.Emulator) {
			if err := em.SetDemoRoles(); err != nil {
				t.Fatal(err)
			}
		},
		func(em *emulator.Emulator) {
			invoke(t, em, `{"CmdletName":"Set-Mailbox","Parameters":{"Identity":"AdeleV","HiddenFromAddressListsEnabled":true}}`)
		},
	} {
		process.mu.Lock()
		sh := startShared(process.root, t.TempDir())
		process.mu.Unlock()
		if sh.err != nil {
			t.Fatal(sh.err)
		}
		if mailboxes(t, sh.em) == 0 {
			t.Fatal("no mailboxes")
		}
		if change != nil {
			change(sh.em)
		}
		err := sh.closeAndCheck()
		switch {
		case change == nil && err != nil:
			t.Errorf("reads only: %v", err)
		case change != nil && (err == nil || !strings.Contains(err.Error(), "a test changed")):
			t.Errorf("a change went unreported: %v", err)
		}
	}
}
