package catalog

import "strings"

// The grant rules, written once. A cmdlet is "Verb-Noun"; rules speak of
// read verbs and of noun groups, with explicit exceptions.

// readVerbs are the verbs that never change the tenant.
var readVerbs = []string{"Get", "Search", "Test"}

// recipientNouns are what Exchange Recipient Administrator manages (the
// Recipient Management role group) and Helpdesk Administrator may read.
var recipientNouns = []string{
	"Mailbox", "MailboxStatistics", "MailboxFolderStatistics", "MailboxPermission", "RecipientPermission",
	"MailboxFolderPermission", "MailboxAutoReplyConfiguration", "MailboxRegionalConfiguration",
	"MailboxCalendarConfiguration", "MailboxJunkEmailConfiguration", "MailboxMessageConfiguration",
	"CASMailbox", "Recipient", "User", "MailUser", "MailContact", "Contact", "Group",
	"DistributionGroup", "DistributionGroupMember", "DynamicDistributionGroup", "DynamicDistributionGroupMember",
	"UnifiedGroup", "UnifiedGroupLinks", "MobileDevice", "MobileDeviceStatistics", "InboxRule",
	"CalendarProcessing", "Place", "MoveRequest", "MoveRequestStatistics", "MailboxLocation",
}

// helpdeskWriteNouns are the user options Helpdesk Administrator may set.
var helpdeskWriteNouns = []string{
	"MailboxAutoReplyConfiguration", "MailboxRegionalConfiguration", "MailboxCalendarConfiguration",
	"MailboxJunkEmailConfiguration", "MailboxMessageConfiguration",
}

// threatNouns are anti-spam, anti-malware and anti-phishing settings, which
// Exchange Administrator owns and Security Administrator does not
// (PROTOCOL.md 2.4).
var threatNouns = []string{
	"HostedContentFilterPolicy", "HostedContentFilterRule", "HostedOutboundSpamFilterPolicy",
	"HostedOutboundSpamFilterRule", "HostedConnectionFilterPolicy", "MalwareFilterPolicy", "MalwareFilterRule",
	"AntiPhishPolicy", "AntiPhishRule", "SafeLinksPolicy", "SafeLinksRule", "SafeAttachmentPolicy", "SafeAttachmentRule",
	"QuarantinePolicy", "QuarantineMessage", "TenantAllowBlockListItems",
}

// securityNouns are audit, mail-flow and protection settings that
// Security Administrator manages and Security Reader may read in Exchange.
var securityNouns = []string{
	"AdminAuditLogConfig", "AdminAuditLog", "MailboxAuditLog", "UnifiedAuditLog", "TransportRule",
	"MessageTrace", "MessageTraceV2", "MessageTraceDetail", "MessageTraceDetailV2", "DkimSigningConfig",
	"AtpPolicyForO365", "ProtectionAlert", "OrganizationConfig", "AcceptedDomain", "InboundConnector", "OutboundConnector",
}

// complianceNouns are the Exchange-side compliance settings Compliance
// Administrator manages.
var complianceNouns = []string{
	"RetentionPolicy", "RetentionPolicyTag", "JournalRule", "TransportRule", "DlpPolicy",
	"AdminAuditLogConfig", "AdminAuditLog", "MailboxAuditLog", "UnifiedAuditLog",
	"MessageTrace", "MessageTraceV2", "MessageTraceDetail", "MessageTraceDetailV2", "MailboxHold",
}

// readerExceptions are reads a reader role still may not run: Get-InboxRule
// "doesn't work for ... the Global Reader role" (Get-InboxRule reference).
var readerExceptions = []string{"Get-InboxRule"}

// Grants reports whether role grants cmdlet on service. Roles a service
// does not honour for app-only sessions grant nothing there.
func Grants(role Role, cmdlet string, service Service) bool {
	if !role.Honours(service) {
		return false
	}
	verb, noun, ok := strings.Cut(cmdlet, "-")
	if !ok {
		return false
	}
	read := hasFold(readVerbs, verb)
	readerMay := read && !hasFold(readerExceptions, cmdlet)
	switch role.Name {
	case "Global Administrator":
		return true
	case "Exchange Administrator":
		return service == Exchange
	case "Global Reader":
		return readerMay
	case "Security Reader":
		return readerMay && (service == Compliance || hasFold(securityNouns, noun) || hasFold(threatNouns, noun))
	case "Security Administrator":
		if service == Compliance {
			return true
		}
		return readerMay || hasFold(securityNouns, noun)
	case "Compliance Administrator":
		if service == Compliance {
			return true
		}
		return readerMay || hasFold(complianceNouns, noun)
	case "Exchange Recipient Administrator":
		return read || hasFold(recipientNouns, noun)
	case "Helpdesk Administrator":
		return read && hasFold(recipientNouns, noun) || hasFold(helpdeskWriteNouns, noun)
	}
	return false
}

// GrantingRoles lists the roles that grant cmdlet on service, in Roles order.
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

func hasFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
