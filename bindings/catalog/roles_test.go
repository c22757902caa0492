package catalog

import "testing"

func role(t *testing.T, name string) Role {
	t.Helper()
	r, ok := RoleByName(name)
	if !ok {
		t.Fatalf("no role %q", name)
	}
	return r
}

func TestGrantsPerRole(t *testing.T) {
	cases := []struct {
		role    string
		service Service
		must    []string
		mustNot []string
	}{
		{"Global Administrator", Exchange, []string{"Set-Mailbox", "Remove-TransportRule", "Get-InboxRule"}, nil},
		{"Global Administrator", Compliance, []string{"Get-DlpCompliancePolicy", "New-RetentionCompliancePolicy"}, nil},
		{"Exchange Administrator", Exchange, []string{"Set-Mailbox", "New-TransportRule", "Set-HostedContentFilterPolicy"}, nil},
		{"Exchange Administrator", Compliance, nil, []string{"Get-DlpCompliancePolicy"}},
		{"Global Reader", Exchange, []string{"Get-Mailbox", "Get-TransportRule", "Search-AdminAuditLog"}, []string{"Set-Mailbox", "Add-MailboxPermission", "Get-InboxRule"}},
		{"Global Reader", Compliance, []string{"Get-Label", "Get-ComplianceSearch"}, []string{"New-ComplianceSearch"}},
		{"Exchange Recipient Administrator", Exchange, []string{"Set-Mailbox", "Add-DistributionGroupMember", "Get-OrganizationConfig"}, []string{"New-TransportRule", "Set-HostedContentFilterPolicy"}},
		{"Helpdesk Administrator", Exchange, []string{"Get-Mailbox", "Set-MailboxAutoReplyConfiguration"}, []string{"Set-Mailbox", "Get-TransportRule"}},
		{"Security Administrator", Exchange, []string{"Get-Mailbox", "Set-AdminAuditLogConfig", "New-TransportRule"}, []string{"Set-Mailbox", "Set-HostedContentFilterPolicy"}},
		{"Security Reader", Exchange, []string{"Get-HostedContentFilterPolicy", "Get-TransportRule"}, []string{"Get-Mailbox", "Set-TransportRule"}},
		{"Compliance Administrator", Exchange, []string{"Get-Mailbox", "New-RetentionPolicy", "Set-TransportRule"}, []string{"Set-Mailbox"}},
		{"Compliance Administrator", Compliance, []string{"New-DlpCompliancePolicy"}, nil},
		{"Directory Readers", Exchange, nil, []string{"Get-Mailbox"}},
	}
	for _, c := range cases {
		r := role(t, c.role)
		for _, cmd := range c.must {
			if !Grants(r, cmd, c.service) {
				t.Errorf("%s must grant %s on %s", c.role, cmd, c.service)
			}
		}
		for _, cmd := range c.mustNot {
			if Grants(r, cmd, c.service) {
				t.Errorf("%s must not grant %s on %s", c.role, cmd, c.service)
			}
		}
	}
}

func TestRoleLookups(t *testing.T) {
	if r, ok := RoleByTemplateID("29232CDF-9323-42fd-ade2-1d097af3e4de"); !ok || r.Name != "Exchange Administrator" {
		t.Errorf("by template id: %v %v", r, ok)
	}
	if _, ok := RoleByName("globalreader"); !ok {
		t.Error("names match without spaces and case")
	}
	got := GrantingRoles("Set-Mailbox", Exchange)
	if len(got) != 3 || got[0].Name != "Global Administrator" || got[2].Name != "Exchange Recipient Administrator" {
		t.Errorf("GrantingRoles(Set-Mailbox) = %v", got)
	}
}

func TestKnownFromReference(t *testing.T) {
	for _, c := range []struct {
		service Service
		name    string
		want    bool
	}{
		{Exchange, "Get-Mailbox", true},
		{Exchange, "get-place", true},
		{Exchange, "Get-DlpCompliancePolicy", false},
		{Compliance, "Get-DlpCompliancePolicy", true},
		{Exchange, "Get-Frobnicator", false},
	} {
		if got := Known(c.service, c.name); got != c.want {
			t.Errorf("Known(%s, %s) = %v, want %v", c.service, c.name, got, c.want)
		}
	}
}
