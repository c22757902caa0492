package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"

	"net/http"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
)

// Resources (token audiences) of the two services.
const (
	exchangeScope   = "https://outlook.office365.com/.default"
	complianceScope = "https://ps.compliance.protection.outlook.com/.default"
)

// startEmulator runs an emulated tenant of its own for t with n generated
// mailboxes (0: the fixture tenant).
func startEmulator(t testing.TB, n int) *emulator.Emulator {
	t.Helper()
	return emulatortest.Start(t, emulator.Options{Mailboxes: n, Seed: 7})
}

// msalTokens is a Tokens backed by MSAL Go and the demo app's certificate,
// as connect acquires them.
type msalTokens struct {
	app   confidential.Client
	scope string

	mu          sync.Mutex
	token       string
	invalidated int
}

func newMSALTokens(t testing.TB, ep emulator.Endpoints, hc *http.Client, scope string) *msalTokens {
	t.Helper()
	app := emulatortest.DemoApp(t, ep, ep.Organization, hc)
	return &msalTokens{app: app, scope: scope}
}

func (m *msalTokens) Token(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token != "" {
		return m.token, nil
	}
	res, err := m.app.AcquireTokenByCredential(ctx, []string{m.scope})
	if err != nil {
		return "", err
	}
	m.token = res.AccessToken
	return m.token, nil
}

func (m *msalTokens) Invalidate(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invalidated++
	if m.token == token {
		m.token = ""
	}
}

// emulatorClient returns a client of the emulator's Exchange (or
// compliance) service.
func emulatorClient(t testing.TB, em *emulator.Emulator, service catalog.Service, mutate func(*Options)) *Client {
	t.Helper()
	ep := em.Endpoints()
	hc := emulatortest.Client(t, ep)
	opts := Options{
		BaseURL:      ep.ExchangeURL,
		Service:      service,
		TenantID:     ep.TenantID,
		Organization: ep.Organization,
		Tokens:       newMSALTokens(t, ep, hc, exchangeScope),
		HTTPClient:   hc,
	}
	if service == catalog.Compliance {
		opts.BaseURL = ep.ComplianceURL
		opts.Tokens = newMSALTokens(t, ep, hc, complianceScope)
	}
	if mutate != nil {
		mutate(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// field reads one top-level property of a raw object.
func field(t testing.TB, raw string, name string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("object is not JSON: %v", err)
	}
	return m[name]
}

// TestEmulatorGeneratedTenant runs against one generated tenant of 2,500
// mailboxes (generation is the slow part).
func TestEmulatorGeneratedTenant(t *testing.T) {
	em := startEmulator(t, 2500)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *emulator.Emulator)
	}{
		{"paging", testGetMailboxPaging},
		{"resultsize, select, not found", testResultSizeSelectNotFound},
		{"throttle every 3", testThrottleEvery},
		{"concurrency limit", testConcurrencyLimit},
	} {
		em.SetFaults(emulator.Faults{})
		em.ResetStats()
		t.Run(tc.name, func(t *testing.T) { tc.run(t, em) })
	}
}

func testGetMailboxPaging(t *testing.T, em *emulator.Emulator) {
	for _, ahead := range []bool{false, true} {
		t.Run(fmt.Sprintf("pageahead=%v", ahead), func(t *testing.T) {
			c := emulatorClient(t, em, catalog.Exchange, nil)
			s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox",
				Parameters: map[string]any{"ResultSize": "Unlimited"}, PageAhead: ahead})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			objs, err := drain(t, s)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, o := range objs {
				g, _ := field(t, o, "ExchangeGuid").(string)
				if g == "" || seen[g] {
					t.Fatalf("missing or repeated ExchangeGuid %q", g)
				}
				seen[g] = true
			}
			if len(seen) != 2500 || s.Pages() != 3 || len(s.RequestIDs()) != 3 {
				t.Fatalf("%d mailboxes in %d pages", len(seen), s.Pages())
			}
			if !strings.Contains(objs[0], `"ExchangeGuid@odata.type":"#Guid"`) {
				t.Fatalf("annotations dropped: %.300s", objs[0])
			}
			if st := c.Stats(); st.Pages != 3 || st.Objects != 2500 || st.Calls != 1 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func testResultSizeSelectNotFound(t *testing.T, em *emulator.Emulator) {
	c := emulatorClient(t, em, catalog.Exchange, nil)
	ctx := context.Background()

	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": 10},
		Select: []string{"Name", "ExchangeGuid"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := drain(t, s)
	s.Close()
	if err != nil || len(objs) != 10 {
		t.Fatalf("%d objects, %v", len(objs), err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "There are more results available") {
		t.Fatalf("warnings %q", w)
	}
	if field(t, objs[0], "PrimarySmtpAddress") != nil || field(t, objs[0], "Name") == nil {
		t.Fatalf("$select not applied: %s", objs[0])
	}

	_, err = c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"Identity": "nobody@nowhere.example"}})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNotFound || e.Status != 404 ||
		!strings.HasSuffix(e.Exception, "ManagementObjectNotFoundException") || e.RequestID == "" || e.Message == "" {
		t.Fatalf("%#v", err)
	}
	if !strings.HasPrefix(err.Error(), "Get-Mailbox: not_found: ") {
		t.Fatalf("error text %q", err)
	}

	_, err = c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"Bogus": 1}})
	if !errors.As(err, &e) || e.Code != CodeBadRequest {
		t.Fatalf("unknown parameter: %v", err)
	}
	_, err = c.Invoke(ctx, Request{Cmdlet: "Get-Mailboxx"})
	if !errors.As(err, &e) || e.Code != CodeUnknownCmdlet {
		t.Fatalf("unknown cmdlet: %v", err)
	}
}

func testThrottleEvery(t *testing.T, em *emulator.Emulator) {
	em.SetFaults(emulator.Faults{ThrottleEvery: 3, ThrottleRetryAfter: time.Second})
	sl := &sleeps{}
	// The emulator counts requests, not time, so waits need not be real.
	c := emulatorClient(t, em, catalog.Exchange, func(o *Options) { o.Sleep = sl.sleep })
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox",
		Parameters: map[string]any{"ResultSize": "Unlimited"}, PageAhead: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	objs, err := drain(t, s)
	if err != nil || len(objs) != 2500 {
		t.Fatalf("%d objects, %v", len(objs), err)
	}
	st := c.Stats()
	if st.Retries == 0 || st.ThrottleWait < time.Second || st.Throttled == 0 || st.Pages != 3 {
		t.Fatalf("stats %+v", st)
	}
	if es := em.Stats(); es.Throttled != st.Throttled {
		t.Fatalf("emulator throttled %d, client saw %d", es.Throttled, st.Throttled)
	}
}

func TestEmulatorFaultsOnReadsAndWrites(t *testing.T) {
	em := startEmulator(t, 0)
	sl := &sleeps{}
	c := emulatorClient(t, em, catalog.Exchange, func(o *Options) { o.Sleep = sl.sleep })
	ctx := context.Background()

	em.SetFaults(emulator.Faults{CloseMidResponse: 1, Unavailable: 1})
	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": "Unlimited"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := drain(t, s)
	s.Close()
	if err != nil || len(objs) == 0 {
		t.Fatalf("%d objects, %v", len(objs), err)
	}
	if st := c.Stats(); st.Retries != 2 {
		t.Fatalf("a 503 and a cut should cost two retries: %+v", st)
	}
	id, _ := field(t, objs[0], "PrimarySmtpAddress").(string)

	em.ResetStats()
	em.SetFaults(emulator.Faults{CloseMidResponse: 1})
	_, err = c.Invoke(ctx, Request{Cmdlet: "Set-Mailbox", Write: true,
		Parameters: map[string]any{"Identity": id, "HiddenFromAddressListsEnabled": true}})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeWriteUncertain {
		t.Fatalf("%v", err)
	}
	if n := em.Stats().Cmdlets["Set-Mailbox"]; n != 1 {
		t.Fatalf("Set-Mailbox reached the service %d times", n)
	}

	em.ResetStats()
	em.SetFaults(emulator.Faults{Unavailable: 1})
	_, err = c.Invoke(ctx, Request{Cmdlet: "Set-Mailbox", Write: true,
		Parameters: map[string]any{"Identity": id, "HiddenFromAddressListsEnabled": false}})
	if !errors.As(err, &e) || e.Code != CodeWriteUncertain || e.Status != 503 || em.Stats().Requests != 1 {
		t.Fatalf("%v", err)
	}

	// A 429 is the service refusing before it runs anything: the write is
	// sent again. ThrottleEvery 2: the read passes, the write's first try
	// is refused.
	em.ResetStats()
	em.SetFaults(emulator.Faults{ThrottleEvery: 2})
	if s, err = c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"Identity": id}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = c.Invoke(ctx, Request{Cmdlet: "Set-Mailbox", Write: true,
		Parameters: map[string]any{"Identity": id, "HiddenFromAddressListsEnabled": false}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if es := em.Stats(); es.Statuses[429] != 1 || es.Cmdlets["Set-Mailbox"] != 1 {
		t.Fatalf("emulator saw %v statuses, Set-Mailbox run %d times", es.Statuses, es.Cmdlets["Set-Mailbox"])
	}
}

func testConcurrencyLimit(t *testing.T, em *emulator.Emulator) {
	c := emulatorClient(t, em, catalog.Exchange, func(o *Options) {
		// Waits shrink 50-fold so the test stays fast; a worker that keeps
		// losing the race gets more attempts than in production.
		o.Sleep = func(ctx context.Context, d time.Duration) error { return sleep(ctx, d/50) }
		o.Retry.MaxAttempts = 30
		o.Retry.MaxWait = time.Hour
	})
	ctx := context.Background()
	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": 160},
		Select: []string{"ExchangeGuid"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := drain(t, s)
	s.Close()
	if err != nil || len(objs) != 160 {
		t.Fatalf("%d %v", len(objs), err)
	}
	em.SetFaults(emulator.Faults{ConcurrencyLimit: 1})
	em.ResetStats()
	// Hold the one slot until the workers have all been refused once,
	// so the limit is hit for sure, however the scheduler runs them.
	release := holdSlot(t, c)
	for em.Stats().MaxInFlight < 1 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		for em.Stats().Throttled < 16 {
			time.Sleep(time.Millisecond)
		}
		release()
	}()

	var guids []string
	for _, o := range objs {
		guids = append(guids, field(t, o, "ExchangeGuid").(string))
	}
	results, fails := statistics(t, c, guids, 16)
	if len(fails) > 0 {
		t.Fatalf("%d failures, first: %v", len(fails), fails[0])
	}
	for g, n := range results {
		if n != 1 {
			t.Fatalf("%s answered %d times", g, n)
		}
	}
	es := em.Stats()
	if len(results) != 160 || es.Throttled < 16 || es.MaxInFlight > 1 {
		t.Fatalf("%d results; emulator throttled %d, max in flight %d", len(results), es.Throttled, es.MaxInFlight)
	}
	if st := c.Stats(); st.Throttled != es.Throttled || st.Retries < st.Throttled {
		t.Fatalf("client stats %+v vs emulator %+v", st, es)
	}
}

// holdSlot sends a Get-Mailbox whose body does not come until release is
// called: the emulator admits it (one request in flight) and then waits for
// the body.
func holdSlot(t *testing.T, c *Client) (release func()) {
	t.Helper()
	token, err := c.opts.Tokens.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, c.BaseURL()+"/adminapi/beta/"+c.tenant+"/InvokeCommand", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	done := make(chan error, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("held request: status %d", resp.StatusCode)
			}
		}
		done <- err
	}()
	var once sync.Once
	release = func() {
		once.Do(func() {
			io.WriteString(pw, `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":1}}}`)
			pw.Close()
		})
	}
	t.Cleanup(func() {
		release()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return release
}

func TestEmulatorComplianceRedirect(t *testing.T) {
	em := startEmulator(t, 0)
	ep := em.Endpoints()
	if _, err := em.Directory().AssignRole(ep.TenantID, ep.AppID, "Compliance Administrator"); err != nil {
		t.Fatal(err)
	}
	c := emulatorClient(t, em, catalog.Compliance, nil)
	for range 2 {
		s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-DlpCompliancePolicy"})
		if err != nil {
			t.Fatal(err)
		}
		objs, err := drain(t, s)
		s.Close()
		if err != nil || len(objs) == 0 {
			t.Fatalf("%d policies, %v", len(objs), err)
		}
	}
	if !strings.HasPrefix(c.BaseURL(), ep.ComplianceURL+"/") {
		t.Fatalf("regional base %q", c.BaseURL())
	}
	if st := c.Stats(); st.Requests != 3 {
		t.Fatalf("%d requests: the front door should be asked once", st.Requests)
	}
	names, err := c.ModuleCmdlets(context.Background())
	if err != nil || !contains(names, "Get-DlpCompliancePolicy") || contains(names, "Get-Mailbox") {
		t.Fatalf("%v %v", names, err)
	}
}

func TestEmulatorModuleCmdletsAndPermission(t *testing.T) {
	em := emulatortest.Shared(t) // reads only
	c := emulatorClient(t, em, catalog.Exchange, nil)
	names, err := c.ModuleCmdlets(context.Background())
	if err != nil || !contains(names, "Get-Mailbox") || !contains(names, "Set-Mailbox") {
		t.Fatalf("%d names %v", len(names), err)
	}
	// Exchange Administrator does not open compliance: a permission error.
	cc := emulatorClient(t, em, catalog.Compliance, nil)
	_, err = cc.Invoke(context.Background(), Request{Cmdlet: "Get-DlpCompliancePolicy"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNotAllowed || e.Status != 401 {
		t.Fatalf("%v", err)
	}
	if tok := cc.opts.Tokens.(*msalTokens); tok.invalidated != 1 {
		t.Fatalf("token invalidated %d times, want once", tok.invalidated)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// TestGateLearnsTheConcurrencyLimit: 16 workers against a tenant limit of
// 4 with the default 6 attempts and no wait between them. Refused
// requests would run out of attempts bouncing off the limit; the gate
// learns it from the first refusals and holds the rest back, so every
// call succeeds, the service never sees more than 4, and few are
// refused.
func TestGateLearnsTheConcurrencyLimit(t *testing.T) {
	em := startEmulator(t, 64)
	c := emulatorClient(t, em, catalog.Exchange, func(o *Options) {
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	})
	ctx := context.Background()
	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", Parameters: map[string]any{"ResultSize": 64}, Select: []string{"ExchangeGuid"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := drain(t, s)
	s.Close()
	if err != nil || len(objs) != 64 {
		t.Fatalf("%d %v", len(objs), err)
	}
	em.SetFaults(emulator.Faults{ConcurrencyLimit: 4, Latency: 20 * time.Millisecond})
	em.ResetStats()

	var guids []string
	for _, o := range objs {
		guids = append(guids, field(t, o, "ExchangeGuid").(string))
	}
	_, fails := statistics(t, c, guids, 16)
	if len(fails) > 0 {
		t.Fatalf("%d of 64 calls failed, first: %v", len(fails), fails[0])
	}
	es := em.Stats()
	if es.MaxInFlight > 4 || es.Throttled == 0 || es.Throttled > 32 {
		t.Fatalf("emulator: max in flight %d, throttled %d; want at most 4, and some but few refusals", es.MaxInFlight, es.Throttled)
	}
	// 4, or 5 while the gate probes for a place the limit freed.
	if limit := c.gate.current(); limit < 1 || limit > 5 {
		t.Fatalf("learned limit %d, want 1 to 5", limit)
	}
}

// statistics runs Get-MailboxStatistics for each guid on workers
// goroutines and returns how many times each guid was answered for, and
// the failures (errors, or an answer about another mailbox).
func statistics(t *testing.T, c *Client, guids []string, workers int) (map[string]int, []error) {
	t.Helper()
	ctx := context.Background()
	jobs := make(chan string)
	var (
		mu      sync.Mutex
		results = map[string]int{}
		fails   []error
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for guid := range jobs {
				s, err := c.Invoke(ctx, Request{Cmdlet: "Get-MailboxStatistics", Parameters: map[string]any{"Identity": guid}})
				if err != nil {
					mu.Lock()
					fails = append(fails, err)
					mu.Unlock()
					continue
				}
				out, err := drain(t, s)
				s.Close()
				mu.Lock()
				if err != nil || len(out) != 1 {
					fails = append(fails, fmt.Errorf("%s: %d objects, %v", guid, len(out), err))
				} else if got := field(t, out[0], "Identity"); got != guid {
					fails = append(fails, fmt.Errorf("asked for %s, got %v", guid, got))
				} else {
					results[guid]++
				}
				mu.Unlock()
			}
		})
	}
	for _, g := range guids {
		jobs <- g
	}
	close(jobs)
	wg.Wait()
	return results, fails
}
