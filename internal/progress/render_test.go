package progress

import (
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     Status
		width int
		want  string
	}{
		{"a stream", Status{Cmdlet: "Get-Mailbox", Objects: 12345, Pages: 13, Retries: 2, ThrottleWait: 1200 * time.Millisecond, Elapsed: 5 * time.Second}, 0,
			"Get-Mailbox  12,345 objects  13 pages  2,469/s  2 retries (1.2s throttled)  0:05"},
		{"just started: no rate yet, singulars", Status{Cmdlet: "Get-Mailbox", Objects: 1, Pages: 1, Retries: 1, Elapsed: 300 * time.Millisecond}, 0,
			"Get-Mailbox  1 object  1 page  1 retry  0:00"},
		{"nothing yet", Status{Cmdlet: "Get-User"}, 0, "Get-User  0 objects  0 pages  0:00"},
		{"a slow rate has a decimal", Status{Cmdlet: "Get-User", Objects: 7, Pages: 1, Elapsed: 2 * time.Second}, 0,
			"Get-User  7 objects  1 page  3.5/s  0:02"},
		{"exo.parallel", Status{Cmdlet: "Get-MailboxStatistics", Calls: 1234, Total: 5000, Objects: 1230, Elapsed: 61 * time.Second}, 0,
			"Get-MailboxStatistics  1,234/5,000 calls  1,230 objects  20 calls/s  1:01"},
		{"throttled without a retry counted", Status{Cmdlet: "Get-User", ThrottleWait: 90 * time.Second, Elapsed: 2 * time.Hour}, 0,
			"Get-User  0 objects  0 pages  0.0/s  1m30s throttled  2:00:00"},
		// Narrow terminals lose the least useful fields first: pages,
		// then the rate, then retries, then the clock.
		{"fits in width-1", Status{Cmdlet: "Get-Mailbox", Objects: 12345, Pages: 13, Retries: 2, ThrottleWait: 1200 * time.Millisecond, Elapsed: 5 * time.Second}, 71,
			"Get-Mailbox  12,345 objects  2,469/s  2 retries (1.2s throttled)  0:05"},
		{"narrower", Status{Cmdlet: "Get-Mailbox", Objects: 12345, Pages: 13, Retries: 2, ThrottleWait: 1200 * time.Millisecond, Elapsed: 5 * time.Second}, 40,
			"Get-Mailbox  12,345 objects  0:05"},
		{"parallel, narrow", Status{Cmdlet: "Get-MailboxStatistics", Calls: 1234, Total: 5000, Objects: 1230, Elapsed: 61 * time.Second}, 50,
			"Get-MailboxStatistics  1,234/5,000 calls  1:01"},
		{"cut at last", Status{Cmdlet: "Get-MailboxStatistics", Objects: 5}, 12, "Get-Mailbox"},
		{"no room", Status{Cmdlet: "Get-Mailbox"}, 1, ""},
	} {
		got := Render(tc.s, tc.width)
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if tc.width > 0 && len([]rune(got)) > tc.width-1 {
			t.Errorf("%s: %d columns, want at most %d", tc.name, len([]rune(got)), tc.width-1)
		}
		if strings.ContainsAny(got, "\r\n\x1b") {
			t.Errorf("%s: control characters in %q", tc.name, got)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRenderTenants(t *testing.T) {
	s := Status{Elapsed: 192 * time.Second, Tenants: Tenants{Total: 50, Done: 12, Running: 4, Failed: 1,
		Slowest: "fabrikam.onmicrosoft.com", SlowestFor: 41 * time.Second}}
	if got, want := Render(s, 0), "tenants 12/50 done  4 running  1 failed  slowest fabrikam.onmicrosoft.com 0:41  3:12"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	// Narrow: the slowest tenant goes first, the counts stay.
	if got, want := Render(s, 50), "tenants 12/50 done  4 running  1 failed  3:12"; got != want {
		t.Errorf("Render(50) = %q, want %q", got, want)
	}
	s.Tenants = Tenants{Total: 3, Done: 3}
	if got, want := Render(s, 0), "tenants 3/3 done  3:12"; got != want {
		t.Errorf("Render(finished) = %q, want %q", got, want)
	}
}
