package store

import (
	"fmt"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/internal/reference"
)

// registry declares the modelled cmdlets: for each, its service, whether it
// writes, the parameters the emulator gives meaning to (anything else the
// real cmdlet has is refused as not modelled) and its implementation.
// Confirm is accepted everywhere it exists: the REST API never prompts.
func registry(ref map[string]*reference.Cmdlet) (map[string]*cmdlet, error) {
	exo, scc := catalog.Exchange, catalog.Compliance
	type entry struct {
		name   string
		svc    catalog.Service
		write  bool
		params string
		run    func(*invocation) (*exchange.Result, error)
	}
	list := "Identity Anr Filter ResultSize"
	ruleParams := make([]string, 0, len(transportRuleParams()))
	for _, p := range transportRuleParams() {
		ruleParams = append(ruleParams, p.name)
	}
	rules := strings.Join(ruleParams, " ")
	entries := []entry{
		{"Get-Mailbox", exo, false, list + " RecipientTypeDetails Archive SoftDeletedMailbox InactiveMailboxOnly PublicFolder Migration IncludeInactiveMailbox", getMailbox},
		{"Set-Mailbox", exo, true, "Identity ForwardingSmtpAddress ForwardingAddress DeliverToMailboxAndForward HiddenFromAddressListsEnabled LitigationHoldEnabled GrantSendOnBehalfTo EmailAddresses DisplayName ProhibitSendQuota ProhibitSendReceiveQuota IssueWarningQuota Type AuditEnabled RetentionPolicy Force", setMailbox},
		{"Get-Recipient", exo, false, list + " RecipientTypeDetails RecipientType Properties IncludeSoftDeletedRecipients", getRecipient},
		{"Get-User", exo, false, list + " RecipientTypeDetails", getUser},
		{"Get-MailUser", exo, false, list, getMailUser},
		{"Get-MailContact", exo, false, list + " RecipientTypeDetails", getMailContact},
		{"Get-MailboxStatistics", exo, false, "Identity", getMailboxStatistics},
		{"Get-MailboxPermission", exo, false, "Identity User ResultSize ReadFromDomainController", getMailboxPermission},
		{"Add-MailboxPermission", exo, true, "Identity User AccessRights InheritanceType AutoMapping Deny", addMailboxPermission},
		{"Remove-MailboxPermission", exo, true, "Identity User AccessRights InheritanceType Deny", removeMailboxPermission},
		{"Get-RecipientPermission", exo, false, "Identity Trustee AccessRights ResultSize ReadFromDomainController", getRecipientPermission},
		{"Add-RecipientPermission", exo, true, "Identity Trustee AccessRights", addRecipientPermission},
		{"Remove-RecipientPermission", exo, true, "Identity Trustee AccessRights", removeRecipientPermission},
		{"Get-CASMailbox", exo, false, list + " RecipientTypeDetails", getCASMailbox},
		{"Set-CASMailbox", exo, true, "Identity PopEnabled ImapEnabled EwsEnabled ActiveSyncEnabled OWAEnabled MAPIEnabled SmtpClientAuthenticationDisabled", setCASMailbox},
		{"Get-DistributionGroup", exo, false, list + " RecipientTypeDetails ManagedBy", getDistributionGroup},
		{"New-DistributionGroup", exo, true, "Name Alias DisplayName PrimarySmtpAddress ManagedBy Members Type RoomList Notes Description MemberJoinRestriction MemberDepartRestriction RequireSenderAuthenticationEnabled CopyOwnerToMember", newDistributionGroup},
		{"Set-DistributionGroup", exo, true, "Identity Name DisplayName ManagedBy PrimarySmtpAddress EmailAddresses GrantSendOnBehalfTo HiddenFromAddressListsEnabled RequireSenderAuthenticationEnabled MemberJoinRestriction MemberDepartRestriction Description BypassSecurityGroupManagerCheck", setDistributionGroup},
		{"Remove-DistributionGroup", exo, true, "Identity BypassSecurityGroupManagerCheck", removeDistributionGroup},
		{"Get-DistributionGroupMember", exo, false, "Identity ResultSize", getDistributionGroupMember},
		{"Add-DistributionGroupMember", exo, true, "Identity Member BypassSecurityGroupManagerCheck", addDistributionGroupMember},
		{"Remove-DistributionGroupMember", exo, true, "Identity Member BypassSecurityGroupManagerCheck", removeDistributionGroupMember},
		{"Get-UnifiedGroup", exo, false, list + " IncludeAllProperties IncludeSoftDeletedGroups", getUnifiedGroup},
		{"Get-UnifiedGroupLinks", exo, false, "Identity LinkType ResultSize", getUnifiedGroupLinks},
		{"Get-InboxRule", exo, false, "Identity Mailbox ResultSize IncludeHidden BypassScopeCheck DescriptionTimeFormat DescriptionTimeZone", getInboxRule},
		{"Get-MobileDevice", exo, false, "Identity Mailbox Filter ResultSize ActiveSync OWAforDevices RestApi UniversalOutlook", getMobileDevice},
		{"Get-MobileDeviceStatistics", exo, false, "Identity Mailbox ActiveSync OWAforDevices RestApi UniversalOutlook", getMobileDeviceStatistics},
		{"Get-AcceptedDomain", exo, false, "Identity ResultSize", getAcceptedDomain},
		{"Get-OrganizationConfig", exo, false, "", getOrganizationConfig},
		{"Get-TransportConfig", exo, false, "", getTransportConfig},
		{"Get-AdminAuditLogConfig", exo, false, "", getAdminAuditLogConfig},
		{"Get-TransportRule", exo, false, "Identity State Filter ResultSize", getTransportRule},
		{"New-TransportRule", exo, true, "Name Priority Mode Comments Enabled ActivationDate ExpiryDate " + rules, newTransportRule},
		{"Set-TransportRule", exo, true, "Identity Name Priority Mode Comments ActivationDate ExpiryDate " + rules, setTransportRule},
		{"Remove-TransportRule", exo, true, "Identity", removeTransportRule},
		{"Enable-TransportRule", exo, true, "Identity Mode", setRuleState("Enabled")},
		{"Disable-TransportRule", exo, true, "Identity", setRuleState("Disabled")},
		{"Get-HostedContentFilterPolicy", exo, false, "Identity", getHostedContentFilterPolicy},
		{"Get-AntiPhishPolicy", exo, false, "Identity Spoof", getAntiPhishPolicy},
		{"Get-MalwareFilterPolicy", exo, false, "Identity", getMalwareFilterPolicy},
		{"Get-RetentionPolicy", exo, false, "Identity", getRetentionPolicy},
		{"Get-MessageTraceV2", exo, false, "StartDate EndDate SenderAddress RecipientAddress Status ResultSize MessageId MessageTraceId FromIP ToIP Subject SubjectFilterType StartingRecipientAddress", getMessageTraceV2},
		{"Search-AdminAuditLog", exo, false, "StartDate EndDate Cmdlets ObjectIds UserIds Parameters IsSuccess ExternalAccess ResultSize StartIndex", searchAdminAuditLog},
		{"Get-DlpCompliancePolicy", scc, false, "Identity", getDlpCompliancePolicy},
		{"Get-RetentionCompliancePolicy", scc, false, "Identity", getRetentionCompliancePolicy},
		{"Get-ComplianceSearch", scc, false, "Identity Case ResultSize", getComplianceSearch},
		{"Get-Label", scc, false, "Identity", getLabel},
	}
	out := make(map[string]*cmdlet, len(entries))
	for _, e := range entries {
		r := ref[strings.ToLower(e.name)]
		if r == nil {
			return nil, fmt.Errorf("exchange store: %s has no reference declaration", e.name)
		}
		want := reference.ExchangeOnline
		if e.svc == catalog.Compliance {
			want = reference.SecurityCompliance
		}
		if r.Services&want == 0 {
			return nil, fmt.Errorf("exchange store: the reference says %s does not run in %s", e.name, e.svc)
		}
		c := &cmdlet{name: e.name, service: e.svc, write: e.write, params: map[string]bool{}, run: e.run}
		names := strings.Fields(e.params)
		if p, ok := r.Lookup("Confirm"); ok {
			names = append(names, p.Name)
		}
		for _, n := range names {
			p, ok := r.Lookup(n)
			if !ok || !strings.EqualFold(p.Name, n) {
				return nil, fmt.Errorf("exchange store: %s models parameter %q, which the reference does not declare", e.name, n)
			}
			c.params[strings.ToLower(p.Name)] = true
		}
		out[strings.ToLower(e.name)] = c
	}
	return out, nil
}
