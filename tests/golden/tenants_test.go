package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/exitcode"
)

// TestTenantsOneWithoutConsent runs one script over three tenants of one
// emulator, reached by one multi-tenant app and certificate; the app's
// consent is revoked in fabrikam. fabrikam's line says so and how to fix
// it, the others succeed, and the run exits 4 (permission), the failed
// tenant's code.
func TestTenantsOneWithoutConsent(t *testing.T) {
	em := emulatortest.Start(t, emulator.Options{Tenants: []string{"fabrikam", "northwind"}})
	ep := em.Endpoints()
	if err := em.Directory().RevokeConsent("fabrikam.onmicrosoft.com", ep.AppID); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	list := filepath.Join(dir, "tenants.csv")
	script := filepath.Join(dir, "count.lua")
	summary := filepath.Join(dir, "summary.json")
	for name, data := range map[string]string{
		list:   "organization\ncontoso.onmicrosoft.com\nfabrikam.onmicrosoft.com\nnorthwind.onmicrosoft.com\n",
		script: "local exo = connect()\nlocal n = 0\nfor _ in exo.get_mailbox{ ResultSize = \"Unlimited\" } do n = n + 1 end\nprint(\"mailboxes\", n)\n",
	} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{
		"EXORUN_APP_ID": ep.AppID, "EXORUN_CERTIFICATE_FILE": ep.CertificateFile, "EXORUN_AUTHORITY": ep.Authority,
		"EXORUN_EXCHANGE_URL": ep.ExchangeURL, "EXORUN_COMPLIANCE_URL": ep.ComplianceURL, "EXORUN_CA_FILE": ep.CAFile,
	}
	stdout, stderr, code := runCLIWith("", vars, "run", "--tenants", list, "--out", filepath.Join(dir, "out"), "--summary-json", summary, script)
	if code != int(exitcode.Permission) {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Permission, stderr)
	}
	for _, org := range []string{"contoso", "northwind"} {
		if !strings.Contains(stdout, org+".onmicrosoft.com | mailboxes\t12\n") {
			t.Errorf("no count from %s:\n%s", org, stdout)
		}
	}
	fabrikam, err := em.Directory().Tenant("fabrikam.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`(?m)^run summary: exit 4 \(permission\); 3 tenants: 2 ok, 1 failed$`,
		`(?m)^  contoso\.onmicrosoft\.com +ok +12 objects$`,
		`(?m)^  fabrikam\.onmicrosoft\.com +failed \(permission\) +\S*count\.lua:1: app ` + ep.AppID + ` has no Exchange\.ManageAsApp permission in tenant ` + fabrikam.ID[:8],
		`(?m)^  northwind\.onmicrosoft\.com +ok +12 objects$`,
		`(?m)^fabrikam\.onmicrosoft\.com \| hint: .*/` + fabrikam.ID + `/adminconsent\?client_id=` + ep.AppID + `$`,
		`(?m)^exorun: 1 of 3 tenants failed: fabrikam\.onmicrosoft\.com \(permission\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(stderr) {
			t.Errorf("stderr does not match %s:\n%s", want, stderr)
		}
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Tenants []struct {
			Organization, Status, ExitName string
			Summary                        *struct {
				Tenant struct{ ID string }
			}
		}
		Totals   struct{ OK, Failed, NotRun, Objects int }
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.ExitCode != 4 || sum.Totals.OK != 2 || sum.Totals.Failed != 1 || sum.Totals.Objects != 24 || len(sum.Tenants) != 3 {
		t.Errorf("summary: %s", data)
	}
	if f := sum.Tenants[1]; f.Organization != "fabrikam.onmicrosoft.com" || f.Status != "failed" || f.Summary == nil {
		t.Errorf("fabrikam: %+v", f)
	}
}
