package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

// TestFixtureGolden renders the fixture through every read cmdlet and
// compares with testdata/golden. The files pin property names, order and
// values, and that the fixture is the same on every run; EXORUN_UPDATE=1
// rewrites them.
func TestFixtureGolden(t *testing.T) {
	s := fixtureStore(t)
	cases := goldenCases()
	update := os.Getenv("EXORUN_UPDATE") != ""
	for _, c := range cases {
		t.Run(c.cmdlet, func(t *testing.T) {
			cl := call(c.cmdlet, c.params)
			cl.Service = c.svc
			res, err := s.Invoke(context.Background(), cl)
			if err != nil {
				t.Fatal(err)
			}
			got := renderJSON(res)
			path := filepath.Join("testdata", "golden", c.file+".json")
			if update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with EXORUN_UPDATE=1 to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (EXORUN_UPDATE=1 rewrites it):\n%s", c.cmdlet, path, firstDiff(got, want))
			}
		})
	}
}

// goldenCase is one read cmdlet call whose output testdata/golden pins.
type goldenCase struct {
	file   string
	svc    catalog.Service
	cmdlet string
	params P
}

// goldenCases call every modelled read cmdlet once (TestReadsChangeNothing
// checks that none is missing).
func goldenCases() []goldenCase {
	return []goldenCase{
		{"get-mailbox", catalog.Exchange, "Get-Mailbox", P{}},
		{"get-recipient", catalog.Exchange, "Get-Recipient", P{}},
		{"get-user", catalog.Exchange, "Get-User", P{}},
		{"get-mailuser", catalog.Exchange, "Get-MailUser", P{}},
		{"get-mailcontact", catalog.Exchange, "Get-MailContact", P{}},
		{"get-casmailbox", catalog.Exchange, "Get-CASMailbox", P{}},
		{"get-mailboxstatistics", catalog.Exchange, "Get-MailboxStatistics", P{"Identity": "AlexW"}},
		{"get-mailboxpermission", catalog.Exchange, "Get-MailboxPermission", P{"Identity": "Sales"}},
		{"get-recipientpermission", catalog.Exchange, "Get-RecipientPermission", P{"Identity": "Info"}},
		{"get-distributiongroup", catalog.Exchange, "Get-DistributionGroup", P{}},
		{"get-distributiongroupmember", catalog.Exchange, "Get-DistributionGroupMember", P{"Identity": "MarketingTeam"}},
		{"get-unifiedgroup", catalog.Exchange, "Get-UnifiedGroup", P{}},
		{"get-inboxrule", catalog.Exchange, "Get-InboxRule", P{"Mailbox": "AdeleV"}},
		{"get-mobiledevice", catalog.Exchange, "Get-MobileDevice", P{}},
		{"get-mobiledevicestatistics", catalog.Exchange, "Get-MobileDeviceStatistics", P{"Mailbox": "LeeG"}},
		{"get-accepteddomain", catalog.Exchange, "Get-AcceptedDomain", P{}},
		{"get-organizationconfig", catalog.Exchange, "Get-OrganizationConfig", P{}},
		{"get-transportconfig", catalog.Exchange, "Get-TransportConfig", P{}},
		{"get-adminauditlogconfig", catalog.Exchange, "Get-AdminAuditLogConfig", P{}},
		{"get-transportrule", catalog.Exchange, "Get-TransportRule", P{}},
		{"get-hostedcontentfilterpolicy", catalog.Exchange, "Get-HostedContentFilterPolicy", P{}},
		{"get-antiphishpolicy", catalog.Exchange, "Get-AntiPhishPolicy", P{}},
		{"get-malwarefilterpolicy", catalog.Exchange, "Get-MalwareFilterPolicy", P{}},
		{"get-retentionpolicy", catalog.Exchange, "Get-RetentionPolicy", P{}},
		{"get-messagetracev2", catalog.Exchange, "Get-MessageTraceV2", P{}},
		{"search-adminauditlog", catalog.Exchange, "Search-AdminAuditLog", P{}},
		{"get-dlpcompliancepolicy", catalog.Compliance, "Get-DlpCompliancePolicy", P{}},
		{"get-retentioncompliancepolicy", catalog.Compliance, "Get-RetentionCompliancePolicy", P{}},
		{"get-compliancesearch", catalog.Compliance, "Get-ComplianceSearch", P{}},
		{"get-label", catalog.Compliance, "Get-Label", P{}},
	}
}

// renderJSON writes a result with properties in their order, one per line.
func renderJSON(res *exchange.Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"count\": %d, \"warnings\": %s, \"objects\": [\n", res.Count, jsonText(res.Warnings))
	for i := range res.Count {
		if i > 0 {
			b.WriteString(",\n")
		}
		writeObject(&b, res.Object(i), "  ")
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

func writeObject(b *bytes.Buffer, o exchange.Object, indent string) {
	b.WriteString(indent + "{\n")
	for j, p := range o {
		if j > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(b, "%s  %q: ", indent, p.Name)
		switch v := p.Value.(type) {
		case []exchange.Object:
			b.WriteString("[\n")
			for k, x := range v {
				if k > 0 {
					b.WriteString(",\n")
				}
				writeObject(b, x, indent+"    ")
			}
			b.WriteString("]")
		case time.Time:
			b.WriteString(jsonText(v.UTC().Format(time.RFC3339Nano)))
		default:
			b.WriteString(jsonText(v))
		}
	}
	b.WriteString("\n" + indent + "}")
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(data)
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return ""
}
