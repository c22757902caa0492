package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
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
	// Plain, the cut comes part-way through the JSON.
	e.h.SetFaults(Faults{CloseMidResponse: 1})
	r := e.raw("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand", "admin", cmdlet("Get-Recipient"))
	if r.status != 200 || r.err == nil {
		t.Fatalf("status %d, read error %v: the client must see the cut", r.status, r.err)
	}
	if r.header.Get("Content-Encoding") != "" || !strings.HasPrefix(r.text(), `{"@odata.context":`) {
		t.Errorf("plain cut: Content-Encoding %q, body %.40q", r.header.Get("Content-Encoding"), r.body)
	}
	if len(r.body) == 0 || len(r.body) > cutAfter {
		t.Errorf("%d body bytes arrived, want 1..%d", len(r.body), cutAfter)
	}

	// Compressed, the connection drops part-way through the gzip stream:
	// a valid start, no end.
	e.h.SetFaults(Faults{CloseMidResponse: 1})
	r = e.invoke("admin", cmdlet("Get-Recipient"), "Accept-Encoding", "gzip")
	if r.status != 200 || r.err == nil || r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q, read error %v: the client must see the cut",
			r.status, r.header.Get("Content-Encoding"), r.err)
	}
	if len(r.body) == 0 || len(r.body) > cutAfter {
		t.Errorf("%d compressed bytes arrived, want 1..%d", len(r.body), cutAfter)
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("the cut body does not start as gzip: %v", err)
	}
	if _, err := io.ReadAll(zr); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the cut gzip stream: %v, want unexpected EOF", err)
	}

	r = e.invoke("admin", cmdlet("Get-Mailbox"), "Accept-Encoding", "gzip")
	if r.status != 200 || r.err != nil {
		t.Fatalf("next request: %d %v", r.status, r.err)
	}
	gunzip(t, r).json(t)
	if s := e.h.Stats(); s.Closed != 2 || s.Endpoints["exchange/InvokeCommand"].Closed != 2 {
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
		retry  string
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
			results <- result{res.StatusCode, string(b), res.Header.Get("Content-Type"), res.Header.Get("Retry-After")}
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
			if r.body != concurrencyText || !strings.HasPrefix(r.ctype, "text/plain") || r.retry != "1" {
				t.Errorf("429 body %q (%s), Retry-After %q", r.body, r.ctype, r.retry)
			}
			refused++
		case <-timeout:
			t.Fatalf("only %d requests refused", refused)
		}
	}
	// A request counts from its arrival, before its token is read: one
	// without a token is refused too while the slots are full.
	if r := e.invoke("", cmdlet("Get-Mailbox")); r.status != 429 || r.text() != concurrencyText {
		t.Errorf("request without a token over the limit: %d %s", r.status, r.body)
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
	if s := e.h.Stats(); s.MaxInFlight != 3 || s.Throttled != 18 {
		t.Errorf("MaxInFlight %d, Throttled %d", s.MaxInFlight, s.Throttled)
	}
	// Another tenant has its own limit.
	if r := e.do("POST", "/adminapi/beta/"+tenantB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Errorf("tenant B: %d", r.status)
	}
}

// TestConcurrencyLimitCountsLatency sends n requests at once against a
// limit of n/2 with a latency that outlasts the test: the limit counts
// from arrival, so n/2 are refused at once while the admitted n/2 are
// still asleep, whichever form of the tenant each URL uses. They are
// EXOModuleFile GETs: without a request body to read first, the server
// notices at once when the test's client leaves, which is what ends the
// sleepers.
func TestConcurrencyLimitCountsLatency(t *testing.T) {
	const n = 8
	e := newEnv(t)
	// Nothing admitted can finish before the test cancels it.
	e.h.SetTenantFaults(tenantA, Faults{Latency: time.Hour, ConcurrencyLimit: n / 2,
		ThrottleRetryAfter: 3 * time.Second})
	forms := []string{tenantA, strings.ToUpper(tenantA), domainA, "CONTOSO.com"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	type result struct {
		status      int
		body, retry string
		err         error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			url := e.srv.URL + "/adminapi/v1.0/" + forms[i%len(forms)] + "/EXOModuleFile"
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			req.Header.Set("Authorization", "Bearer admin")
			res, err := e.client.Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			results <- result{res.StatusCode, string(b), res.Header.Get("Retry-After"), err}
		}()
	}
	timeout := time.After(30 * time.Second)
	for i := range n / 2 {
		select {
		case r := <-results:
			if r.err != nil || r.status != 429 || r.body != concurrencyText || r.retry != "3" {
				t.Fatalf("answer %d while the others sleep: %d %q Retry-After %q %v", i+1, r.status, r.body, r.retry, r.err)
			}
		case <-timeout:
			t.Fatalf("only %d requests refused", i)
		}
	}
	// The other half were admitted and are still in their hour of latency.
	select {
	case r := <-results:
		t.Fatalf("more than %d answered before the latency ended: %d %v", n/2, r.status, r.err)
	default:
	}
	if s := e.h.Stats(); s.MaxInFlight != n/2 {
		t.Errorf("MaxInFlight %d, want %d", s.MaxInFlight, n/2)
	}
	// The limit is tenant A's: tenant B is served beside it.
	if r := e.do("POST", "/adminapi/beta/"+tenantB+"/InvokeCommand", "tenant-b", cmdlet("Get-Mailbox")); r.status != 200 {
		t.Errorf("tenant B beside A's full limit: %d", r.status)
	}

	cancel()
	for range n / 2 {
		if r := <-results; r.err == nil {
			t.Errorf("a sleeping request answered %d after its client left", r.status)
		}
	}
	e.srv.Close() // waits for the handlers to return
	if s := e.h.Stats(); s.Throttled != n/2 || s.Statuses[429] != n/2 || s.MaxInFlight != n/2 {
		t.Errorf("Throttled %d, 429s %d, MaxInFlight %d", s.Throttled, s.Statuses[429], s.MaxInFlight)
	}
	// Every slot taken under any spelling of the tenant was given back.
	e.h.mu.Lock()
	left := e.h.tenant(tenantA).inFlight
	e.h.mu.Unlock()
	if left != 0 {
		t.Errorf("%d requests still counted in flight", left)
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
