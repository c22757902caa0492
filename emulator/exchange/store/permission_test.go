package store

import (
	"slices"
	"strings"
	"testing"
)

func TestGetMailboxPermission(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-MailboxPermission", P{"Identity": "Sales"})
	users := values(t, res, "User")
	if users[0] != `NT AUTHORITY\SELF` || !slices.Contains(users, "AdeleV@contoso.com") || !slices.Contains(users, "IsaiahL@contoso.com") {
		t.Fatalf("users %v", users)
	}
	explicit := 0
	for _, o := range objects(res) {
		if get(t, o, "IsInherited") == false && get(t, o, "User") != `NT AUTHORITY\SELF` {
			explicit++
			if r := get(t, o, "AccessRights").([]string); !slices.Equal(r, []string{"FullAccess"}) || get(t, o, "Identity") != "Sales" {
				t.Errorf("grant %v", o)
			}
		}
	}
	if explicit != 2 {
		t.Errorf("explicit grants %d, want 2", explicit)
	}
	res = invoke(t, s, "Get-MailboxPermission", P{"Identity": "Sales", "User": "AdeleV"})
	if res.Count != 1 || get(t, res.Object(0), "User") != "AdeleV@contoso.com" {
		t.Fatalf("filtered by -User: %v", values(t, res, "User"))
	}
	res = invoke(t, s, "Get-MailboxPermission", P{"Identity": "Sales", "User": `NT AUTHORITY\SELF`})
	if res.Count != 1 {
		t.Fatalf("SELF: %d", res.Count)
	}
	wantErr(t, invokeErr(t, s, "Get-MailboxPermission", P{}), 400, "missing mandatory parameters: Identity")
	wantErr(t, invokeErr(t, s, "Get-MailboxPermission", P{"Identity": "Sales", "User": "ghost"}), 404)
}

func TestAddRemoveMailboxPermission(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": "FullAccess", "InheritanceType": "All", "AutoMapping": false})
	if res.Count != 1 || get(t, res.Object(0), "User") != "AlexW@contoso.com" {
		t.Fatalf("Add-MailboxPermission returned %v", objects(res))
	}
	if got := values(t, invoke(t, s, "Get-MailboxPermission", P{"Identity": "Info", "User": "AlexW"}), "AccessRights"); len(got) != 1 || got[0] != "[FullAccess]" {
		t.Fatalf("after add: %v", got)
	}
	res = invoke(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": []any{"FullAccess"}})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "already present") {
		t.Fatalf("repeat add warnings %v", res.Warnings)
	}
	invoke(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": "ReadPermission"})
	if got := values(t, invoke(t, s, "Get-MailboxPermission", P{"Identity": "Info", "User": "AlexW"}), "AccessRights"); got[0] != "[FullAccess ReadPermission]" {
		t.Fatalf("merged rights %v", got)
	}
	wantErr(t, invokeErr(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": "SendAs"}), 400, "FullAccess")
	wantErr(t, invokeErr(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "AlexW"}), 400, "missing mandatory parameters")
	wantErr(t, invokeErr(t, s, "Add-MailboxPermission", P{"Identity": "Info", "User": "ghost", "AccessRights": "FullAccess"}), 404)

	invoke(t, s, "Remove-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": []any{"FullAccess", "ReadPermission"}, "Confirm": false})
	if res := invoke(t, s, "Get-MailboxPermission", P{"Identity": "Info", "User": "AlexW"}); res.Count != 0 {
		t.Fatalf("after remove: %v", values(t, res, "AccessRights"))
	}
	res = invoke(t, s, "Remove-MailboxPermission", P{"Identity": "Info", "User": "AlexW", "AccessRights": "FullAccess"})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "doesn't exist") {
		t.Fatalf("remove missing: %v", res.Warnings)
	}
	if e := lastAudit(t, s); get(t, e, "CmdletName") != "Remove-MailboxPermission" || get(t, e, "ObjectModified") != "Info" {
		t.Errorf("audit %v", e)
	}
}

func TestRecipientPermission(t *testing.T) {
	s := fixtureStore(t)
	res := invoke(t, s, "Get-RecipientPermission", P{"Identity": "Sales"})
	if got := values(t, res, "Trustee"); !slices.Equal(got, []string{`NT AUTHORITY\SELF`, "IsaiahL@contoso.com"}) {
		t.Fatalf("trustees %v", got)
	}
	if get(t, res.Object(1), "AccessControlType") != "Allow" || !slices.Equal(get(t, res.Object(1), "AccessRights").([]string), []string{"SendAs"}) {
		t.Errorf("row %v", res.Object(1))
	}
	res = invoke(t, s, "Get-RecipientPermission", P{"Trustee": "MeganB"})
	if got := values(t, res, "Identity"); !slices.Equal(got, []string{"Info"}) {
		t.Fatalf("by trustee %v", got)
	}
	all := invoke(t, s, "Get-RecipientPermission", P{"ResultSize": "Unlimited"})
	if all.Count != 14 { // SELF on 12 mailboxes and two grants
		t.Fatalf("all rows %d", all.Count)
	}
	wantErr(t, invokeErr(t, s, "Get-RecipientPermission", P{"AccessRights": "FullAccess"}), 400, "SendAs")

	res = invoke(t, s, "Add-RecipientPermission", P{"Identity": "AllStaff", "Trustee": "LeeG", "AccessRights": "SendAs", "Confirm": false})
	if res.Count != 1 || get(t, res.Object(0), "Trustee") != "LeeG@contoso.com" {
		t.Fatalf("add returned %v", objects(res))
	}
	if got := values(t, invoke(t, s, "Get-RecipientPermission", P{"Identity": "AllStaff"}), "Trustee"); !slices.Equal(got, []string{"LeeG@contoso.com"}) {
		t.Fatalf("group trustees %v", got)
	}
	if res := invoke(t, s, "Add-RecipientPermission", P{"Identity": "AllStaff", "Trustee": "LeeG", "AccessRights": "SendAs"}); len(res.Warnings) != 1 {
		t.Errorf("repeat add: %v", res.Warnings)
	}
	wantErr(t, invokeErr(t, s, "Add-RecipientPermission", P{"Identity": "AllStaff", "Trustee": "LeeG"}), 400, "missing mandatory parameters: AccessRights")
	invoke(t, s, "Remove-RecipientPermission", P{"Identity": "AllStaff", "Trustee": "LeeG", "AccessRights": "SendAs"})
	if res := invoke(t, s, "Get-RecipientPermission", P{"Identity": "AllStaff"}); res.Count != 0 {
		t.Fatalf("after remove %d", res.Count)
	}
	if res := invoke(t, s, "Remove-RecipientPermission", P{"Identity": "AllStaff", "Trustee": "LeeG", "AccessRights": "SendAs"}); len(res.Warnings) != 1 {
		t.Errorf("remove missing: %v", res.Warnings)
	}
}
