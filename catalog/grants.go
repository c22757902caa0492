package catalog

import (
	"strings"
	"sync"
)

// The grant rules, written once. They speak of the read effect (verbs
// Get, Search, Test; see Effect) and of noun groups, with explicit
// exceptions. This is exorun's model of Exchange RBAC for the directory
// roles an app-only session can hold (PROTOCOL.md 2.4); the service stays
// the final authority. Every noun below is a real noun of the catalog
// (TestNounGroupsAreRealNouns), and the groups that must not overlap do
// not (TestNounGroupsDisjoint).
type grantRules struct {
	// recipient is what Exchange Recipient Administrator manages (the
	// Recipient Management role group: Mail Recipients, Distribution
	// Groups, Migration, Move Mailboxes...) and Helpdesk Administrator
	// may read.
	recipient []string
	// helpdeskWrite is the user options Helpdesk Administrator may set
	// (the User Options role). A subset of recipient.
	helpdeskWrite []string
	// threat is anti-spam, anti-malware and anti-phishing, with their
	// reports: Exchange Administrator owns them and Security
	// Administrator does not (PROTOCOL.md 2.4); Security Reader reads
	// them.
	threat []string
	// security is audit, mail-flow and domain protection that Security
	// Administrator manages and Security Reader reads in Exchange.
	security []string
	// compliance is what Compliance Administrator manages in Exchange
	// (the Compliance Management role group: Audit Logs, Data Loss
	// Prevention, Information Rights Management, Journaling, Message
	// Tracking, Retention Management, Transport Rules).
	compliance []string
	// readerExceptions are reads a reader still may not run:
	// Get-InboxRule "doesn't work for members of View-Only Organization
	// Management role group or the Global Reader role" (Get-InboxRule
	// reference, PROTOCOL.md 5).
	readerExceptions []string
}

func rules() grantRules {
	return grantRules{
		recipient: []string{
			"Mailbox", "MailboxStatistics", "MailboxFolderStatistics", "MailboxLocation",
			"MailboxPermission", "RecipientPermission", "MailboxFolderPermission", "MailboxCalendarFolder",
			"MailboxAutoReplyConfiguration", "MailboxRegionalConfiguration", "MailboxCalendarConfiguration",
			"MailboxJunkEmailConfiguration", "MailboxMessageConfiguration", "MailboxSpellingConfiguration",
			"Clutter", "FocusedInbox", "CASMailbox", "Recipient", "User", "MailUser", "MailContact", "Contact",
			"Group", "DistributionGroup", "DistributionGroupMember", "DynamicDistributionGroup",
			"DynamicDistributionGroupMember", "UnifiedGroup", "UnifiedGroupLinks", "SoftDeletedMailbox",
			"SoftDeletedUnifiedGroup", "MobileDevice", "MobileDeviceStatistics", "ActiveSyncDevice",
			"ActiveSyncDeviceStatistics", "InboxRule", "CalendarProcessing", "Place", "MoveRequest",
			"MoveRequestStatistics", "MigrationBatch", "MigrationUser", "MigrationUserStatistics",
			"MigrationStatistics", "MigrationEndpoint",
		},
		helpdeskWrite: []string{
			"MailboxAutoReplyConfiguration", "MailboxRegionalConfiguration", "MailboxCalendarConfiguration",
			"MailboxJunkEmailConfiguration", "MailboxMessageConfiguration", "MailboxSpellingConfiguration",
			"Clutter", "FocusedInbox",
		},
		threat: []string{
			"HostedContentFilterPolicy", "HostedContentFilterRule", "HostedOutboundSpamFilterPolicy",
			"HostedOutboundSpamFilterRule", "HostedConnectionFilterPolicy", "MalwareFilterPolicy",
			"MalwareFilterRule", "AntiPhishPolicy", "AntiPhishRule", "SafeLinksPolicy", "SafeLinksRule",
			"SafeAttachmentPolicy", "SafeAttachmentRule", "AtpPolicyForO365", "ATPProtectionPolicyRule",
			"ATPBuiltInProtectionRule", "EOPProtectionPolicyRule", "TeamsProtectionPolicy",
			"TeamsProtectionPolicyRule", "QuarantinePolicy", "QuarantineMessage", "QuarantineMessageHeader",
			"QuarantinePermissions", "TenantAllowBlockListItems", "TenantAllowBlockListSpoofItems",
			"BlockedSenderAddress", "PhishSimOverridePolicy", "ExoPhishSimOverrideRule", "SecOpsOverridePolicy",
			"ExoSecOpsOverrideRule", "ReportSubmissionPolicy", "ReportSubmissionRule", "SpoofIntelligenceInsight",
			"ConfigAnalyzerPolicyRecommendation", "MailDetailATPReport", "MailTrafficATPReport",
			"ATPTotalTrafficReport", "SafeLinksAggregateReport", "SafeLinksDetailReport", "SpoofMailReport",
			"AggregateZapReport", "DetailZapReport", "ContentMalwareMdoAggregateReport",
			"ContentMalwareMdoDetailReport", "CompromisedUserAggregateReport", "CompromisedUserDetailReport",
			"MailFilterListReport",
		},
		security: []string{
			"AdminAuditLogConfig", "AdminAuditLog", "MailboxAuditBypassAssociation", "MailboxAuditLog",
			"MailboxAuditLogSearch", "UnifiedAuditLog", "AuditLogSearch", "TransportRule", "MessageTrace",
			"MessageTraceV2", "MessageTraceDetail", "MessageTraceDetailV2", "MessageTrackingReport",
			"HistoricalSearch", "DkimSigningConfig", "ArcConfig", "SmtpDaneInbound", "SmtpDaneInboundStatus",
			"DnssecForVerifiedDomain", "DnssecStatusForVerifiedDomain", "OrganizationConfig", "AcceptedDomain",
			"InboundConnector", "OutboundConnector",
		},
		compliance: []string{
			"RetentionPolicy", "RetentionPolicyTag", "ManagedFolderAssistant", "JournalRule", "JournalArchiving",
			"TransportRule", "DlpPolicy", "DlpPolicyCollection", "DlpPolicyTemplate", "PolicyTipConfig",
			"DataClassification", "ClassificationRuleCollection", "Fingerprint", "MessageClassification",
			"IRMConfiguration", "RMSTemplate", "OMEConfiguration", "OutlookProtectionRule",
			"AdminAuditLogConfig", "AdminAuditLog", "MailboxAuditLog", "MailboxAuditLogSearch",
			"UnifiedAuditLog", "AuditLogSearch", "MessageTrace", "MessageTraceV2", "MessageTraceDetail",
			"MessageTraceDetailV2", "MessageTrackingReport", "HistoricalSearch",
		},
		readerExceptions: []string{"Get-InboxRule"},
	}
}

// ruleSets are rules() as lower-case sets, built once.
type ruleSets struct {
	recipient, helpdeskWrite, threat, security, compliance, readerExceptions map[string]bool
}

var loadedRules = sync.OnceValue(func() ruleSets {
	r := rules()
	set := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			m[strings.ToLower(s)] = true
		}
		return m
	}
	return ruleSets{set(r.recipient), set(r.helpdeskWrite), set(r.threat), set(r.security), set(r.compliance), set(r.readerExceptions)}
})

// has looks s up in a lower-case set without allocating.
func has(set map[string]bool, s string) bool {
	var buf [64]byte
	return set[string(appendLower(buf[:0], s))]
}

// Grants reports whether role grants cmdlet (any case) on service. Roles a
// service does not honour for app-only sessions grant nothing there, and
// nothing grants a catalog cmdlet on a service that does not run it. A
// Get-EXO* wrapper is granted as the cmdlet it wraps. Names outside the
// catalog (exo.invoke passes any name through) follow the same rules by
// verb and noun.
func Grants(role Role, cmdlet string, service Service) bool {
	if !role.Honours(service) {
		return false
	}
	if c, ok := Lookup(cmdlet); ok {
		if !c.Runs(service) {
			return false
		}
		cmdlet = c.Server().Name
	}
	verb, noun, ok := strings.Cut(cmdlet, "-")
	if !ok {
		return false
	}
	rs := loadedRules()
	read := effectOf(verb) == Read
	readerMay := read && !has(rs.readerExceptions, cmdlet)
	switch role.Name {
	case "Global Administrator":
		return true
	case "Exchange Administrator":
		return service == Exchange
	case "Global Reader":
		return readerMay
	case "Security Reader":
		return readerMay && (service == Compliance || has(rs.security, noun) || has(rs.threat, noun))
	case "Security Administrator":
		if service == Compliance {
			return true
		}
		return readerMay || has(rs.security, noun)
	case "Compliance Administrator":
		if service == Compliance {
			return true
		}
		return readerMay || has(rs.compliance, noun)
	case "Exchange Recipient Administrator":
		return read || has(rs.recipient, noun)
	case "Helpdesk Administrator":
		return read && has(rs.recipient, noun) || has(rs.helpdeskWrite, noun)
	}
	return false
}

// GrantingRoles lists the roles that grant cmdlet on service, in Roles
// order: what an error says to assign.
func GrantingRoles(cmdlet string, service Service) []Role {
	var out []Role
	for _, r := range Roles() {
		if Grants(r, cmdlet, service) {
			out = append(out, r)
		}
	}
	return out
}

// Allowed reports whether any of roles grants cmdlet on service.
func Allowed(roles []Role, cmdlet string, service Service) bool {
	for _, r := range roles {
		if Grants(r, cmdlet, service) {
			return true
		}
	}
	return false
}

// GrantingRoles lists the roles that grant c on service.
func (c *Cmdlet) GrantingRoles(service Service) []Role { return GrantingRoles(c.Name, service) }

// Allowed reports whether any of roles grants c on service.
func (c *Cmdlet) Allowed(roles []Role, service Service) bool { return Allowed(roles, c.Name, service) }
