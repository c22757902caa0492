package catalog

import "testing"

// BenchmarkLoad is the one-time cost of the first catalog use: decoding
// the embedded data and building the indexes.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(catalogData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup is the per-call cost of finding a cmdlet by name.
func BenchmarkLookup(b *testing.B) {
	loaded()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Lookup("get-mailboxPermission"); !ok {
			b.Fatal("Get-MailboxPermission must be found")
		}
	}
}

// BenchmarkBySnakeName is the per-call cost of exo.<name> in Lua.
func BenchmarkBySnakeName(b *testing.B) {
	loaded()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := BySnakeName("get_mailbox_permission"); !ok {
			b.Fatal("get_mailbox_permission must be found")
		}
	}
}

// BenchmarkKnown is the per-request cost of telling a real cmdlet name
// from a typo in the emulator's admin API.
func BenchmarkKnown(b *testing.B) {
	loaded()
	b.ReportAllocs()
	for b.Loop() {
		if !Known(Exchange, "Get-MailboxPermission") {
			b.Fatal("Get-MailboxPermission must be known")
		}
	}
}

// BenchmarkParam is the per-argument cost of validating a parameter name
// on the cmdlet with the most parameters, by name and by alias.
func BenchmarkParam(b *testing.B) {
	c, _ := Lookup("Set-Mailbox")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Param("retentionpolicy"); !ok {
			b.Fatal("no -RetentionPolicy")
		}
		if _, ok := c.Param("cf"); !ok {
			b.Fatal("no -cf")
		}
	}
}

// BenchmarkAllowed is the per-request role check of the emulator.
func BenchmarkAllowed(b *testing.B) {
	roles := []Role{Roles()[3], Roles()[2]} // Global Reader, Exchange Recipient Administrator
	loaded()
	b.ReportAllocs()
	for b.Loop() {
		if !Allowed(roles, "Set-Mailbox", Exchange) {
			b.Fatal("Set-Mailbox must be allowed")
		}
	}
}

// BenchmarkSuggestCmdlet is the error-path cost of "did you mean".
func BenchmarkSuggestCmdlet(b *testing.B) {
	loaded()
	b.ReportAllocs()
	for b.Loop() {
		SuggestCmdlet("get_mailbox_permision")
	}
}
