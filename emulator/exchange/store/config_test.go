package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

func TestGetInboxRule(t *testing.T) {
	s := fixtureStore(t)
	xe := invokeErr(t, s, "Get-InboxRule", P{})
	wantErr(t, xe, 400, "-Mailbox", "app-only")
	res := invoke(t, s, "Get-InboxRule", P{"Mailbox": "AdeleV@contoso.com"})
	if got := values(t, res, "Name"); !slices.Equal(got, []string{"Forward to home", "Newsletters"}) {
		t.Fatalf("rules %v", got)
	}
	o := res.Object(0)
	fwd := get(t, o, "ForwardTo").([]string)
	if len(fwd) != 1 || !strings.Contains(fwd[0], "[SMTP:adele.vance.home@gmail.com]") || get(t, o, "Enabled") != true {
		t.Errorf("forward rule %v", o)
	}
	if get(t, o, "Identity") != `AdeleV\3425412337916460033` || get(t, o, "MailboxOwnerId") != "AdeleV" || get(t, o, "RedirectTo") != nil {
		t.Errorf("identity %v owner %v redirect %v", get(t, o, "Identity"), get(t, o, "MailboxOwnerId"), get(t, o, "RedirectTo"))
	}
	if d := get(t, o, "Description").(string); !strings.Contains(d, "forward the message to") {
		t.Errorf("description %q", d)
	}
	if get(t, res.Object(1), "MoveToFolder") != `AdeleV:\Inbox\Newsletters` {
		t.Errorf("folder %v", get(t, res.Object(1), "MoveToFolder"))
	}
	if res := invoke(t, s, "Get-InboxRule", P{"Identity": `AdeleV\Newsletters`}); res.Count != 1 {
		t.Errorf("mailbox-qualified identity without -Mailbox: %d", res.Count)
	}
	if res := invoke(t, s, "Get-InboxRule", P{"Mailbox": "AdeleV", "Identity": "3425412337916460033"}); res.Count != 1 || get(t, res.Object(0), "Name") != "Forward to home" {
		t.Errorf("by RuleIdentity: %v", values(t, res, "Name"))
	}
	if res := invoke(t, s, "Get-InboxRule", P{"Mailbox": "PattiF"}); res.Count != 0 {
		t.Errorf("PattiF has no rules, got %d", res.Count)
	}
	wantErr(t, invokeErr(t, s, "Get-InboxRule", P{"Mailbox": "AdeleV", "Identity": "nope"}), 404)
	wantErr(t, invokeErr(t, s, "Get-InboxRule", P{"Mailbox": "ghost"}), 404)
	// External forwarding across the tenant, the way audit scripts look
	// for it.
	external := 0
	for _, name := range values(t, invoke(t, s, "Get-Mailbox", P{}), "Name") {
		for _, r := range objects(invoke(t, s, "Get-InboxRule", P{"Mailbox": name})) {
			for _, p := range []string{"ForwardTo", "ForwardAsAttachmentTo", "RedirectTo"} {
				if l, _ := get(t, r, p).([]string); len(l) > 0 && strings.Contains(l[0], "[SMTP:") {
					external++
				}
			}
		}
	}
	if external != 2 {
		t.Errorf("external forwarding rules %d, want 2", external)
	}
}

func TestMobileDevices(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-MobileDevice", P{})
	if res.Count != 5 {
		t.Fatalf("devices %d", res.Count)
	}
	res = invoke(t, s, "Get-MobileDevice", P{"Mailbox": "LeeG"})
	if got := values(t, res, "DeviceType"); !slices.Equal(got, []string{"iPad", "Android"}) {
		t.Fatalf("LeeG devices %v", got)
	}
	o := res.Object(0)
	if get(t, o, "DeviceAccessState") != "Allowed" || !strings.HasSuffix(get(t, o, "UserDisplayName").(string), "/LeeG") {
		t.Errorf("device %v", o)
	}
	res = invoke(t, s, "Get-MobileDevice", P{"Filter": "DeviceAccessState -eq 'Quarantined'"})
	if res.Count != 1 || get(t, res.Object(0), "DeviceModel") != "Pixel 6" {
		t.Errorf("quarantined %v", values(t, res, "DeviceModel"))
	}
	if res := invoke(t, s, "Get-MobileDevice", P{"ActiveSync": true}); res.Count != 4 {
		t.Errorf("ActiveSync devices %d", res.Count)
	}
	id := get(t, o, "Identity").(string)
	if res := invoke(t, s, "Get-MobileDevice", P{"Identity": id}); res.Count != 1 {
		t.Errorf("by identity %q: %d", id, res.Count)
	}
	st := invoke(t, s, "Get-MobileDeviceStatistics", P{"Mailbox": "LeeG"})
	if last, ok := get(t, st.Object(1), "LastSuccessSync").(time.Time); !ok || !last.Before(tenant.ReferenceTime().AddDate(0, 0, -180)) {
		t.Errorf("stale device last sync %v", get(t, st.Object(1), "LastSuccessSync"))
	}
	wantErr(t, invokeErr(t, s, "Get-MobileDevice", P{"Mailbox": "ghost"}), 404)
	wantErr(t, invokeErr(t, s, "Get-MobileDeviceStatistics", P{}), 400, "missing mandatory parameters")
}

func TestOrganizationObjects(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-AcceptedDomain", P{})
	if got := values(t, res, "DomainName"); !slices.Equal(got, []string{"contoso.com", "contoso.onmicrosoft.com"}) {
		t.Fatalf("domains %v", got)
	}
	if get(t, res.Object(0), "Default") != true || get(t, res.Object(1), "InitialDomain") != true {
		t.Errorf("default/initial flags wrong")
	}
	wantErr(t, invokeErr(t, s, "Get-AcceptedDomain", P{"Identity": "fabrikam.com"}), 404)
	o := invoke(t, s, "Get-OrganizationConfig", P{}).Object(0)
	if get(t, o, "Name") != testOrg || get(t, o, "DisplayName") != "Contoso" || get(t, o, "AuditDisabled") != false {
		t.Errorf("org config %v", o)
	}
	wantErr(t, invokeErr(t, s, "Get-OrganizationConfig", P{"Identity": "x"}), 400, "cannot be found")
	if get(t, invoke(t, s, "Get-TransportConfig", P{}).Object(0), "SmtpClientAuthenticationDisabled") != true {
		t.Error("SMTP AUTH should be off organization-wide")
	}
	if get(t, invoke(t, s, "Get-AdminAuditLogConfig", P{}).Object(0), "UnifiedAuditLogIngestionEnabled") != true {
		t.Error("unified audit log ingestion should be on")
	}
}

func TestPolicies(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-HostedContentFilterPolicy", P{})
	wantNames(t, res, "Default", "Partner Allow List")
	o := invoke(t, s, "Get-HostedContentFilterPolicy", P{"Identity": "Partner Allow List"}).Object(0)
	if !slices.Contains(get(t, o, "AllowedSenderDomains").([]string), "fabrikam.com") || get(t, o, "IsDefault") != false {
		t.Errorf("partner policy %v", o)
	}
	wantNames(t, invoke(t, s, "Get-AntiPhishPolicy", P{}), "Office365 AntiPhish Default", "Executive Protection")
	o = invoke(t, s, "Get-AntiPhishPolicy", P{"Identity": "Executive Protection"}).Object(0)
	if len(get(t, o, "TargetedUsersToProtect").([]string)) != 2 {
		t.Errorf("protected users %v", get(t, o, "TargetedUsersToProtect"))
	}
	o = invoke(t, s, "Get-MalwareFilterPolicy", P{}).Object(0)
	if get(t, o, "EnableFileFilter") != true || !slices.Contains(get(t, o, "FileTypes").([]string), "exe") {
		t.Errorf("malware policy %v", o)
	}
	res = invoke(t, s, "Get-RetentionPolicy", P{})
	wantNames(t, res, "Default MRM Policy", "Executive 7 Year Retention")
	guid := string(get(t, res.Object(1), "Guid").(exchange.GUID))
	wantNames(t, invoke(t, s, "Get-RetentionPolicy", P{"Identity": guid}), "Executive 7 Year Retention")
	wantErr(t, invokeErr(t, s, "Get-RetentionPolicy", P{"Identity": "nope"}), 404)
}

func TestTransportRules(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-TransportRule", P{})
	if got := values(t, res, "Name"); !slices.Equal(got, []string{"External sender warning", "Block executable attachments", "Copy mail to competitors"}) {
		t.Fatalf("rules %v", got)
	}
	o := res.Object(0)
	if get(t, o, "FromScope") != "NotInOrganization" || get(t, o, "PrependSubject") != "[EXTERNAL] " || get(t, o, "DeleteMessage") != false || get(t, o, "SentTo") != nil {
		t.Errorf("rule 0 %v", o)
	}
	if got := get(t, o, "Conditions").([]string); !slices.Equal(got, []string{"FromScope"}) {
		t.Errorf("conditions %v", got)
	}
	wantNames(t, invoke(t, s, "Get-TransportRule", P{"State": "Disabled"}), "Copy mail to competitors")
	wantNames(t, invoke(t, s, "Get-TransportRule", P{"Filter": "Mode -eq 'Audit'"}), "Copy mail to competitors")

	res = invoke(t, s, "New-TransportRule", P{"Name": "Quarantine invoices", "SubjectContainsWords": []any{"invoice", "payment"},
		"SenderDomainIs": "payments-secure.example", "Quarantine": true, "Priority": 0.0, "Mode": "AuditAndNotify", "MessageSizeOver": "10MB"})
	if o := res.Object(0); get(t, o, "Priority") != int64(0) || get(t, o, "Mode") != "AuditAndNotify" || get(t, o, "MessageSizeOver") != "10 MB (10,485,760 bytes)" {
		t.Fatalf("new rule %v", o)
	}
	if got := values(t, invoke(t, s, "Get-TransportRule", P{}), "Priority"); !slices.Equal(got, []string{"0", "1", "2", "3"}) {
		t.Fatalf("priorities %v", got)
	}
	if got := values(t, invoke(t, s, "Get-TransportRule", P{}), "Name"); got[1] != "External sender warning" {
		t.Fatalf("order after insert %v", got)
	}
	wantErr(t, invokeErr(t, s, "New-TransportRule", P{"Name": "Quarantine invoices"}), 400, "already exists")
	wantErr(t, invokeErr(t, s, "New-TransportRule", P{"Name": "Far", "Priority": 9.0}), 400, "Priority")
	wantErr(t, invokeErr(t, s, "New-TransportRule", P{"Name": "Enum", "FromScope": "Mars"}), 400, "InOrganization")
	wantErr(t, invokeErr(t, s, "New-TransportRule", P{"Name": "DLP", "HasSenderOverride": true}), 400, "does not model")

	invoke(t, s, "Set-TransportRule", P{"Identity": "Quarantine invoices", "SenderDomainIs": nil, "Priority": 3.0, "Comments": "moved"})
	o = invoke(t, s, "Get-TransportRule", P{"Identity": "Quarantine invoices"}).Object(0)
	if get(t, o, "SenderDomainIs") != nil || get(t, o, "Priority") != int64(3) || get(t, o, "Comments") != "moved" {
		t.Fatalf("after Set %v", o)
	}
	invoke(t, s, "Disable-TransportRule", P{"Identity": "Quarantine invoices"})
	if get(t, invoke(t, s, "Get-TransportRule", P{"Identity": "Quarantine invoices"}).Object(0), "State") != "Disabled" {
		t.Fatal("Disable-TransportRule")
	}
	invoke(t, s, "Enable-TransportRule", P{"Identity": "Quarantine invoices"})
	invoke(t, s, "Remove-TransportRule", P{"Identity": "Block executable attachments", "Confirm": false})
	if got := values(t, invoke(t, s, "Get-TransportRule", P{}), "Priority"); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("priorities after remove %v", got)
	}
	wantErr(t, invokeErr(t, s, "Remove-TransportRule", P{"Identity": "Block executable attachments"}), 404)
	if e := lastAudit(t, s); get(t, e, "CmdletName") != "Remove-TransportRule" || get(t, e, "Succeeded") != false {
		t.Errorf("audit %v", e)
	}
}

func TestGetMessageTraceV2(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-MessageTraceV2", P{})
	if res.Count != 11 {
		t.Fatalf("last 48 hours: %d records", res.Count)
	}
	first, last := get(t, res.Object(0), "Received").(time.Time), get(t, res.Object(res.Count-1), "Received").(time.Time)
	if !first.After(last) || last.Before(tenant.ReferenceTime().Add(-48*time.Hour)) {
		t.Errorf("order or window wrong: %v .. %v", first, last)
	}
	wantSubjects := func(res *exchange.Result, want ...string) {
		t.Helper()
		if got := values(t, res, "Subject"); !slices.Equal(got, want) {
			t.Errorf("subjects %q, want %q", got, want)
		}
	}
	wantSubjects(invoke(t, s, "Get-MessageTraceV2", P{"SenderAddress": "isaiahl@contoso.com"}), "Quote 2212", "Quote 2211")
	wantSubjects(invoke(t, s, "Get-MessageTraceV2", P{"RecipientAddress": "*@gmail.com", "StartDate": "2026-10-29", "EndDate": "2026-11-01T12:00:00Z"}), "FW: Weekly retail digest")
	wantSubjects(invoke(t, s, "Get-MessageTraceV2", P{"Status": []any{"Failed", "Quarantined"}}), "Invoice overdue - action required", "Quote 2212")
	wantSubjects(invoke(t, s, "Get-MessageTraceV2", P{"Subject": "all hands", "RecipientAddress": "AdeleV@contoso.com"}), "All hands on Friday")

	// ResultSize cuts the list and the warning names the follow-up query,
	// which continues exactly after the last record.
	var seen []string
	params := P{"StartDate": "2026-10-30T00:00:00Z", "EndDate": "2026-11-01T12:00:00Z", "ResultSize": 5.0}
	for range 10 {
		res := invoke(t, s, "Get-MessageTraceV2", params)
		for _, o := range objects(res) {
			seen = append(seen, string(get(t, o, "MessageTraceId").(exchange.GUID)))
		}
		if len(res.Warnings) == 0 {
			break
		}
		w := res.Warnings[0]
		end := between(w, `-EndDate "`, `"`)
		next := between(w, `-StartingRecipientAddress "`, `"`)
		if end == "" || next == "" {
			t.Fatalf("warning %q lacks the follow-up query", w)
		}
		params = P{"StartDate": "2026-10-30T00:00:00Z", "EndDate": end, "StartingRecipientAddress": next, "ResultSize": 5.0}
	}
	all := invoke(t, s, "Get-MessageTraceV2", P{"StartDate": "2026-10-30T00:00:00Z", "EndDate": "2026-11-01T12:00:00Z"})
	if len(seen) != all.Count || all.Count != 16 {
		t.Fatalf("paged %d records, one query %d", len(seen), all.Count)
	}
	for i, o := range objects(all) {
		if string(get(t, o, "MessageTraceId").(exchange.GUID)) != seen[i] {
			t.Fatalf("record %d differs between paged and single query", i)
		}
	}

	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"StartDate": "2026-10-01", "EndDate": "2026-10-20"}), 400, "10 days")
	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"StartDate": "2026-06-01", "EndDate": "2026-06-02"}), 400, "90 days")
	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"StartDate": "2026-10-31", "EndDate": "2026-10-30"}), 400, "earlier")
	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"ResultSize": 6000.0}), 400, "5000")
	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"Status": "Lost"}), 400, "Lost")
	wantErr(t, invokeErr(t, s, "Get-MessageTraceV2", P{"StartDate": "yesterday"}), 400, "System.DateTime")
}

func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}

func TestSearchAdminAuditLog(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Search-AdminAuditLog", P{})
	if got := values(t, res, "CmdletName"); !slices.Equal(got, []string{"Set-TransportRule", "New-DistributionGroup", "Add-MailboxPermission", "Set-Mailbox"}) {
		t.Fatalf("fixture entries (newest first) %v", got)
	}
	if get(t, res.Object(0), "Succeeded") != false || get(t, res.Object(1), "Error") != "None" {
		t.Errorf("success flags wrong")
	}
	invoke(t, s, "Set-Mailbox", P{"Identity": "PattiF", "HiddenFromAddressListsEnabled": true})
	res = invoke(t, s, "Search-AdminAuditLog", P{"Cmdlets": "Set-Mailbox"})
	if res.Count != 2 || get(t, res.Object(0), "ObjectModified") != "PattiF" || get(t, res.Object(0), "Caller") != testOrg+"/"+testApp {
		t.Fatalf("Set-Mailbox entries %v", objects(res))
	}
	wantNames := func(res *exchange.Result, want ...string) {
		t.Helper()
		if got := values(t, res, "ObjectModified"); !slices.Equal(got, want) {
			t.Errorf("objects %v, want %v", got, want)
		}
	}
	wantNames(invoke(t, s, "Search-AdminAuditLog", P{"ObjectIds": []any{"Sales", "AlexW"}}), "Sales", "AlexW")
	wantNames(invoke(t, s, "Search-AdminAuditLog", P{"IsSuccess": false}), "Copy mail to competitors")
	wantNames(invoke(t, s, "Search-AdminAuditLog", P{"StartDate": "2026-10-20", "EndDate": "2026-10-31"}), "Copy mail to competitors", "ProjectPhoenix")
	wantNames(invoke(t, s, "Search-AdminAuditLog", P{"UserIds": testOrg + "/*"}), "PattiF")
	wantNames(invoke(t, s, "Search-AdminAuditLog", P{"Parameters": "ForwardingSmtpAddress"}), "AlexW")
	res = invoke(t, s, "Search-AdminAuditLog", P{"ResultSize": 2.0, "StartIndex": 1.0})
	if res.Count != 2 || len(res.Warnings) != 1 {
		t.Errorf("paged: %d %v", res.Count, res.Warnings)
	}
	wantErr(t, invokeErr(t, s, "Search-AdminAuditLog", P{"ResultSize": 0.0}), 400, "ResultSize")
}

func TestComplianceCmdlets(t *testing.T) {
	s := fixtureStore(t)
	scc := func(cmdlet string, params P) *exchange.Result {
		t.Helper()
		c := call(cmdlet, params)
		c.Service = catalog.Compliance
		res, err := s.Invoke(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", cmdlet, err)
		}
		return res
	}
	res := scc("Get-DlpCompliancePolicy", P{})
	wantNames(t, res, "U.S. Financial Data", "GDPR Enhanced")
	if get(t, res.Object(0), "Workload") != "Exchange, SharePoint, OneDriveForBusiness" || get(t, res.Object(1), "Mode") != "TestWithNotifications" {
		t.Errorf("dlp %v", objects(res))
	}
	wantNames(t, scc("Get-RetentionCompliancePolicy", P{}), "Org-wide 7 years", "Teams chats 1 year")
	res = scc("Get-ComplianceSearch", P{"Case": "Phoenix v. Litware"})
	if res.Count != 1 || get(t, res.Object(0), "Status") != "Completed" || get(t, res.Object(0), "Items") != int64(1284) {
		t.Errorf("searches %v", objects(res))
	}
	res = scc("Get-Label", P{})
	if res.Count != 5 {
		t.Fatalf("labels %d", res.Count)
	}
	parent := get(t, res.Object(2), "Guid")
	if get(t, res.Object(3), "ParentId") != parent || get(t, res.Object(0), "ParentId") != nil {
		t.Errorf("sub-label parent %v, want %v", get(t, res.Object(3), "ParentId"), parent)
	}
	wantNames(t, scc("Get-Label", P{"Identity": "Confidential"}), "Confidential")
	c := call("Get-Label", P{"Identity": "nope"})
	c.Service = catalog.Compliance
	if _, err := s.Invoke(context.Background(), c); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing label: %v", err)
	}
}
