package store

import (
	"strings"

	"github.com/exorun/exorun/catalog"

	"github.com/exorun/exorun/emulator/exchange"
)

// orgCmdlets declares the organization configuration and protection policy
// cmdlets (see registry.go).
func orgCmdlets() []decl {
	return []decl{
		{"Get-AcceptedDomain", catalog.Exchange, "Identity ResultSize", getAcceptedDomain},
		{"Get-OrganizationConfig", catalog.Exchange, "", getOrganizationConfig},
		{"Get-TransportConfig", catalog.Exchange, "", getTransportConfig},
		{"Get-AdminAuditLogConfig", catalog.Exchange, "", getAdminAuditLogConfig},
		{"Get-HostedContentFilterPolicy", catalog.Exchange, "Identity", getHostedContentFilterPolicy},
		{"Get-AntiPhishPolicy", catalog.Exchange, "Identity Spoof", getAntiPhishPolicy},
		{"Get-MalwareFilterPolicy", catalog.Exchange, "Identity", getMalwareFilterPolicy},
		{"Get-RetentionPolicy", catalog.Exchange, "Identity", getRetentionPolicy},
	}
}

// findConfig finds a configuration object by name or GUID.
func findConfig[T any](items []T, id string, key func(T) (string, UUID)) (T, bool) {
	id = strings.TrimSpace(id)
	u, isGUID := ParseUUID(id)
	for _, it := range items {
		name, g := key(it)
		if strings.EqualFold(name, id) || (isGUID && g == u) {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// listConfig is the Get-* pattern for small configuration collections:
// every object, or the one -Identity names, cut to -ResultSize when the
// cmdlet has it.
func listConfig[T any](inv *invocation, items []T, key func(T) (string, UUID), v *view[T]) (*exchange.Result, error) {
	a := inv.a
	size := a.resultSize(-1)
	id := a.str("Identity")
	if err := a.failed(); err != nil {
		return nil, err
	}
	if a.has("Identity") {
		it, ok := findConfig(items, id, key)
		if !ok {
			return nil, exchange.NotFound(id)
		}
		return lazy(inv.ts, []T{it}, v.render), nil
	}
	out, warn := limit(append([]T(nil), items...), size)
	return lazy(inv.ts, out, v.render, warn...), nil
}

// configIdentity ends every configuration object.
func configIdentity[T any](name func(T) string, guid func(T) UUID, container string, changed func(T) any) []column[T] {
	return []column[T]{
		col("Identity", func(_ *tenantState, x T) any { return name(x) }),
		col("Id", func(_ *tenantState, x T) any { return name(x) }),
		fixed[T]("IsValid", true),
		fixed[T]("ExchangeVersion", exVersion),
		col("Name", func(_ *tenantState, x T) any { return name(x) }),
		col("DistinguishedName", func(ts *tenantState, x T) any {
			return "CN=" + escapeDN(name(x)) + "," + container + ",CN=Configuration,CN=" + ts.t.Organization + ",CN=ConfigurationUnits," + forestDC
		}),
		col("Guid", func(_ *tenantState, x T) any { return guid(x).guid() }),
		col("ImmutableId", func(_ *tenantState, x T) any { return guid(x).guid() }),
		col("WhenChanged", func(_ *tenantState, x T) any { return changed(x) }),
		col("WhenChangedUTC", func(_ *tenantState, x T) any { return changed(x) }),
		col("OrganizationId", func(ts *tenantState, _ T) any { return organizationID(ts.t.Organization) }),
		fixed[T]("OriginatingServer", serverFQDN),
		fixed[T]("ObjectState", "Unchanged"),
	}
}

func acceptedDomainView() *view[*AcceptedDomain] {
	type d = *AcceptedDomain
	cols := []column[d]{
		col("DomainName", func(_ *tenantState, x d) any { return x.DomainName }),
		col("CatchAllRecipientID", func(*tenantState, d) any { return nil }),
		col("DomainType", func(_ *tenantState, x d) any { return x.DomainType }),
		fixed[d]("MatchSubDomains", false),
		fixed[d]("AddressBookEnabled", true),
		col("Default", func(_ *tenantState, x d) any { return x.Default }),
		fixed[d]("EmailOnly", false),
		fixed[d]("ExternallyManaged", false),
		fixed[d]("AuthenticationType", "Managed"),
		fixed[d]("LiveIdInstanceType", "Business"),
		fixed[d]("PendingRemoval", false),
		fixed[d]("PendingCompletion", false),
		fixed[d]("FederatedOrganizationLink", nil),
		fixed[d]("MailFlowPartner", nil),
		fixed[d]("OutboundOnly", false),
		fixed[d]("PendingFederatedAccountNamespace", false),
		fixed[d]("PendingFederatedDomain", false),
		fixed[d]("IsCoexistenceDomain", false),
		fixed[d]("PerimeterDuplicateDetected", false),
		fixed[d]("IsDefaultFederatedDomain", false),
		fixed[d]("EnableNego2Authentication", false),
		col("InitialDomain", func(_ *tenantState, x d) any { return x.InitialDomain }),
		fixed[d]("AdminDisplayName", ""),
		col("WhenCreated", func(_ *tenantState, x d) any { return timeOrNil(x.WhenCreated) }),
		col("WhenCreatedUTC", func(_ *tenantState, x d) any { return timeOrNil(x.WhenCreated) }),
	}
	cols = append(cols, configIdentity(func(x d) string { return x.Name }, func(x d) UUID { return x.Guid },
		"CN=Accepted Domains,CN=Transport Settings", func(x d) any { return timeOrNil(x.WhenCreated) })...)
	return newView(cols...)
}

func getAcceptedDomain(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.AcceptedDomains, func(x *AcceptedDomain) (string, UUID) { return x.Name, x.Guid }, inv.s.views.acceptedDomain)
}

type tcol = column[*Tenant]

func oc(name string, get func(t *Tenant) any) tcol {
	return col(name, func(_ *tenantState, t *Tenant) any { return get(t) })
}

func orgConfigView() *view[*Tenant] {
	return newView(
		oc("Name", func(t *Tenant) any { return t.Organization }),
		oc("DisplayName", func(t *Tenant) any { return t.Org.DisplayName }),
		oc("AuditDisabled", func(t *Tenant) any { return t.Org.AuditDisabled }),
		fixed[*Tenant]("ActivityBasedAuthenticationTimeoutEnabled", true),
		fixed[*Tenant]("ActivityBasedAuthenticationTimeoutInterval", "06:00:00"),
		fixed[*Tenant]("AppsForOfficeEnabled", true),
		fixed[*Tenant]("AutoExpandingArchiveEnabled", false),
		fixed[*Tenant]("BookingsEnabled", true),
		fixed[*Tenant]("ConnectorsEnabled", true),
		fixed[*Tenant]("ConnectorsActionableMessagesEnabled", true),
		oc("CustomerLockboxEnabled", func(t *Tenant) any { return t.Org.CustomerLockboxEnabled }),
		fixed[*Tenant]("DefaultAuthenticationPolicy", nil),
		fixed[*Tenant]("DefaultPublicFolderAgeLimit", nil),
		fixed[*Tenant]("DistributionGroupDefaultOU", nil),
		fixed[*Tenant]("DistributionGroupNamingPolicy", ""),
		fixed[*Tenant]("ElcProcessingDisabled", false),
		fixed[*Tenant]("EwsApplicationAccessPolicy", nil),
		fixed[*Tenant]("EwsEnabled", nil),
		oc("FocusedInboxOn", func(t *Tenant) any { return t.Org.FocusedInboxOn }),
		fixed[*Tenant]("HierarchicalAddressBookRoot", nil),
		fixed[*Tenant]("IsDehydrated", false),
		fixed[*Tenant]("IsMixedMode", false),
		fixed[*Tenant]("LinkPreviewEnabled", true),
		oc("MailTipsAllTipsEnabled", func(t *Tenant) any { return t.Org.MailTipsAllTipsEnabled }),
		fixed[*Tenant]("MailTipsExternalRecipientsTipsEnabled", false),
		fixed[*Tenant]("MailTipsGroupMetricsEnabled", true),
		fixed[*Tenant]("MailTipsLargeAudienceThreshold", int64(25)),
		fixed[*Tenant]("MailTipsMailboxSourcedTipsEnabled", true),
		oc("OAuth2ClientProfileEnabled", func(t *Tenant) any { return t.Org.OAuth2ClientProfileEnabled }),
		fixed[*Tenant]("OutlookMobileGCCRestrictionsEnabled", false),
		fixed[*Tenant]("PublicFoldersEnabled", "Local"),
		fixed[*Tenant]("ReadTrackingEnabled", false),
		fixed[*Tenant]("SendFromAliasEnabled", false),
		fixed[*Tenant]("SmtpActionableMessagesEnabled", true),
		fixed[*Tenant]("VisibleMeetingUpdateProperties", "Location,AllProperties:15"),
		fixed[*Tenant]("WebPushNotificationsDisabled", false),
		oc("Identity", func(t *Tenant) any { return t.Organization }),
		oc("Id", func(t *Tenant) any { return t.Organization }),
		fixed[*Tenant]("IsValid", true),
		fixed[*Tenant]("ExchangeVersion", "0.20 (15.0.0.0)"),
		oc("DistinguishedName", func(t *Tenant) any { return "CN=" + t.Organization + ",CN=ConfigurationUnits," + forestDC }),
		oc("Guid", func(t *Tenant) any { return t.Org.Guid.guid() }),
		oc("WhenCreated", func(t *Tenant) any { return timeOrNil(t.Org.WhenCreated) }),
		oc("WhenCreatedUTC", func(t *Tenant) any { return timeOrNil(t.Org.WhenCreated) }),
		oc("OrganizationId", func(t *Tenant) any { return organizationID(t.Organization) }),
		fixed[*Tenant]("OriginatingServer", serverFQDN),
		fixed[*Tenant]("ObjectState", "Unchanged"),
	)
}

func getOrganizationConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*Tenant{inv.t}, inv.s.views.orgConfig.render), nil
}

func transportConfigView() *view[*Tenant] {
	return newView(
		fixed[*Tenant]("AddressBookPolicyRoutingEnabled", false),
		fixed[*Tenant]("AllowLegacyTLSClients", false),
		fixed[*Tenant]("ClearCategories", true),
		fixed[*Tenant]("ConvertDisclaimerWrapperToEml", false),
		fixed[*Tenant]("DSNConversionMode", "UseExchangeDSNs"),
		fixed[*Tenant]("ExternalDelayDsnEnabled", true),
		fixed[*Tenant]("ExternalPostmasterAddress", nil),
		fixed[*Tenant]("HeaderPromotionModeSetting", "NoCreate"),
		fixed[*Tenant]("InternalDelayDsnEnabled", true),
		fixed[*Tenant]("JournalingReportNdrTo", "<>"),
		fixed[*Tenant]("MaxRecipientEnvelopeLimit", "Unlimited"),
		fixed[*Tenant]("MaxReceiveSize", byteQuantity(36<<20)),
		fixed[*Tenant]("MaxSendSize", byteQuantity(35<<20)),
		fixed[*Tenant]("ReplyAllStormProtectionEnabled", true),
		fixed[*Tenant]("Rfc2231EncodingEnabled", false),
		oc("SmtpClientAuthenticationDisabled", func(t *Tenant) any { return t.Org.SmtpClientAuthenticationDisabled }),
		fixed[*Tenant]("TLSReceiveDomainSecureList", []string{}),
		fixed[*Tenant]("TLSSendDomainSecureList", []string{}),
		oc("Identity", func(t *Tenant) any { return "Transport Settings" }),
		fixed[*Tenant]("IsValid", true),
		fixed[*Tenant]("Name", "Transport Settings"),
		oc("OrganizationId", func(t *Tenant) any { return organizationID(t.Organization) }),
		fixed[*Tenant]("ObjectState", "Unchanged"),
	)
}

func getTransportConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*Tenant{inv.t}, inv.s.views.transportConfig.render), nil
}

func auditConfigView() *view[*Tenant] {
	return newView(
		fixed[*Tenant]("AdminAuditLogEnabled", true),
		fixed[*Tenant]("LogLevel", "None"),
		fixed[*Tenant]("TestCmdletLoggingEnabled", false),
		fixed[*Tenant]("AdminAuditLogCmdlets", []string{"*"}),
		fixed[*Tenant]("AdminAuditLogParameters", []string{"*"}),
		fixed[*Tenant]("AdminAuditLogExcludedCmdlets", []string{}),
		fixed[*Tenant]("AdminAuditLogAgeLimit", "90.00:00:00"),
		fixed[*Tenant]("LoadBalancerCount", int64(3)),
		oc("UnifiedAuditLogIngestionEnabled", func(t *Tenant) any { return t.Org.UnifiedAuditLogIngestionEnabled }),
		fixed[*Tenant]("UnifiedAuditLogFirstOptInDate", nil),
		fixed[*Tenant]("Identity", "Admin Audit Log Settings"),
		fixed[*Tenant]("Name", "Admin Audit Log Settings"),
		fixed[*Tenant]("IsValid", true),
		oc("OrganizationId", func(t *Tenant) any { return organizationID(t.Organization) }),
		fixed[*Tenant]("ObjectState", "Unchanged"),
	)
}

func getAdminAuditLogConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*Tenant{inv.t}, inv.s.views.auditConfig.render), nil
}

func contentFilterView() *view[*ContentFilterPolicy] {
	type p = *ContentFilterPolicy
	cols := []column[p]{
		fixed[p]("AdminDisplayName", ""),
		col("AddXHeaderValue", func(*tenantState, p) any { return "" }),
		col("ModifySubjectValue", func(*tenantState, p) any { return "" }),
		col("RedirectToRecipients", func(*tenantState, p) any { return []string{} }),
		col("FalsePositiveAdditionalRecipients", func(*tenantState, p) any { return []string{} }),
		col("QuarantineRetentionPeriod", func(_ *tenantState, x p) any { return int64(x.QuarantineRetentionPeriod) }),
		col("EndUserSpamNotificationFrequency", func(*tenantState, p) any { return int64(3) }),
		fixed[p]("TestModeAction", "None"),
		col("IncreaseScoreWithImageLinks", func(*tenantState, p) any { return "Off" }),
		col("IncreaseScoreWithNumericIps", func(*tenantState, p) any { return "Off" }),
		col("IncreaseScoreWithRedirectToOtherPort", func(*tenantState, p) any { return "Off" }),
		col("IncreaseScoreWithBizOrInfoUrls", func(*tenantState, p) any { return "Off" }),
		col("MarkAsSpamEmptyMessages", func(*tenantState, p) any { return "Off" }),
		col("MarkAsSpamJavaScriptInHtml", func(*tenantState, p) any { return "Off" }),
		col("MarkAsSpamFramesInHtml", func(*tenantState, p) any { return "Off" }),
		col("MarkAsSpamBulkMail", func(*tenantState, p) any { return "On" }),
		col("InlineSafetyTipsEnabled", func(*tenantState, p) any { return true }),
		col("BulkThreshold", func(_ *tenantState, x p) any { return int64(x.BulkThreshold) }),
		col("AllowedSenders", func(_ *tenantState, x p) any { return list(x.AllowedSenders) }),
		col("AllowedSenderDomains", func(_ *tenantState, x p) any { return list(x.AllowedSenderDomains) }),
		col("BlockedSenders", func(_ *tenantState, x p) any { return list(x.BlockedSenders) }),
		col("BlockedSenderDomains", func(_ *tenantState, x p) any { return list(x.BlockedSenderDomains) }),
		fixed[p]("AllowedCountries", []string{}),
		fixed[p]("BlockedCountries", []string{}),
		fixed[p]("LanguageBlockList", []string{}),
		col("IsDefault", func(_ *tenantState, x p) any { return x.IsDefault }),
		col("SpamAction", func(_ *tenantState, x p) any { return x.SpamAction }),
		col("HighConfidenceSpamAction", func(_ *tenantState, x p) any { return x.HighConfidenceSpamAction }),
		col("PhishSpamAction", func(_ *tenantState, x p) any { return x.PhishSpamAction }),
		col("HighConfidencePhishAction", func(_ *tenantState, x p) any { return x.HighConfidencePhishAction }),
		col("BulkSpamAction", func(_ *tenantState, x p) any { return x.BulkSpamAction }),
		col("EnableEndUserSpamNotifications", func(_ *tenantState, x p) any { return x.EnableEndUserSpamNotifications }),
		fixed[p]("SpamQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("HighConfidenceSpamQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("PhishQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("HighConfidencePhishQuarantineTag", "AdminOnlyAccessPolicy"),
		fixed[p]("BulkQuarantineTag", "DefaultFullAccessPolicy"),
		col("SpamZapEnabled", func(_ *tenantState, x p) any { return x.SpamZapEnabled }),
		col("PhishZapEnabled", func(_ *tenantState, x p) any { return x.PhishZapEnabled }),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) UUID { return x.Guid },
		"CN=Hosted Content Filter Policies,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getHostedContentFilterPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.ContentFilterPolicies, func(x *ContentFilterPolicy) (string, UUID) { return x.Name, x.Guid }, inv.s.views.contentFilter)
}

func antiPhishView() *view[*AntiPhishPolicy] {
	type p = *AntiPhishPolicy
	b := func(name string, get func(x p) bool) column[p] {
		return col(name, func(_ *tenantState, x p) any { return get(x) })
	}
	cols := []column[p]{
		b("IsDefault", func(x p) bool { return x.IsDefault }),
		b("Enabled", func(x p) bool { return x.Enabled }),
		col("PhishThresholdLevel", func(_ *tenantState, x p) any { return int64(x.PhishThresholdLevel) }),
		b("EnableTargetedUserProtection", func(x p) bool { return x.EnableTargetedUserProtection }),
		col("TargetedUsersToProtect", func(_ *tenantState, x p) any { return list(x.TargetedUsersToProtect) }),
		fixed[p]("TargetedUserProtectionAction", "NoAction"),
		fixed[p]("EnableTargetedDomainsProtection", false),
		fixed[p]("TargetedDomainsToProtect", []string{}),
		b("EnableOrganizationDomainsProtection", func(x p) bool { return x.EnableOrganizationDomainsProtection }),
		b("EnableMailboxIntelligence", func(x p) bool { return x.EnableMailboxIntelligence }),
		b("EnableMailboxIntelligenceProtection", func(x p) bool { return x.EnableMailboxIntelligenceProtection }),
		fixed[p]("MailboxIntelligenceProtectionAction", "NoAction"),
		fixed[p]("EnableSimilarUsersSafetyTips", false),
		fixed[p]("EnableSimilarDomainsSafetyTips", false),
		fixed[p]("EnableUnusualCharactersSafetyTips", false),
		b("EnableFirstContactSafetyTips", func(x p) bool { return x.EnableFirstContactSafetyTips }),
		b("EnableSpoofIntelligence", func(x p) bool { return x.EnableSpoofIntelligence }),
		b("EnableUnauthenticatedSender", func(x p) bool { return x.EnableUnauthenticatedSender }),
		fixed[p]("EnableViaTag", true),
		col("AuthenticationFailAction", func(_ *tenantState, x p) any { return x.AuthenticationFailAction }),
		b("HonorDmarcPolicy", func(x p) bool { return x.HonorDmarcPolicy }),
		fixed[p]("DmarcRejectAction", "Reject"),
		fixed[p]("DmarcQuarantineAction", "Quarantine"),
		fixed[p]("SpoofQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) UUID { return x.Guid },
		"CN=AntiPhish,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getAntiPhishPolicy(inv *invocation) (*exchange.Result, error) {
	inv.a.boolean("Spoof")
	return listConfig(inv, inv.t.AntiPhishPolicies, func(x *AntiPhishPolicy) (string, UUID) { return x.Name, x.Guid }, inv.s.views.antiPhish)
}

func malwareView() *view[*MalwareFilterPolicy] {
	type p = *MalwareFilterPolicy
	cols := []column[p]{
		fixed[p]("AdminDisplayName", ""),
		fixed[p]("CustomNotifications", false),
		col("EnableFileFilter", func(_ *tenantState, x p) any { return x.EnableFileFilter }),
		col("FileTypeAction", func(_ *tenantState, x p) any { return x.FileTypeAction }),
		col("FileTypes", func(_ *tenantState, x p) any { return list(x.FileTypes) }),
		col("EnableInternalSenderAdminNotifications", func(_ *tenantState, x p) any { return x.EnableInternalSenderAdminNotifications }),
		col("InternalSenderAdminAddress", func(_ *tenantState, x p) any { return strOrNil(x.InternalSenderAdminAddress) }),
		fixed[p]("EnableExternalSenderAdminNotifications", false),
		fixed[p]("ExternalSenderAdminAddress", nil),
		col("IsDefault", func(_ *tenantState, x p) any { return x.IsDefault }),
		fixed[p]("QuarantineTag", "AdminOnlyAccessPolicy"),
		col("ZapEnabled", func(_ *tenantState, x p) any { return x.ZapEnabled }),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) UUID { return x.Guid },
		"CN=Malware Filter,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getMalwareFilterPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.MalwareFilterPolicies, func(x *MalwareFilterPolicy) (string, UUID) { return x.Name, x.Guid }, inv.s.views.malware)
}

func retentionView() *view[*RetentionPolicy] {
	type p = *RetentionPolicy
	cols := []column[p]{
		col("IsDefault", func(_ *tenantState, x p) any { return x.IsDefault }),
		fixed[p]("IsDefaultArbitrationMailbox", false),
		col("RetentionPolicyTagLinks", func(_ *tenantState, x p) any { return list(x.TagLinks) }),
		col("RetentionId", func(_ *tenantState, x p) any { return x.RetentionID.guid() }),
		fixed[p]("AdminDisplayName", ""),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) UUID { return x.Guid },
		"CN=Retention Policies Container", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getRetentionPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.RetentionPolicies, func(x *RetentionPolicy) (string, UUID) { return x.Name, x.Guid }, inv.s.views.retention)
}
