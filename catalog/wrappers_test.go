package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestWrappers(t *testing.T) {
	if got := len(wrappers()); got != 9 {
		t.Errorf("%d wrappers, the module has nine Get-EXO* cmdlets", got)
	}
	for _, w := range wrappers() {
		c := mustLookup(t, w.wrapper)
		srv := mustLookup(t, w.server)
		if c.WrapperOf != srv.Name || c.Server() != srv || srv.WrapperOf != "" {
			t.Errorf("%s: WrapperOf %q, Server %s", c.Name, c.WrapperOf, c.Server().Name)
		}
		if c.Effect != Read || !c.Runs(Exchange) || !srv.Runs(Exchange) {
			t.Errorf("%s: a read of Exchange Online wrapping one", c.Name)
		}
		for _, p := range c.Parameters {
			if p.ClientSide != (p.Name == "PropertySets" || p.Name == "Properties") {
				t.Errorf("%s -%s: ClientSide %v", c.Name, p.Name, p.ClientSide)
			}
		}
		// The wrapper is granted as its server cmdlet.
		for _, r := range Roles() {
			if Grants(r, c.Name, Exchange) != Grants(r, srv.Name, Exchange) {
				t.Errorf("%s grants %s and %s differently", r.Name, c.Name, srv.Name)
			}
		}
	}
	// Every Get-EXO* of the catalog is a wrapper.
	for _, c := range All() {
		if strings.HasPrefix(strings.ToLower(c.Name), "get-exo") && !strings.HasPrefix(c.Noun, "Exo") && c.WrapperOf == "" {
			t.Errorf("%s looks like a module wrapper but is not marked", c.Name)
		}
	}
	if n := mustLookup(t, "Get-ExoInformationBarrierPolicy"); n.WrapperOf != "" {
		t.Error("Get-ExoInformationBarrierPolicy is a server cmdlet, not a wrapper")
	}
	if p, _ := mustLookup(t, "Get-Recipient").Param("Properties"); p == nil || p.ClientSide {
		t.Errorf("Get-Recipient -Properties is the server's own: %+v", p)
	}
}

func TestPropertySet(t *testing.T) {
	min, ok := PropertySet("get-exomailbox", "minimum")
	want := []string{"ExternalDirectoryObjectId", "UserPrincipalName", "Alias", "DisplayName", "EmailAddresses",
		"PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails", "Identity", "Id", "ExchangeVersion",
		"Name", "DistinguishedName", "OrganizationId", "Guid"}
	if !ok || !slices.Equal(min, want) {
		t.Errorf("Get-EXOMailbox Minimum = %v, %v", min, ok)
	}
	if all, ok := PropertySet("Get-EXOMailbox", "All"); !ok || all != nil {
		t.Errorf("All = %v, %v; want nil (no $select), true", all, ok)
	}
	if _, ok := PropertySet("Get-EXOMailbox", "Nope"); ok {
		t.Error("unknown set found")
	}
	if _, ok := PropertySet("Get-Mailbox", "Minimum"); ok {
		t.Error("Get-Mailbox has no property sets")
	}
	min[0] = "changed"
	if again, _ := PropertySet("Get-EXOMailbox", "Minimum"); again[0] != "ExternalDirectoryObjectId" {
		t.Error("PropertySet hands out shared slices")
	}
	for _, w := range []string{"Get-EXOMailbox", "Get-EXOCasMailbox", "Get-EXOMailboxStatistics", "Get-EXORecipient"} {
		sets := PropertySets(w)
		if !slices.Contains(sets, "Minimum") || !slices.Contains(sets, "All") {
			t.Errorf("%s sets = %v", w, sets)
		}
		if p, ok := mustLookup(t, w).Param("PropertySets"); !ok || !p.ClientSide {
			t.Errorf("%s has property sets but no client-side -PropertySets", w)
		}
		for _, s := range sets {
			props, _ := PropertySet(w, s)
			seen := map[string]bool{}
			for _, p := range props {
				if seen[strings.ToLower(p)] {
					t.Errorf("%s %s lists %s twice", w, s, p)
				}
				seen[strings.ToLower(p)] = true
			}
		}
	}
	if got := PropertySets("Get-EXOMailboxPermission"); len(got) != 0 {
		t.Errorf("Get-EXOMailboxPermission sets = %v", got)
	}
}

func TestSelect(t *testing.T) {
	fields, all, err := Select("Get-EXOMailbox", []string{"archive"}, []string{"alias", "LitigationHoldEnabled"})
	if err != nil || all {
		t.Fatalf("Select = %v, %v, %v", fields, all, err)
	}
	if fields[0] != "ExternalDirectoryObjectId" || !slices.Contains(fields, "ArchiveGuid") ||
		!slices.Contains(fields, "LitigationHoldEnabled") || slices.Contains(fields, "alias") {
		t.Errorf("Select fields = %v", fields)
	}
	if _, all, err := Select("Get-EXOMailbox", []string{"Audit", "All"}, nil); err != nil || !all {
		t.Errorf("All must mean no $select: %v %v", all, err)
	}
	if _, _, err := Select("Get-EXOMailbox", []string{"Nope"}, nil); err == nil || !strings.Contains(err.Error(), "Minimum") {
		t.Errorf("unknown set error = %v", err)
	}
	if _, _, err := Select("Get-EXOMailboxPermission", []string{"Minimum"}, nil); err == nil {
		t.Error("a wrapper without property sets accepted one")
	}
	if f, all, err := Select("Get-EXOMailboxPermission", nil, nil); err != nil || !all || f != nil {
		t.Errorf("no sets, no properties = %v %v %v", f, all, err)
	}
	if f, _, _ := Select("Get-EXOMailboxPermission", nil, []string{"User"}); !slices.Equal(f, []string{"User"}) {
		t.Errorf("properties only = %v", f)
	}
	if f, _, _ := Select("Get-EXORecipient", nil, nil); len(f) != 6 {
		t.Errorf("Get-EXORecipient default = %v, want the 6 of Minimum", f)
	}
}

func TestModuleOnly(t *testing.T) {
	for _, m := range moduleOnlyCmdlets() {
		if _, ok := Lookup(m.name); ok {
			t.Errorf("%s is module-only but in the catalog", m.name)
		}
		if r, ok := ModuleOnly(strings.ToUpper(m.name)); !ok || r == "" {
			t.Errorf("ModuleOnly(%s) = %q, %v", m.name, r, ok)
		}
	}
	if !slices.Contains(loaded().skipped, "Connect-ExchangeOnline") {
		t.Error("the data no longer holds Connect-ExchangeOnline: check the module-only list against the reference")
	}
	if _, ok := ModuleOnly("Get-Mailbox"); ok {
		t.Error("Get-Mailbox is not module-only")
	}
}

func TestAppOnlyGaps(t *testing.T) {
	gaps := map[string]bool{}
	for _, g := range appOnlyGaps() {
		c := mustLookup(t, g.name)
		gaps[c.Name] = true
		if !c.Runs(g.service) || !c.AppOnly.Unsupported || c.AppOnly.Reason == "" {
			t.Errorf("%s: runs on %s %v, AppOnly %+v", c.Name, g.service, c.Runs(g.service), c.AppOnly)
		}
	}
	if len(gaps) != 8 {
		t.Errorf("%d gaps, PROTOCOL.md 5 lists 8", len(gaps))
	}
	for _, c := range All() {
		if c.AppOnly.Unsupported != gaps[c.Name] {
			t.Errorf("%s: AppOnly %+v", c.Name, c.AppOnly)
		}
	}
}
