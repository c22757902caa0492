package emulator_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/emulatortest"
	"github.com/exorun/exorun/internal/longtest"
)

// start runs an emulator on a fresh state folder (or dir, when given).
func start(t *testing.T, dir string, mailboxes int) *emulator.Emulator {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	em, err := emulator.Start(emulator.Options{StateDir: dir, Mailboxes: mailboxes, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	return em
}

// httpClient trusts only the emulator's CA, as a client given ca_file does.
func httpClient(t testing.TB, ep emulator.Endpoints) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(ep.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("ca_file holds no certificate")
	}
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		// The compliance front door answers 302; a client re-POSTs to it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// msalToken gets a token the way exorun's connect does: MSAL Go, the demo
// app's certificate, instance discovery off.
func msalToken(t testing.TB, ep emulator.Endpoints, hc *http.Client, scope string) string {
	t.Helper()
	app := emulatortest.DemoApp(t, ep, ep.Organization, hc)
	res, err := app.AcquireTokenByCredential(context.Background(), []string{scope})
	if err != nil {
		t.Fatalf("msal: %v", err)
	}
	return res.AccessToken
}

func invoke(t testing.TB, hc *http.Client, url, token, body string, pageSize int) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if pageSize > 0 {
		req.Header.Set("Prefer", fmt.Sprintf("odata.maxpagesize=%d", pageSize))
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

func TestMSALTokenAndPagedGetMailbox(t *testing.T) {
	// 2,500 mailboxes still take three pages of 1,000; the 100,000 of a
	// large tenant run as a long check.
	mailboxes, wantPages := 2500, 3
	if longtest.Enabled() {
		mailboxes, wantPages = 100000, 100
	}
	em := start(t, "", mailboxes)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	token := msalToken(t, ep, hc, "https://outlook.office365.com/.default")

	url := ep.ExchangeURL + "/adminapi/beta/" + ep.TenantID + "/InvokeCommand"
	body := `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`
	seen := map[string]bool{}
	pages := 0
	for url != "" {
		resp, data := invoke(t, hc, url, token, body, 1000)
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: status %d: %s", pages, resp.StatusCode, data)
		}
		var page struct {
			Value []map[string]any `json:"value"`
			Next  string           `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Value {
			guid, _ := m["ExchangeGuid"].(string)
			if guid == "" || seen[guid] {
				t.Fatalf("page %d: missing or repeated ExchangeGuid %q", pages, guid)
			}
			seen[guid] = true
		}
		url, pages = page.Next, pages+1
	}
	if len(seen) != mailboxes || pages != wantPages {
		t.Fatalf("saw %d mailboxes in %d pages, want %d in %d", len(seen), pages, mailboxes, wantPages)
	}
}

func TestWritesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	em := start(t, dir, 0)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	token := msalToken(t, ep, hc, "https://outlook.office365.com/.default")
	url := ep.ExchangeURL + "/adminapi/beta/" + ep.Organization + "/InvokeCommand"

	resp, data := invoke(t, hc, url, token, `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":1}}}`, 0)
	if resp.StatusCode != 200 {
		t.Fatalf("get: %d %s", resp.StatusCode, data)
	}
	var first struct{ Value []map[string]any }
	if err := json.Unmarshal(data, &first); err != nil || len(first.Value) != 1 {
		t.Fatalf("get: %v %s", err, data)
	}
	id := first.Value[0]["PrimarySmtpAddress"].(string)
	set := fmt.Sprintf(`{"CmdletInput":{"CmdletName":"set-mailbox","Parameters":{"Identity":%q,"HiddenFromAddressListsEnabled":true}}}`, id)
	if resp, data := invoke(t, hc, url, token, set, 0); resp.StatusCode != 200 {
		t.Fatalf("set: %d %s", resp.StatusCode, data)
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, dir, 0)
	if got := again.Endpoints(); got.AppID != ep.AppID || got.TenantID != ep.TenantID || got.Thumbprint != ep.Thumbprint {
		t.Fatalf("restart changed the demo identity: %+v vs %+v", got, ep)
	}
	ep = again.Endpoints()
	hc = httpClient(t, ep)
	token = msalToken(t, ep, hc, "https://outlook.office365.com/.default")
	url = ep.ExchangeURL + "/adminapi/beta/" + ep.TenantID + "/InvokeCommand"
	get := fmt.Sprintf(`{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"Identity":%q}}}`, id)
	resp, data = invoke(t, hc, url, token, get, 0)
	if resp.StatusCode != 200 || !bytes.Contains(data, []byte(`"HiddenFromAddressListsEnabled":true`)) {
		t.Fatalf("after restart: %d %s", resp.StatusCode, data)
	}
	audit := `{"CmdletInput":{"CmdletName":"Search-AdminAuditLog","Parameters":{"Cmdlets":["Set-Mailbox"]}}}`
	resp, data = invoke(t, hc, url, token, audit, 0)
	if resp.StatusCode != 200 || !bytes.Contains(data, []byte(ep.Organization+"/"+ep.AppID)) {
		t.Fatalf("audit log lacks the app as caller: %d %s", resp.StatusCode, data)
	}
}

func TestComplianceNeedsRedirectAndAComplianceRole(t *testing.T) {
	em := start(t, "", 0)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	body := `{"CmdletInput":{"CmdletName":"Get-DlpCompliancePolicy","Parameters":{}}}`
	token := msalToken(t, ep, hc, "https://ps.compliance.protection.outlook.com/.default")

	resp, _ := invoke(t, hc, ep.ComplianceURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", token, body, 0)
	regional := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || regional == "" {
		t.Fatalf("front door: %d, Location %q", resp.StatusCode, regional)
	}
	// Exchange Administrator is not honoured by Security & Compliance.
	if resp, data := invoke(t, hc, regional, token, body, 0); resp.StatusCode != 401 || !bytes.Contains(data, []byte("isn't supported in this scenario")) {
		t.Fatalf("exchange admin on compliance: %d %s", resp.StatusCode, data)
	}
	// The onboarding step that fixes it, then a fresh token.
	if _, err := em.Directory().AssignRole(ep.TenantID, ep.AppID, "Compliance Administrator"); err != nil {
		t.Fatal(err)
	}
	token = msalTokenFresh(t, ep, hc)
	if resp, data := invoke(t, hc, regional, token, body, 0); resp.StatusCode != 200 || !bytes.Contains(data, []byte(`"value":[`)) {
		t.Fatalf("compliance admin: %d %s", resp.StatusCode, data)
	}
}

// msalTokenFresh builds a new MSAL client, so its cache cannot hand back
// the token issued before the role change.
func msalTokenFresh(t *testing.T, ep emulator.Endpoints, hc *http.Client) string {
	return msalToken(t, ep, hc, "https://ps.compliance.protection.outlook.com/.default")
}

func TestRefusesNonLoopbackAddress(t *testing.T) {
	_, err := emulator.Start(emulator.Options{StateDir: t.TempDir(), Addr: "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("want a loopback refusal, got %v", err)
	}
}

// BenchmarkServePage1000 is the emulator's own cost of one page of 1,000
// mailboxes from a 100,000-mailbox tenant, end to end over loopback TLS:
// token check, the Get-Mailbox query, rendering, JSON encoding. It also
// reports the heap the tenant takes.
func BenchmarkServePage1000(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	em, err := emulator.Start(emulator.Options{StateDir: b.TempDir(), Mailboxes: 100000, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	defer em.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	ep := em.Endpoints()
	var wire atomic.Int64
	hc := wireClient(b, ep, &wire)
	token := msalToken(b, ep, hc, "https://outlook.office365.com/.default")
	body := `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`
	resp, data := invoke(b, hc, ep.ExchangeURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", token, body, 1000)
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(data, &page) != nil || page.Next == "" {
		b.Fatalf("first page: %d", resp.StatusCode)
	}
	b.ResetTimer()
	wire.Store(0)
	for b.Loop() {
		// The second page: a nextLink replay, as a paging client sends it.
		resp, data := invoke(b, hc, page.Next, token, body, 1000)
		if resp.StatusCode != 200 || len(data) == 0 {
			b.Fatalf("page: %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "MB-heap-100k-tenant")
	// What Go's own transport negotiates (it asks for gzip by itself).
	b.ReportMetric(float64(wire.Load())/float64(b.N), "wire-B/page")
}

// BenchmarkWirePerMailbox reports the bytes on the wire (TLS records
// included) per mailbox of a 1,000-mailbox page, as sent with and without
// Accept-Encoding: gzip. The body is read as it came, not decompressed,
// so ns/op is the emulator's cost plus the transfer.
func BenchmarkWirePerMailbox(b *testing.B) {
	em, err := emulator.Start(emulator.Options{StateDir: b.TempDir(), Mailboxes: 2000, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	defer em.Close()
	ep := em.Endpoints()
	var wire atomic.Int64
	hc := wireClient(b, ep, &wire)
	hc.Transport.(*http.Transport).DisableCompression = true
	token := msalToken(b, ep, hc, "https://outlook.office365.com/.default")
	url := ep.ExchangeURL + "/adminapi/beta/" + ep.TenantID + "/InvokeCommand"
	body := `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			wire.Store(0)
			for b.Loop() {
				req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Prefer", "odata.maxpagesize=1000")
				req.Header.Set("Accept-Encoding", enc)
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || n == 0 {
					b.Fatalf("page: %d, %d bytes, %v", resp.StatusCode, n, err)
				}
			}
			b.ReportMetric(float64(wire.Load())/float64(b.N)/1000, "wire-B/mailbox")
		})
	}
}

// BenchmarkGzipLevel compresses one plain 1,000-mailbox page of the
// emulator's own mailboxes at the levels the admin API could use: the
// figures behind its choice of gzip level (api.gzipLevel).
func BenchmarkGzipLevel(b *testing.B) {
	em, err := emulator.Start(emulator.Options{StateDir: b.TempDir(), Mailboxes: 1000, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	defer em.Close()
	ep := em.Endpoints()
	hc := httpClient(b, ep)
	token := msalToken(b, ep, hc, "https://outlook.office365.com/.default")
	body := `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}}`
	_, page := invoke(b, hc, ep.ExchangeURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", token, body, 1000)
	for _, lv := range []struct {
		name  string
		level int
	}{{"BestSpeed", gzip.BestSpeed}, {"DefaultCompression", gzip.DefaultCompression}} {
		b.Run(lv.name, func(b *testing.B) {
			var out countWriter
			zw, _ := gzip.NewWriterLevel(&out, lv.level)
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				out = 0
				zw.Reset(&out)
				zw.Write(page)
				zw.Close()
			}
			b.ReportMetric(float64(out)/1000, "gzip-B/mailbox")
			b.ReportMetric(float64(len(page))/1000, "plain-B/mailbox")
		})
	}
}

// countWriter counts and drops what is written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// wireClient is httpClient counting in n the bytes it reads off its
// connections: what came over the wire, TLS records and headers included.
func wireClient(t testing.TB, ep emulator.Endpoints, n *atomic.Int64) *http.Client {
	hc := httpClient(t, ep)
	var d net.Dialer
	hc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, n: n}, nil
	}
	return hc
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	c.n.Add(int64(k))
	return k, err
}
