package catalog

import (
	"slices"
	"testing"
)

func TestViews(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range views() {
		c := mustLookup(t, v.cmdlet)
		if c.Name != v.cmdlet || seen[c.Name] {
			t.Errorf("view %q: declare each cmdlet once, spelt as the catalog does (%s)", v.cmdlet, c.Name)
		}
		seen[c.Name] = true
		if c.WrapperOf != "" {
			t.Errorf("view of %s: a wrapper shows its server cmdlet's view", c.Name)
		}
		if len(v.columns) == 0 || len(v.columns) != len(slices.Compact(slices.Sorted(slices.Values(v.columns)))) {
			t.Errorf("view of %s: columns %v, want some, each once", c.Name, v.columns)
		}
	}
}

func TestDefaultView(t *testing.T) {
	want := []string{"Name", "Alias", "RecipientTypeDetails", "PrimarySmtpAddress"}
	for _, name := range []string{"Get-Mailbox", "get-mailbox", "Get-EXOMailbox", "GET-EXOMAILBOX"} {
		if got := DefaultView(name); !slices.Equal(got, want) {
			t.Errorf("DefaultView(%q) = %v, want %v", name, got, want)
		}
	}
	if got := DefaultView("Get-EXOCasMailbox"); !slices.Equal(got, DefaultView("Get-CASMailbox")) || got == nil {
		t.Errorf("Get-EXOCasMailbox shows %v, want Get-CASMailbox's view", got)
	}
	for _, name := range []string{"Set-Mailbox", "Get-Nothing", ""} {
		if got := DefaultView(name); got != nil {
			t.Errorf("DefaultView(%q) = %v, want nil", name, got)
		}
	}
	// The caller may change what it got.
	DefaultView("Get-Mailbox")[0] = "changed"
	if got := DefaultView("Get-Mailbox"); got[0] != "Name" {
		t.Errorf("a caller's change reached the declaration: %v", got)
	}
}
