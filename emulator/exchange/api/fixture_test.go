package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

// Tenants the fake resolver knows.
const (
	tenantA = "8d8a2d5b-3c1c-4f6e-9a51-6f1f0b0f7a11"
	domainA = "contoso.onmicrosoft.com"
	tenantB = "5e0c7a2b-0d4e-4b8a-8f3a-2c9d1e7b6a22"
	domainB = "fabrikam.onmicrosoft.com"
)

func roleID(t testing.TB, name string) string {
	r, ok := catalog.RoleByName(name)
	if !ok {
		t.Fatalf("no role %q in the catalog", name)
	}
	return r.TemplateID
}

// testTokens maps bearer strings to the tokens they stand for.
func testTokens(t testing.TB) map[string]exchange.Token {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := func(aud, tid, app string, roles []string, wids ...string) exchange.Token {
		return exchange.Token{Audience: aud, TenantID: tid, AppID: app, AppName: app + "-name",
			Roles: roles, Wids: append([]string{catalog.AppOnlyMarkerID}, wids...), ExpiresAt: exp}
	}
	manage := []string{catalog.ManageAsApp}
	return map[string]exchange.Token{
		"admin":        tok(DefaultExchangeResource, tenantA, "app-admin", manage, roleID(t, "Exchange Administrator")),
		"admin-slash":  tok(DefaultExchangeResource+"/", tenantA, "app-admin", manage, roleID(t, "Exchange Administrator")),
		"reader":       tok(DefaultExchangeResource, tenantA, "app-reader", manage, roleID(t, "Global Reader")),
		"ipps":         tok(DefaultComplianceResource, tenantA, "app-ipps", manage, roleID(t, "Compliance Administrator")),
		"ipps-exadmin": tok(DefaultComplianceResource, tenantA, "app-exadmin", manage, roleID(t, "Exchange Administrator")),
		"tenant-b":     tok(DefaultExchangeResource, tenantB, "app-b", manage, roleID(t, "Exchange Administrator")),
		"no-manage":    tok(DefaultExchangeResource, tenantA, "app-nomanage", []string{"full_access_as_app"}, roleID(t, "Exchange Administrator")),
		"no-role":      tok(DefaultExchangeResource, tenantA, "app-norole", manage, roleID(t, "Directory Readers")),
	}
}

func fakeAuthenticator(t testing.TB) exchange.Authenticator {
	toks := testTokens(t)
	return func(bearer string) (exchange.Token, error) {
		if bearer == "expired" {
			return exchange.Token{}, fmt.Errorf("exp in the past: %w", exchange.ErrTokenExpired)
		}
		tok, ok := toks[bearer]
		if !ok {
			return exchange.Token{}, fmt.Errorf("bad signature: %w", exchange.ErrTokenInvalid)
		}
		return tok, nil
	}
}

func fakeResolver(nameOrID string) (string, string, bool) {
	switch strings.ToLower(nameOrID) {
	case tenantA, domainA, "contoso.com":
		return tenantA, domainA, true
	case tenantB, domainB:
		return tenantB, domainB, true
	}
	return "", "", false
}

var exchangeCmdlets = []string{
	"Get-Mailbox", "Set-Mailbox", "Get-Recipient", "Get-User", "Get-Contact", "Get-Group",
	"Get-MailboxStatistics", "Get-CASMailbox", "Get-InboxRule", "Get-MailboxPermission",
}

// known are the real cmdlet names the test handler recognises: the
// modelled ones and one real cmdlet the fake backend does not model.
func known(s catalog.Service, name string) bool {
	list := slices.Concat(exchangeCmdlets, []string{"Get-MailboxFolderStatistics"})
	if s == catalog.Compliance {
		list = []string{"Get-Label", "Get-RetentionCompliancePolicy"}
	}
	return hasFold(list, name)
}

// fakeBackend runs a handful of cmdlets with fixed results.
type fakeBackend struct {
	mu       sync.Mutex
	last     exchange.Call
	inFlight int
	maxIn    int
	gate     chan struct{} // Get-MailboxStatistics waits for this to close
	entered  chan struct{} // and says here that it has started, if set
}

func newBackend() *fakeBackend {
	g := make(chan struct{})
	close(g)
	return &fakeBackend{gate: g}
}

func (b *fakeBackend) Modelled(s catalog.Service) []string {
	if s == catalog.Compliance {
		return []string{"Get-Label"}
	}
	return exchangeCmdlets
}

// hold makes Get-MailboxStatistics wait until gate closes; the channel
// it returns receives once per call that starts waiting (up to 100).
func (b *fakeBackend) hold(gate chan struct{}) (entered <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gate = gate
	b.entered = make(chan struct{}, 100)
	return b.entered
}

// maxInFlight is the most Get-MailboxStatistics calls that overlapped.
func (b *fakeBackend) maxInFlight() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.maxIn
}

func (b *fakeBackend) lastCall() exchange.Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *fakeBackend) Invoke(ctx context.Context, call exchange.Call) (*exchange.Result, error) {
	b.mu.Lock()
	b.last = call
	b.mu.Unlock()
	id, _ := call.Params.Lookup("Identity")
	switch strings.ToLower(call.Cmdlet) {
	case "get-mailbox":
		return exchange.Objects(mailboxes(), "w1", "Tab\there"), nil
	case "set-mailbox":
		return exchange.Objects(nil), nil
	case "get-recipient":
		return &exchange.Result{Count: 10000, Object: recipient, Warnings: []string{"more"}}, nil
	case "get-user":
		if id == "unprovisioned" { // a store that lacks the tenant
			return nil, fmt.Errorf("Get-User: %w", exchange.ErrUnknownTenant)
		}
		return nil, exchange.NotFound(fmt.Sprint(id))
	case "get-contact":
		return nil, exchange.BadParameter("A parameter cannot be found that matches parameter name '%s'.", "Bogus")
	case "get-group":
		return nil, errors.New("disk on fire")
	case "get-casmailbox":
		return exchange.Objects([]exchange.Object{{{Name: "Count", Value: 5}}}), nil
	case "get-mailboxstatistics":
		b.mu.Lock()
		b.inFlight++
		b.maxIn = max(b.maxIn, b.inFlight)
		gate := b.gate
		if b.entered != nil {
			select {
			case b.entered <- struct{}{}:
			default:
			}
		}
		b.mu.Unlock()
		select {
		case <-gate:
		case <-ctx.Done():
		}
		b.mu.Lock()
		b.inFlight--
		b.mu.Unlock()
		return exchange.Objects([]exchange.Object{{{Name: "ItemCount", Value: int64(1)}}}), nil
	case "get-label":
		return exchange.Objects([]exchange.Object{{{Name: "DisplayName", Value: "Confidential"}}}), nil
	}
	return nil, fmt.Errorf("fake backend: %s: %w", call.Cmdlet, exchange.ErrNotModelled)
}

func recipient(i int) exchange.Object {
	return exchange.Object{{Name: "Name", Value: fmt.Sprintf("r%05d", i)}, {Name: "Index", Value: int64(i)}}
}

func mailboxes() []exchange.Object {
	return []exchange.Object{
		{
			{Name: "Name", Value: "CBergin"},
			{Name: "EmailAddresses", Value: []string{"SMTP:c@contoso.com", "smtp:cb@contoso.com"}},
			{Name: "ExchangeGuid", Value: exchange.GUID("2be9c3a1-47a3-4fd4-9c2a-5e3c5a1f0d11")},
			{Name: "WhenCreated", Value: time.Date(2022, 6, 29, 17, 57, 3, 0, time.UTC)},
			{Name: "ProhibitSendQuota", Value: "99 GB (106,300,440,576 bytes)"},
			{Name: "IsShared", Value: false},
			{Name: "ItemCount", Value: int64(42)},
			{Name: "TotalBytes", Value: int64(106300440576)},
			{Name: "Ratio", Value: 0.5},
			{Name: "Manager", Value: nil},
			{Name: "Settings", Value: exchange.Object{{Name: "Key", Value: "v"}, {Name: "N", Value: int64(1)}}},
			{Name: "Rules", Value: []exchange.Object{
				{{Name: "Name", Value: "r1"}},
				{{Name: "Name", Value: "r2"}, {Name: "On", Value: true}},
			}},
			{Name: "Note", Value: "<a & b> \"q\"\n"},
		},
		{
			{Name: "Name", Value: "Shared"},
			{Name: "EmailAddresses", Value: []string(nil)},
			{Name: "ExchangeGuid", Value: exchange.GUID("00000000-0000-0000-0000-000000000001")},
			{Name: "WhenCreated", Value: time.Date(2023, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))},
			{Name: "IsShared", Value: true},
		},
	}
}

// fakeClock is a settable clock for rate-limit and throttle windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a TLS test server around a Handler.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	h      *Handler
	be     *fakeBackend
	clock  *fakeClock
	client *http.Client
}

func newEnv(t *testing.T, tweak ...func(*Options)) *env {
	t.Helper()
	e := &env{t: t, be: newBackend(), clock: &fakeClock{t: time.Date(2024, 5, 22, 15, 52, 26, 365e6, time.UTC)}}
	opts := Options{
		Backend:       e.be,
		Authenticate:  fakeAuthenticator(t),
		ResolveTenant: fakeResolver,
		Known:         known,
		Now:           e.clock.Now,
	}
	for _, f := range tweak {
		f(&opts)
	}
	e.h = New(opts)
	e.srv = httptest.NewUnstartedServer(e.h)
	e.srv.Config.ErrorLog = log.New(quietHandshakes{}, "", log.LstdFlags)
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	e.client = e.srv.Client()
	// Clients must see the compliance 302 themselves.
	e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return e
}

// quietHandshakes drops the "TLS handshake error" lines a server logs
// when it closes while a client's spare connection is still dialling; the
// rest (handler panics) still reach stderr.
type quietHandshakes struct{}

func (quietHandshakes) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return os.Stderr.Write(p)
}

// resp is a response read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
	err    error // reading the body
}

func (r resp) text() string { return string(r.body) }

// json decodes the body generically.
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return v
}

// do sends a request; url is a path on the server or an absolute URL.
// hdr is name, value pairs. Go's transport asks for gzip by itself and
// hands over the body decompressed, unless hdr sets Accept-Encoding.
func (e *env) do(method, url, token, body string, hdr ...string) resp {
	e.t.Helper()
	return e.doWith(e.client, method, url, token, body, hdr...)
}

// raw is do without Go's own Accept-Encoding: the body is what came
// over the wire, and no Accept-Encoding is sent unless hdr sets one.
func (e *env) raw(method, url, token, body string, hdr ...string) resp {
	e.t.Helper()
	tr := e.client.Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	e.t.Cleanup(tr.CloseIdleConnections)
	return e.doWith(&http.Client{Transport: tr}, method, url, token, body, hdr...)
}

func (e *env) doWith(c *http.Client, method, url, token, body string, hdr ...string) resp {
	e.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = e.srv.URL + url
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// invoke POSTs a cmdlet body to the Exchange InvokeCommand of tenantA.
func (e *env) invoke(token, body string, hdr ...string) resp {
	e.t.Helper()
	return e.do("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand", token, body, hdr...)
}

func cmdlet(name string) string {
	return `{"CmdletInput":{"CmdletName":"` + name + `","Parameters":{}}}`
}

// errorMessage is error.message of an OData error body.
func errorField(t *testing.T, r resp, field string) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	s, _ := e[field].(string)
	return s
}

// detailMessage is details[0].message of an OData error body.
func detailMessage(t *testing.T, r resp) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	d, _ := e["details"].([]any)
	if len(d) == 0 {
		t.Fatalf("no details in %s", r.body)
	}
	m, _ := d[0].(map[string]any)["message"].(string)
	return m
}
