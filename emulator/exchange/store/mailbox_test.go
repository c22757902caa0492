package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

func mailbox(t *testing.T, s *Store, id string) map[string]any {
	t.Helper()
	o := invoke(t, s, "Get-Mailbox", P{"Identity": id}).Object(0)
	m := map[string]any{}
	for _, p := range o {
		m[p.Name] = p.Value
	}
	return m
}

func TestSetMailboxForwardingIsVisibleAndAudited(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Set-Mailbox", P{"Identity": "DiegoS", "ForwardingSmtpAddress": "diego@gmail.com", "DeliverToMailboxAndForward": true})
	if res.Count != 0 || len(res.Warnings) != 0 {
		t.Fatalf("Set-Mailbox returned %d objects, warnings %v", res.Count, res.Warnings)
	}
	m := mailbox(t, s, "DiegoS")
	if m["ForwardingSmtpAddress"] != "smtp:diego@gmail.com" || m["DeliverToMailboxAndForward"] != true {
		t.Fatalf("after Set-Mailbox: %v %v", m["ForwardingSmtpAddress"], m["DeliverToMailboxAndForward"])
	}
	if m["WhenChanged"].(time.Time) != tenant.ReferenceTime() {
		t.Errorf("WhenChanged %v, want the store clock", m["WhenChanged"])
	}
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Filter": "ForwardingSmtpAddress -ne $null"}), "AlexW", "DiegoS")

	e := lastAudit(t, s)
	if get(t, e, "CmdletName") != "Set-Mailbox" || get(t, e, "ObjectModified") != "DiegoS" || get(t, e, "Succeeded") != true {
		t.Fatalf("audit entry %v", e)
	}
	if get(t, e, "Caller") != testOrg+"/"+testApp || get(t, e, "RunDate") != tenant.ReferenceTime() {
		t.Errorf("audit caller %v run %v", get(t, e, "Caller"), get(t, e, "RunDate"))
	}
	var params []string
	for _, p := range get(t, e, "CmdletParameters").([]exchange.Object) {
		params = append(params, p[0].Value.(string)+"="+p[1].Value.(string))
	}
	want := []string{"DeliverToMailboxAndForward=True", "ForwardingSmtpAddress=diego@gmail.com", "Identity=DiegoS"}
	if !slices.Equal(params, want) {
		t.Errorf("CmdletParameters %v, want %v", params, want)
	}

	invoke(t, s, "Set-Mailbox", P{"Identity": "DiegoS", "ForwardingSmtpAddress": nil})
	if m := mailbox(t, s, "DiegoS"); m["ForwardingSmtpAddress"] != nil {
		t.Errorf("$null did not clear forwarding: %v", m["ForwardingSmtpAddress"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "DiegoS", "ForwardingSmtpAddress": "not an address"}), 400, "ForwardingSmtpAddress")

	invoke(t, s, "Set-Mailbox", P{"Identity": "DiegoS", "ForwardingAddress": "Sales"})
	if m := mailbox(t, s, "DiegoS"); m["ForwardingAddress"] != "Sales" {
		t.Errorf("ForwardingAddress %v", m["ForwardingAddress"])
	}
}

func TestSetMailboxGrantSendOnBehalfTo(t *testing.T) {
	s := fixtureStore(t)
	invoke(t, s, "Set-Mailbox", P{"Identity": "MeganB", "GrantSendOnBehalfTo": map[string]any{"Add": []any{"AdeleV", "DiegoS"}}})
	if got := mailbox(t, s, "MeganB")["GrantSendOnBehalfTo"]; !slices.Equal(got.([]string), []string{"AlexW", "AdeleV", "DiegoS"}) {
		t.Fatalf("after Add: %v", got)
	}
	invoke(t, s, "Set-Mailbox", P{"Identity": "MeganB", "GrantSendOnBehalfTo": map[string]any{"Remove": "alexw@contoso.com"}})
	if got := mailbox(t, s, "MeganB")["GrantSendOnBehalfTo"]; !slices.Equal(got.([]string), []string{"AdeleV", "DiegoS"}) {
		t.Fatalf("after Remove: %v", got)
	}
	invoke(t, s, "Set-Mailbox", P{"Identity": "MeganB", "GrantSendOnBehalfTo": "GradyA"})
	if got := mailbox(t, s, "MeganB")["GrantSendOnBehalfTo"]; !slices.Equal(got.([]string), []string{"GradyA"}) {
		t.Fatalf("after replace: %v", got)
	}
	// A write is all or nothing: the unknown delegate fails the call and
	// the display name given with it is not applied either.
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "MeganB", "DisplayName": "Megan B.", "GrantSendOnBehalfTo": map[string]any{"Add": "ghost"}}), 404, "ghost")
	if got := mailbox(t, s, "MeganB")["DisplayName"]; got != "Megan Bowen" {
		t.Fatalf("failed write changed DisplayName to %v", got)
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "MeganB", "GrantSendOnBehalfTo": map[string]any{"Replace": "x"}}), 400, "Add or Remove")
	e := lastAudit(t, s)
	if get(t, e, "Succeeded") != false || !strings.Contains(get(t, e, "Error").(string), "Add or Remove") {
		t.Errorf("failed write not audited: %v", e)
	}
}

func TestSetMailboxEmailAddresses(t *testing.T) {
	s := fixtureStore(t)
	invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": map[string]any{"Add": "adele.vance@contoso.com"}})
	m := mailbox(t, s, "AdeleV")
	if !slices.Contains(m["EmailAddresses"].([]string), "smtp:adele.vance@contoso.com") || m["PrimarySmtpAddress"] != "AdeleV@contoso.com" {
		t.Fatalf("after adding a secondary: %v primary %v", m["EmailAddresses"], m["PrimarySmtpAddress"])
	}
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Identity": "adele.vance@contoso.com"}), "AdeleV")

	invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": map[string]any{"Add": "SMTP:adele@contoso.com"}})
	m = mailbox(t, s, "AdeleV")
	if m["PrimarySmtpAddress"] != "adele@contoso.com" || !slices.Contains(m["EmailAddresses"].([]string), "smtp:AdeleV@contoso.com") {
		t.Fatalf("new primary: %v %v", m["PrimarySmtpAddress"], m["EmailAddresses"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": map[string]any{"Remove": "SMTP:adele@contoso.com"}}), 400, "primary SMTP address")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": map[string]any{"Add": "adele@fabrikam.com"}}), 400, "isn't an accepted domain")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": map[string]any{"Add": "alexw@contoso.com"}}), 400, "already being used", "AlexW")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": []any{"SMTP:a@contoso.com", "SMTP:b@contoso.com"}}), 400, "more than one primary")
	invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "EmailAddresses": []any{"SMTP:adele@contoso.com", "smtp:adelev@contoso.onmicrosoft.com"}})
	if got := mailbox(t, s, "AdeleV")["EmailAddresses"].([]string); len(got) != 2 {
		t.Fatalf("replace: %v", got)
	}
	// The old addresses no longer resolve.
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"Identity": "adele.vance@contoso.com"}), 404)
}

func TestSetMailboxQuotasTypeHoldsAndPolicies(t *testing.T) {
	s := fixtureStore(t)
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "IsaiahL", "ProhibitSendQuota": "45GB"}), 400, "IssueWarningQuota")
	invoke(t, s, "Set-Mailbox", P{"Identity": "IsaiahL", "ProhibitSendQuota": "45GB", "IssueWarningQuota": "40 GB"})
	m := mailbox(t, s, "IsaiahL")
	if m["ProhibitSendQuota"] != "45 GB (48,318,382,080 bytes)" || m["IssueWarningQuota"] != "40 GB (42,949,672,960 bytes)" {
		t.Fatalf("quotas %v %v", m["ProhibitSendQuota"], m["IssueWarningQuota"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "IsaiahL", "ProhibitSendQuota": "lots"}), 400, "ProhibitSendQuota")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "IsaiahL", "ProhibitSendReceiveQuota": "Unlimited"}), 400, "larger than the mailbox plan allows")

	invoke(t, s, "Set-Mailbox", P{"Identity": "GradyA", "Type": "shared"})
	if m := mailbox(t, s, "GradyA"); m["RecipientTypeDetails"] != "SharedMailbox" || m["IsShared"] != true {
		t.Fatalf("converted: %v", m["RecipientTypeDetails"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "GradyA", "Type": "Castle"}), 400, "Regular, Room, Equipment, Shared")

	invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "LitigationHoldEnabled": true, "AuditEnabled": false, "HiddenFromAddressListsEnabled": "$true"})
	m = mailbox(t, s, "AdeleV")
	if m["LitigationHoldEnabled"] != true || m["LitigationHoldOwner"] != testOrg+"/"+testApp || m["LitigationHoldDate"] != tenant.ReferenceTime() {
		t.Errorf("hold: %v %v %v", m["LitigationHoldEnabled"], m["LitigationHoldOwner"], m["LitigationHoldDate"])
	}
	if m["AuditEnabled"] != false || m["HiddenFromAddressListsEnabled"] != true {
		t.Errorf("audit %v hidden %v", m["AuditEnabled"], m["HiddenFromAddressListsEnabled"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "AuditEnabled": "maybe"}), 400, "System.Boolean")

	invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "RetentionPolicy": "executive 7 year retention"})
	if m := mailbox(t, s, "AdeleV"); m["RetentionPolicy"] != "Executive 7 Year Retention" {
		t.Errorf("retention policy %v", m["RetentionPolicy"])
	}
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "RetentionPolicy": "No Such Policy"}), 404, "No Such Policy")

	res := invoke(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "DisplayName": "Adele Vance"})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "no settings of 'AdeleV' have been modified") {
		t.Errorf("no-op warning %v", res.Warnings)
	}
}

func TestSetMailboxRefusesWhatItDoesNotModel(t *testing.T) {
	s := fixtureStore(t)
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "CustomAttribute1": "x"}), 400, "does not model the parameter 'CustomAttribute1' of Set-Mailbox")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "AdeleV", "Colour": "blue"}), 400, "A parameter cannot be found that matches parameter name 'Colour'.")
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"Identity": "nobody", "AuditEnabled": true}), 404)
	wantErr(t, invokeErr(t, s, "Set-Mailbox", P{"AuditEnabled": true}), 400, "missing mandatory parameters: Identity")
	// The failure inside the cmdlet is audited; binding failures are not.
	e := lastAudit(t, s)
	if get(t, e, "Succeeded") != false || get(t, e, "ObjectModified") != "nobody" || !strings.Contains(get(t, e, "Error").(string), "couldn't be found") {
		t.Errorf("audit of failed write: %v", e)
	}
}

func TestCASMailbox(t *testing.T) {
	s := fixtureStore(t)
	wantNames(t, invoke(t, s, "Get-CASMailbox", P{"Filter": "PopEnabled -eq $true -or ImapEnabled -eq $true"}), "AlexW", "LeeG", "GradyA", "Info")
	o := invoke(t, s, "Get-CASMailbox", P{"Identity": "AlexW"}).Object(0)
	if get(t, o, "SmtpClientAuthenticationDisabled") != false || get(t, o, "OWAEnabled") != true || get(t, o, "HasActiveSyncDevicePartnership") != false {
		t.Errorf("AlexW CAS %v", o)
	}
	if get(t, invoke(t, s, "Get-CASMailbox", P{"Identity": "AdeleV"}).Object(0), "SmtpClientAuthenticationDisabled") != nil {
		t.Error("AdeleV should use the organization's SMTP AUTH setting ($null)")
	}
	invoke(t, s, "Set-CASMailbox", P{"Identity": "AlexW", "PopEnabled": false, "ImapEnabled": false, "SmtpClientAuthenticationDisabled": nil, "OWAEnabled": false})
	wantNames(t, invoke(t, s, "Get-CASMailbox", P{"Filter": "PopEnabled -eq $true -or ImapEnabled -eq $true"}), "LeeG", "GradyA", "Info")
	o = invoke(t, s, "Get-CASMailbox", P{"Identity": "AlexW"}).Object(0)
	if get(t, o, "SmtpClientAuthenticationDisabled") != nil || get(t, o, "OWAEnabled") != false {
		t.Errorf("after Set-CASMailbox: %v", o)
	}
	if res := invoke(t, s, "Set-CASMailbox", P{"Identity": "AlexW", "PopEnabled": false}); len(res.Warnings) != 1 {
		t.Errorf("no-op: %v", res.Warnings)
	}
	wantErr(t, invokeErr(t, s, "Set-CASMailbox", P{"Identity": "AlexW", "PopEnabled": "sometimes"}), 400, "PopEnabled")
	wantErr(t, invokeErr(t, s, "Set-CASMailbox", P{"Identity": "AlexW", "ActiveSyncMailboxPolicy": "x"}), 400, "does not model")
}
