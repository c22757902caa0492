package store

import (
	"fmt"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
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

type rcol = column[*tenant.Recipient]

func rc(name string, get func(ts *tenant.State, r *tenant.Recipient) any) rcol { return col(name, get) }

// recipientCol is a property every recipient view that shows it shows the
// same way, declared once here rather than in each view.
func recipientCol(name string) rcol {
	get := map[string]func(ts *tenant.State, r *tenant.Recipient) any{
		"Alias":                         func(_ *tenant.State, r *tenant.Recipient) any { return r.Alias },
		"DisplayName":                   func(_ *tenant.State, r *tenant.Recipient) any { return r.DisplayName },
		"EmailAddresses":                func(_ *tenant.State, r *tenant.Recipient) any { return list(r.EmailAddresses) },
		"ExternalDirectoryObjectId":     func(_ *tenant.State, r *tenant.Recipient) any { return edoid(r) },
		"GrantSendOnBehalfTo":           func(ts *tenant.State, r *tenant.Recipient) any { return ts.NamesOf(r.GrantSendOnBehalfTo) },
		"HiddenFromAddressListsEnabled": func(_ *tenant.State, r *tenant.Recipient) any { return r.HiddenFromAddressListsEnabled },
		"LegacyExchangeDN":              func(_ *tenant.State, r *tenant.Recipient) any { return tenant.LegacyDN(r) },
		"PrimarySmtpAddress":            func(_ *tenant.State, r *tenant.Recipient) any { return r.PrimarySmtpAddress() },
		"RecipientType":                 func(_ *tenant.State, r *tenant.Recipient) any { return r.Kind.RecipientType() },
		"RecipientTypeDetails":          func(_ *tenant.State, r *tenant.Recipient) any { return r.Kind.String() },
	}[name]
	if get == nil {
		// A view names a column that is not declared here: a defect
		// every view test meets when the store is built.
		panic("exchange store: no common recipient column " + name)
	}
	return rc(name, get)
}

// mbc is a column that reads mailbox data.
func mbc(name string, get func(ts *tenant.State, r *tenant.Recipient, m *tenant.Mailbox) any) rcol {
	return rc(name, func(ts *tenant.State, r *tenant.Recipient) any {
		if r.Mailbox == nil {
			return nil
		}
		return get(ts, r, r.Mailbox)
	})
}

// identityCols end every recipient object, in Exchange's order.
func identityCols(objectClass ...string) []rcol {
	return []rcol{
		rc("Identity", func(_ *tenant.State, r *tenant.Recipient) any { return r.Name }),
		rc("Id", func(_ *tenant.State, r *tenant.Recipient) any { return r.Name }),
		fixed[*tenant.Recipient]("IsValid", true),
		fixed[*tenant.Recipient]("ExchangeVersion", exVersion),
		rc("Name", func(_ *tenant.State, r *tenant.Recipient) any { return r.Name }),
		rc("DistinguishedName", func(ts *tenant.State, r *tenant.Recipient) any { return distinguishedName(ts.T.Organization, r.Name) }),
		fixed[*tenant.Recipient]("ObjectClass", objectClass),
		rc("WhenChanged", func(_ *tenant.State, r *tenant.Recipient) any { return timeOrNil(r.WhenChanged) }),
		rc("WhenCreated", func(_ *tenant.State, r *tenant.Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("WhenChangedUTC", func(_ *tenant.State, r *tenant.Recipient) any { return timeOrNil(r.WhenChanged) }),
		rc("WhenCreatedUTC", func(_ *tenant.State, r *tenant.Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("ExchangeObjectId", func(_ *tenant.State, r *tenant.Recipient) any { return r.Guid.GUID() }),
		rc("OrganizationId", func(ts *tenant.State, _ *tenant.Recipient) any { return organizationID(ts.T.Organization) }),
		rc("Guid", func(_ *tenant.State, r *tenant.Recipient) any { return r.Guid.GUID() }),
		fixed[*tenant.Recipient]("OriginatingServer", serverFQDN),
		fixed[*tenant.Recipient]("ObjectState", "Unchanged"),
	}
}

func mailboxView() *view[*tenant.Recipient] {
	cols := []rcol{
		fixed[*tenant.Recipient]("Database", databaseName),
		fixed[*tenant.Recipient]("MailboxProvisioningConstraint", nil),
		fixed[*tenant.Recipient]("IsMonitoringMailbox", false),
		fixed[*tenant.Recipient]("MailboxRegion", nil),
		fixed[*tenant.Recipient]("MessageCopyForSentAsEnabled", false),
		fixed[*tenant.Recipient]("MessageCopyForSendOnBehalfEnabled", false),
		fixed[*tenant.Recipient]("UseDatabaseRetentionDefaults", false),
		fixed[*tenant.Recipient]("RetainDeletedItemsUntilBackup", false),
		mbc("DeliverToMailboxAndForward", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.DeliverToMailboxAndForward }),
		mbc("LitigationHoldEnabled", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.LitigationHoldEnabled }),
		fixed[*tenant.Recipient]("SingleItemRecoveryEnabled", true),
		fixed[*tenant.Recipient]("RetentionHoldEnabled", false),
		fixed[*tenant.Recipient]("EndDateForRetentionHold", nil),
		fixed[*tenant.Recipient]("StartDateForRetentionHold", nil),
		fixed[*tenant.Recipient]("RetentionComment", nil),
		fixed[*tenant.Recipient]("RetentionUrl", nil),
		mbc("LitigationHoldDate", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			return timeOrNil(m.LitigationHoldDate)
		}),
		mbc("LitigationHoldOwner", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			return strOrNil(m.LitigationHoldOwner)
		}),
		fixed[*tenant.Recipient]("LitigationHoldDuration", "Unlimited"),
		fixed[*tenant.Recipient]("ComplianceTagHoldApplied", false),
		fixed[*tenant.Recipient]("DelayHoldApplied", false),
		fixed[*tenant.Recipient]("InPlaceHolds", []string{}),
		mbc("RetentionPolicy", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return strOrNil(m.RetentionPolicy) }),
		fixed[*tenant.Recipient]("AddressBookPolicy", nil),
		fixed[*tenant.Recipient]("CalendarRepairDisabled", false),
		mbc("ExchangeGuid", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.ExchangeGuid.GUID() }),
		fixed[*tenant.Recipient]("ExchangeUserAccountControl", "None"),
		fixed[*tenant.Recipient]("MessageTrackingReadStatusEnabled", true),
		fixed[*tenant.Recipient]("ExternalOofOptions", "External"),
		mbc("ForwardingAddress", func(ts *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ForwardingAddress.IsZero() {
				return nil
			}
			return ts.NameOf(m.ForwardingAddress)
		}),
		mbc("ForwardingSmtpAddress", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			return strOrNil(m.ForwardingSmtpAddress)
		}),
		fixed[*tenant.Recipient]("RetainDeletedItemsFor", "14.00:00:00"),
		fixed[*tenant.Recipient]("IsMailboxEnabled", true),
		fixed[*tenant.Recipient]("Languages", []string{}),
		mbc("ProhibitSendQuota", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return quota(m.ProhibitSendQuota) }),
		mbc("ProhibitSendReceiveQuota", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			return quota(m.ProhibitSendReceiveQuota)
		}),
		fixed[*tenant.Recipient]("RecoverableItemsQuota", byteQuantity(30<<30)),
		fixed[*tenant.Recipient]("RecoverableItemsWarningQuota", byteQuantity(20<<30)),
		fixed[*tenant.Recipient]("CalendarLoggingQuota", byteQuantity(6<<30)),
		fixed[*tenant.Recipient]("RecipientLimits", "500"),
		rc("IsResource", func(_ *tenant.State, r *tenant.Recipient) any {
			return r.Kind == tenant.RoomMailbox || r.Kind == tenant.EquipmentMailbox
		}),
		fixed[*tenant.Recipient]("IsLinked", false),
		rc("IsShared", func(_ *tenant.State, r *tenant.Recipient) any { return r.Kind == tenant.SharedMailbox }),
		fixed[*tenant.Recipient]("IsRootPublicFolderMailbox", false),
		mbc("ResourceCapacity", func(_ *tenant.State, r *tenant.Recipient, m *tenant.Mailbox) any {
			if r.Kind != tenant.RoomMailbox || m.ResourceCapacity == 0 {
				return nil
			}
			return int64(m.ResourceCapacity)
		}),
		rc("ResourceType", func(_ *tenant.State, r *tenant.Recipient) any {
			switch r.Kind {
			case tenant.RoomMailbox:
				return "Room"
			case tenant.EquipmentMailbox:
				return "Equipment"
			}
			return nil
		}),
		rc("RoomMailboxAccountEnabled", func(_ *tenant.State, r *tenant.Recipient) any {
			if r.Kind != tenant.RoomMailbox {
				return nil
			}
			return false
		}),
		fixed[*tenant.Recipient]("UseDatabaseQuotaDefaults", false),
		mbc("IssueWarningQuota", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return quota(m.IssueWarningQuota) }),
		fixed[*tenant.Recipient]("RulesQuota", byteQuantity(256<<10)),
		rc("Office", func(_ *tenant.State, r *tenant.Recipient) any { return r.Office }),
		rc("UserPrincipalName", func(_ *tenant.State, r *tenant.Recipient) any { return r.UserPrincipalName }),
		fixed[*tenant.Recipient]("UMEnabled", false),
		rc("WindowsLiveID", func(_ *tenant.State, r *tenant.Recipient) any { return r.UserPrincipalName }),
		rc("MicrosoftOnlineServicesID", func(_ *tenant.State, r *tenant.Recipient) any { return r.UserPrincipalName }),
		fixed[*tenant.Recipient]("RoleAssignmentPolicy", "Default Role Assignment Policy"),
		fixed[*tenant.Recipient]("SharingPolicy", "Default Sharing Policy"),
		rc("MailboxPlan", func(_ *tenant.State, r *tenant.Recipient) any {
			if r.Kind != tenant.UserMailbox {
				return nil
			}
			return "ExchangeOnlineEnterprise"
		}),
		mbc("ArchiveGuid", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return exchange.GUID("00000000-0000-0000-0000-000000000000")
			}
			return m.ArchiveGuid.GUID()
		}),
		mbc("ArchiveName", func(_ *tenant.State, r *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return []string{}
			}
			return []string{"In-Place Archive - " + r.DisplayName}
		}),
		fixed[*tenant.Recipient]("ArchiveQuota", byteQuantity(100<<30)),
		fixed[*tenant.Recipient]("ArchiveWarningQuota", byteQuantity(90<<30)),
		mbc("ArchiveStatus", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Active"
		}),
		mbc("ArchiveState", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Local"
		}),
		fixed[*tenant.Recipient]("AutoExpandingArchiveEnabled", false),
		fixed[*tenant.Recipient]("RemoteRecipientType", "None"),
		mbc("AuditEnabled", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.AuditEnabled }),
		fixed[*tenant.Recipient]("AuditLogAgeLimit", "90.00:00:00"),
		fixed[*tenant.Recipient]("AuditAdmin", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"}),
		fixed[*tenant.Recipient]("AuditDelegate", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "ApplyRecord", "MailItemsAccessed"}),
		fixed[*tenant.Recipient]("AuditOwner", []string{"Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"}),
		fixed[*tenant.Recipient]("DefaultAuditSet", []string{"Admin", "Delegate", "Owner"}),
		rc("WhenMailboxCreated", func(_ *tenant.State, r *tenant.Recipient) any { return timeOrNil(r.WhenCreated) }),
		rc("AccountDisabled", func(_ *tenant.State, r *tenant.Recipient) any {
			return r.AccountDisabled || r.Kind != tenant.UserMailbox
		}),
		recipientCol("Alias"),
		rc("OrganizationalUnit", func(ts *tenant.State, _ *tenant.Recipient) any {
			return forestShort + ".PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/" + ts.T.Organization
		}),
	}
	for i := 1; i <= 15; i++ {
		cols = append(cols, fixed[*tenant.Recipient](fmt.Sprintf("CustomAttribute%d", i), ""))
	}
	cols = append(cols,
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("GrantSendOnBehalfTo"),
		recipientCol("ExternalDirectoryObjectId"),
		recipientCol("HiddenFromAddressListsEnabled"),
		recipientCol("LegacyExchangeDN"),
		fixed[*tenant.Recipient]("MaxSendSize", byteQuantity(35<<20)),
		fixed[*tenant.Recipient]("MaxReceiveSize", byteQuantity(36<<20)),
		fixed[*tenant.Recipient]("ModerationEnabled", false),
		fixed[*tenant.Recipient]("EmailAddressPolicyEnabled", false),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		recipientCol("RecipientTypeDetails"),
		fixed[*tenant.Recipient]("RequireSenderAuthenticationEnabled", false),
		fixed[*tenant.Recipient]("SimpleDisplayName", ""),
		rc("WindowsEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any { return r.PrimarySmtpAddress() }),
		fixed[*tenant.Recipient]("MailTip", nil),
	)
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

// edoid is ExternalDirectoryObjectId, which Exchange shows as a string.
func edoid(r *tenant.Recipient) any {
	if r.ExternalDirectoryObjectID.IsZero() {
		return ""
	}
	return r.ExternalDirectoryObjectID.String()
}

// recipientView is Get-Recipient's ReducedRecipient, also used for group
// members and links.
func recipientView() *view[*tenant.Recipient] {
	cols := []rcol{
		mbc("ArchiveGuid", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.ArchiveGuid.GUID() }),
		mbc("ArchiveStatus", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			if m.ArchiveGuid.IsZero() {
				return "None"
			}
			return "Active"
		}),
		rc("City", func(_ *tenant.State, r *tenant.Recipient) any { return r.City }),
		rc("Company", func(_ *tenant.State, r *tenant.Recipient) any { return r.Company }),
		rc("CountryOrRegion", func(_ *tenant.State, r *tenant.Recipient) any { return strOrNil(r.CountryOrRegion) }),
		rc("Department", func(_ *tenant.State, r *tenant.Recipient) any { return r.Department }),
		mbc("ExchangeGuid", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any { return m.ExchangeGuid.GUID() }),
		recipientCol("ExternalDirectoryObjectId"),
		rc("ExternalEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		rc("FirstName", func(_ *tenant.State, r *tenant.Recipient) any { return r.FirstName }),
		mbc("ForwardingSmtpAddress", func(_ *tenant.State, _ *tenant.Recipient, m *tenant.Mailbox) any {
			return strOrNil(m.ForwardingSmtpAddress)
		}),
		recipientCol("HiddenFromAddressListsEnabled"),
		rc("LastName", func(_ *tenant.State, r *tenant.Recipient) any { return r.LastName }),
		rc("ManagedBy", func(ts *tenant.State, r *tenant.Recipient) any {
			if r.Group == nil {
				return []string{}
			}
			return ts.NamesOf(r.Group.ManagedBy)
		}),
		rc("Manager", func(ts *tenant.State, r *tenant.Recipient) any {
			if r.Manager.IsZero() {
				return nil
			}
			return ts.NameOf(r.Manager)
		}),
		rc("Notes", func(_ *tenant.State, r *tenant.Recipient) any {
			if r.Group == nil {
				return ""
			}
			return r.Group.Notes
		}),
		rc("Office", func(_ *tenant.State, r *tenant.Recipient) any { return r.Office }),
		rc("Phone", func(_ *tenant.State, r *tenant.Recipient) any { return r.Phone }),
		rc("Title", func(_ *tenant.State, r *tenant.Recipient) any { return r.Title }),
		recipientCol("Alias"),
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		recipientCol("RecipientTypeDetails"),
		rc("WhenMailboxCreated", func(_ *tenant.State, r *tenant.Recipient) any {
			if r.Mailbox == nil {
				return nil
			}
			return timeOrNil(r.WhenCreated)
		}),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func userView() *view[*tenant.Recipient] {
	cols := []rcol{
		fixed[*tenant.Recipient]("IsSecurityPrincipal", true),
		rc("UserPrincipalName", func(_ *tenant.State, r *tenant.Recipient) any { return r.UserPrincipalName }),
		rc("AccountDisabled", func(_ *tenant.State, r *tenant.Recipient) any { return r.AccountDisabled }),
		rc("City", func(_ *tenant.State, r *tenant.Recipient) any { return r.City }),
		rc("Company", func(_ *tenant.State, r *tenant.Recipient) any { return r.Company }),
		rc("CountryOrRegion", func(_ *tenant.State, r *tenant.Recipient) any { return strOrNil(r.CountryOrRegion) }),
		rc("Department", func(_ *tenant.State, r *tenant.Recipient) any { return r.Department }),
		recipientCol("DisplayName"),
		rc("FirstName", func(_ *tenant.State, r *tenant.Recipient) any { return r.FirstName }),
		rc("LastName", func(_ *tenant.State, r *tenant.Recipient) any { return r.LastName }),
		rc("Manager", func(ts *tenant.State, r *tenant.Recipient) any {
			if r.Manager.IsZero() {
				return nil
			}
			return ts.NameOf(r.Manager)
		}),
		rc("Office", func(_ *tenant.State, r *tenant.Recipient) any { return r.Office }),
		rc("Phone", func(_ *tenant.State, r *tenant.Recipient) any { return r.Phone }),
		rc("Title", func(_ *tenant.State, r *tenant.Recipient) any { return r.Title }),
		rc("WindowsEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any {
			if a := r.PrimarySmtpAddress(); a != "" {
				return a
			}
			return r.UserPrincipalName
		}),
		fixed[*tenant.Recipient]("IsDirSynced", false),
		rc("RecipientType", func(_ *tenant.State, r *tenant.Recipient) any {
			if r.Kind == tenant.MailUser {
				return "MailUser"
			}
			return r.Kind.RecipientType()
		}),
		recipientCol("RecipientTypeDetails"),
		recipientCol("ExternalDirectoryObjectId"),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func mailUserView() *view[*tenant.Recipient] {
	cols := []rcol{
		rc("ExternalEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		rc("UserPrincipalName", func(_ *tenant.State, r *tenant.Recipient) any { return r.UserPrincipalName }),
		recipientCol("Alias"),
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("ExternalDirectoryObjectId"),
		recipientCol("HiddenFromAddressListsEnabled"),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		rc("RecipientTypeDetails", func(_ *tenant.State, r *tenant.Recipient) any {
			if strings.Contains(r.UserPrincipalName, "#EXT#") {
				return "GuestMailUser"
			}
			return r.Kind.String()
		}),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "user")...)
	return newView(cols...)
}

func mailContactView() *view[*tenant.Recipient] {
	cols := []rcol{
		rc("ExternalEmailAddress", func(_ *tenant.State, r *tenant.Recipient) any { return strOrNil(r.ExternalEmailAddress) }),
		recipientCol("Alias"),
		recipientCol("DisplayName"),
		recipientCol("EmailAddresses"),
		recipientCol("ExternalDirectoryObjectId"),
		recipientCol("HiddenFromAddressListsEnabled"),
		recipientCol("PrimarySmtpAddress"),
		recipientCol("RecipientType"),
		recipientCol("RecipientTypeDetails"),
	}
	cols = append(cols, identityCols("top", "person", "organizationalPerson", "contact")...)
	return newView(cols...)
}

// listSpec says how a recipient Get cmdlet selects.
type listSpec struct {
	scope tenant.Kinds
	view  *view[*tenant.Recipient]
	// typeParam names the parameter that narrows by RecipientTypeDetails
	// ("" when the cmdlet has none).
	typeParam string
	// keep, when set, drops objects for cmdlet-specific switches.
	keep func(r *tenant.Recipient) bool
}

// listRecipients is the selection shared by the recipient Get cmdlets:
// -Identity (with * wildcards), -Anr, -Filter, -RecipientTypeDetails (and
// -RecipientType) and -ResultSize, in the tenant's creation order.
func listRecipients(inv *invocation, spec listSpec) (*exchange.Result, error) {
	a := inv.a
	size := a.resultSize(1000)
	scope := spec.scope
	if spec.typeParam != "" && a.has(spec.typeParam) {
		var want tenant.Kinds
		for _, name := range a.strs(spec.typeParam) {
			k, ok := tenant.ParseKind(name)
			if !ok {
				return nil, exchange.BadParameter("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\". Error: \"Unable to match the identifier name %s to a valid enumerator name.\"", spec.typeParam, name, name)
			}
			want |= tenant.KindSet(k)
		}
		scope &= want
	}
	if a.has("RecipientType") {
		var want tenant.Kinds
		for _, name := range a.strs("RecipientType") {
			matched := false
			for k := tenant.UserMailbox; k <= tenant.LastKind; k++ {
				if strings.EqualFold(k.RecipientType(), name) {
					want |= tenant.KindSet(k)
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
		list := inv.ts.Lookup(id, scope)
		if spec.keep != nil {
			list = keepOnly(list, spec.keep)
		}
		if pred != nil {
			list = keepOnly(list, func(r *tenant.Recipient) bool { return pred(inv.ts, r) })
		}
		switch {
		case len(list) == 0:
			return nil, exchange.NotFound(id)
		case len(list) > 1:
			return nil, tenant.Ambiguous(id)
		}
		return lazy(inv.ts, list, render), nil
	}
	var out []*tenant.Recipient
	for i, r := range inv.t.Recipients {
		if i%4096 == 0 {
			if err := inv.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !scope.Has(r.Kind) || (spec.keep != nil && !spec.keep(r)) {
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

func keepOnly(in []*tenant.Recipient, keep func(*tenant.Recipient) bool) []*tenant.Recipient {
	var out []*tenant.Recipient
	for _, r := range in {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// wildMatchRecipient matches an -Identity with wildcards against the
// names Exchange compares: name, alias, display name and primary address.
func wildMatchRecipient(r *tenant.Recipient, pattern string) bool {
	for _, s := range []string{r.Name, r.Alias, r.DisplayName, r.PrimarySmtpAddress()} {
		if s != "" && wildcard(s, pattern) {
			return true
		}
	}
	return false
}

// anrMatch is ambiguous name resolution: a prefix of the name, alias,
// display name, first or last name, or an SMTP address.
func anrMatch(r *tenant.Recipient, prefix string) bool {
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
	spec := listSpec{scope: tenant.MailboxKinds(), view: inv.s.views.mailbox, typeParam: "RecipientTypeDetails"}
	if a.boolean("Archive") {
		spec.keep = func(r *tenant.Recipient) bool { return !r.Mailbox.ArchiveGuid.IsZero() }
	}
	a.boolean("IncludeInactiveMailbox")
	return listRecipients(inv, spec)
}

func getRecipient(inv *invocation) (*exchange.Result, error) {
	inv.a.boolean("IncludeSoftDeletedRecipients")
	inv.a.strs("Properties") // every property is returned anyway
	return listRecipients(inv, listSpec{scope: tenant.RecipientKinds(), view: inv.s.views.recipient, typeParam: "RecipientTypeDetails"})
}

func getUser(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: tenant.UserKinds(), view: inv.s.views.user, typeParam: "RecipientTypeDetails"})
}

func getMailUser(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: tenant.KindSet(tenant.MailUser), view: inv.s.views.mailUser})
}

func getMailContact(inv *invocation) (*exchange.Result, error) {
	return listRecipients(inv, listSpec{scope: tenant.KindSet(tenant.MailContact), view: inv.s.views.mailContact, typeParam: "RecipientTypeDetails"})
}
