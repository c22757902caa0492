package bindings_test

import (
	"strings"
	"testing"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/internal/exitcode"
)

// permit confines a run to Get-Mailbox (read) and Set-Mailbox declared
// read, as a hand-edited manifest might.
func permit(o *bindings.Options) {
	o.Permit = &bindings.Permit{Source: `the manifest of bundle "audit" 1.0.0`, Cmdlets: map[string]bindings.Declared{
		"Get-Mailbox": {catalog.Read, catalog.Exchange}, "Set-Mailbox": {catalog.Read, catalog.Exchange},
		"Get-Widget": {catalog.Read, catalog.Exchange}, "Get-DlpCompliancePolicy": {catalog.Read, catalog.Compliance},
		"Get-AdminAuditLogConfig": {catalog.Read, catalog.Compliance},
	}}
	o.PermitRoles = []string{"Exchange Administrator"}
}

// A bundle's session runs only what its manifest declares, refused before
// any request, whatever the app's roles (Exchange Administrator) allow.
func TestPermitRefusesUndeclaredCmdlets(t *testing.T) {
	tn := startTenant(t, "")
	before := tn.em.Stats()
	out, _, err := tn.run(t, `
		local exo = connect()
		print(#exo.get_mailbox{ResultSize = 2}:all())
		print(table.concat(exo.cmdlets(), ","))
		for _, call in ipairs{
			function() return exo.get_mailbox_statistics{Identity = "AdeleV"} end,
			function() return exo.invoke("Get-MailboxStatistics", {Identity = "AdeleV"}) end,
			function() return exo.invoke("Get-Nothing") end,
			function() return exo.invoke("Set-Widget") end,
			function() return exo.parallel("Get-Recipient", {{Identity = "AdeleV"}}) end,
			function() return exo.set_mailbox{Identity = "AdeleV", HiddenFromAddressListsEnabled = true} end,
			function() return exo.get_admin_audit_log_config{} end,
		} do
			local ok, e = pcall(call)
			print(ok, e.code, e.cmdlet)
		end
	`, permit)
	if err != nil {
		t.Fatal(err)
	}
	want := "2\nGet-Mailbox\n" +
		"false\tnot_declared\tGet-MailboxStatistics\n" +
		"false\tnot_declared\tGet-MailboxStatistics\n" +
		"false\tnot_declared\tGet-Nothing\n" +
		"false\tnot_declared\tSet-Widget\n" +
		"false\tnot_declared\tGet-Recipient\n" +
		"false\tnot_declared\tSet-Mailbox\n" +
		"false\tnot_declared\tGet-AdminAuditLogConfig\n"
	if out != want {
		t.Errorf("stdout\n%s\nwant\n%s", out, want)
	}
	if got := invocations(tn.em.Stats()) - invocations(before); got != 1 {
		t.Errorf("%d InvokeCommand requests, want 1 (the declared Get-Mailbox)", got)
	}

	_, _, err = tn.run(t, `connect().set_mailbox{Identity = "AdeleV", HiddenFromAddressListsEnabled = true}`, permit)
	for _, want := range []string{"Set-Mailbox writes", `the manifest of bundle "audit" 1.0.0 declares it read`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("write declared read: got %v, want %q", err, want)
		}
	}
	_, _, err = tn.run(t, `connect().get_recipient{}`, permit)
	for _, want := range []string{"Get-Recipient is not declared in the manifest", "it declares: Get-AdminAuditLogConfig, Get-DlpCompliancePolicy, Get-Mailbox, Get-Widget, Set-Mailbox"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("undeclared: got %v, want %q", err, want)
		}
	}
	if exitcode.Of(err) != exitcode.Permission {
		t.Errorf("exit code %d, want permission (4)", exitcode.Of(err))
	}
}

// The roles a bundle needs are checked at connect: a Global Reader app
// running a bundle that declares Set-Mailbox fails before any request to
// Exchange, naming the cmdlet and the role that grants it.
func TestPermitChecksRolesBeforeTheFirstRequest(t *testing.T) {
	tn := startTenant(t, "Global Reader")
	before := tn.em.Stats()
	_, _, err := tn.run(t, `
		local exo = connect()
		exo.get_mailbox{}:all()
	`, func(o *bindings.Options) {
		o.Permit = &bindings.Permit{Source: `the manifest of bundle "fix"`, Cmdlets: map[string]bindings.Declared{
			"Get-Mailbox": {catalog.Read, catalog.Exchange}, "Set-Mailbox": {catalog.Write, catalog.Exchange},
		}}
		o.PermitRoles = []string{"Exchange Administrator"}
	})
	for _, want := range []string{
		`the manifest of bundle "fix" needs cmdlets the roles of app ` + tn.settings.AppID + " (Global Reader) do not grant",
		"Set-Mailbox (", "Exchange Administrator",
		"it asks for the role Exchange Administrator",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	if exitcode.Of(err) != exitcode.Permission {
		t.Errorf("exit code %d, want permission (4)", exitcode.Of(err))
	}
	after := tn.em.Stats()
	for name, ep := range after.Endpoints {
		if strings.HasPrefix(name, "exchange/") && ep.Requests != before.Endpoints[name].Requests {
			t.Errorf("%d requests to %s before the missing roles were reported", ep.Requests-before.Endpoints[name].Requests, name)
		}
	}
}

// A bundle cannot choose where to connect or with what: its connect{}
// takes service alone, or the runner's credential and token could go to
// a server the bundle names.
func TestPermitRefusesConnectionSettings(t *testing.T) {
	tn := sharedTenant(t)
	for _, src := range []string{
		`connect{authority = "https://evil.example/"}`,
		`connect{exchange_url = "https://evil.example/", ca_file = "ca.pem"}`,
		`connect{token_cache = "/tmp/x.json"}`,
		`connect{organization = "fabrikam.onmicrosoft.com"}`,
	} {
		_, _, err := tn.run(t, src, permit)
		if err == nil || !strings.Contains(err.Error(), "a bundle may set only service in connect{}") || exitcode.Of(err) != exitcode.Permission {
			t.Errorf("%s: %v (exit %d)", src, err, exitcode.Of(err))
		}
	}
	if _, _, err := tn.run(t, `connect{service = "exchange"}`, permit); err != nil {
		t.Errorf("service: %v", err)
	}
}
