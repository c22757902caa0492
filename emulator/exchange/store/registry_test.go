package store

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// TestRegistryFollowsTheCatalog checks every declaration against the
// catalog: the cmdlet exists there, runs in the service it is registered
// for, and is locked and audited as the catalog's Effect says.
func TestRegistryFollowsTheCatalog(t *testing.T) {
	reg, err := registry(declarations())
	if err != nil {
		t.Fatal(err)
	}
	if len(reg) != len(declarations()) {
		t.Errorf("registry holds %d cmdlets, %d are declared", len(reg), len(declarations()))
	}
	for _, d := range declarations() {
		ref, ok := catalog.Lookup(d.name)
		if !ok || !ref.Runs(d.service) || !catalog.Known(d.service, d.name) {
			t.Errorf("%s: not a cmdlet %s runs, says the catalog", d.name, d.service)
			continue
		}
		if c := reg[strings.ToLower(d.name)]; c.write != (ref.Effect == catalog.Write) {
			t.Errorf("%s: registered as write=%v, the catalog's effect is %v", d.name, c.write, ref.Effect)
		}
	}
}

// TestRegistryRefusesWhatTheCatalogContradicts: a declaration the catalog
// does not back fails New rather than serve a cmdlet the service lacks.
func TestRegistryRefusesWhatTheCatalogContradicts(t *testing.T) {
	for _, d := range []decl{
		{"Get-Frobnicator", catalog.Exchange, "", getMailbox},
		{"Get-Mailbox", catalog.Compliance, "", getMailbox},
		{"Get-EXOMailbox", catalog.Exchange, "", getMailbox},
		{"Get-Mailbox", catalog.Exchange, "Identity Colour", getMailbox},
		{"Get-DlpCompliancePolicy", catalog.Compliance, "ResultSize", getDlpCompliancePolicy},
	} {
		if _, err := registry([]decl{d}); err == nil {
			t.Errorf("registry accepted %s in %s with %q", d.name, d.service, d.params)
		}
	}
	if _, err := registry(append(recipientCmdlets(), recipientCmdlets()[0])); err == nil {
		t.Error("registry accepted a cmdlet declared twice")
	}
}

// TestReadsChangeNothing runs every modelled cmdlet the catalog calls a
// Read against the fixture and checks that the tenant's saved form is the
// same afterwards. A handler that changes the tenant must be a catalog
// Write: reads run under the shared lock and skip the audit log.
func TestReadsChangeNothing(t *testing.T) {
	s := fixtureStore(t)
	ts := s.tenant(testTenant)
	saved := func() []byte {
		var b bytes.Buffer
		if err := tenant.Encode(&b, ts.T); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	covered := map[string]bool{}
	before := saved()
	// The golden cases, and the reads that have no golden file.
	reads := append(goldenCases(),
		goldenCase{svc: catalog.Exchange, cmdlet: "Get-UnifiedGroupLinks", params: P{"Identity": "Retail", "LinkType": "Members"}})
	for _, c := range reads {
		covered[strings.ToLower(c.cmdlet)] = true
		cl := call(c.cmdlet, c.params)
		cl.Service = c.svc
		res, err := s.Invoke(context.Background(), cl)
		if err != nil {
			t.Fatalf("%s: %v", c.cmdlet, err)
		}
		objects(res) // rendering runs code too
		if after := saved(); !bytes.Equal(before, after) {
			t.Fatalf("%s, a catalog Read, changed the tenant", c.cmdlet)
		}
	}
	for key, c := range s.cmdlets {
		if !c.write && !covered[key] {
			t.Errorf("%s is a modelled read this test does not run", c.ref.Name)
		}
	}
}
