package catalog

import (
	"slices"
	"strings"
	"testing"
)

// wantCmdlets is the reference's 941 cmdlets minus the 26 module-only ones
// (wrappers.go), plus Search-AdminAuditLog (retired.go). A new reference
// changes it on purpose.
const wantCmdlets = 916

func mustLookup(t *testing.T, name string) *Cmdlet {
	t.Helper()
	c, ok := Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", name)
	}
	return c
}

func TestCounts(t *testing.T) {
	all := All()
	if len(all) != wantCmdlets {
		t.Errorf("catalog has %d cmdlets, want %d", len(all), wantCmdlets)
	}
	var exo, scc, both int
	for _, c := range all {
		e, s := c.Runs(Exchange), c.Runs(Compliance)
		switch {
		case e && s:
			both++
		case e:
			exo++
		case s:
			scc++
		default:
			t.Errorf("%s runs nowhere", c.Name)
		}
	}
	// README: Exchange Online 730 and S&C 275 (64 both) before the 26
	// module-only cmdlets, all Exchange Online only, were left out; one
	// retired Exchange Online cmdlet is added back (retired.go).
	if exo+both != 730-26+1 || scc+both != 275 || both != 64 {
		t.Errorf("per service: exchange %d, compliance %d, both %d", exo+both, scc+both, both)
	}
	if got := len(loaded().skipped); got != len(moduleOnlyCmdlets()) {
		t.Errorf("left out %d module-only cmdlets, the list has %d: %v", got, len(moduleOnlyCmdlets()), loaded().skipped)
	}
}

func TestAllSortedAndOwned(t *testing.T) {
	all := All()
	if !slices.IsSortedFunc(all, func(a, b *Cmdlet) int { return compareFold(a.Name, b.Name) }) {
		t.Error("All is not sorted by name")
	}
	all[0] = nil
	if All()[0] == nil {
		t.Error("All hands out the catalog's own slice")
	}
}

func TestGetMailbox(t *testing.T) {
	c := mustLookup(t, "Get-Mailbox")
	if c.Verb != "Get" || c.Noun != "Mailbox" || c.Effect != Read || !c.Runs(Exchange) || c.Runs(Compliance) {
		t.Errorf("Get-Mailbox = %+v", c)
	}
	for _, tc := range []struct {
		name, typ string
		kind      Kind
	}{
		{"ResultSize", "Unlimited", KindUnlimited},
		{"Identity", "MailboxIdParameter", KindString},
		{"Filter", "String", KindString},
		{"SoftDeletedMailbox", "SwitchParameter", KindSwitch},
		{"InactiveMailboxOnly", "SwitchParameter", KindSwitch},
		{"RecipientTypeDetails", "RecipientTypeDetails[]", KindMultiValued},
	} {
		p, ok := c.Param(tc.name)
		if !ok {
			t.Errorf("Get-Mailbox has no -%s", tc.name)
			continue
		}
		if p.Type != tc.typ || p.Kind() != tc.kind || p.Switch != (tc.kind == KindSwitch) || p.ClientSide {
			t.Errorf("-%s = %+v kind %v", tc.name, p, p.Kind())
		}
	}
	set, ok := c.Set("identity")
	if !ok {
		t.Fatal("Get-Mailbox has no Identity set")
	}
	id, ok := set.Param("Identity")
	if !ok || id.Required || id.Position != 1 {
		t.Errorf("Identity in set Identity = %+v", id)
	}
	if f, _ := set.Param("Filter"); f == nil || f.Position != Named {
		t.Errorf("Filter in set Identity = %+v", f)
	}
	if d := c.DefaultSet(); d != nil && !d.Default {
		t.Errorf("DefaultSet = %+v", d)
	}
	if c.AppOnly.Unsupported || c.WrapperOf != "" || c.Server() != c {
		t.Errorf("Get-Mailbox is a plain supported cmdlet: %+v", c)
	}
}

func TestLookupIgnoresCase(t *testing.T) {
	want := mustLookup(t, "Get-Mailbox")
	for _, n := range []string{"get-mailbox", "GET-MAILBOX", "gEt-MaIlBoX"} {
		if c, ok := Lookup(n); !ok || c != want {
			t.Errorf("Lookup(%q) = %v, %v", n, c, ok)
		}
	}
	for _, n := range []string{"", "Get-", "Mailbox", "Get-Mailboxes", "get_mailbox", strings.Repeat("x", 200)} {
		if _, ok := Lookup(n); ok {
			t.Errorf("Lookup(%q) found a cmdlet", n)
		}
	}
}

func TestParamByNameAndAlias(t *testing.T) {
	c := mustLookup(t, "Set-Mailbox")
	for in, want := range map[string]string{
		"Identity": "Identity", "identity": "Identity", "IDENTITY": "Identity",
		"cf": "Confirm", "CF": "Confirm", "wi": "WhatIf", "WhatIf": "WhatIf",
	} {
		if p, ok := c.Param(in); !ok || p.Name != want {
			t.Errorf("Set-Mailbox Param(%q) = %v, %v; want %s", in, p, ok, want)
		}
	}
	for _, in := range []string{"", "Ident", "c", "Identity2"} {
		if p, ok := c.Param(in); ok {
			t.Errorf("Param(%q) = %s; prefixes and unknown names must not match", in, p.Name)
		}
	}
	if p, ok := mustLookup(t, "Get-MoveRequest").Param("MoveStatus"); !ok || p.Name != "Status" {
		t.Errorf("Get-MoveRequest alias MoveStatus = %v, %v", p, ok)
	}
	// The reference gives "wi" to both -WhatIf and -SharePointLocation;
	// the generator keeps it with -WhatIf only.
	h := mustLookup(t, "Invoke-HoldRemovalAction")
	if p, ok := h.Param("wi"); !ok || p.Name != "WhatIf" {
		t.Errorf("Invoke-HoldRemovalAction Param(wi) = %v", p)
	}
	if p, _ := h.Param("SharePointLocation"); p == nil || len(p.Aliases) != 0 {
		t.Errorf("SharePointLocation = %+v", p)
	}
}

// TestParamFindsEveryName walks the whole catalog: every parameter is
// found by its name in any case and by each alias, and no alias is shared.
func TestParamFindsEveryName(t *testing.T) {
	for _, c := range All() {
		seen := map[string]string{}
		for i := range c.Parameters {
			p := &c.Parameters[i]
			for _, n := range append([]string{p.Name, strings.ToLower(p.Name), strings.ToUpper(p.Name)}, p.Aliases...) {
				if got, ok := c.Param(n); !ok || got != p {
					t.Errorf("%s Param(%q) = %v, want -%s", c.Name, n, got, p.Name)
				}
			}
			for _, n := range append([]string{p.Name}, p.Aliases...) {
				if other, dup := seen[strings.ToLower(n)]; dup {
					t.Errorf("%s: %q names both -%s and -%s", c.Name, n, other, p.Name)
				}
				seen[strings.ToLower(n)] = p.Name
			}
		}
	}
}

// TestCatalogConsistent checks facts the binding relies on for every
// cmdlet.
func TestCatalogConsistent(t *testing.T) {
	for _, c := range All() {
		if c.Name != c.Verb+"-"+c.Noun || (c.Effect == Read) != (c.Verb == "Get" || c.Verb == "Search" || c.Verb == "Test") {
			t.Errorf("%s: verb %q noun %q effect %v", c.Name, c.Verb, c.Noun, c.Effect)
		}
		if !slices.IsSortedFunc(c.Parameters, func(a, b Parameter) int { return compareFold(a.Name, b.Name) }) {
			t.Errorf("%s: parameters not sorted", c.Name)
		}
		for _, p := range c.Parameters {
			if len(p.Services) == 0 {
				t.Errorf("%s -%s runs nowhere", c.Name, p.Name)
			}
			for _, s := range p.Services {
				if !c.Runs(s) {
					t.Errorf("%s -%s runs on %s, the cmdlet does not", c.Name, p.Name, s)
				}
			}
			if p.ClientSide && c.WrapperOf == "" {
				t.Errorf("%s -%s is client-side on a cmdlet the service runs", c.Name, p.Name)
			}
		}
		defaults := 0
		for _, s := range c.Sets {
			if s.Default {
				defaults++
			}
			for _, e := range s.Params {
				if _, ok := c.Param(e.Name); !ok {
					t.Errorf("%s set %s names unknown -%s", c.Name, s.Name, e.Name)
				}
			}
		}
		if defaults > 1 {
			t.Errorf("%s has %d default sets", c.Name, defaults)
		}
	}
}

func TestKnown(t *testing.T) {
	for _, c := range []struct {
		service Service
		name    string
		want    bool
	}{
		{Exchange, "Get-Mailbox", true},
		{Exchange, "get-place", true},
		{Exchange, "Get-DlpCompliancePolicy", false},
		{Compliance, "Get-DlpCompliancePolicy", true},
		{Compliance, "Get-Recipient", true},
		{Exchange, "Get-Frobnicator", false},
		{Exchange, "Get-EXOMailbox", false},            // a wrapper: the service runs Get-Mailbox
		{Exchange, "Connect-ExchangeOnline", false},    // module-only
		{Exchange, "Get-VivaInsightsSettings", false},  // module-only
		{Exchange, "Search-AdminAuditLog", true},       // retired.go: the service still runs it
		{Compliance, "New-ComplianceSearch", true},     // known, although app-only cannot run it
		{Exchange, "Get-ConnectionInformation", false}, // module-only
	} {
		if got := Known(c.service, c.name); got != c.want {
			t.Errorf("Known(%s, %s) = %v, want %v", c.service, c.name, got, c.want)
		}
	}
}

func TestDecodeRejectsBadData(t *testing.T) {
	good := "# " + formatVersion + "\nC\tGet-Thing\tE\nP\tIdentity\tString\t-\t\nS\t__AllParameterSets\t*\t0r@0\t\n"
	if ix, err := decode(good); err != nil || len(ix.cmdlets) != 1 {
		t.Fatalf("decode(good) = %v, %v", ix, err)
	}
	for name, data := range map[string]string{
		"no header":      "C\tGet-Thing\tE\n",
		"bad services":   "# " + formatVersion + "\nC\tGet-Thing\tX\n",
		"P before C":     "# " + formatVersion + "\nP\tIdentity\tString\t-\t\n",
		"bad entry":      "# " + formatVersion + "\nC\tGet-Thing\tE\nS\tx\t-\t3\t\n",
		"unsorted":       "# " + formatVersion + "\nC\tGet-Z\tE\nC\tGet-A\tE\n",
		"too many":       "# " + formatVersion + "\nC\tGet-Thing\tE\tx\ty\tz\tw\n",
		"unknown record": "# " + formatVersion + "\nX\ty\n",
		"empty":          "# " + formatVersion + "\n",
	} {
		if _, err := decode(data); err == nil {
			t.Errorf("decode accepted %s", name)
		}
	}
}

// TestRetiredCmdlets checks the declarations merged from retired.go: the
// generated file lacks them, the loaded catalog finds them like any other
// cmdlet, in order, by name and by snake name.
func TestRetiredCmdlets(t *testing.T) {
	ix, err := decode(catalogData)
	if err != nil {
		t.Fatal(err)
	}
	all := All()
	if !slices.IsSortedFunc(all, func(a, b *Cmdlet) int { return compareFold(a.Name, b.Name) }) {
		t.Error("All() is not sorted after merging the retired cmdlets")
	}
	for _, r := range retiredCmdlets() {
		if _, ok := ix.byName[strings.ToLower(r.Name)]; ok {
			t.Errorf("%s is in cmdlets_gen.txt again: drop it from retired.go", r.Name)
		}
		if !slices.IsSortedFunc(r.Parameters, func(a, b Parameter) int { return compareFold(a.Name, b.Name) }) {
			t.Errorf("%s: parameters not sorted by name, which Param needs", r.Name)
		}
		c := mustLookup(t, r.Name)
		if c.Effect != Read || !c.Runs(Exchange) || c.Runs(Compliance) {
			t.Errorf("%s: effect %v, services %v; want a read run by Exchange Online only", c.Name, c.Effect, c.Services)
		}
		if s, ok := BySnakeName(c.SnakeName()); !ok || s != c {
			t.Errorf("BySnakeName(%q) does not find %s", c.SnakeName(), c.Name)
		}
		if p, ok := c.Param("startdate"); !ok || p.Name != "StartDate" {
			t.Errorf("%s.Param(startdate) = %v, %v", c.Name, p, ok)
		}
	}
}
