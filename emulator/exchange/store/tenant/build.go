package tenant

import (
	"strings"
	"time"
)

// ReferenceTime is the "now" the demo and generated tenants are written
// against (2026-11-01 12:00 UTC): last logons, message trace and audit
// entries lie before it. Pin a store's clock to it (store.WithClock) for
// stable output.
func ReferenceTime() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }

// Mailbox quotas of a licensed user mailbox (Exchange Online Plan 2) and
// of an unlicensed shared or resource mailbox.
const (
	userWarning, userSend, userSendReceive       int64 = 98 << 30, 99 << 30, 100 << 30
	sharedWarning, sharedSend, sharedSendReceive int64 = 49 << 30, 49<<30 + 512<<20, 50 << 30
)

// DefaultDomain is the vanity domain paired with an initial domain, the
// default domain of a tenant that names none: contoso.onmicrosoft.com
// gets contoso.com.
func DefaultDomain(org string) string {
	if base, ok := strings.CutSuffix(strings.ToLower(org), ".onmicrosoft.com"); ok && base != "" {
		return base + ".com"
	}
	return strings.ToLower(org)
}

// OrgDisplayName is the organization's display name derived from its
// initial domain: contoso.onmicrosoft.com gets "Contoso".
func OrgDisplayName(org string) string {
	base := strings.SplitN(org, ".", 2)[0]
	if base == "" {
		return org
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

// Builder assembles a tenant with Exchange Online's defaults: what a new
// object of each kind has until someone changes it. Callers set what
// differs on the objects it returns.
type Builder struct {
	t *Tenant
	// domains are the accepted vanity domains, lower-case; domain, the
	// first, is the default: UPNs and primary addresses use it.
	domains []string
	domain  string
	gen     func(parts ...string) UUID
}

// NewBuilder starts a tenant whose GUIDs derive from the tenant id and
// the names its callers pass to GUID, so the same description gives the
// same tenant on every run. domains are the accepted vanity domains, the
// first the default; none means DefaultDomain(organization).
func NewBuilder(tenantID, organization string, domains []string) *Builder {
	return newBuilder(tenantID, organization, domains, func(parts ...string) UUID {
		return NameUUID(append([]string{"exorun-fixture", strings.ToLower(tenantID)}, parts...)...)
	})
}

func newBuilder(tenantID, org string, domains []string, gen func(parts ...string) UUID) *Builder {
	if len(domains) == 0 {
		domains = []string{DefaultDomain(org)}
	}
	t := &Tenant{ID: tenantID, Organization: org}
	return &Builder{t: t, domains: domains, domain: domains[0], gen: gen}
}

// Tenant is the tenant being built.
func (b *Builder) Tenant() *Tenant { return b.t }

// Domain is the default domain.
func (b *Builder) Domain() string { return b.domain }

// GUID derives the GUID of an object from its kind and name.
func (b *Builder) GUID(parts ...string) UUID { return b.gen(parts...) }

func (b *Builder) addresses(alias string) []string {
	primary := "SMTP:" + alias + "@" + b.domain
	if b.domain == strings.ToLower(b.t.Organization) {
		return []string{primary}
	}
	return []string{primary, "smtp:" + alias + "@" + b.t.Organization}
}

// Mailbox adds a mailbox with Exchange Online's defaults for its kind:
// addresses at the default and initial domains, the kind's quotas, the
// default MRM policy, auditing on, and POP and IMAP off; shared and
// resource mailboxes have their account disabled.
func (b *Builder) Mailbox(kind Kind, alias, first, last, display string, created time.Time) *Recipient {
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

// User adds a directory user without a mailbox. It has a name but no
// alias, as Get-User shows such users.
func (b *Builder) User(name, first, last, display string, created time.Time) *Recipient {
	r := &Recipient{Kind: User, Guid: b.gen("guid", name), ExternalDirectoryObjectID: b.gen("edoid", name),
		Name: name, DisplayName: display, FirstName: first, LastName: last,
		UserPrincipalName: name + "@" + b.domain, WhenCreated: created, WhenChanged: created}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

// MailUser adds a mail user: a directory user whose mail goes to an
// outside address.
func (b *Builder) MailUser(alias, display, external, upn string, created time.Time) *Recipient {
	r := &Recipient{Kind: MailUser, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display, UserPrincipalName: upn,
		EmailAddresses:       []string{"SMTP:" + external, "smtp:" + alias + "@" + b.t.Organization},
		ExternalEmailAddress: "SMTP:" + external, WhenCreated: created, WhenChanged: created}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

// Contact adds a mail contact for an outside address.
func (b *Builder) Contact(alias, display, external string, created time.Time) *Recipient {
	r := &Recipient{Kind: MailContact, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display,
		EmailAddresses: []string{"SMTP:" + external}, ExternalEmailAddress: "SMTP:" + external,
		WhenCreated: created, WhenChanged: created}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

// Group adds a distribution group, security group, room list or
// Microsoft 365 group, without owners or members, with the defaults of
// its kind: closed to joining, senders authenticated; a Microsoft 365
// group is private, open to leaving, with a SharePoint site.
func (b *Builder) Group(kind Kind, alias, display string, created time.Time) *Recipient {
	g := &Group{MemberJoinRestriction: "Closed", MemberDepartRestriction: "Closed", RequireSenderAuthenticationEnabled: true}
	if kind == GroupMailbox {
		g.MemberDepartRestriction = "Open"
		g.AccessType = "Private"
		g.SharePointSiteURL = "https://" + strings.TrimSuffix(b.domain, ".com") + ".sharepoint.com/sites/" + alias
	}
	r := &Recipient{Kind: kind, Guid: b.gen("guid", alias), ExternalDirectoryObjectID: b.gen("edoid", alias),
		Name: alias, Alias: alias, DisplayName: display, EmailAddresses: b.addresses(alias),
		WhenCreated: created, WhenChanged: created, Group: g}
	b.t.Recipients = append(b.t.Recipients, r)
	return r
}

// Grant gives user explicit rights on mbx, as Add-MailboxPermission does.
func Grant(mbx, user *Recipient, autoMap bool, rights ...string) {
	mbx.Mailbox.Permissions = append(mbx.Mailbox.Permissions, Permission{User: user.Guid, AccessRights: rights, InheritanceType: "All", AutoMapping: autoMap})
}

// DefaultRetentionPolicy is the MRM policy every tenant has and every new
// mailbox gets.
const DefaultRetentionPolicy = "Default MRM Policy"

// OrgDefaults adds what every tenant has: accepted domains (the vanity
// domains two days younger than the initial one), organization settings,
// the default policies and the default MRM policy.
func (b *Builder) OrgDefaults(created time.Time) {
	t := b.t
	t.Org = OrganizationConfig{Guid: b.gen("org"), DisplayName: OrgDisplayName(t.Organization), UnifiedAuditLogIngestionEnabled: true,
		OAuth2ClientProfileEnabled: true, FocusedInboxOn: true, MailTipsAllTipsEnabled: true, SmtpClientAuthenticationDisabled: true,
		WhenCreated: created}
	for i, d := range b.domains {
		if d == strings.ToLower(t.Organization) {
			continue // the initial domain, added below
		}
		t.AcceptedDomains = append(t.AcceptedDomains, &AcceptedDomain{Guid: b.gen("domain", d), Name: d, DomainName: d,
			DomainType: "Authoritative", Default: i == 0, WhenCreated: created.AddDate(0, 0, 2)})
	}
	t.AcceptedDomains = append(t.AcceptedDomains, &AcceptedDomain{Guid: b.gen("domain", t.Organization), Name: t.Organization,
		DomainName: t.Organization, DomainType: "Authoritative", InitialDomain: true,
		Default: b.domain == strings.ToLower(t.Organization), WhenCreated: created})
	t.RetentionPolicies = append(t.RetentionPolicies, &RetentionPolicy{Guid: b.gen("mrm", "default"), RetentionID: b.gen("mrm-id", "default"),
		Name: DefaultRetentionPolicy, IsDefault: true, WhenChanged: created,
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

// ForestShort is the emulated datacenter's forest, which message ids
// and organization ids name.
const ForestShort = "EMLPR01A001"

// MessageID is the Internet message id Exchange gives a message,
// derived from a GUID.
func MessageID(u UUID) string {
	return "<" + strings.ToUpper(strings.ReplaceAll(u.String(), "-", "")[:20]) + "@" + strings.ToLower(ForestShort) + ".prod.outlook.com>"
}

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

// RuleRecipientInternal is how an inbox rule shows a recipient of the
// organization.
func RuleRecipientInternal(r *Recipient) string {
	return `"` + r.DisplayName + `" [EX:` + LegacyDN(r) + `]`
}
