package catalog

import (
	"fmt"
	"strings"
)

// Microsoft's PowerShell module (ExchangeOnlineManagement) ships cmdlets
// of its own next to the ones the service runs. The reference documents
// them like any other cmdlet; this file says what exorun does with them.
//
// Source: the module's manifest (ExchangeOnlineManagement.psd1,
// FunctionsToExport and CmdletsToExport, v3.x) and "About the Exchange
// Online PowerShell module" (exchange-online-powershell-v2.md, sections
// "Cmdlets in the Exchange Online PowerShell module" and "Properties and
// property sets"), MicrosoftDocs/office-docs-powershell.

// moduleCmdlet is a cmdlet the module implements itself and no service
// runs through InvokeCommand.
type moduleCmdlet struct{ name, reason string }

const (
	reasonConnection = "a connection cmdlet of Microsoft's PowerShell module; exorun connects with its own settings"
	reasonFeature    = "implemented inside Microsoft's PowerShell module (a Viva Insights/MyAnalytics feature API), not by the Exchange admin API exorun speaks"
)

// moduleOnlyCmdlets are left out of the catalog: the connection cmdlets
// and the "miscellaneous Exchange Online feature cmdlets that happen to be
// in the module". Their pages carry "external help file:
// Microsoft.Exchange.Management.RestApiClient.dll-Help.xml" and every one
// but the Get-*s has a -ResultSize on an Add/Set/Remove, a module trait.
func moduleOnlyCmdlets() []moduleCmdlet {
	return []moduleCmdlet{
		{"Connect-ExchangeOnline", reasonConnection},
		{"Connect-IPPSSession", reasonConnection},
		{"Disconnect-ExchangeOnline", reasonConnection},
		{"Get-ConnectionInformation", reasonConnection},
		{"Get-DefaultTenantBriefingConfig", reasonFeature},
		{"Set-DefaultTenantBriefingConfig", reasonFeature},
		{"Get-DefaultTenantMyAnalyticsFeatureConfig", reasonFeature},
		{"Set-DefaultTenantMyAnalyticsFeatureConfig", reasonFeature},
		{"Get-MyAnalyticsFeatureConfig", reasonFeature},
		{"Set-MyAnalyticsFeatureConfig", reasonFeature},
		{"Get-UserBriefingConfig", reasonFeature},
		{"Set-UserBriefingConfig", reasonFeature},
		{"Get-VivaInsightsSettings", reasonFeature},
		{"Set-VivaInsightsSettings", reasonFeature},
		{"Get-VivaModuleFeature", reasonFeature},
		{"Get-VivaModuleFeatureEnablement", reasonFeature},
		{"Add-VivaModuleFeaturePolicy", reasonFeature},
		{"Get-VivaModuleFeaturePolicy", reasonFeature},
		{"Remove-VivaModuleFeaturePolicy", reasonFeature},
		{"Update-VivaModuleFeaturePolicy", reasonFeature},
		{"Add-VivaOrgInsightsDelegatedRole", reasonFeature},
		{"Get-VivaOrgInsightsDelegatedRole", reasonFeature},
		{"Remove-VivaOrgInsightsDelegatedRole", reasonFeature},
		{"Add-WorkforceInsightsDelegationAccess", reasonFeature},
		{"Get-WorkforceInsightsDelegationAccess", reasonFeature},
		{"Remove-WorkforceInsightsDelegationAccess", reasonFeature},
	}
}

// ModuleOnly reports whether name (any case) is a cmdlet of Microsoft's
// PowerShell module that the catalog leaves out, and why, so that a
// binding can answer better than "no such cmdlet".
func ModuleOnly(name string) (reason string, ok bool) {
	for _, m := range moduleOnlyCmdlets() {
		if strings.EqualFold(m.name, name) {
			return m.reason, true
		}
	}
	return "", false
}

// The nine Get-EXO* cmdlets stay in the catalog, so scripts written for
// the module keep working, but no service runs them: the module reads
// REST entities. exorun calls the server cmdlet each one wraps
// (Cmdlet.WrapperOf) and turns -PropertySets/-Properties, which only the
// module understands (Parameter.ClientSide), into $select (Select).
//
// Some wrapper parameters have no server counterpart:
// -ExternalDirectoryObjectId, -PrimarySmtpAddress and -UserPrincipalName
// (another way to say -Identity), Get-EXOMailbox -Async,
// Get-EXOMailboxStatistics -DatabaseGuid/-ExchangeGuid, Get-EXOCasMailbox
// -GetImapProtocolLog/-GetPopProtocolLog/-SendLogsTo. A binding finds them
// with c.Server().Param(name) and maps or refuses them.
func wrappers() []struct{ wrapper, server string } {
	return []struct{ wrapper, server string }{
		{"Get-EXOCasMailbox", "Get-CASMailbox"},
		{"Get-EXOMailbox", "Get-Mailbox"},
		{"Get-EXOMailboxFolderPermission", "Get-MailboxFolderPermission"},
		{"Get-EXOMailboxFolderStatistics", "Get-MailboxFolderStatistics"},
		{"Get-EXOMailboxPermission", "Get-MailboxPermission"},
		{"Get-EXOMailboxStatistics", "Get-MailboxStatistics"},
		{"Get-EXOMobileDeviceStatistics", "Get-MobileDeviceStatistics"},
		{"Get-EXORecipient", "Get-Recipient"},
		{"Get-EXORecipientPermission", "Get-RecipientPermission"},
	}
}

// clientSideParams are the wrapper parameters only the module reads.
// Get-Recipient has a -Properties of its own, but on Get-EXORecipient it
// means the module's property list, so it is client-side there too.
func isClientSideParam(name string) bool {
	return equalFoldASCII(name, "PropertySets") || equalFoldASCII(name, "Properties")
}

// applyWrappers marks the wrappers while the catalog loads. A wrapper or
// server missing from the reference is skipped here and reported by
// TestWrappers.
func applyWrappers(byName map[string]*Cmdlet) {
	for _, w := range wrappers() {
		c, ok := byName[strings.ToLower(w.wrapper)]
		if !ok {
			continue
		}
		if _, ok := byName[strings.ToLower(w.server)]; !ok {
			continue
		}
		c.WrapperOf = w.server
		for i := range c.Parameters {
			c.Parameters[i].ClientSide = isClientSideParam(c.Parameters[i].Name)
		}
	}
}

// propertySets are the wrappers' property sets, from "Property sets in
// Exchange Online PowerShell module cmdlets" (cmdlet-property-sets.md).
// The other five wrappers have no -PropertySets. "All" is no list at all:
// every property, that is no $select.
func propertySets(wrapper string) map[string][]string {
	switch strings.ToLower(wrapper) {
	case "get-exomailbox":
		return map[string][]string{
			// The docs' table lists 14 properties; the module's output
			// also carries Identity, which scripts use, so it is asked
			// for too (the order is the module's output order).
			"Minimum": {"ExternalDirectoryObjectId", "UserPrincipalName", "Alias", "DisplayName", "EmailAddresses",
				"PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails", "Identity", "Id", "ExchangeVersion",
				"Name", "DistinguishedName", "OrganizationId", "Guid"},
			"AddressList": {"AddressBookPolicy", "AddressListMembership", "ExternalDirectoryObjectId",
				"GeneratedOfflineAddressBooks", "HiddenFromAddressListsEnabled", "OfflineAddressBook"},
			"Archive": {"ArchiveDatabase", "ArchiveDomain", "ArchiveGuid", "ArchiveName", "ArchiveQuota",
				"ArchiveRelease", "ArchiveState", "ArchiveStatus", "ArchiveWarningQuota", "AutoExpandingArchiveEnabled",
				"DisabledArchiveDatabase", "DisabledArchiveGuid", "ExternalDirectoryObjectId", "JournalArchiveAddress"},
			"Audit": {"AuditAdmin", "AuditDelegate", "AuditEnabled", "AuditLogAgeLimit", "AuditOwner",
				"DefaultAuditSet", "ExternalDirectoryObjectId"},
			"Custom": append(customAttributes(), "ExtensionCustomAttribute1", "ExtensionCustomAttribute2",
				"ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5", "ExternalDirectoryObjectId"),
			"Delivery": {"AcceptMessagesOnlyFrom", "AcceptMessagesOnlyFromDLMembers", "AcceptMessagesOnlyFromSendersOrMembers",
				"DeliverToMailboxAndForward", "DowngradeHighPriorityMessagesEnabled", "ExternalDirectoryObjectId",
				"ForwardingAddress", "ForwardingSmtpAddress", "GrantSendOnBehalfTo", "MaxBlockedSenders", "MaxReceiveSize",
				"MaxSafeSenders", "MaxSendSize", "MessageCopyForSendOnBehalfEnabled", "MessageCopyForSentAsEnabled",
				"MessageRecallProcessingEnabled", "MessageTrackingReadStatusEnabled", "RecipientLimits",
				"RejectMessagesFrom", "RejectMessagesFromDLMembers", "RejectMessagesFromSendersOrMembers", "RulesQuota"},
			"Hold": {"ComplianceTagHoldApplied", "DelayHoldApplied", "ExternalDirectoryObjectId", "InPlaceHolds",
				"InactiveMailboxRetireTime", "LitigationHoldDate", "LitigationHoldDuration", "LitigationHoldEnabled",
				"LitigationHoldOwner"},
			"Moderation": {"BypassModerationFromSendersOrMembers", "ExternalDirectoryObjectId", "ModeratedBy",
				"ModerationEnabled", "SendModerationNotifications"},
			"Move": {"ExternalDirectoryObjectId", "MailboxMoveBatchName", "MailboxMoveFlags", "MailboxMoveRemoteHostName",
				"MailboxMoveSourceMDB", "MailboxMoveStatus", "MailboxMoveTargetMDB"},
			"Policy": {"AddressBookPolicy", "DataEncryptionPolicy", "EmailAddressPolicyEnabled", "ExternalDirectoryObjectId",
				"ManagedFolderMailboxPolicy", "PoliciesExcluded", "PoliciesIncluded", "RemoteAccountPolicy",
				"RetentionPolicy", "RetentionUrl", "RoleAssignmentPolicy", "SharingPolicy", "ThrottlingPolicy"},
			"PublicFolder": {"DefaultPublicFolderMailbox", "EffectivePublicFolderMailbox", "ExternalDirectoryObjectId",
				"IsExcludedFromServingHierarchy", "IsHierarchyReady", "IsHierarchySyncEnabled", "IsRootPublicFolderMailbox"},
			"Quota": {"ArchiveQuota", "ArchiveWarningQuota", "CalendarLoggingQuota", "ExternalDirectoryObjectId",
				"IssueWarningQuota", "ProhibitSendQuota", "ProhibitSendReceiveQuota", "RecoverableItemsQuota",
				"RecoverableItemsWarningQuota", "RulesQuota", "UseDatabaseQuotaDefaults"},
			"Resource": {"ExternalDirectoryObjectId", "IsResource", "ResourceCapacity", "ResourceCustom", "ResourceType",
				"RoomMailboxAccountEnabled"},
			"Retention": {"EndDateForRetentionHold", "ExternalDirectoryObjectId", "OrphanSoftDeleteTrackingTime",
				"RetainDeletedItemsFor", "RetainDeletedItemsUntilBackup", "RetentionComment", "RetentionHoldEnabled",
				"RetentionPolicy", "RetentionUrl", "SingleItemRecoveryEnabled", "StartDateForRetentionHold",
				"UseDatabaseRetentionDefaults"},
			"SCL": {"AntispamBypassEnabled", "ExternalDirectoryObjectId", "SCLDeleteEnabled", "SCLDeleteThreshold",
				"SCLJunkEnabled", "SCLJunkThreshold", "SCLQuarantineEnabled", "SCLQuarantineThreshold", "SCLRejectEnabled",
				"SCLRejectThreshold"},
			"SoftDelete": {"ExternalDirectoryObjectId", "IncludeInGarbageCollection", "IsInactiveMailbox",
				"IsSoftDeletedByDisable", "IsSoftDeletedByRemove", "WhenSoftDeleted"},
			"StatisticsSeed": {"ArchiveDatabaseGuid", "DatabaseGuid", "ExchangeGuid", "ExternalDirectoryObjectId"},
			"All":            nil,
		}
	case "get-exocasmailbox":
		return map[string][]string{
			"Minimum": {"ActiveSyncEnabled", "DisplayName", "ECPEnabled", "EmailAddresses", "EwsEnabled", "ExchangeVersion",
				"Guid", "Identity", "ImapEnabled", "MAPIEnabled", "Name", "OWAEnabled", "OrganizationId", "PopEnabled",
				"PrimarySmtpAddress", "ServerLegacyDN"},
			"ActiveSync": {"ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs", "ActiveSyncEnabled",
				"ActiveSyncMailboxPolicy", "ActiveSyncMailboxPolicyIsDefaulted", "ActiveSyncSuppressReadReceipt",
				"ExternalDirectoryObjectId", "Guid", "HasActiveSyncDevicePartnership", "Identity", "Name", "OrganizationId"},
			"Ews": {"EwsAllowMacOutlook", "EwsAllowOutlook", "EwsEnabled", "ExternalDirectoryObjectId", "Guid", "Identity",
				"Name", "OrganizationId"},
			"Imap": {"ExternalDirectoryObjectId", "Guid", "Identity", "ImapEnableExactRFC822Size", "ImapEnabled",
				"ImapForceICalForCalendarRetrievalOption", "ImapMessagesRetrievalMimeFormat", "ImapSuppressReadReceipt",
				"ImapUseProtocolDefaults", "Name", "OrganizationId"},
			"Mapi": {"ExternalDirectoryObjectId", "Guid", "Identity", "MAPIBlockOutlookExternalConnectivity",
				"MAPIBlockOutlookNonCachedMode", "MAPIBlockOutlookRpcHttp", "MAPIBlockOutlookVersions", "MAPIEnabled",
				"MapiHttpEnabled", "Name", "OrganizationId"},
			"Pop": {"ExternalDirectoryObjectId", "Guid", "Identity", "Name", "OrganizationId", "PopEnableExactRFC822Size",
				"PopEnabled", "PopMessagesRetrievalMimeFormat", "PopSuppressReadReceipt", "PopUseProtocolDefaults"},
			"ProtocolSettings": {"ExternalDirectoryObjectId", "ExternalImapSettings", "ExternalPopSettings",
				"ExternalSmtpSettings", "Guid", "Identity", "InternalImapSettings", "InternalPopSettings",
				"InternalSmtpSettings", "Name", "OrganizationId"},
			"All": nil,
		}
	case "get-exomailboxstatistics":
		return map[string][]string{
			"Minimum": {"DeletedItemCount", "DisplayName", "ItemCount", "MailboxGuid", "TotalDeletedItemSize", "TotalItemSize"},
			// The docs enumerate All; asking for everything is the same
			// and survives new properties.
			"All": nil,
		}
	case "get-exorecipient":
		return map[string][]string{
			// The docs spell it ExternalDirectoryObjectID here.
			"Minimum": {"ExchangeVersion", "ExternalDirectoryObjectId", "Name", "OrganizationId", "RecipientType",
				"RecipientTypeDetails"},
			"Archive": {"ArchiveDatabase", "ArchiveGuid", "ArchiveRelease", "ArchiveState", "ArchiveStatus"},
			"Custom": append(customAttributes(), "ExtensionCustomAttribute1", "ExtensionCustomAttribute2",
				"ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5"),
			"MailboxMove": {"MailboxMoveBatchName", "MailboxMoveFlags", "MailboxMoveRemoteHostName", "MailboxMoveSourceMDB",
				"MailboxMoveStatus", "MailboxMoveTargetMDB"},
			"Policy": {"ActiveSyncMailboxPolicy", "ActiveSyncMailboxPolicyIsDefaulted", "AddressBookPolicy",
				"EmailAddressPolicyEnabled", "ManagedFolderMailboxPolicy", "OwaMailboxPolicy", "PoliciesExcluded",
				"PoliciesIncluded", "RetentionPolicy", "SharingPolicy", "ShouldUseDefaultRetentionPolicy", "UMMailboxPolicy"},
			"All": nil,
		}
	}
	return nil
}

func customAttributes() []string {
	out := make([]string, 15)
	for i := range out {
		out[i] = fmt.Sprintf("CustomAttribute%d", i+1)
	}
	return out
}

// PropertySet returns the properties of a wrapper's property set (both
// names any case). It returns nil, true for "All": every property, no
// $select. The slice is the caller's.
func PropertySet(cmdlet, set string) ([]string, bool) {
	for name, props := range propertySets(cmdlet) {
		if strings.EqualFold(name, set) {
			return props, true
		}
	}
	return nil, false
}

// PropertySets lists a wrapper's property set names, sorted; none for a
// cmdlet without -PropertySets.
func PropertySets(cmdlet string) []string {
	sets := propertySets(cmdlet)
	out := make([]string, 0, len(sets))
	for name := range sets {
		out = append(out, name)
	}
	sortFold(out)
	return out
}

// Select is the $select for a wrapper call: as the module does, the
// Minimum set plus the sets and properties asked for, each property once
// (first spelling wins). all is true when "All" was asked for: send no
// $select. A wrapper without property sets selects exactly properties (all
// when there are none). An unknown set is an error naming the valid ones.
func Select(cmdlet string, sets, properties []string) (fields []string, all bool, err error) {
	known := propertySets(cmdlet)
	if known == nil {
		if len(sets) > 0 {
			return nil, false, fmt.Errorf("%s has no property sets", cmdlet)
		}
		if len(properties) == 0 {
			return nil, true, nil
		}
	}
	seen := map[string]bool{}
	add := func(list []string) {
		for _, p := range list {
			if k := strings.ToLower(p); !seen[k] {
				seen[k] = true
				fields = append(fields, p)
			}
		}
	}
	if known != nil {
		add(known["Minimum"])
	}
	for _, s := range sets {
		props, ok := PropertySet(cmdlet, s)
		if !ok {
			return nil, false, fmt.Errorf("%s has no property set %q; valid: %s", cmdlet, s, strings.Join(PropertySets(cmdlet), ", "))
		}
		if props == nil {
			all = true
		}
		add(props)
	}
	if all {
		return nil, true, nil
	}
	add(properties)
	return fields, false, nil
}
