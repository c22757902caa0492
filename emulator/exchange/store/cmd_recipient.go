package store

import (
	"fmt"
	"strings"

	"github.com/exorun/exorun/catalog"

	"github.com/exorun/exorun/emulator/exchange"
)

// recipientCmdlets declares the recipient list cmdlets (see registry.go).
func recipientCmdlets() []decl {
	return []decl{
		{"Get-Mailbox", catalog.Exchange, listParams + " RecipientTypeDetails Archive SoftDeletedMailbox InactiveMailboxOnly PublicFolder Migration IncludeInactiveMailbox", getMailbox},
		{"Get-Recipient", catalog.Exchange, listParams + " RecipientTypeDetails RecipientType Properties IncludeSoftDeletedRecipients", getRecipient},
		{"Get-User", catalog.Exchange, listParams + " RecipientTypeDetails", getUser},
		{"Get-MailUser", catalog.Exchange, listParams, getMailUser},
		{"Get-MailContact", catalog.Exchange, listParams + " RecipientTypeDetails", getMailContact},
	}
}

type rcol = column[*Recipient]

func rc(name string, get func(ts *tenantState, r *Recipient) any) rcol { return col(name, get) }

// mbc is a column that reads mailbox data.
func mbc(name string, get func(ts *tenantState, r *Recipient, m *Mailbox) any) rcol {
	return rc(name, func(ts *tenantState, r *Recipient) any {
		if r.Mailbox == nil {
			return nil
		}
		return get(ts, r, r.Mailbox)
	})
}

// identityCols end every recipient object, in Exchange's order.
func identityCols(objectClass ...string) []rcol {
	return []rcol{
		rc("Identity", func(_ *tenantState, r *Recipient) any { return r.Name }),
		rc("Id", func(_ *tenantState, r *Recipient) any { return r.Name }),
		fixed[*Recipient]("IsValid", true),
		fixed[*Recipient]("ExchangeVersion", exVersion),
		rc("Name", func(_ *tenantState, r *Recipient) any { return r.Name }),
		rc("DistinguishedName", func(ts *tenantState, r *Recipient) any { return distinguishedName(ts.t.Organization, r.Name) }),
		fixed[*Recipient]("ObjectClass", objectClass),
		rc("WhenChanged", func(_ *tenantState, r *Recipient) any { return timeOrNil(r.WhenChanged) }),
		rc("WhenCreated", func(_ *tenantState, r *Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("WhenChangedUTC", func(_ *tenantState, r *Recipient) any { return timeOrNil(r.WhenChanged) }),
		rc("WhenCreatedUTC", func(_ *tenantState, r *Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("ExchangeObjectId", func(_ *tenantState, r *Recipient) any { return r.Guid.guid() }),
		rc("OrganizationId", func(ts *tenantState, _ *Recipient) any { return organizationID(ts.t.Organization) }),
		rc("Guid", func(_ *tenantState, r *Recipient) any { return r.Guid.guid() }),
		fixed[*Recipient]("OriginatingServer", serverFQDN),
		fixed[*Recipient]("ObjectState", "Unchanged"),
	}
}

func mailboxView() *view[*Recipient] {
	cols := []rcol{
		fixed[*Recipient]("Database", databaseName),
		fixed[*Recipient]("MailboxProvisioningConstraint", nil),
		fixed[*Recipient]("IsMonitoringMailbox", false),
		fixed[*Recipient]("MailboxRegion", nil),
		fixed[*Recipient]("MessageCopyForSentAsEnabled", false),
		fixed[*Recipient]("MessageCopyForSendOnBehalfEnabled", false),
		fixed[*Recipient]("UseDatabaseRetentionDefaults", false),
		fixed[*Recipient]("RetainDeletedItemsUntilBackup", false),
		mbc("DeliverToMailboxAndForward", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.DeliverToMailboxAndForward }),
		mbc("LitigationHoldEnabled", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.LitigationHoldEnabled }),
		fixed[*Recipient]("SingleItemRecoveryEnabled", true),
		fixed[*Recipient]("RetentionHoldEnabled", false),
		fixed[*Recipient]("EndDateForRetentionHold", nil),
		fixed[*Recipient]("StartDateForRetentionHold", nil),
		fixed[*Recipient]("RetentionComment", nil),
		fixed[*Recipient]("RetentionUrl", nil),
		mbc("LitigationHoldDate", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return timeOrNil(m.LitigationHoldDate) }),
		mbc("LitigationHoldOwner", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return strOrNil(m.LitigationHoldOwner) }),
		fixed[*Recipient]("LitigationHoldDuration", "Unlimited"),
		fixed[*Recipient]("ComplianceTagHoldApplied", false),
		fixed[*Recipient]("DelayHoldApplied", false),
		fixed[*Recipient]("InPlaceHolds", []string{}),
		mbc("RetentionPolicy", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return strOrNil(m.RetentionPolicy) }),
		fixed[*Recipient]("AddressBookPolicy", nil),
		fixed[*Recipient]("CalendarRepairDisabled", false),
		mbc("ExchangeGuid", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.ExchangeGuid.guid() }),
		fixed[*Recipient]("ExchangeUserAccountControl", "None"),
		fixed[*Recipient]("MessageTrackingReadStatusEnabled", true),
		fixed[*Recipient]("ExternalOofOptions", "External"),
		mbc("ForwardingAddress", func(ts *tenantState, _ *Recipient, m *Mailbox) any {
			if m.ForwardingAddress.IsZero() {
				return nil
			}
			return ts.nameOf(m.ForwardingAddress)
		}),
		mbc("ForwardingSmtpAddress", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return strOrNil(m.ForwardingSmtpAddress) }),
		fixed[*Recipient]("RetainDeletedItemsFor", "14.00:00:00"),
		fixed[*Recipient]("IsMailboxEnabled", true),
		fixed[*Recipient]("Languages", []string{}),
		mbc("ProhibitSendQuota", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return quota(m.ProhibitSendQuota) }),
		mbc("ProhibitSendReceiveQuota", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return quota(m.ProhibitSendReceiveQuota) }),
		fixed[*Recipient]("RecoverableItemsQuota", byteQuantity(30<<30)),
		fixed[*Recipient]("RecoverableItemsWarningQuota", byteQuantity(20<<30)),
		fixed[*Recipient]("CalendarLoggingQuota", byteQuantity(6<<30)),
		fixed[*Recipient]("RecipientLimits", "500"),
		rc("IsResource", func(_ *tenantState, r *Recipient) any { return r.Kind == RoomMailbox || r.Kind == EquipmentMailbox }),
		fixed[*Recipient]("IsLinked", false),
		rc("IsShared", func(_ *tenantState, r *Recipient) any { return r.Kind == SharedMailbox }),
		fixed[*Recipient]("IsRootPublicFolderMailbox", false),
		mbc("ResourceCapacity", func(_ *tenantState, r *Recipient, m *Mailbox) any {
			if r.Kind != RoomMailbox || m.ResourceCapacity == 0 {
				return nil
			}
			return int64(m.ResourceCapacity)
		}),
		rc("ResourceType", func(_ *tenantState, r *Recipient) any {
			switch r.Kind {
			case RoomMailbox:
				return "Room"
			case EquipmentMailbox:
				return "Equipment"
			}
			return nil
		}),
		rc("RoomMailboxAccountEnabled", func(_ *tenantState, r *Recipient) any {
			if r.Kind != RoomMailbox {
				return nil
			}
			return false
		}),
		fixed[*Recipient]("UseDatabaseQuotaDefaults", false),
		mbc("IssueWarningQuota", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return quota(m.IssueWarningQuota) }),
		fixed[*Recipient]("RulesQuota", byteQuantity(256<<10)),
		rc("Office", func(_ *tenantState, r *Recipient) any { return r.Office }),
		rc("UserPrincipalName", func(_ *tenantState, r *Recipient) any { return r.UserPrincipalName }),
		fixed[*Recipient]("UMEnabled", false),
		rc("WindowsLiveID", func(_ *tenantState, r *Recipient) any { return r.UserPrincipalName }),
		rc("MicrosoftOnlineServicesID", func(_ *tenantState, r *Recipient) any { return r.UserPrincipalName }),
		fixed[*Recipient]("RoleAssignmentPolicy", "Default Role Assignment Policy"),
		fixed[*Recipient]("SharingPolicy", "Default Sharing Policy"),
		rc("MailboxPlan", func(_ *tenantState, r *Recipient) any {
			if r.Kind != UserMailbox {
				return nil
			}
			return "ExchangeOnlineEnterprise"
		}),
		mbc("ArchiveGuid", func(_ *tenantState, _ *Recipient, m *Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return exchange.GUID("00000000-0000-0000-0000-000000000000")
			}
			return m.ArchiveGuid.guid()
		}),
		mbc("ArchiveName", func(_ *tenantState, r *Recipient, m *Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return []string{}
			}
			return []string{"In-Place Archive - " + r.DisplayName}
		}),
		fixed[*Recipient]("ArchiveQuota", byteQuantity(100<<30)),
		fixed[*Recipient]("ArchiveWarningQuota", byteQuantity(90<<30)),
		mbc("ArchiveStatus", func(_ *tenantState, _ *Recipient, m *Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Active"
		}),
		mbc("ArchiveState", func(_ *tenantState, _ *Recipient, m *Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Local"
		}),
		fixed[*Recipient]("AutoExpandingArchiveEnabled", false),
		fixed[*Recipient]("RemoteRecipientType", "None"),
		mbc("AuditEnabled", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.AuditEnabled }),
		fixed[*Recipient]("AuditLogAgeLimit", "90.00:00:00"),
		fixed[*Recipient]("AuditAdmin", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"}),
		fixed[*Recipient]("AuditDelegate", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "ApplyRecord", "MailItemsAccessed"}),
		fixed[*Recipient]("AuditOwner", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"}),
		fixed[*Recipient]("DefaultAuditSet", []string{"Admin", "Delegate", "Owner"}),
		rc("WhenMailboxCreated", func(_ *tenantState, r *Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("AccountDisabled", func(_ *tenantState, r *Recipient) any { return r.AccountDisabled || r.Kind != UserMailbox }),
		rc("Alias", func(_ *tenantState, r *Recipient) any { return r.Alias }),
		rc("OrganizationalUnit", func(ts *tenantState, _ *Recipient) any {
			return forestShort + ".PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/" + ts.t.Organization
		}),
	}
	for i := 1; i <= 15; i++ {
		cols = append(cols, fixed[*Recipient](fmt.Sprintf("CustomAttribute%d", i), ""))
	}
	cols = append(cols,
		rc("DisplayName", func(_ *tenantState, r *Recipient) any { return r.DisplayName }),
		rc("EmailAddresses", func(_ *tenantState, r *Recipient) any { return list(r.EmailAddresses) }),
		rc("GrantSendOnBehalfTo", func(ts *tenantState, r *Recipient) any { return ts.namesOf(r.GrantSendOnBehalfTo) }),
		rc("ExternalDirectoryObjectId", func(_ *tenantState, r *Recipient) any { return edoid(r) }),
		rc("HiddenFromAddressListsEnabled", func(_ *tenantState, r *Recipient) any { return r.HiddenFromAddressListsEnabled }),
		rc("LegacyExchangeDN", func(_ *tenantState, r *Recipient) any { return legacyDN(r) }),
		fixed[*Recipient]("MaxSendSize", byteQuantity(35<<20)),
		fixed[*Recipient]("MaxReceiveSize", byteQuantity(36<<20)),
		fixed[*Recipient]("ModerationEnabled", false),
		fixed[*Recipient]("EmailAddressPolicyEnabled", false),
		rc("PrimarySmtpAddress", func(_ *tenantState, r *Recipient) any { return r.PrimarySmtpAddress() }),
		rc("RecipientType", func(_ *tenantState, r *Recipient) any { return r.Kind.recipientType() }),
		rc("RecipientTypeDetails", func(_ *tenantState, r *Recipient) any { return r.Kind.String() }),
		fixed[*Recipient]("RequireSenderAuthenticationEnabled", false),
		fixed[*Recipient]("SimpleDisplayName", ""),
		rc("WindowsEmailAddress", func(_ *tenantState, r *Recipient) any { return r.PrimarySmtpAddress() }),
		fixed[*Recipient]("MailTip", nil),
	)
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

// edoid is ExternalDirectoryObjectId, which Exchange shows as a string.
func edoid(r *Recipient) any {
	if r.ExternalDirectoryObjectID.IsZero() {
		return ""
	}
	return r.ExternalDirectoryObjectID.String()
}

// recipientView is Get-Recipient's ReducedRecipient, also used for group
// members and links.
func recipientView() *view[*Recipient] {
	cols := []rcol{
		mbc("ArchiveGuid", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.ArchiveGuid.guid() }),
		mbc("ArchiveStatus", func(_ *tenantState, _ *Recipient, m *Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Active"
		}),
		rc("City", func(_ *tenantState, r *Recipient) any { return r.City }),
		rc("Company", func(_ *tenantState, r *Recipient) any { return r.Company }),
		rc("CountryOrRegion", func(_ *tenantState, r *Recipient) any { return strOrNil(r.CountryOrRegion) }),
		rc("Department", func(_ *tenantState, r *Recipient) any { return r.Department }),
		mbc("ExchangeGuid", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return m.ExchangeGuid.guid() }),
		rc("ExternalDirectoryObjectId", func(_ *tenantState, r *Recipient) any { return edoid(r) }),
		rc("ExternalEmailAddress", func(_ *tenantState, r *Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		rc("FirstName", func(_ *tenantState, r *Recipient) any { return r.FirstName }),
		mbc("ForwardingSmtpAddress", func(_ *tenantState, _ *Recipient, m *Mailbox) any { return strOrNil(m.ForwardingSmtpAddress) }),
		rc("HiddenFromAddressListsEnabled", func(_ *tenantState, r *Recipient) any { return r.HiddenFromAddressListsEnabled }),
		rc("LastName", func(_ *tenantState, r *Recipient) any { return r.LastName }),
		rc("ManagedBy", func(ts *tenantState, r *Recipient) any {
			if r.Group == nil {
				return []string{}
			}
			return ts.namesOf(r.Group.ManagedBy)
		}),
		rc("Manager", func(ts *tenantState, r *Recipient) any {
			if r.Manager.IsZero() {
				return nil
			}
			return ts.nameOf(r.Manager)
		}),
		rc("Notes", func(_ *tenantState, r *Recipient) any {
			if r.Group == nil {
				return ""
			}
			return r.Group.Notes
		}),
		rc("Office", func(_ *tenantState, r *Recipient) any { return r.Office }),
		rc("Phone", func(_ *tenantState, r *Recipient) any { return r.Phone }),
		rc("Title", func(_ *tenantState, r *Recipient) any { return r.Title }),
		rc("Alias", func(_ *tenantState, r *Recipient) any { return r.Alias }),
		rc("DisplayName", func(_ *tenantState, r *Recipient) any { return r.DisplayName }),
		rc("EmailAddresses", func(_ *tenantState, r *Recipient) any { return list(r.EmailAddresses) }),
		rc("PrimarySmtpAddress", func(_ *tenantState, r *Recipient) any { return r.PrimarySmtpAddress() }),
		rc("RecipientType", func(_ *tenantState, r *Recipient) any { return r.Kind.recipientType() }),
		rc("RecipientTypeDetails", func(_ *tenantState, r *Recipient) any { return r.Kind.String() }),
		rc("WhenMailboxCreated", func(_ *tenantState, r *Recipient) any {
			if r.Mailbox == nil {
				return nil
			}
			return timeOrNil(r.WhenCreated)
		}),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func userView() *view[*Recipient] {
	cols := []rcol{
		fixed[*Recipient]("IsSecurityPrincipal", true),
		rc("UserPrincipalName", func(_ *tenantState, r *Recipient) any { return r.UserPrincipalName }),
		rc("AccountDisabled", func(_ *tenantState, r *Recipient) any { return r.AccountDisabled }),
		rc("City", func(_ *tenantState, r *Recipient) any { return r.City }),
		rc("Company", func(_ *tenantState, r *Recipient) any { return r.Company }),
		rc("CountryOrRegion", func(_ *tenantState, r *Recipient) any { return strOrNil(r.CountryOrRegion) }),
		rc("Department", func(_ *tenantState, r *Recipient) any { return r.Department }),
		rc("DisplayName", func(_ *tenantState, r *Recipient) any { return r.DisplayName }),
		rc("FirstName", func(_ *tenantState, r *Recipient) any { return r.FirstName }),
		rc("LastName", func(_ *tenantState, r *Recipient) any { return r.LastName }),
		rc("Manager", func(ts *tenantState, r *Recipient) any {
			if r.Manager.IsZero() {
				return nil
			}
			return ts.nameOf(r.Manager)
		}),
		rc("Office", func(_ *tenantState, r *Recipient) any { return r.Office }),
		rc("Phone", func(_ *tenantState, r *Recipient) any { return r.Phone }),
		rc("Title", func(_ *tenantState, r *Recipient) any { return r.Title }),
		rc("WindowsEmailAddress", func(_ *tenantState, r *Recipient) any {
			if a := r.PrimarySmtpAddress(); a != "" {
				return a
			}
			return r.UserPrincipalName
		}),
		fixed[*Recipient]("IsDirSynced", false),
		rc("RecipientType", func(_ *tenantState, r *Recipient) any {
			if r.Kind == MailUser {
				return "MailUser"
			}
			return r.Kind.recipientType()
		}),
		rc("RecipientTypeDetails", func(_ *tenantState, r *Recipient) any { return r.Kind.String() }),
		rc("ExternalDirectoryObjectId", func(_ *tenantState, r *Recipient) any { return edoid(r) }),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func mailUserView() *view[*Recipient] {
	cols := []rcol{
		rc("ExternalEmailAddress", func(_ *tenantState, r *Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		rc("UserPrincipalName", func(_ *tenantState, r *Recipient) any { return r.UserPrincipalName }),
		rc("Alias", func(_ *tenantState, r *Recipient) any { return r.Alias }),
		rc("DisplayName", func(_ *tenantState, r *Recipient) any { return r.DisplayName }),
		rc("EmailAddresses", func(_ *tenantState, r *Recipient) any { return list(r.EmailAddresses) }),
		rc("ExternalDirectoryObjectId", func(_ *tenantState, r *Recipient) any { return edoid(r) }),
		rc("HiddenFromAddressListsEnabled", func(_ *tenantState, r *Recipient) any { return r.HiddenFromAddressListsEnabled }),
		rc("PrimarySmtpAddress", func(_ *tenantState, r *Recipient) any { return r.PrimarySmtpAddress() }),
		rc("RecipientType", func(_ *tenantState, r *Recipient) any { return r.Kind.recipientType() }),
		rc("RecipientTypeDetails", func(_ *tenantState, r *Recipient) any {
			if strings.Contains(r.UserPrincipalName, "#EXT#") {
				return "GuestMailUser"
			}
			return r.Kind.String()
		}),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func mailContactView() *view[*Recipient] {
	cols := []rcol{
		rc("ExternalEmailAddress", func(_ *tenantState, r *Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		rc("Alias", func(_ *tenantState, r *Recipient) any { return r.Alias }),
		rc("DisplayName", func(_ *tenantState, r *Recipient) any { return r.DisplayName }),
		rc("EmailAddresses", func(_ *tenantState, r *Recipient) any { return list(r.EmailAddresses) }),
		rc("ExternalDirectoryObjectId", func(_ *tenantState, r *Recipient) any { return edoid(r) }),
		rc("HiddenFromAddressListsEnabled", func(_ *tenantState, r *Recipient) any { return r.HiddenFromAddressListsEnabled }),
		rc("PrimarySmtpAddress", func(_ *tenantState, r *Recipient) any { return r.PrimarySmtpAddress() }),
		rc("RecipientType", func(_ *tenantState, r *Recipient) any { return r.Kind.recipientType() }),
		rc("RecipientTypeDetails", func(_ *tenantState, r *Recipient) any { return r.Kind.String() }),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "contact")...)
	return newView(cols...)
}

// listSpec says how a recipient Get cmdlet selects.
type listSpec struct {
	scope kinds
	view  *view[*Recipient]
	// typeParam names the parameter that narrows by RecipientTypeDetails
	// ("" when the cmdlet has none).
	typeParam string
	// keep, when set, drops objects for cmdlet-specific switches.
	keep func(r *Recipient) bool
}

// listRecipients is the selection shared by the recipient Get cmdlets:
// -Identity (with * wildcards), -Anr, -Filter, -RecipientTypeDetails (and
// -RecipientType) and -ResultSize, in the tenant's creation order.
func listRecipients(inv *invocation, spec listSpec) (*exchange.Result, error) {
	a := inv.a
	size := a.resultSize(1000)
	scope := spec.scope
	if spec.typeParam != "" && a.has(spec.typeParam) {
		var want kinds
		for _, name := range a.strs(spec.typeParam) {
			k, ok := parseKind(name)
			if !ok {
				return nil, exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\". Error: \"Unable to match the identifier name %s to a valid enumerator name.\"", spec.typeParam, name, name)
			}
			want |= kindSet(k)
		}
		scope &= want
	}
	if a.has("RecipientType") {
		var want kinds
		for _, name := range a.strs("RecipientType") {
			matched := false
			for k := UserMailbox; k <= lastKind; k++ {
				if strings.EqualFold(k.recipientType(), name) {
					want |= kindSet(k)
					matched = true
				}
			}
			if !matched {
				return nil, exchange.BadParameter("Cannot process argument transformation on parameter 'RecipientType'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientType\". Error: \"Unable to match the identifier name %s to a valid enumerator name.\"", name, name)
			}
		}
		scope &= want
	}
	pred, err := filterOf(inv, spec.view)
	if err != nil {
		return nil, err
	}
	anr := strings.ToLower(a.str("Anr"))
	id := a.str("Identity")
	if err := a.failed(); err != nil {
		return nil, err
	}
	render := spec.view.render
	if a.has("Identity") && !strings.Contains(id, "*") {
		list := inv.ts.lookup(id, scope)
		if spec.keep != nil {
			list = keepOnly(list, spec.keep)
		}
		if pred != nil {
			list = keepOnly(list, func(r *Recipient) bool { return pred(inv.ts, r) })
		}
		switch {
		case len(list) == 0:
			return nil, exchange.NotFound(id)
		case len(list) > 1:
			return nil, ambiguous(id)
		}
		return lazy(inv.ts, list, render), nil
	}
	var out []*Recipient
	for i, r := range inv.t.Recipients {
		if i%4096 == 0 {
			if err := inv.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !scope.has(r.Kind) || (spec.keep != nil && !spec.keep(r)) {
			continue
		}
		if id != "" && !wildMatchRecipient(r, id) {
			continue
		}
		if anr != "" && !anrMatch(r, anr) {
			continue
		}
		if pred != nil && !pred(inv.ts, r) {
			continue
		}
		out = append(out, r)
		if size >= 0 && len(out) > size {
			break
		}
	}
	out, warn := limit(out, size)
	return lazy(inv.ts, out, render, warn...), nil
}

func keepOnly(in []*Recipient, keep func(*Recipient) bool) []*Recipient {
	var out []*Recipient
	for _, r := range in {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// wildMatchRecipient matches an -Identity with wildcards against the
// names Exchange compares: name, alias, display name and primary address.
func wildMatchRecipient(r *Recipient, pattern string) bool {
	for _, s := range []string{r.Name, r.Alias, r.DisplayName, r.PrimarySmtpAddress()} {
		if s != "" && wildcard(s, pattern) {
			return true
		}
	}
	return false
}

// anrMatch is ambiguous name resolution: a prefix of the name, alias,
// display name, first or last name, or an SMTP address.
func anrMatch(r *Recipient, prefix string) bool {
	for _, s := range []string{r.Name, r.Alias, r.DisplayName, r.FirstName, r.LastName, r.UserPrincipalName} {
		if s != "" && strings.HasPrefix(strings.ToLower(s), prefix) {
			return true
		}
	}
	for _, e := range r.EmailAddresses {
		if _, addr, ok := strings.Cut(e, ":"); ok && strings.HasPrefix(strings.ToLower(addr), prefix) {
			return true
		}
	}
	return false
}

func getMailbox(inv *invocation) (*exchange.Result, error) {
	a := inv.a
	// The emulated tenant holds no soft-deleted, inactive, public folder
	// or migration mailboxes, so those switches select nothing.
	for _, sw := range []string{"SoftDeletedMailbox", "InactiveMailboxOnly", "PublicFolder", "Migration"} {
		if a.boolean(sw) {
			if err := a.failed(); err != nil {
				return nil, err
			}
			return none(), nil
		}
	}
	spec := listSpec{scope: mailboxKinds(), view: inv.s.views.mailbox, typeParam: "RecipientTypeDetails"}
	if a.boolean("Archive") {
		spec.keep = func(r *Recipient) bool { return !r.Mailbox.ArchiveGuid.IsZero() }
	}
	a.boolean("IncludeInactiveMailbox")
	return listRecipients(inv, spec)
}

func getRecipient(inv *invocation) (*exchange.Result, error) {
	inv.a.boolean("IncludeSoftDeletedRecipients")
	inv.a.strs("Properties") // every property is returned anyway
	return listRecipients(inv, listSpec{scope: recipientKinds(), view: inv.s.views.recipient, typeParam: "RecipientTypeDetails"})
}

func getUser(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: userKinds(), view: inv.s.views.user, typeParam: "RecipientTypeDetails"})
}

func getMailUser(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: kindSet(MailUser), view: inv.s.views.mailUser})
}

func getMailContact(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: kindSet(MailContact), view: inv.s.views.mailContact, typeParam: "RecipientTypeDetails"})
}
