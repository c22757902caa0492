package api

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func statuses(e *env, n int, body string) []int {
	var got []int
	for range n {
		got = append(got, e.invoke("admin", body).status)
	}
	return got
}

func TestThrottleEvery(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{ThrottleEvery: 3, ThrottleRetryAfter: 1500 * time.Millisecond})
	var got []int
	for range 6 {
		r := e.invoke("admin", cmdlet("Get-Mailbox"))
		got = append(got, r.status)
		if r.status == 429 {
			wantHeader(t, r, "Retry-After", "2")
			wantField(t, r, "code", "TooManyRequests")
			wantHeader(t, r, "x-ExceptionType", "ThrottledException")
		}
	}
	if want := []int{200, 200, 429, 200, 200, 429}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	s := e.h.Stats()
	if s.Throttled != 2 || s.Endpoints["exchange/InvokeCommand"].Throttled != 2 || s.Requests != 6 {
		t.Errorf("stats %+v", s)
	}
	// The compliance redirect is not subject to faults.
	for range 3 {
		if r := e.do("POST", "/compliance/adminapi/beta/"+tenantA+"/InvokeCommand", "", ""); r.status != 302 {
			t.Errorf("front door under faults: %d", r.status)
		}
	}
}

func TestThrottleAfter(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{ThrottleAfter: 2, ThrottleFor: 90 * time.Second})
	if got, want := statuses(e, 4, cmdlet("Get-Mailbox")), []int{200, 200, 429, 429}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	e.clock.Advance(30 * time.Second)
	r := e.invoke("admin", cmdlet("Get-Mailbox"))
	if r.status != 429 || r.header.Get("Retry-After") != "60" {
		t.Errorf("inside the window: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	e.clock.Advance(61 * time.Second)
	if got, want := statuses(e, 3, cmdlet("Get-Mailbox")), []int{200, 200, 429}; !slices.Equal(got, want) {
		t.Errorf("after the window: %v, want %v", got, want)
	}
	e.h.SetFaults(Faults{})
	if got := statuses(e, 2, cmdlet("Get-Mailbox")); !slices.Equal(got, []int{200, 200}) {
		t.Errorf("after clearing faults: %v", got)
	}
}

func TestUnavailableBurst(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{Unavailable: 2, ThrottleRetryAfter: 5 * time.Second})
	for i, want := range []int{503, 503, 200} {
		r := e.do("GET", "/adminapi/v1.0/"+tenantA+"/EXOModuleFile", "admin", "")
		if r.status != want {
			t.Fatalf("request %d: status %d, want %d", i+1, r.status, want)
		}
		if want == 503 {
			wantHeader(t, r, "Retry-After", "5")
			wantField(t, r, "code", "ServiceUnavailable")
		}
	}
	if f := e.h.Faults(); f.Unavailable != 0 {
		t.Errorf("Faults().Unavailable = %d after the burst", f.Unavailable)
	}
	if s := e.h.Stats(); s.Unavailable != 2 || s.Endpoints["exchange/EXOModuleFile"].Unavailable != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestCloseMidResponse(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{CloseMidResponse: 1})
	r := e.invoke("admin", cmdlet("Get-Recipient"))
	if r.status != 200 || r.err == nil {
		t.Fatalf("status %d, read error %v: the client must see the cut", r.status, r.err)
	}
	if len(r.body) == 0 || len(r.body) > cutAfter {
		t.Errorf("%d body bytes arrived, want 1..%d", len(r.body), cutAfter)
	}
	r = e.invoke("admin", cmdlet("Get-Mailbox"))
	if r.status != 200 || r.err != nil {
		t.Fatalf("next request: %d %v", r.status, r.err)
	}
	r.json(t)
	if s := e.h.Stats(); s.Closed != 1 || s.Endpoints["exchange/InvokeCommand"].Closed != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{ConcurrencyLimit: 3})
	gate := make(chan struct{})
	e.be.hold(gate)

	type result struct {
		status int
		body   string
		ctype  string
	}
	results := make(chan result, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.srv.URL+"/adminapi/beta/"+tenantA+"/InvokeCommand",
				strings.NewReader(cmdlet("Get-MailboxStatistics")))
			req.Header.Set("Authorization", "Bearer admin")
			res, err := e.client.Do(req)
			if err != nil {
				t.Error(err)
				results <- result{}
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			results <- result{res.StatusCode, string(b), res.Header.Get("Content-Type")}
		})
	}
	// Three requests hold their slots until the gate opens, so the other
	// seventeen must be refused; wait for them, then let the three go.
	var ok, refused int
	timeout := time.After(30 * time.Second)
	for refused < 17 {
		select {
		case r := <-results:
			if r.status != 429 {
				t.Fatalf("a request got %d before the gate opened", r.status)
			}
			if r.body != concurrencyText || !strings.HasPrefix(r.ctype, "text/plain") {
				t.Errorf("429 body %q (%s)", r.body, r.ctype)
			}
			refused++
		case <-timeout:
			t.Fatalf("only %d requests refused", refused)
		}
	}
	close(gate)
	wg.Wait()
	close(results)
	for r := range results {
		if r.status != 200 {
			t.Errorf("admitted request got %d: %s", r.status, r.body)
		}
		ok++
	}
	if ok != 3 {
		t.Errorf("%d requests admitted, want 3", ok)
	}
	if n := e.be.maxInFlight(); n > 3 {
		t.Errorf("backend saw %d requests in flight", n)
	}
	if s := e.h.Stats(); s.MaxInFlight != 3 || s.Throttled != 17 {
		t.Errorf("MaxInFlight %d, Throttled %d", s.MaxInFlight, s.Throttled)
	}
	// Another tenant has its own limit.
	if r := e.do("POST", "/adminapi/beta/"+tenantB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Errorf("tenant B: %d", r.status)
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t)
	e.h.SetFaults(Faults{Latency: 50 * time.Millisecond})
	start := time.Now()
	if r := e.invoke("admin", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	// A lower bound only: sleeping never takes less than asked.
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("request took %v, latency is 50ms", d)
	}
}

func TestRateLimitBudget(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RateLimit = 3; o.RateLimitWindow = time.Minute })
	for i, want := range []string{"2", "1", "0"} {
		r := e.invoke("admin", cmdlet("Get-Mailbox"))
		if r.status != 200 || r.header.Get("Rate-Limit-Remaining") != want {
			t.Fatalf("request %d: %d remaining %q", i+1, r.status, r.header.Get("Rate-Limit-Remaining"))
		}
		wantHeader(t, r, "Rate-Limit-Limit", "3")
		wantHeader(t, r, "Rate-Limit-Reset", "2024-05-22T15:53:26.365Z")
	}
	e.clock.Advance(20 * time.Second)
	r := e.invoke("admin", cmdlet("Get-Mailbox"))
	if r.status != 429 || r.header.Get("Retry-After") != "40" {
		t.Errorf("spent budget: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Tenants have separate budgets.
	if r := e.do("POST", "/adminapi/beta/"+tenantB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Errorf("tenant B: %d", r.status)
	}
	e.clock.Advance(40 * time.Second)
	r = e.invoke("admin", cmdlet("Get-Mailbox"))
	if r.status != 200 || r.header.Get("Rate-Limit-Remaining") != "2" {
		t.Errorf("new window: %d remaining %q", r.status, r.header.Get("Rate-Limit-Remaining"))
	}
}
