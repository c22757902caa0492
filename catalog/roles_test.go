package catalog

import (
	"strings"
	"testing"
)

func role(t *testing.T, name string) Role {
	t.Helper()
	r, ok := RoleByName(name)
	if !ok {
		t.Fatalf("no role %q", name)
	}
	return r
}

// grantCase names, per role and service, cmdlets that must and must not
// be granted. Every name must be a cmdlet of the catalog, so a typo fails.
type grantCase struct {
	service Service
	must    []string
	mustNot []string
}

func checkGrants(t *testing.T, roleName string, cases []grantCase) {
	t.Helper()
	r := role(t, roleName)
	for _, c := range cases {
		for _, list := range [][]string{c.must, c.mustNot} {
			for _, n := range list {
				if _, ok := Lookup(n); !ok {
					t.Errorf("test names %s, not a cmdlet of the catalog", n)
				}
			}
		}
		for _, n := range c.must {
			if !Grants(r, n, c.service) {
				t.Errorf("%s must grant %s on %s", roleName, n, c.service)
			}
		}
		for _, n := range c.mustNot {
			if Grants(r, n, c.service) {
				t.Errorf("%s must not grant %s on %s", roleName, n, c.service)
			}
		}
	}
}

func TestGlobalAdministrator(t *testing.T) {
	checkGrants(t, "Global Administrator", []grantCase{
		{Exchange, []string{"Set-Mailbox", "Remove-TransportRule", "Get-InboxRule", "Set-HostedContentFilterPolicy", "New-UnifiedGroup", "Get-EXOMailbox"}, []string{"Get-DlpCompliancePolicy"}},
		{Compliance, []string{"Get-DlpCompliancePolicy", "New-RetentionCompliancePolicy", "New-ComplianceSearch", "Get-Recipient"}, []string{"Set-Mailbox"}},
	})
}

func TestExchangeAdministrator(t *testing.T) {
	checkGrants(t, "Exchange Administrator", []grantCase{
		{Exchange, []string{"Set-Mailbox", "New-TransportRule", "Set-HostedContentFilterPolicy", "New-AntiPhishPolicy",
			"Set-OrganizationConfig", "Get-InboxRule", "New-ManagementRoleAssignment", "Get-DataRetentionReport"}, nil},
		{Compliance, nil, []string{"Get-DlpCompliancePolicy", "Get-Recipient", "Get-ComplianceSearch"}},
	})
}

func TestExchangeRecipientAdministrator(t *testing.T) {
	checkGrants(t, "Exchange Recipient Administrator", []grantCase{
		{Exchange, []string{"Set-Mailbox", "New-Mailbox", "Add-DistributionGroupMember", "Set-CASMailbox", "Add-MailboxPermission",
			"Add-RecipientPermission", "Set-UnifiedGroup", "New-MoveRequest", "Undo-SoftDeletedMailbox", "Get-OrganizationConfig",
			"Get-TransportRule", "Get-InboxRule", "Set-CalendarProcessing", "New-MigrationBatch"},
			[]string{"New-TransportRule", "Set-HostedContentFilterPolicy", "Set-OrganizationConfig", "New-RetentionPolicy",
				"Set-AdminAuditLogConfig", "New-ManagementRoleAssignment"}},
		{Compliance, nil, []string{"Get-Recipient", "Get-Label"}},
	})
}

func TestHelpdeskAdministrator(t *testing.T) {
	checkGrants(t, "Helpdesk Administrator", []grantCase{
		{Exchange, []string{"Get-Mailbox", "Get-EXOMailbox", "Get-Recipient", "Set-MailboxAutoReplyConfiguration",
			"Set-MailboxRegionalConfiguration", "Set-FocusedInbox", "Get-InboxRule"},
			[]string{"Set-Mailbox", "Get-TransportRule", "Add-MailboxPermission", "Get-OrganizationConfig", "New-InboxRule"}},
		{Compliance, nil, []string{"Get-Recipient"}},
	})
}

func TestGlobalReader(t *testing.T) {
	checkGrants(t, "Global Reader", []grantCase{
		{Exchange, []string{"Get-Mailbox", "Get-TransportRule", "Search-AdminAuditLog", "Search-UnifiedAuditLog",
			"Test-ApplicationAccessPolicy", "Get-HostedContentFilterPolicy", "Get-EXOMailbox"},
			[]string{"Set-Mailbox", "Add-MailboxPermission", "Get-InboxRule", "Export-QuarantineMessage", "New-TransportRule"}},
		{Compliance, []string{"Get-Label", "Get-ComplianceSearch", "Get-DlpCompliancePolicy"},
			[]string{"New-ComplianceSearch", "Set-Label", "Start-ComplianceSearch"}},
	})
}

func TestSecurityReader(t *testing.T) {
	checkGrants(t, "Security Reader", []grantCase{
		{Exchange, []string{"Get-HostedContentFilterPolicy", "Get-TransportRule", "Get-DkimSigningConfig",
			"Get-SafeLinksPolicy", "Get-QuarantineMessage", "Get-MessageTraceV2", "Search-UnifiedAuditLog",
			"Get-AdminAuditLogConfig", "Get-MailDetailATPReport"},
			[]string{"Get-Mailbox", "Get-DistributionGroup", "Set-TransportRule", "Get-InboxRule", "Set-HostedContentFilterPolicy",
				"Get-RetentionPolicy"}},
		{Compliance, []string{"Get-DlpCompliancePolicy", "Get-ProtectionAlert", "Get-Label"},
			[]string{"New-DlpCompliancePolicy", "Set-ProtectionAlert"}},
	})
}

func TestSecurityAdministrator(t *testing.T) {
	checkGrants(t, "Security Administrator", []grantCase{
		{Exchange, []string{"Get-Mailbox", "Set-AdminAuditLogConfig", "New-TransportRule", "Set-DkimSigningConfig",
			"New-InboundConnector", "Get-HostedContentFilterPolicy", "Set-MailboxAuditBypassAssociation"},
			// PROTOCOL.md 2.4: no recipient management, no anti-spam,
			// anti-malware or anti-phishing.
			[]string{"Set-Mailbox", "New-DistributionGroup", "Add-MailboxPermission", "Set-HostedContentFilterPolicy",
				"New-MalwareFilterPolicy", "Set-AntiPhishPolicy", "New-SafeLinksPolicy", "Set-QuarantinePolicy",
				"New-TenantAllowBlockListItems", "Get-InboxRule", "New-RetentionPolicy"}},
		{Compliance, []string{"New-DlpCompliancePolicy", "Set-ProtectionAlert", "New-ComplianceSearch"}, nil},
	})
}

func TestComplianceAdministrator(t *testing.T) {
	checkGrants(t, "Compliance Administrator", []grantCase{
		{Exchange, []string{"Get-Mailbox", "New-RetentionPolicy", "Set-TransportRule", "New-JournalRule", "Set-AdminAuditLogConfig",
			"New-DlpPolicy", "Set-IRMConfiguration", "Start-ManagedFolderAssistant"},
			[]string{"Set-Mailbox", "Set-HostedContentFilterPolicy", "New-DistributionGroup", "Set-DkimSigningConfig"}},
		{Compliance, []string{"New-DlpCompliancePolicy", "New-RetentionCompliancePolicy", "Get-ComplianceSearch", "New-Label"}, nil},
	})
}

func TestRolesNotHonoured(t *testing.T) {
	for _, name := range []string{"Directory Readers", "Security Operator", "Compliance Data Administrator"} {
		checkGrants(t, name, []grantCase{
			{Exchange, nil, []string{"Get-Mailbox", "Get-OrganizationConfig"}},
			{Compliance, nil, []string{"Get-Label"}},
		})
	}
}

// TestGrantInvariants checks each role's rules against the whole catalog.
func TestGrantInvariants(t *testing.T) {
	rs := loadedRules()
	for _, c := range All() {
		srv := c.Server()
		for _, svc := range []Service{Exchange, Compliance} {
			for _, r := range Roles() {
				got := Grants(r, c.Name, svc)
				if !c.Runs(svc) || !r.Honours(svc) {
					if got {
						t.Errorf("%s grants %s on %s, which it cannot", r.Name, c.Name, svc)
					}
					continue
				}
				write := srv.Effect == Write
				switch r.Name {
				case "Global Administrator":
					if !got {
						t.Errorf("Global Administrator must grant %s on %s", c.Name, svc)
					}
				case "Exchange Administrator":
					if got != (svc == Exchange) {
						t.Errorf("Exchange Administrator: %s on %s = %v", c.Name, svc, got)
					}
				case "Global Reader", "Security Reader":
					if got && write {
						t.Errorf("%s grants the write %s", r.Name, c.Name)
					}
					if got && has(rs.readerExceptions, srv.Name) {
						t.Errorf("%s grants the reader exception %s", r.Name, srv.Name)
					}
					if r.Name == "Global Reader" && got != (!write && !has(rs.readerExceptions, srv.Name)) {
						t.Errorf("Global Reader: %s = %v", c.Name, got)
					}
					if r.Name == "Security Reader" && got && !Grants(role(t, "Global Reader"), c.Name, svc) {
						t.Errorf("Security Reader reads %s, Global Reader does not", c.Name)
					}
				case "Security Administrator":
					if svc == Exchange && got && write && (has(rs.recipient, srv.Noun) || has(rs.threat, srv.Noun)) {
						t.Errorf("Security Administrator grants %s (recipient or threat management)", c.Name)
					}
				case "Compliance Administrator":
					if svc == Exchange && got && write && !has(rs.compliance, srv.Noun) {
						t.Errorf("Compliance Administrator grants %s outside its nouns", c.Name)
					}
				case "Exchange Recipient Administrator":
					if got && write && !has(rs.recipient, srv.Noun) {
						t.Errorf("Exchange Recipient Administrator grants %s outside recipient nouns", c.Name)
					}
				case "Helpdesk Administrator":
					if got && write && !has(rs.helpdeskWrite, srv.Noun) {
						t.Errorf("Helpdesk Administrator grants the write %s", c.Name)
					}
				}
			}
		}
	}
}

// TestNounGroupsAreRealNouns: a typo in a group would silently grant
// nothing, so every entry must be the noun of a catalog cmdlet, and the
// exceptions must be catalog cmdlets.
func TestNounGroupsAreRealNouns(t *testing.T) {
	nouns := map[string]string{}
	for _, c := range All() {
		nouns[strings.ToLower(c.Noun)] = c.Noun
	}
	r := rules()
	for group, list := range map[string][]string{
		"recipient": r.recipient, "helpdeskWrite": r.helpdeskWrite, "threat": r.threat,
		"security": r.security, "compliance": r.compliance,
	} {
		seen := map[string]bool{}
		for _, n := range list {
			real, ok := nouns[strings.ToLower(n)]
			switch {
			case !ok:
				t.Errorf("%s names %q, no cmdlet's noun", group, n)
			case real != n:
				t.Errorf("%s names %q, the catalog spells it %q", group, n, real)
			case seen[n]:
				t.Errorf("%s names %q twice", group, n)
			}
			seen[n] = true
		}
	}
	for _, n := range r.readerExceptions {
		if _, ok := Lookup(n); !ok {
			t.Errorf("reader exception %s is no cmdlet", n)
		}
	}
}

// TestNounGroupsDisjoint: Security Administrator writes security nouns and
// must not manage recipients or threats (PROTOCOL.md 2.4); Helpdesk writes
// only nouns it may read.
func TestNounGroupsDisjoint(t *testing.T) {
	rs := loadedRules()
	for n := range rs.security {
		if rs.recipient[n] || rs.threat[n] {
			t.Errorf("security noun %s is also a recipient or threat noun", n)
		}
	}
	for n := range rs.threat {
		if rs.recipient[n] || rs.compliance[n] {
			t.Errorf("threat noun %s is also a recipient or compliance noun", n)
		}
	}
	for n := range rs.helpdeskWrite {
		if !rs.recipient[n] {
			t.Errorf("helpdesk noun %s is not a recipient noun", n)
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
	c := mustLookup(t, "Set-Mailbox")
	if m := c.GrantingRoles(Exchange); len(m) != len(got) {
		t.Errorf("Cmdlet.GrantingRoles = %v", m)
	}
	if !c.Allowed([]Role{role(t, "Global Reader"), role(t, "Exchange Administrator")}, Exchange) ||
		c.Allowed([]Role{role(t, "Global Reader")}, Exchange) {
		t.Error("Cmdlet.Allowed disagrees with the roles")
	}
}

// Every spelling of a role that exorun prints (name, label) or Entra ID
// uses (template id) finds that role, in any case, and no spelling is
// shared by two roles.
func TestParseRoleSpellings(t *testing.T) {
	seen := map[string]string{}
	for _, r := range Roles() {
		for _, s := range []string{r.Name, r.Label(), r.TemplateID, strings.ToUpper(r.Label()), strings.ToLower(r.Name), " " + strings.ToUpper(r.TemplateID) + " "} {
			got, ok := ParseRole(s)
			if !ok || got.Name != r.Name {
				t.Errorf("ParseRole(%q) = %q, %v; want %q", s, got.Name, ok, r.Name)
			}
		}
		for _, s := range []string{r.Name, r.Label()} {
			key := squash(s)
			if other, ok := seen[key]; ok && other != r.Name {
				t.Errorf("%q names both %s and %s", s, other, r.Name)
			}
			seen[key] = r.Name
		}
	}
	if got := role(t, "Exchange Recipient Administrator").Label(); got != "Recipient Admin" {
		t.Errorf("label = %q, want Recipient Admin", got)
	}
	for _, s := range []string{"", "Exchange", "Admin", "29232cdf"} {
		if r, ok := ParseRole(s); ok {
			t.Errorf("ParseRole(%q) = %q, want no role", s, r.Name)
		}
	}
}
