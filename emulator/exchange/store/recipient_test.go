package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

func TestGetMailboxListsEveryMailbox(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-Mailbox", P{})
	if res.Count != 12 || len(res.Warnings) != 0 {
		t.Fatalf("count %d warnings %v, want 12 and none", res.Count, res.Warnings)
	}
	kinds := map[string]int{}
	for _, k := range values(t, res, "RecipientTypeDetails") {
		kinds[k]++
	}
	want := map[string]int{"UserMailbox": 8, "SharedMailbox": 2, "RoomMailbox": 1, "EquipmentMailbox": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%s: %d, want %d", k, kinds[k], n)
		}
	}
	o := res.Object(1)
	if get(t, o, "Name") != "AdeleV" || get(t, o, "ProhibitSendQuota") != "99 GB (106,300,440,576 bytes)" {
		t.Errorf("AdeleV rendered as %v / %v", get(t, o, "Name"), get(t, o, "ProhibitSendQuota"))
	}
	if _, ok := get(t, o, "ExchangeGuid").(exchange.GUID); !ok {
		t.Error("ExchangeGuid is not a GUID value")
	}
	if _, ok := get(t, o, "WhenCreated").(time.Time); !ok {
		t.Error("WhenCreated is not a time")
	}
	if o[0].Name != "Database" || o[len(o)-1].Name != "ObjectState" {
		t.Errorf("property order starts %s ends %s", o[0].Name, o[len(o)-1].Name)
	}
}

func TestGetMailboxIdentityForms(t *testing.T) {
	s := fixtureStore(t)
	adele := invoke(t, s, "Get-Mailbox", P{"Identity": "AdeleV"}).Object(0)
	forms := []string{
		"adelev", "AdeleV@contoso.com", "adelev@contoso.onmicrosoft.com", "smtp:AdeleV@contoso.onmicrosoft.com",
		"Adele Vance", string(get(t, adele, "Guid").(exchange.GUID)), string(get(t, adele, "ExchangeGuid").(exchange.GUID)),
		strings.ToUpper(get(t, adele, "ExternalDirectoryObjectId").(string)), get(t, adele, "DistinguishedName").(string),
		"{" + string(get(t, adele, "Guid").(exchange.GUID)) + "}",
	}
	for _, id := range forms {
		res := invoke(t, s, "Get-Mailbox", P{"Identity": id})
		if res.Count != 1 || get(t, res.Object(0), "Name") != "AdeleV" {
			t.Errorf("identity %q: %v", id, values(t, res, "Name"))
		}
	}
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Identity": "A*"}), "AdeleV", "AlexW")
	xe := invokeErr(t, s, "Get-Mailbox", P{"Identity": "nobody@contoso.com"})
	wantErr(t, xe, 404, "nobody@contoso.com", "couldn't be found")
	if xe.Exception != "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" {
		t.Errorf("exception %s", xe.Exception)
	}
	// A contact is a recipient but not a mailbox.
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"Identity": "FabrikamSupport"}), 404)
}

func TestIdentityMatchingSeveralObjectsIsAmbiguous(t *testing.T) {
	s := fixtureStore(t)
	invoke(t, s, "Set-Mailbox", P{"Identity": "AlexW", "DisplayName": "Sam Taylor"})
	invoke(t, s, "Set-Mailbox", P{"Identity": "GradyA", "DisplayName": "Sam Taylor"})
	xe := invokeErr(t, s, "Get-Mailbox", P{"Identity": "Sam Taylor"})
	wantErr(t, xe, 400, "The operation couldn't be performed because 'Sam Taylor' matches multiple entries.")
	// The aliases still tell them apart.
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Identity": "alexw"}), "AlexW")
}

func TestResultSizeAndWarning(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-Mailbox", P{"ResultSize": 5.0})
	if res.Count != 5 || len(res.Warnings) != 1 || res.Warnings[0] != moreResults {
		t.Fatalf("count %d warnings %q", res.Count, res.Warnings)
	}
	for _, size := range []any{12.0, "12", "Unlimited", "unlimited"} {
		res := invoke(t, s, "Get-Mailbox", P{"ResultSize": size})
		if res.Count != 12 || len(res.Warnings) != 0 {
			t.Errorf("ResultSize %v: count %d warnings %v", size, res.Count, res.Warnings)
		}
	}
	for _, bad := range []any{"lots", 0.0, -3.0, 2.5} {
		wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"ResultSize": bad}), 400, "ResultSize")
	}
	res = invoke(t, s, "Get-Recipient", P{"ResultSize": 1.0})
	if res.Count != 1 || len(res.Warnings) != 1 {
		t.Fatalf("Get-Recipient: count %d warnings %v", res.Count, res.Warnings)
	}
}

func TestGetMailboxFilter(t *testing.T) {
	s := fixtureStore(t)
	cases := map[string][]string{
		"RecipientTypeDetails -eq 'SharedMailbox'":                                 {"Sales", "Info"},
		"ForwardingSmtpAddress -ne $null":                                          {"AlexW"},
		"LitigationHoldEnabled -eq $true":                                          {"DiegoS"},
		"Department -eq 'Marketing'":                                               nil, // not a Get-Mailbox property: see below
		"DisplayName -like 'Conf*' -or DisplayName -like 'Projector*'":             {"ConfRoomAdams", "Projector01"},
		"(RecipientTypeDetails -eq 'UserMailbox') -and -not (Office -like '1*')":   {"LeeG", "IsaiahL"},
		"EmailAddresses -like 'smtp:sales@*'":                                      {"Sales"},
		"ArchiveStatus -eq 'Active'":                                               {"LeeG", "DiegoS"},
		"ProhibitSendQuota -lt '60GB'":                                             {"IsaiahL", "Sales", "Info", "ConfRoomAdams", "Projector01"},
		"WhenCreated -gt '2024-01-01' -and RecipientTypeDetails -eq 'UserMailbox'": {"GradyA", "IsaiahL", "PattiF"},
		"HiddenFromAddressListsEnabled -eq 'True'":                                 {"Projector01"},
		"name -eq 'adelev'":                                                        {"AdeleV"},
		"GrantSendOnBehalfTo -ne $null":                                            {"MeganB", "LeeG"},
	}
	for filter, want := range cases {
		if want == nil {
			xe := invokeErr(t, s, "Get-Mailbox", P{"Filter": filter})
			wantErr(t, xe, 400, "\"Department\" is not a recognized filterable property", "position 1")
			continue
		}
		if got := values(t, invoke(t, s, "Get-Mailbox", P{"Filter": filter}), "Name"); !sameSet(got, want) {
			t.Errorf("%s: %v, want %v", filter, got, want)
		}
	}
	xe := invokeErr(t, s, "Get-Mailbox", P{"Filter": "Name -eq"})
	wantErr(t, xe, 400, "Invalid filter syntax", "position 9", "expected a value")
	xe = invokeErr(t, s, "Get-Mailbox", P{"Filter": "(Name -eq 'x'"})
	wantErr(t, xe, 400, "position 14")
}

func TestGetMailboxSelectors(t *testing.T) {
	s := fixtureStore(t)
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"RecipientTypeDetails": "RoomMailbox"}), "ConfRoomAdams")
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"RecipientTypeDetails": []any{"RoomMailbox", "EquipmentMailbox"}}), "ConfRoomAdams", "Projector01")
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"RecipientTypeDetails": "Bogus"}), 400, "Bogus")
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Anr": "ad"}), "AdeleV")
	wantNames(t, invoke(t, s, "Get-Mailbox", P{"Archive": true}), "LeeG", "DiegoS")
	if res := invoke(t, s, "Get-Mailbox", P{"SoftDeletedMailbox": true}); res.Count != 0 {
		t.Errorf("soft-deleted mailboxes: %d", res.Count)
	}
	// Partial parameter names bind as in PowerShell.
	if res := invoke(t, s, "Get-Mailbox", P{"resultS": 2.0}); res.Count != 2 {
		t.Errorf("prefix ResultS: %d", res.Count)
	}
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"Re": 2.0}), 400, "ambiguous", "-RecipientTypeDetails", "-ResultSize")
}

func TestParameterErrors(t *testing.T) {
	s := fixtureStore(t)
	xe := invokeErr(t, s, "Get-Mailbox", P{"Frobnicate": true})
	wantErr(t, xe, 400, "A parameter cannot be found that matches parameter name 'Frobnicate'.")
	if xe.Exception != "System.Management.Automation.ParameterBindingException" {
		t.Errorf("exception %s", xe.Exception)
	}
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"SortBy": "Name"}), 400, "does not model the parameter 'SortBy' of Get-Mailbox")
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"Identity": "AdeleV", "Anr": "Ad"}), 400, "Parameter set cannot be resolved")
	wantErr(t, invokeErr(t, s, "Get-Mailbox", P{"Identity": "AdeleV", "identity": "AlexW"}), 400, "specified more than once")
	// A Security & Compliance-only parameter does not exist in Exchange.
	wantErr(t, invokeErr(t, s, "Get-Recipient", P{"Frob": 1.0}), 400, "cannot be found")
	// PowerShell's common parameters bind everywhere and change nothing.
	if res := invoke(t, s, "Get-Mailbox", P{"ErrorAction": "Stop", "Identity": "AdeleV"}); res.Count != 1 {
		t.Errorf("with -ErrorAction: %d", res.Count)
	}
}

func TestGetRecipient(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-Recipient", P{"ResultSize": "Unlimited"})
	if res.Count != 22 {
		t.Fatalf("recipients %d, want 22 (12 mailboxes, 2 mail users, 2 contacts, 4 groups, 2 Microsoft 365 groups)", res.Count)
	}
	wantNames(t, invoke(t, s, "Get-Recipient", P{"RecipientTypeDetails": "MailContact"}), "FabrikamSupport", "TailspinBilling")
	wantNames(t, invoke(t, s, "Get-Recipient", P{"RecipientTypeDetails": "GroupMailbox"}), "SalesAndMarketing", "Retail")
	wantNames(t, invoke(t, s, "Get-Recipient", P{"RecipientType": "MailUser"}), "jordan.miller_fabrikam.com#EXT#", "SamR")
	wantNames(t, invoke(t, s, "Get-Recipient", P{"Filter": "ExternalEmailAddress -like '*fabrikam.com'"}), "jordan.miller_fabrikam.com#EXT#", "FabrikamSupport")
	wantNames(t, invoke(t, s, "Get-Recipient", P{"Identity": "support@fabrikam.com"}), "FabrikamSupport")
	// A user without a mailbox is no recipient.
	wantErr(t, invokeErr(t, s, "Get-Recipient", P{"Identity": "ChristieC"}), 404)
}

func TestGetUser(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-User", P{})
	if res.Count != 15 { // 12 mailboxes, ChristieC, two mail users
		t.Fatalf("users %d: %v", res.Count, values(t, res, "Name"))
	}
	wantNames(t, invoke(t, s, "Get-User", P{"RecipientTypeDetails": "User"}), "ChristieC")
	wantNames(t, invoke(t, s, "Get-User", P{"Filter": "Department -eq 'Marketing'"}), "AlexW", "MeganB")
	o := invoke(t, s, "Get-User", P{"Identity": "AlexW"}).Object(0)
	if get(t, o, "Title") != "Marketing Assistant" || get(t, o, "Manager") != "LeeG" {
		t.Errorf("AlexW: title %v manager %v", get(t, o, "Title"), get(t, o, "Manager"))
	}
	wantErr(t, invokeErr(t, s, "Get-User", P{"Identity": "FabrikamSupport"}), 404)
}

func TestGetMailUserAndContact(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-MailUser", P{})
	if got := values(t, res, "RecipientTypeDetails"); !sameSet(got, []string{"GuestMailUser", "MailUser"}) {
		t.Errorf("mail users %v", got)
	}
	wantNames(t, invoke(t, s, "Get-MailContact", P{"ANR": "tail"}), "TailspinBilling")
}

func TestGetMailboxStatistics(t *testing.T) {
	s := fixtureStore(t)
	wantErr(t, invokeErr(t, s, "Get-MailboxStatistics", P{}), 400, "missing mandatory parameters: Identity")
	o := invoke(t, s, "Get-MailboxStatistics", P{"Identity": "alexw@contoso.com"}).Object(0)
	if get(t, o, "TotalItemSize") != "1.2 GB (1,288,490,188 bytes)" || get(t, o, "ItemCount") != int64(11327) {
		t.Errorf("AlexW: %v, %v", get(t, o, "TotalItemSize"), get(t, o, "ItemCount"))
	}
	if get(t, o, "DisplayName") != "Alex Wilber" || get(t, o, "MailboxTypeDetail") != "UserMailbox" {
		t.Errorf("AlexW: %v %v", get(t, o, "DisplayName"), get(t, o, "MailboxTypeDetail"))
	}
	if v := get(t, invoke(t, s, "Get-MailboxStatistics", P{"Identity": "PattiF"}).Object(0), "LastLogonTime"); v != nil {
		t.Errorf("PattiF never logged on, LastLogonTime %v", v)
	}
	stale := 0
	for _, name := range values(t, invoke(t, s, "Get-Mailbox", P{}), "Name") {
		o := invoke(t, s, "Get-MailboxStatistics", P{"Identity": name}).Object(0)
		if last, ok := get(t, o, "LastLogonTime").(time.Time); ok && last.Before(tenant.ReferenceTime().AddDate(0, 0, -90)) {
			stale++
		}
	}
	if stale < 3 {
		t.Errorf("%d mailboxes with a logon older than 90 days, the fixture promises some", stale)
	}
	wantErr(t, invokeErr(t, s, "Get-MailboxStatistics", P{"Identity": "nobody"}), 404)
}

func TestNotModelledAndUnknownTenant(t *testing.T) {
	s := fixtureStore(t)
	_, err := s.Invoke(context.Background(), call("Get-MailboxFolderStatistics", P{"Identity": "AdeleV"}))
	if !errors.Is(err, exchange.ErrNotModelled) || !strings.Contains(err.Error(), "Get-MailboxFolderStatistics") {
		t.Fatalf("not modelled: %v", err)
	}
	// Compliance cmdlets are not served by the Exchange endpoint, and the
	// other way round.
	_, err = s.Invoke(context.Background(), call("Get-Label", P{}))
	if !errors.Is(err, exchange.ErrNotModelled) {
		t.Fatalf("Get-Label on Exchange: %v", err)
	}
	c := call("Get-Mailbox", P{})
	c.Service = catalog.Compliance
	if _, err := s.Invoke(context.Background(), c); !errors.Is(err, exchange.ErrNotModelled) {
		t.Fatalf("Get-Mailbox on Compliance: %v", err)
	}
	c = call("Get-Mailbox", P{})
	c.Caller.TenantID = "00000000-0000-0000-0000-000000000000"
	if _, err := s.Invoke(context.Background(), c); !errors.Is(err, ErrUnknownTenant) {
		t.Fatalf("unknown tenant: %v", err)
	}
	// Cmdlet names are case-insensitive, as the service treats them.
	if res := invoke(t, s, "get-mailbox", P{"identity": "adelev"}); res.Count != 1 {
		t.Fatal("lower-case cmdlet")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Invoke(ctx, call("Get-Mailbox", P{})); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestModelled(t *testing.T) {
	s := fixtureStore(t)
	exo := s.Modelled(catalog.Exchange)
	scc := s.Modelled(catalog.Compliance)
	for _, want := range []string{"Get-Mailbox", "Set-Mailbox", "Get-InboxRule", "Get-MessageTraceV2", "Search-AdminAuditLog", "New-TransportRule"} {
		if !containsFold(exo, want) {
			t.Errorf("Exchange lacks %s", want)
		}
	}
	if len(scc) != 4 || !containsFold(scc, "Get-Label") {
		t.Errorf("Compliance: %v", scc)
	}
}
