package catalog

import (
	"slices"
	"testing"
)

func TestParameterValues(t *testing.T) {
	param := func(cmdlet, name string) *Parameter {
		t.Helper()
		c, ok := Lookup(cmdlet)
		if !ok {
			t.Fatalf("no cmdlet %s", cmdlet)
		}
		p, ok := c.Param(name)
		if !ok {
			t.Fatalf("%s has no parameter %s", cmdlet, name)
		}
		return p
	}
	for _, tc := range []struct {
		cmdlet, param string
		want          []string // values that must be there
		none          bool     // no values at all
	}{
		{"Get-Mailbox", "RecipientTypeDetails", []string{"UserMailbox", "SharedMailbox", "RoomMailbox", "EquipmentMailbox"}, false},
		{"Get-Recipient", "RecipientTypeDetails", []string{"GuestMailUser", "MailUniversalSecurityGroup", "DynamicDistributionGroup"}, false},
		{"Get-Recipient", "RecipientType", []string{"UserMailbox", "MailContact", "PublicFolder"}, false},
		{"Get-Mailbox", "ResultSize", []string{"Unlimited"}, false},
		{"Set-Mailbox", "ProhibitSendQuota", []string{"Unlimited"}, false},
		{"Get-EXOMailbox", "ResultSize", []string{"Unlimited"}, false},               // RestApiClient.Unlimited`1[...]
		{"Get-AdaptiveScopeMembers", "PageResultSize", []string{"Unlimited"}, false}, // UnlimitedInt
		{"Add-MailboxPermission", "AccessRights", []string{"FullAccess", "ReadPermission"}, false},
		{"Remove-MailboxPermission", "AccessRights", []string{"FullAccess"}, false},
		{"Get-Mailbox", "Filter", nil, true},                                 // String
		{"Get-Mailbox", "Identity", nil, true},                               // MailboxIdParameter
		{"Get-Mailbox", "SoftDeletedMailbox", nil, true},                     // SwitchParameter
		{"Set-AppRetentionComplianceRule", "ExcludedItemClasses", nil, true}, // typed Unlimited by mistake
	} {
		p := param(tc.cmdlet, tc.param)
		got := p.Values()
		if tc.none {
			if got != nil {
				t.Errorf("%s -%s (%s): Values() = %q, want none", tc.cmdlet, tc.param, p.Type, got)
			}
			continue
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s -%s (%s): Values() = %q, want %s among them", tc.cmdlet, tc.param, p.Type, got, w)
			}
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s -%s: Values() = %q, want sorted without duplicates", tc.cmdlet, tc.param, got)
		}
	}
}

// TestParameterValuesFresh checks that a caller may change the slice it
// got without changing what the next caller sees.
func TestParameterValuesFresh(t *testing.T) {
	c, _ := Lookup("Get-Mailbox")
	p, _ := c.Param("ResultSize")
	p.Values()[0] = "changed"
	if got := p.Values(); got[0] != "Unlimited" {
		t.Fatalf("Values() = %q after a caller changed its copy", got)
	}
}

// TestParameterValuesBoolean checks that no Boolean parameter of the
// whole catalog has string values: Lua passes true and false.
func TestParameterValuesBoolean(t *testing.T) {
	for _, c := range All() {
		for i := range c.Parameters {
			p := &c.Parameters[i]
			if k := p.Kind(); (k == KindBool || k == KindSwitch) && p.Values() != nil {
				t.Errorf("%s -%s (%s): Values() = %q, want none", c.Name, p.Name, p.Type, p.Values())
			}
		}
	}
}
