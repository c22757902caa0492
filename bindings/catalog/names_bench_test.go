package catalog

import "testing"

// BenchmarkKnown is the per-request cost of telling a real cmdlet name
// from a typo in the emulator's admin API.
func BenchmarkKnown(b *testing.B) {
	for b.Loop() {
		if !Known(Exchange, "Get-MailboxPermission") {
			b.Fatal("Get-MailboxPermission must be known")
		}
	}
}
