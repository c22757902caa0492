package store

import (
	"slices"
	"testing"
)

func TestGetDistributionGroup(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-DistributionGroup", P{})
	wantNames(t, res, "AllStaff", "MarketingTeam", "FinanceApprovers", "ProjectPhoenix")
	o := invoke(t, s, "Get-DistributionGroup", P{"Identity": "Finance Approvers"}).Object(0)
	if get(t, o, "RecipientTypeDetails") != "MailUniversalSecurityGroup" || len(get(t, o, "ManagedBy").([]string)) != 0 {
		t.Errorf("FinanceApprovers %v %v", get(t, o, "RecipientTypeDetails"), get(t, o, "ManagedBy"))
	}
	wantNames(t, invoke(t, s, "Get-DistributionGroup", P{"ManagedBy": "MeganB"}), "MarketingTeam")
	wantNames(t, invoke(t, s, "Get-DistributionGroup", P{"Filter": "MemberJoinRestriction -eq 'ApprovalRequired'"}), "MarketingTeam")
	wantNames(t, invoke(t, s, "Get-DistributionGroup", P{"RecipientTypeDetails": "MailUniversalSecurityGroup"}), "FinanceApprovers")
	// A Microsoft 365 group is not a distribution group.
	wantErr(t, invokeErr(t, s, "Get-DistributionGroup", P{"Identity": "Retail"}), 404)
}

func TestDistributionGroupMembers(t *testing.T) {
	s := fixtureStore(t)
	if res := invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "AllStaff"}); res.Count != 8 {
		t.Fatalf("AllStaff members %d", res.Count)
	}
	if res := invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "ProjectPhoenix"}); res.Count != 0 {
		t.Fatalf("ProjectPhoenix members %d", res.Count)
	}
	res := invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "MarketingTeam", "ResultSize": 2.0})
	if res.Count != 2 || len(res.Warnings) != 1 {
		t.Fatalf("ResultSize 2: %d %v", res.Count, res.Warnings)
	}
	if got := values(t, invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "MarketingTeam"}), "RecipientTypeDetails"); !slices.Contains(got, "MailContact") {
		t.Errorf("member types %v", got)
	}
	invoke(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "GradyA"})
	invoke(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "marketingteam"})
	wantNames(t, invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "ProjectPhoenix"}), "GradyA", "MarketingTeam")
	xe := invokeErr(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "GradyA"})
	wantErr(t, xe, 400, `The recipient "GradyA" is already a member of the group "ProjectPhoenix".`)
	if xe.Exception != "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException" {
		t.Errorf("exception %s", xe.Exception)
	}
	wantErr(t, invokeErr(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "ProjectPhoenix"}), 400, "member of itself")
	wantErr(t, invokeErr(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "ChristieC"}), 404)
	wantErr(t, invokeErr(t, s, "Add-DistributionGroupMember", P{"Identity": "ProjectPhoenix"}), 400, "Member")
	invoke(t, s, "Remove-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "GradyA", "Confirm": false})
	wantNames(t, invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "ProjectPhoenix"}), "MarketingTeam")
	wantErr(t, invokeErr(t, s, "Remove-DistributionGroupMember", P{"Identity": "ProjectPhoenix", "Member": "GradyA"}), 400, "isn't a member")
	wantErr(t, invokeErr(t, s, "Get-DistributionGroupMember", P{"Identity": "SalesAndMarketing"}), 404)
}

func TestNewSetRemoveDistributionGroup(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "New-DistributionGroup", P{"Name": "Help Desk Team", "Members": []any{"AdeleV", "AlexW"}, "ManagedBy": "LeeG", "Type": "Security", "CopyOwnerToMember": true})
	o := res.Object(0)
	if get(t, o, "Alias") != "HelpDeskTeam" || get(t, o, "PrimarySmtpAddress") != "HelpDeskTeam@contoso.com" ||
		get(t, o, "RecipientTypeDetails") != "MailUniversalSecurityGroup" || get(t, o, "GroupType") != "Universal, SecurityEnabled" {
		t.Fatalf("new group %v", o)
	}
	wantNames(t, invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "helpdeskteam@contoso.com"}), "AdeleV", "AlexW", "LeeG")
	guid := get(t, o, "Guid")
	again := fixtureStore(t)
	if g := get(t, invoke(t, again, "New-DistributionGroup", P{"Name": "Help Desk Team"}).Object(0), "Guid"); g != guid {
		t.Errorf("created GUIDs differ between identical runs: %v %v", g, guid)
	}
	wantErr(t, invokeErr(t, s, "New-DistributionGroup", P{"Name": "Help Desk Team"}), 400, "already being used")
	wantErr(t, invokeErr(t, s, "New-DistributionGroup", P{"Name": "X", "PrimarySmtpAddress": "x@elsewhere.example"}), 400, "accepted domain")
	wantErr(t, invokeErr(t, s, "New-DistributionGroup", P{"Name": "Y", "Alias": "AdeleV"}), 400, "already being used")
	wantErr(t, invokeErr(t, s, "New-DistributionGroup", P{"Name": "Z", "Members": "ghost"}), 404)
	wantErr(t, invokeErr(t, s, "New-DistributionGroup", P{}), 400, "missing mandatory parameters: Name")
	if e := lastAudit(t, s); get(t, e, "ObjectModified") != "Z" || get(t, e, "Succeeded") != false {
		t.Errorf("audit %v", e)
	}

	invoke(t, s, "Set-DistributionGroup", P{"Identity": "HelpDeskTeam", "ManagedBy": map[string]any{"Add": "MeganB"}, "DisplayName": "Help Desk", "MemberJoinRestriction": "Open"})
	o = invoke(t, s, "Get-DistributionGroup", P{"Identity": "Help Desk"}).Object(0)
	if !slices.Equal(get(t, o, "ManagedBy").([]string), []string{"LeeG", "MeganB"}) || get(t, o, "MemberJoinRestriction") != "Open" {
		t.Fatalf("after Set: %v %v", get(t, o, "ManagedBy"), get(t, o, "MemberJoinRestriction"))
	}
	invoke(t, s, "Set-DistributionGroup", P{"Identity": "HelpDeskTeam", "PrimarySmtpAddress": "helpdesk@contoso.com"})
	o = invoke(t, s, "Get-DistributionGroup", P{"Identity": "helpdesk@contoso.com"}).Object(0)
	if get(t, o, "PrimarySmtpAddress") != "helpdesk@contoso.com" {
		t.Fatalf("primary %v", get(t, o, "PrimarySmtpAddress"))
	}
	wantErr(t, invokeErr(t, s, "Set-DistributionGroup", P{"Identity": "HelpDeskTeam", "MemberJoinRestriction": "Sometimes"}), 400, "Open, Closed, ApprovalRequired")

	invoke(t, s, "Add-DistributionGroupMember", P{"Identity": "AllStaff", "Member": "HelpDeskTeam"})
	invoke(t, s, "Add-RecipientPermission", P{"Identity": "Sales", "Trustee": "HelpDeskTeam", "AccessRights": "SendAs"})
	invoke(t, s, "Remove-DistributionGroup", P{"Identity": "HelpDeskTeam", "Confirm": false})
	wantErr(t, invokeErr(t, s, "Get-DistributionGroup", P{"Identity": "HelpDeskTeam"}), 404)
	if res := invoke(t, s, "Get-DistributionGroupMember", P{"Identity": "AllStaff"}); res.Count != 8 {
		t.Errorf("removed group still a member: %d", res.Count)
	}
	if res := invoke(t, s, "Get-RecipientPermission", P{"Identity": "Sales"}); res.Count != 2 {
		t.Errorf("removed group still a trustee: %v", values(t, res, "Trustee"))
	}
	wantErr(t, invokeErr(t, s, "Remove-DistributionGroup", P{"Identity": "HelpDeskTeam"}), 404)
}

func TestUnifiedGroups(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-UnifiedGroup", P{})
	wantNames(t, res, "SalesAndMarketing", "Retail")
	o := invoke(t, s, "Get-UnifiedGroup", P{"Identity": "Sales and Marketing"}).Object(0)
	if get(t, o, "GroupMemberCount") != int64(4) || get(t, o, "GroupExternalMemberCount") != int64(1) || get(t, o, "AccessType") != "Private" {
		t.Errorf("SalesAndMarketing %v %v %v", get(t, o, "GroupMemberCount"), get(t, o, "GroupExternalMemberCount"), get(t, o, "AccessType"))
	}
	if !slices.Equal(get(t, o, "ResourceProvisioningOptions").([]string), []string{"Team"}) {
		t.Errorf("team flag %v", get(t, o, "ResourceProvisioningOptions"))
	}
	wantNames(t, invoke(t, s, "Get-UnifiedGroup", P{"Filter": "AccessType -eq 'Public'"}), "Retail")
	wantNames(t, invoke(t, s, "Get-UnifiedGroupLinks", P{"Identity": "Retail", "LinkType": "Owners"}), "AdeleV")
	wantNames(t, invoke(t, s, "Get-UnifiedGroupLinks", P{"Identity": "Retail", "LinkType": "Members"}), "AdeleV", "DiegoS")
	wantErr(t, invokeErr(t, s, "Get-UnifiedGroupLinks", P{"Identity": "Retail"}), 400, "LinkType")
	wantErr(t, invokeErr(t, s, "Get-UnifiedGroup", P{"Identity": "AllStaff"}), 404)
}
