package store

import (
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
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
func findConfig[T any](items []T, id string, key func(T) (string, tenant.UUID)) (T, bool) {
	id = strings.TrimSpace(id)
	u, isGUID := tenant.ParseUUID(id)
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
func listConfig[T any](inv *invocation, items []T, key func(T) (string, tenant.UUID), v *view[T]) (*exchange.Result, error) {
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
func configIdentity[T any](name func(T) string, guid func(T) tenant.UUID, container string, changed func(T) any) []column[T] {
	return []column[T]{
		col("Identity", func(_ *tenant.State, x T) any { return name(x) }),
		col("Id", func(_ *tenant.State, x T) any { return name(x) }),
		fixed[T]("IsValid", true),
		fixed[T]("ExchangeVersion", exVersion),
		col("Name", func(_ *tenant.State, x T) any { return name(x) }),
		col("DistinguishedName", func(ts *tenant.State, x T) any {
			return "CN=" + escapeDN(name(x)) + "," + container + ",CN=Configuration,CN=" + ts.T.Organization + ",CN=ConfigurationUnits," + forestDC
		}),
		col("Guid", func(_ *tenant.State, x T) any { return guid(x).GUID() }),
		col("ImmutableId", func(_ *tenant.State, x T) any { return guid(x).GUID() }),
		col("WhenChanged", func(_ *tenant.State, x T) any { return changed(x) }),
		col("WhenChangedUTC", func(_ *tenant.State, x T) any { return changed(x) }),
		col("OrganizationId", func(ts *tenant.State, _ T) any { return organizationID(ts.T.Organization) }),
		fixed[T]("OriginatingServer", serverFQDN),
		fixed[T]("ObjectState", "Unchanged"),
	}
}

func acceptedDomainView() *view[*tenant.AcceptedDomain] {
	type d = *tenant.AcceptedDomain
	cols := []column[d]{
		col("DomainName", func(_ *tenant.State, x d) any { return x.DomainName }),
		col("CatchAllRecipientID", func(*tenant.State, d) any { return nil }),
		col("DomainType", func(_ *tenant.State, x d) any { return x.DomainType }),
		fixed[d]("MatchSubDomains", false),
		fixed[d]("AddressBookEnabled", true),
		col("Default", func(_ *tenant.State, x d) any { return x.Default }),
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
		col("InitialDomain", func(_ *tenant.State, x d) any { return x.InitialDomain }),
		fixed[d]("AdminDisplayName", ""),
		col("WhenCreated", func(_ *tenant.State, x d) any { return timeOrNil(x.WhenCreated) }),
		col("WhenCreatedUTC", func(_ *tenant.State, x d) any { return timeOrNil(x.WhenCreated) }),
	}
	cols = append(cols, configIdentity(func(x d) string { return x.Name }, func(x d) tenant.UUID { return x.Guid },
		"CN=Accepted Domains,CN=Transport Settings", func(x d) any { return timeOrNil(x.WhenCreated) })...)
	return newView(cols...)
}

func getAcceptedDomain(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.AcceptedDomains, func(x *tenant.AcceptedDomain) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.acceptedDomain)
}

type tcol = column[*tenant.Tenant]

func oc(name string, get func(t *tenant.Tenant) any) tcol {
	return col(name, func(_ *tenant.State, t *tenant.Tenant) any { return get(t) })
}

func orgConfigView() *view[*tenant.Tenant] {
	return newView(
		oc("Name", func(t *tenant.Tenant) any { return t.Organization }),
		oc("DisplayName", func(t *tenant.Tenant) any { return t.Org.DisplayName }),
		oc("AuditDisabled", func(t *tenant.Tenant) any { return t.Org.AuditDisabled }),
		fixed[*tenant.Tenant]("ActivityBasedAuthenticationTimeoutEnabled", true),
		fixed[*tenant.Tenant]("ActivityBasedAuthenticationTimeoutInterval", "06:00:00"),
		fixed[*tenant.Tenant]("AppsForOfficeEnabled", true),
		fixed[*tenant.Tenant]("AutoExpandingArchiveEnabled", false),
		fixed[*tenant.Tenant]("BookingsEnabled", true),
		fixed[*tenant.Tenant]("ConnectorsEnabled", true),
		fixed[*tenant.Tenant]("ConnectorsActionableMessagesEnabled", true),
		oc("CustomerLockboxEnabled", func(t *tenant.Tenant) any { return t.Org.CustomerLockboxEnabled }),
		fixed[*tenant.Tenant]("DefaultAuthenticationPolicy", nil),
		fixed[*tenant.Tenant]("DefaultPublicFolderAgeLimit", nil),
		fixed[*tenant.Tenant]("DistributionGroupDefaultOU", nil),
		fixed[*tenant.Tenant]("DistributionGroupNamingPolicy", ""),
		fixed[*tenant.Tenant]("ElcProcessingDisabled", false),
		fixed[*tenant.Tenant]("EwsApplicationAccessPolicy", nil),
		fixed[*tenant.Tenant]("EwsEnabled", nil),
		oc("FocusedInboxOn", func(t *tenant.Tenant) any { return t.Org.FocusedInboxOn }),
		fixed[*tenant.Tenant]("HierarchicalAddressBookRoot", nil),
		fixed[*tenant.Tenant]("IsDehydrated", false),
		fixed[*tenant.Tenant]("IsMixedMode", false),
		fixed[*tenant.Tenant]("LinkPreviewEnabled", true),
		oc("MailTipsAllTipsEnabled", func(t *tenant.Tenant) any { return t.Org.MailTipsAllTipsEnabled }),
		fixed[*tenant.Tenant]("MailTipsExternalRecipientsTipsEnabled", false),
		fixed[*tenant.Tenant]("MailTipsGroupMetricsEnabled", true),
		fixed[*tenant.Tenant]("MailTipsLargeAudienceThreshold", int64(25)),
		fixed[*tenant.Tenant]("MailTipsMailboxSourcedTipsEnabled", true),
		oc("OAuth2ClientProfileEnabled", func(t *tenant.Tenant) any { return t.Org.OAuth2ClientProfileEnabled }),
		fixed[*tenant.Tenant]("OutlookMobileGCCRestrictionsEnabled", false),
		fixed[*tenant.Tenant]("PublicFoldersEnabled", "Local"),
		fixed[*tenant.Tenant]("ReadTrackingEnabled", false),
		fixed[*tenant.Tenant]("SendFromAliasEnabled", false),
		fixed[*tenant.Tenant]("SmtpActionableMessagesEnabled", true),
		fixed[*tenant.Tenant]("VisibleMeetingUpdateProperties", "Location,AllProperties:15"),
		fixed[*tenant.Tenant]("WebPushNotificationsDisabled", false),
		oc("Identity", func(t *tenant.Tenant) any { return t.Organization }),
		oc("Id", func(t *tenant.Tenant) any { return t.Organization }),
		fixed[*tenant.Tenant]("IsValid", true),
		fixed[*tenant.Tenant]("ExchangeVersion", "0.20 (15.0.0.0)"),
		oc("DistinguishedName", func(t *tenant.Tenant) any { return "CN=" + t.Organization + ",CN=ConfigurationUnits," + forestDC }),
		oc("Guid", func(t *tenant.Tenant) any { return t.Org.Guid.GUID() }),
		oc("WhenCreated", func(t *tenant.Tenant) any { return timeOrNil(t.Org.WhenCreated) }),
		oc("WhenCreatedUTC", func(t *tenant.Tenant) any { return timeOrNil(t.Org.WhenCreated) }),
		oc("OrganizationId", func(t *tenant.Tenant) any { return organizationID(t.Organization) }),
		fixed[*tenant.Tenant]("OriginatingServer", serverFQDN),
		fixed[*tenant.Tenant]("ObjectState", "Unchanged"),
	)
}

func getOrganizationConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*tenant.Tenant{inv.t}, inv.s.views.orgConfig.render), nil
}

func transportConfigView() *view[*tenant.Tenant] {
	return newView(
		fixed[*tenant.Tenant]("AddressBookPolicyRoutingEnabled", false),
		fixed[*tenant.Tenant]("AllowLegacyTLSClients", false),
		fixed[*tenant.Tenant]("ClearCategories", true),
		fixed[*tenant.Tenant]("ConvertDisclaimerWrapperToEml", false),
		fixed[*tenant.Tenant]("DSNConversionMode", "UseExchangeDSNs"),
		fixed[*tenant.Tenant]("ExternalDelayDsnEnabled", true),
		fixed[*tenant.Tenant]("ExternalPostmasterAddress", nil),
		fixed[*tenant.Tenant]("HeaderPromotionModeSetting", "NoCreate"),
		fixed[*tenant.Tenant]("InternalDelayDsnEnabled", true),
		fixed[*tenant.Tenant]("JournalingReportNdrTo", "<>"),
		fixed[*tenant.Tenant]("MaxRecipientEnvelopeLimit", "Unlimited"),
		fixed[*tenant.Tenant]("MaxReceiveSize", byteQuantity(36<<20)),
		fixed[*tenant.Tenant]("MaxSendSize", byteQuantity(35<<20)),
		fixed[*tenant.Tenant]("ReplyAllStormProtectionEnabled", true),
		fixed[*tenant.Tenant]("Rfc2231EncodingEnabled", false),
		oc("SmtpClientAuthenticationDisabled", func(t *tenant.Tenant) any { return t.Org.SmtpClientAuthenticationDisabled }),
		fixed[*tenant.Tenant]("TLSReceiveDomainSecureList", []string{}),
		fixed[*tenant.Tenant]("TLSSendDomainSecureList", []string{}),
		oc("Identity", func(t *tenant.Tenant) any { return "Transport Settings" }),
		fixed[*tenant.Tenant]("IsValid", true),
		fixed[*tenant.Tenant]("Name", "Transport Settings"),
		oc("OrganizationId", func(t *tenant.Tenant) any { return organizationID(t.Organization) }),
		fixed[*tenant.Tenant]("ObjectState", "Unchanged"),
	)
}

func getTransportConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*tenant.Tenant{inv.t}, inv.s.views.transportConfig.render), nil
}

func auditConfigView() *view[*tenant.Tenant] {
	return newView(
		fixed[*tenant.Tenant]("AdminAuditLogEnabled", true),
		fixed[*tenant.Tenant]("LogLevel", "None"),
		fixed[*tenant.Tenant]("TestCmdletLoggingEnabled", false),
		fixed[*tenant.Tenant]("AdminAuditLogCmdlets", []string{"*"}),
		fixed[*tenant.Tenant]("AdminAuditLogParameters", []string{"*"}),
		fixed[*tenant.Tenant]("AdminAuditLogExcludedCmdlets", []string{}),
		fixed[*tenant.Tenant]("AdminAuditLogAgeLimit", "90.00:00:00"),
		fixed[*tenant.Tenant]("LoadBalancerCount", int64(3)),
		oc("UnifiedAuditLogIngestionEnabled", func(t *tenant.Tenant) any { return t.Org.UnifiedAuditLogIngestionEnabled }),
		fixed[*tenant.Tenant]("UnifiedAuditLogFirstOptInDate", nil),
		fixed[*tenant.Tenant]("Identity", "Admin Audit Log Settings"),
		fixed[*tenant.Tenant]("Name", "Admin Audit Log Settings"),
		fixed[*tenant.Tenant]("IsValid", true),
		oc("OrganizationId", func(t *tenant.Tenant) any { return organizationID(t.Organization) }),
		fixed[*tenant.Tenant]("ObjectState", "Unchanged"),
	)
}

func getAdminAuditLogConfig(inv *invocation) (*exchange.Result, error) {
	return lazy(inv.ts, []*tenant.Tenant{inv.t}, inv.s.views.auditConfig.render), nil
}

func contentFilterView() *view[*tenant.ContentFilterPolicy] {
	type p = *tenant.ContentFilterPolicy
	cols := []column[p]{
		fixed[p]("AdminDisplayName", ""),
		col("AddXHeaderValue", func(*tenant.State, p) any { return "" }),
		col("ModifySubjectValue", func(*tenant.State, p) any { return "" }),
		col("RedirectToRecipients", func(*tenant.State, p) any { return []string{} }),
		col("FalsePositiveAdditionalRecipients", func(*tenant.State, p) any { return []string{} }),
		col("QuarantineRetentionPeriod", func(_ *tenant.State, x p) any { return int64(x.QuarantineRetentionPeriod) }),
		col("EndUserSpamNotificationFrequency", func(*tenant.State, p) any { return int64(3) }),
		fixed[p]("TestModeAction", "None"),
		col("IncreaseScoreWithImageLinks", func(*tenant.State, p) any { return "Off" }),
		col("IncreaseScoreWithNumericIps", func(*tenant.State, p) any { return "Off" }),
		col("IncreaseScoreWithRedirectToOtherPort", func(*tenant.State, p) any { return "Off" }),
		col("IncreaseScoreWithBizOrInfoUrls", func(*tenant.State, p) any { return "Off" }),
		col("MarkAsSpamEmptyMessages", func(*tenant.State, p) any { return "Off" }),
		col("MarkAsSpamJavaScriptInHtml", func(*tenant.State, p) any { return "Off" }),
		col("MarkAsSpamFramesInHtml", func(*tenant.State, p) any { return "Off" }),
		col("MarkAsSpamBulkMail", func(*tenant.State, p) any { return "On" }),
		col("InlineSafetyTipsEnabled", func(*tenant.State, p) any { return true }),
		col("BulkThreshold", func(_ *tenant.State, x p) any { return int64(x.BulkThreshold) }),
		col("AllowedSenders", func(_ *tenant.State, x p) any { return list(x.AllowedSenders) }),
		col("AllowedSenderDomains", func(_ *tenant.State, x p) any { return list(x.AllowedSenderDomains) }),
		col("BlockedSenders", func(_ *tenant.State, x p) any { return list(x.BlockedSenders) }),
		col("BlockedSenderDomains", func(_ *tenant.State, x p) any { return list(x.BlockedSenderDomains) }),
		fixed[p]("AllowedCountries", []string{}),
		fixed[p]("BlockedCountries", []string{}),
		fixed[p]("LanguageBlockList", []string{}),
		col("IsDefault", func(_ *tenant.State, x p) any { return x.IsDefault }),
		col("SpamAction", func(_ *tenant.State, x p) any { return x.SpamAction }),
		col("HighConfidenceSpamAction", func(_ *tenant.State, x p) any { return x.HighConfidenceSpamAction }),
		col("PhishSpamAction", func(_ *tenant.State, x p) any { return x.PhishSpamAction }),
		col("HighConfidencePhishAction", func(_ *tenant.State, x p) any { return x.HighConfidencePhishAction }),
		col("BulkSpamAction", func(_ *tenant.State, x p) any { return x.BulkSpamAction }),
		col("EnableEndUserSpamNotifications", func(_ *tenant.State, x p) any { return x.EnableEndUserSpamNotifications }),
		fixed[p]("SpamQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("HighConfidenceSpamQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("PhishQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("HighConfidencePhishQuarantineTag", "AdminOnlyAccessPolicy"),
		fixed[p]("BulkQuarantineTag", "DefaultFullAccessPolicy"),
		col("SpamZapEnabled", func(_ *tenant.State, x p) any { return x.SpamZapEnabled }),
		col("PhishZapEnabled", func(_ *tenant.State, x p) any { return x.PhishZapEnabled }),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		"CN=Hosted Content Filter Policies,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getHostedContentFilterPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.ContentFilterPolicies, func(x *tenant.ContentFilterPolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.contentFilter)
}

func antiPhishView() *view[*tenant.AntiPhishPolicy] {
	type p = *tenant.AntiPhishPolicy
	b := func(name string, get func(x p) bool) column[p] {
		return col(name, func(_ *tenant.State, x p) any { return get(x) })
	}
	cols := []column[p]{
		b("IsDefault", func(x p) bool { return x.IsDefault }),
		b("Enabled", func(x p) bool { return x.Enabled }),
		col("PhishThresholdLevel", func(_ *tenant.State, x p) any { return int64(x.PhishThresholdLevel) }),
		b("EnableTargetedUserProtection", func(x p) bool { return x.EnableTargetedUserProtection }),
		col("TargetedUsersToProtect", func(_ *tenant.State, x p) any { return list(x.TargetedUsersToProtect) }),
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
		col("AuthenticationFailAction", func(_ *tenant.State, x p) any { return x.AuthenticationFailAction }),
		b("HonorDmarcPolicy", func(x p) bool { return x.HonorDmarcPolicy }),
		fixed[p]("DmarcRejectAction", "Reject"),
		fixed[p]("DmarcQuarantineAction", "Quarantine"),
		fixed[p]("SpoofQuarantineTag", "DefaultFullAccessPolicy"),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		"CN=AntiPhish,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getAntiPhishPolicy(inv *invocation) (*exchange.Result, error) {
	inv.a.boolean("Spoof")
	return listConfig(inv, inv.t.AntiPhishPolicies, func(x *tenant.AntiPhishPolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.antiPhish)
}

func malwareView() *view[*tenant.MalwareFilterPolicy] {
	type p = *tenant.MalwareFilterPolicy
	cols := []column[p]{
		fixed[p]("AdminDisplayName", ""),
		fixed[p]("CustomNotifications", false),
		col("EnableFileFilter", func(_ *tenant.State, x p) any { return x.EnableFileFilter }),
		col("FileTypeAction", func(_ *tenant.State, x p) any { return x.FileTypeAction }),
		col("FileTypes", func(_ *tenant.State, x p) any { return list(x.FileTypes) }),
		col("EnableInternalSenderAdminNotifications", func(_ *tenant.State, x p) any { return x.EnableInternalSenderAdminNotifications }),
		col("InternalSenderAdminAddress", func(_ *tenant.State, x p) any { return strOrNil(x.InternalSenderAdminAddress) }),
		fixed[p]("EnableExternalSenderAdminNotifications", false),
		fixed[p]("ExternalSenderAdminAddress", nil),
		col("IsDefault", func(_ *tenant.State, x p) any { return x.IsDefault }),
		fixed[p]("QuarantineTag", "AdminOnlyAccessPolicy"),
		col("ZapEnabled", func(_ *tenant.State, x p) any { return x.ZapEnabled }),
		fixed[p]("RecommendedPolicyType", "Custom"),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		"CN=Malware Filter,CN=Transport Settings", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getMalwareFilterPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.MalwareFilterPolicies, func(x *tenant.MalwareFilterPolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.malware)
}

func retentionView() *view[*tenant.RetentionPolicy] {
	type p = *tenant.RetentionPolicy
	cols := []column[p]{
		col("IsDefault", func(_ *tenant.State, x p) any { return x.IsDefault }),
		fixed[p]("IsDefaultArbitrationMailbox", false),
		col("RetentionPolicyTagLinks", func(_ *tenant.State, x p) any { return list(x.TagLinks) }),
		col("RetentionId", func(_ *tenant.State, x p) any { return x.RetentionID.GUID() }),
		fixed[p]("AdminDisplayName", ""),
	}
	cols = append(cols, configIdentity(func(x p) string { return x.Name }, func(x p) tenant.UUID { return x.Guid },
		"CN=Retention Policies Container", func(x p) any { return timeOrNil(x.WhenChanged) })...)
	return newView(cols...)
}

func getRetentionPolicy(inv *invocation) (*exchange.Result, error) {
	return listConfig(inv, inv.t.RetentionPolicies, func(x *tenant.RetentionPolicy) (string, tenant.UUID) { return x.Name, x.Guid }, inv.s.views.retention)
}
