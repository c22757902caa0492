package emulator_test

import (
	"strings"
	"testing"
)

// TestCmdletsOverRawHTTP drives every cmdlet the emulator promises through
// hand-written InvokeCommand bodies against the fixture tenant: a call that
// works, then the error cases, in order (writes are checked by the reads
// that follow them). Bodies are JSON literals: no client code is shared.
func TestCmdletsOverRawHTTP(t *testing.T) {
	em := start(t, "", 0)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	exo := msalToken(t, ep, hc, "https://outlook.office365.com/.default")
	url := ep.ExchangeURL + "/adminapi/beta/" + ep.TenantID + "/InvokeCommand"

	steps := []struct {
		cmdlet, params string
		status         int
		want           string // a substring of the response body
	}{
		{"Get-Mailbox", `{"Identity":"MeganB"}`, 200, `"DisplayName":"Megan Bowen"`},
		{"Get-Mailbox", `{"Identity":"meganb@contoso.onmicrosoft.com"}`, 200, `"Alias":"MeganB"`},
		{"Get-Mailbox", `{"Filter":"RecipientTypeDetails -eq 'SharedMailbox'","ResultSize":"Unlimited"}`, 200, `"RecipientTypeDetails":"SharedMailbox"`},
		{"Get-Mailbox", `{"ResultSize":2}`, 200, "There are more results available than are currently displayed"},
		{"Get-Mailbox", `{"Identity":"nobody@contoso.onmicrosoft.com"}`, 404, "ManagementObjectNotFoundException"},
		{"Get-Mailbox", `{"Filter":"DisplayName -eq"}`, 400, "BadRequest"},
		{"Get-Mailbox", `{"ResultSzie":5}`, 400, "A parameter cannot be found that matches parameter name 'ResultSzie'"},
		{"Set-Mailbox", `{"Identity":"MeganB","ForwardingSmtpAddress":"smtp:c@fabrikam.example","DeliverToMailboxAndForward":true}`, 200, `"value":[]`},
		{"Get-Mailbox", `{"Identity":"MeganB"}`, 200, "c@fabrikam.example"},
		{"Set-Mailbox", `{"Identity":"nobody"}`, 404, "couldn't be found"},
		{"Get-Recipient", `{"RecipientTypeDetails":["MailContact"],"ResultSize":"Unlimited"}`, 200, `"RecipientTypeDetails":"MailContact"`},
		{"Get-User", `{"Identity":"ChristieC"}`, 200, `"Department":"Sales"`},
		{"Get-MailboxStatistics", `{"Identity":"MeganB"}`, 200, `"TotalItemSize":"`},
		{"Get-MailboxStatistics", `{}`, 400, "Identity"},
		{"Add-MailboxPermission", `{"Identity":"MeganB","User":"AlexW","AccessRights":["FullAccess"],"InheritanceType":"All"}`, 200, `"AccessRights"`},
		{"Get-MailboxPermission", `{"Identity":"MeganB"}`, 200, `"FullAccess"`},
		{"Remove-MailboxPermission", `{"Identity":"MeganB","User":"AlexW","AccessRights":["FullAccess"],"Confirm":false}`, 200, `"value":[]`},
		{"Remove-MailboxPermission", `{"Identity":"MeganB","User":"nobody","AccessRights":["FullAccess"]}`, 404, "couldn't be found"},
		{"Add-RecipientPermission", `{"Identity":"MeganB","Trustee":"AlexW","AccessRights":["SendAs"],"Confirm":false}`, 200, `"SendAs"`},
		{"Get-RecipientPermission", `{"Identity":"MeganB"}`, 200, `"Trustee"`},
		{"Remove-RecipientPermission", `{"Identity":"MeganB","Trustee":"AlexW","AccessRights":["SendAs"],"Confirm":false}`, 200, `"value":[]`},
		{"Get-CASMailbox", `{"Identity":"MeganB"}`, 200, `"PopEnabled"`},
		{"Set-CASMailbox", `{"Identity":"MeganB","PopEnabled":false,"ImapEnabled":false}`, 200, `"value":[]`},
		{"Get-CASMailbox", `{"Identity":"MeganB"}`, 200, `"PopEnabled":false`},
		{"Set-CASMailbox", `{"Identity":"MeganB","PopEnabled":"maybe"}`, 400, "BadRequest"},
		{"Get-DistributionGroup", `{"Identity":"MarketingTeam"}`, 200, `"DisplayName":"Marketing Team"`},
		{"New-DistributionGroup", `{"Name":"Audit Team","Alias":"AuditTeam","PrimarySmtpAddress":"auditteam@contoso.onmicrosoft.com"}`, 200, `"Name":"Audit Team"`},
		{"New-DistributionGroup", `{"Name":"Audit Team","Alias":"AuditTeam"}`, 400, "BadRequest"},
		{"Set-DistributionGroup", `{"Identity":"AuditTeam","DisplayName":"Audit & Risk"}`, 200, `"value":[]`},
		{"Add-DistributionGroupMember", `{"Identity":"AuditTeam","Member":"MeganB"}`, 200, `"value":[]`},
		{"Add-DistributionGroupMember", `{"Identity":"AuditTeam","Member":"MeganB"}`, 400, "BadRequest"},
		{"Get-DistributionGroupMember", `{"Identity":"AuditTeam"}`, 200, `"Megan Bowen"`},
		{"Remove-DistributionGroupMember", `{"Identity":"AuditTeam","Member":"MeganB","Confirm":false}`, 200, `"value":[]`},
		{"Remove-DistributionGroup", `{"Identity":"AuditTeam","Confirm":false}`, 200, `"value":[]`},
		{"Get-DistributionGroup", `{"Identity":"AuditTeam"}`, 404, "couldn't be found"},
		{"Get-UnifiedGroup", `{"ResultSize":"Unlimited"}`, 200, `"GroupMailbox"`},
		{"Get-InboxRule", `{"Mailbox":"MeganB"}`, 200, `"value":[`},
		{"Get-InboxRule", `{}`, 400, "Mailbox"},
		{"Get-MobileDevice", `{"ResultSize":"Unlimited"}`, 200, `"DeviceModel"`},
		{"Get-AcceptedDomain", `{}`, 200, `"DomainName":"contoso.onmicrosoft.com"`},
		{"Get-OrganizationConfig", `{}`, 200, `"value":[{`},
		{"Get-TransportRule", `{}`, 200, `"External sender warning"`},
		{"New-TransportRule", `{"Name":"Tag external","SubjectOrBodyContainsWords":["invoice"],"SetHeaderName":"X-Tag","SetHeaderValue":"1"}`, 200, `"Tag external"`},
		{"Set-TransportRule", `{"Identity":"Tag external","Priority":0}`, 200, `"value":[]`},
		{"Remove-TransportRule", `{"Identity":"Tag external","Confirm":false}`, 200, `"value":[]`},
		{"Remove-TransportRule", `{"Identity":"Tag external"}`, 404, "couldn't be found"},
		{"Get-HostedContentFilterPolicy", `{}`, 200, `"Partner Allow List"`},
		{"Get-AntiPhishPolicy", `{}`, 200, `"Executive Protection"`},
		{"Get-MalwareFilterPolicy", `{}`, 200, `"value":[{`},
		{"Get-RetentionPolicy", `{}`, 200, `"Executive 7 Year Retention"`},
		{"Get-MessageTraceV2", `{"StartDate":"2026-10-25T00:00:00Z","EndDate":"2026-11-01T12:00:00Z"}`, 200, `"SenderAddress"`},
		{"Search-AdminAuditLog", `{"Cmdlets":["Set-CASMailbox"]}`, 200, ep.Organization + "/" + ep.AppID},
		{"Get-Frobnicator", `{}`, 403, "Get-Frobnicator"},
		{"Get-Place", `{}`, 501, "not model"},
	}
	for i, s := range steps {
		body := `{"CmdletInput":{"CmdletName":"` + s.cmdlet + `","Parameters":` + s.params + `}}`
		resp, data := invoke(t, hc, url, exo, body, 0)
		if resp.StatusCode != s.status || !strings.Contains(string(data), s.want) {
			t.Errorf("step %d %s %s: status %d, want %d containing %q\n%s", i, s.cmdlet, s.params, resp.StatusCode, s.status, s.want, clip(data))
		}
	}

	if _, err := em.Directory().AssignRole(ep.TenantID, ep.AppID, "Compliance Administrator"); err != nil {
		t.Fatal(err)
	}
	scc := msalToken(t, ep, hc, "https://ps.compliance.protection.outlook.com/.default")
	resp, _ := invoke(t, hc, ep.ComplianceURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", scc, `{"CmdletInput":{"CmdletName":"Get-Label","Parameters":{}}}`, 0)
	regional := resp.Header.Get("Location")
	for _, s := range []struct{ cmdlet, want string }{
		{"Get-DlpCompliancePolicy", "U.S. Financial Data"},
		{"Get-RetentionCompliancePolicy", "Org-wide 7 years"},
		{"Get-ComplianceSearch", "Phoenix litigation"},
		{"Get-Label", `"value":[{`},
	} {
		resp, data := invoke(t, hc, regional, scc, `{"CmdletInput":{"CmdletName":"`+s.cmdlet+`","Parameters":{}}}`, 0)
		if resp.StatusCode != 200 || !strings.Contains(string(data), s.want) {
			t.Errorf("%s: status %d, want 200 containing %q\n%s", s.cmdlet, resp.StatusCode, s.want, clip(data))
		}
	}
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}
