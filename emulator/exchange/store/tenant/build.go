package tenant

import (
	"strings"
	"time"
)

// ReferenceTime is the "now" the fixture and generated tenants are
// written against (2026-11-01 12:00 UTC): last logons, message trace and
// audit entries lie before it. Pin a store's clock to it (store.WithClock) for
// stable output.
func ReferenceTime() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }

// Mailbox quotas of a licensed user mailbox (Exchange Online Plan 2) and
// of an unlicensed shared or resource mailbox.
const (
	userWarning, userSend, userSendReceive       int64 = 98 << 30, 99 << 30, 100 << 30
	sharedWarning, sharedSend, sharedSendReceive int64 = 49 << 30, 49<<30 + 512<<20, 50 << 30
)

// customDomain is the vanity domain paired with an initial domain:
// contoso.onmicrosoft.com gets contoso.com.
func customDomain(org string) string {
	if base, ok := strings.CutSuffix(strings.ToLower(org), ".onmicrosoft.com"); ok && base != "" {
		return base + ".com"
	}
	return strings.ToLower(org)
}

// builder assembles a tenant; gen derives its GUIDs.
type builder struct {
	t      *Tenant
	domain string
	gen    func(parts ...string) UUID
}

func newBuilder(tenantID, org string, gen func(parts ...string) UUID) *builder {
	t := &Tenant{ID: tenantID, Organization: org}
	return &builder{t: t, domain: customDomain(org), gen: gen}
}

func (b *builder) addresses(alias string) []string {
	primary := "SMTP:" + alias + "@" + b.domain
	if b.domain == strings.ToLower(b.t.Organization) {
		return []string{primary}
	}
	return []string{primary, "smtp:" + alias + "@" + b.t.Organization}
}

// mailbox adds a mailbox with Exchange Online's defaults for its kind.
func (b *builder) mailbox(kind Kind, alias, first, last, display string, created time.Time) *Recipient {
	r := &Recipient{
		Kind: kind, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display, FirstName: first, LastName: last,
		UserPrincipalName: alias + "@" + b.domain, EmailAddresses: b.addresses(alias),
		WhenCreated: created, WhenChanged: created,
		Mailbox: &Mailbox{
			ExchangeGuid:    b.gen("exchangeGuid", alias),
			RetentionPolicy: "Default MRM Policy",
			AuditEnabled:    true,
			CAS:             CAS{EwsEnabled: true, ActiveSyncEnabled: true, OWAEnabled: true, MAPIEnabled: true},
		},
	}
	m := r.Mailbox
	if kind == UserMailbox {
		m.IssueWarningQuota, m.ProhibitSendQuota, m.ProhibitSendReceiveQuota = userWarning, userSend, userSendReceive
	} else {
		m.IssueWarningQuota, m.ProhibitSendQuota, m.ProhibitSendReceiveQuota = sharedWarning, sharedSend, sharedSendReceive
		r.AccountDisabled = true
	}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

func (b *builder) mailUser(alias, display, external, upn string, created time.Time) *Recipient {
	r := &Recipient{Kind: MailUser, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display, UserPrincipalName: upn,
		EmailAddresses:       []string{"SMTP:" + external, "smtp:" + alias + "@" + b.t.Organization},
		ExternalEmailAddress: "SMTP:" + external, WhenCreated: created, WhenChanged: created}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

func (b *builder) contact(alias, display, external string, created time.Time) *Recipient {
	r := &Recipient{Kind: MailContact, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display,
		EmailAddresses: []string{"SMTP:" + external}, ExternalEmailAddress: "SMTP:" + external,
		WhenCreated: created, WhenChanged: created}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

func (b *builder) group(kind Kind, alias, display string, created time.Time, owners, members []*Recipient) *Recipient {
	g := &Group{MemberJoinRestriction: "Closed", MemberDepartRestriction: "Closed", RequireSenderAuthenticationEnabled: true}
	if kind == GroupMailbox {
		g.MemberJoinRestriction, g.MemberDepartRestriction = "Closed", "Open"
		g.AccessType = "Private"
		g.SharePointSiteURL = "https://" + strings.TrimSuffix(b.domain, ".com") + ".sharepoint.com/sites/" + alias
	}
	for _, o := range owners {
		g.ManagedBy = append(g.ManagedBy, o.Guid)
	}
	for _, m := range members {
		g.Members = append(g.Members, m.Guid)
	}
	r := &Recipient{Kind: kind, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display, EmailAddresses: b.addresses(alias),
		WhenCreated: created, WhenChanged: created, Group: g}
	if kind == GroupMailbox {
		r.HiddenFromAddressListsEnabled = false
	}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

func grant(mbx, user *Recipient, autoMap bool, rights ...string) {
	mbx.Mailbox.Permissions = append(mbx.Mailbox.Permissions, Permission{User: user.Guid, AccessRights: rights, InheritanceType: "All", AutoMapping: autoMap})
}

// orgDefaults adds what every tenant has: accepted domains, organization
// settings, the default policies and the default MRM policy.
func (b *builder) orgDefaults(created time.Time) {
	t := b.t
	t.Org = OrganizationConfig{Guid: b.gen("org"), DisplayName: orgDisplayName(t.Organization), UnifiedAuditLogIngestionEnabled: true,
		OAuth2ClientProfileEnabled: true, FocusedInboxOn: true, MailTipsAllTipsEnabled: true, SmtpClientAuthenticationDisabled: true,
		WhenCreated: created}
	if b.domain != strings.ToLower(t.Organization) {
		t.AcceptedDomains = append(t.AcceptedDomains, &AcceptedDomain{Guid: b.gen("domain", b.domain), Name: b.domain, DomainName: b.domain,
			DomainType: "Authoritative", Default: true, WhenCreated: created.AddDate(0, 0, 2)})
	}
	t.AcceptedDomains = append(t.AcceptedDomains, &AcceptedDomain{Guid: b.gen("domain", t.Organization), Name: t.Organization,
		DomainName: t.Organization, DomainType: "Authoritative", InitialDomain: true,
		Default: b.domain == strings.ToLower(t.Organization), WhenCreated: created})
	t.RetentionPolicies = append(t.RetentionPolicies, &RetentionPolicy{Guid: b.gen("mrm", "default"), RetentionID: b.gen("mrm-id", "default"),
		Name: "Default MRM Policy", IsDefault: true, WhenChanged: created,
		TagLinks: []string{"1 Month Delete", "1 Week Delete", "1 Year Delete", "5 Year Delete", "6 Month Delete", "Default 2 year move to archive",
			"Junk Email", "Never Delete", "Personal 1 year move to archive", "Personal 5 year move to archive", "Personal never move to archive",
			"Recoverable Items 14 days move to archive"}})
	t.ContentFilterPolicies = append(t.ContentFilterPolicies, &ContentFilterPolicy{Guid: b.gen("hcf", "default"), Name: "Default", IsDefault: true,
		BulkThreshold: 7, SpamAction: "MoveToJmf", HighConfidenceSpamAction: "MoveToJmf", PhishSpamAction: "Quarantine",
		HighConfidencePhishAction: "Quarantine", BulkSpamAction: "MoveToJmf", QuarantineRetentionPeriod: 15,
		SpamZapEnabled: true, PhishZapEnabled: true, WhenChanged: created})
	t.AntiPhishPolicies = append(t.AntiPhishPolicies, &AntiPhishPolicy{Guid: b.gen("phish", "default"), Name: "Office365 AntiPhish Default",
		IsDefault: true, Enabled: true, PhishThresholdLevel: 1, EnableSpoofIntelligence: true, EnableMailboxIntelligence: true,
		EnableFirstContactSafetyTips: false, EnableUnauthenticatedSender: true, HonorDmarcPolicy: true,
		AuthenticationFailAction: "MoveToJmf", WhenChanged: created})
	t.MalwareFilterPolicies = append(t.MalwareFilterPolicies, &MalwareFilterPolicy{Guid: b.gen("malware", "default"), Name: "Default",
		IsDefault: true, EnableFileFilter: true, FileTypeAction: "Reject", ZapEnabled: true,
		FileTypes: []string{"ace", "ani", "apk", "app", "appx", "arj", "bat", "cab", "cmd", "com", "deb", "dex", "dll", "docm", "elf", "exe",
			"hta", "img", "iso", "jar", "jnlp", "kext", "lha", "lib", "library", "lnk", "lzh", "macho", "msc", "msi", "msix", "msp", "mst",
			"pif", "ppa", "ppam", "reg", "rev", "scf", "scr", "sct", "sys", "uif", "vb", "vbe", "vbs", "vxd", "wsc", "wsf", "wsh", "xll",
			"xz", "z"},
		WhenChanged: created})
}

func orgDisplayName(org string) string {
	base := strings.SplitN(org, ".", 2)[0]
	if base == "" {
		return org
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

// day is a date in the fixture's calendar: days before ReferenceTime, at
// a given hour and minute.
func day(daysBefore, hour, minute int) time.Time {
	d := ReferenceTime().AddDate(0, 0, -daysBefore)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
}

// ForestShort is the emulated datacenter's forest, which message ids
// and organization ids name.
const ForestShort = "EMLPR01A001"

// LegacyDN is a recipient's X.500 address, which inbox rules and
// LegacyExchangeDN show for internal recipients.
func LegacyDN(r *Recipient) string {
	hex := strings.ReplaceAll(r.Guid.String(), "-", "")
	alias := r.Alias
	if alias == "" {
		alias = r.Name
	}
	return "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + hex + "-" + strings.ToLower(alias)
}

// RuleRecipient is how an inbox rule shows a recipient.
func RuleRecipient(display, address string) string {
	return `"` + display + `" [SMTP:` + address + `]`
}

func RuleRecipientInternal(r *Recipient) string {
	return `"` + r.DisplayName + `" [EX:` + LegacyDN(r) + `]`
}
