package repl

import (
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
)

func help(t *testing.T, name string, service catalog.Service) string {
	t.Helper()
	c, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no %s in the catalog", name)
	}
	var b strings.Builder
	CmdletHelp(&b, c, service)
	return b.String()
}

func wantLines(t *testing.T, got string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(got, "\n"+l+"\n") && !strings.HasPrefix(got, l+"\n") {
			t.Errorf("no line %q in:\n%s", l, got)
		}
	}
}

func TestCmdletHelp(t *testing.T) {
	got := help(t, "Get-Mailbox", catalog.Exchange)
	wantLines(t, got,
		"Get-Mailbox",
		"  lua:       exo.get_mailbox",
		"  effect:    read",
		"  services:  Exchange Online",
		"  app-only:  yes",
		"  Identity",
		"  -Archive (switch)",
		`  exo.get_mailbox{ Identity = "...", ResultSize = "Unlimited" }`,
	)
	// The positional parameter leads its set's syntax; a switch has no type.
	if !strings.Contains(got, "\n    Get-Mailbox [-Identity <MailboxIdParameter>] [-Archive] [-Filter <String>]") {
		t.Errorf("no Identity set syntax in:\n%s", got)
	}
	// Values the catalog knows follow their parameter, wrapped.
	if !strings.Contains(got, "\n  -ResultSize <Unlimited>\n      values: Unlimited\n") ||
		!strings.Contains(got, "\n      values: Contact, DisabledUser,") || !strings.Contains(got, "\n              ") {
		t.Errorf("values not listed under their parameters:\n%s", got)
	}
	if !strings.Contains(got, "Global Reader") {
		t.Errorf("Global Reader grants Get-Mailbox:\n%s", got)
	}

	// Required parameters go without brackets, first.
	got = help(t, "Add-MailboxPermission", catalog.Exchange)
	if !strings.Contains(got, "\n    Add-MailboxPermission -Identity <MailboxIdParameter> -AccessRights <MailboxRights[]>") {
		t.Errorf("required parameters not first and bare:\n%s", got)
	}
	for _, want := range []string{
		"required in AccessRights, Owner\n", // Identity: optional in Instance
		"aliases cf\n",
		"(requires -Instance, which only Exchange Server has: probably unusable here)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}

	got = help(t, "Get-EXOMailbox", catalog.Exchange)
	wantLines(t, got, "  runs:      Get-Mailbox (this is a wrapper of Microsoft's PowerShell module)", "  Identity (default)")
	if !strings.Contains(got, "-PropertySets <PropertySet[]>") || !strings.Contains(got, "read by exorun, not sent") {
		t.Errorf("client-side parameters not marked:\n%s", got)
	}

	got = help(t, "New-ComplianceSearch", catalog.Exchange)
	wantLines(t, got, "  services:  Security & Compliance", "  roles:     none: Exchange Online does not run it")
	if !strings.Contains(got, "  app-only:  no: not supported with app-only authentication") {
		t.Errorf("app-only gap not shown:\n%s", got)
	}
	if got := help(t, "New-ComplianceSearch", catalog.Compliance); !strings.Contains(got, "(in Security & Compliance)") {
		t.Errorf("roles of the compliance service not shown:\n%s", got)
	}

	wantLines(t, help(t, "Get-OrganizationConfig", catalog.Exchange), "  Get-OrganizationConfig", "  exo.get_organization_config{}")
}

// Help lines stay within helpWidth unless a single word is wider: a
// syntax word ("[-Name <Type>]", one space) or the example.
func TestCmdletHelpWidth(t *testing.T) {
	for _, c := range catalog.All() {
		var b strings.Builder
		CmdletHelp(&b, c, catalog.Exchange)
		for line := range strings.SplitSeq(b.String(), "\n") {
			word := strings.TrimSpace(line)
			if len(line) > helpWidth && strings.Count(word, " ") > 1 && !strings.HasPrefix(word, "exo.") {
				t.Fatalf("%s: line of %d: %q", c.Name, len(line), line)
			}
			if strings.HasSuffix(line, " ") {
				t.Fatalf("%s: trailing space: %q", c.Name, line)
			}
		}
	}
}
