package adminapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/exorun/exorun/catalog"
)

func TestInvokeWireFormatAndPaging(t *testing.T) {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 0:
			writePage(w, []string{`{"Name":"a","ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"g1"}`, `{"Name":"b"}`},
				srv.URL+"/adminapi/beta/"+testTenant+"/InvokeCommand?$select=Name,ExchangeGuid&$skiptoken=AAA", "first warning")
		default:
			writePage(w, []string{`{"Name":"c"}`}, "", "second warning")
		}
	})
	c, tok, _ := newClient(t, srv, func(o *Options) { o.PageSize = 2 })
	s, err := c.Invoke(context.Background(), Request{
		Cmdlet:     "Get-Mailbox",
		Parameters: map[string]any{"ResultSize": "Unlimited", "Filter": "Name -like 'a*'"},
		Select:     []string{"Name", "ExchangeGuid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := drain(t, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"Name":"a","ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"g1"}`, `{"Name":"b"}`, `{"Name":"c"}`}
	if !slices.Equal(got, want) {
		t.Fatalf("objects %q, want %q", got, want)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
	if w := s.Warnings(); !slices.Equal(w, []string{"first warning", "second warning"}) {
		t.Fatalf("warnings %q", w)
	}
	if ids := s.RequestIDs(); len(ids) != 2 || !strings.HasPrefix(ids[0], "rid-") {
		t.Fatalf("request ids %q", ids)
	}

	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	wantBody := `{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"Filter":"Name -like 'a*'","ResultSize":"Unlimited"}}}`
	if reqs[0].url != "/adminapi/beta/"+testTenant+"/InvokeCommand?$select=Name,ExchangeGuid" {
		t.Fatalf("first URL %q", reqs[0].url)
	}
	if reqs[1].url != "/adminapi/beta/"+testTenant+"/InvokeCommand?$select=Name,ExchangeGuid&$skiptoken=AAA" {
		t.Fatalf("nextLink not followed as given: %q", reqs[1].url)
	}
	for i, r := range reqs {
		if r.method != http.MethodPost || r.body != wantBody {
			t.Fatalf("request %d: %s %s", i, r.method, r.body)
		}
		for k, v := range map[string]string{
			"Authorization":       "Bearer " + tok.tokens[0],
			"Content-Type":        "application/json",
			"Accept":              "application/json",
			"X-Cmdletname":        "Get-Mailbox",
			"X-Responseformat":    "json",
			"X-Clientapplication": "exorun",
			"Prefer":              "odata.maxpagesize=2",
			"X-Anchormailbox":     "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + testTenant,
			"User-Agent":          "exorun",
			"Accept-Encoding":     "gzip",
		} {
			if got := r.header.Get(k); got != v {
				t.Errorf("request %d: %s = %q, want %q", i, k, got, v)
			}
		}
		for _, k := range []string{"client-request-id", "connection-id"} {
			if _, err := uuid.Parse(r.header.Get(k)); err != nil {
				t.Errorf("request %d: %s %q is not a GUID", i, k, r.header.Get(k))
			}
		}
	}
	if reqs[0].header.Get("client-request-id") == reqs[1].header.Get("client-request-id") {
		t.Error("client-request-id repeated across pages")
	}
	if reqs[0].header.Get("connection-id") != reqs[1].header.Get("connection-id") {
		t.Error("connection-id changed within a client")
	}
	st := c.Stats()
	if st.Calls != 1 || st.Pages != 2 || st.Objects != 3 || st.Requests != 2 || st.Retries != 0 || len(st.Errors) != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestComplianceAnchorAndConnectionIDPerClient(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { writePage(w, nil, "") })
	c, _, _ := newClient(t, srv, func(o *Options) {
		o.Service = catalog.Compliance
		o.Organization = "contoso.onmicrosoft.com"
	})
	c2, _, _ := newClient(t, srv, nil)
	for _, cl := range []*Client{c, c2} {
		s, err := cl.Invoke(context.Background(), Request{Cmdlet: "Get-DlpCompliancePolicy"})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	reqs := srv.requests()
	if got := reqs[0].header.Get("X-AnchorMailbox"); got != "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com" {
		t.Fatalf("compliance anchor %q", got)
	}
	if reqs[0].header.Get("connection-id") == reqs[1].header.Get("connection-id") {
		t.Fatal("two clients share a connection-id")
	}
}

func TestModuleCmdlets(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		io.WriteString(w, `{"@odata.context":"x","value":[{"exportedCmdlets":"Get-Mailbox, Set-Mailbox,Get-User"},{"exportedCmdlets":"get-mailbox,Add-MailboxPermission,"}]}`)
	})
	c, _, _ := newClient(t, srv, nil)
	got, err := c.ModuleCmdlets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Add-MailboxPermission", "Get-Mailbox", "Get-User", "Set-Mailbox"}; !slices.Equal(got, want) {
		t.Fatalf("%q, want %q", got, want)
	}
	r := srv.requests()[0]
	if r.method != http.MethodGet || r.url != "/adminapi/v1.0/"+testTenant+"/EXOModuleFile?Version=3.7.1" ||
		r.header.Get("CommandName") != "*" || r.body != "" || r.header.Get("Content-Type") != "" {
		t.Fatalf("request %+v", r)
	}
}

func TestGzipAnswers(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		io.WriteString(zw, `{"value":[{"Name":"zipped"}]}`)
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(buf.Bytes())
	})
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, s)
	if err != nil || len(got) != 1 || got[0] != `{"Name":"zipped"}` {
		t.Fatalf("%q %v", got, err)
	}
}

func TestNonJSONSuccessIsBadResponse(t *testing.T) {
	for name, tc := range map[string]struct {
		hdr  http.Header
		body string
		msg  string
	}{
		"html":        {body: "<html><head><title>Sign in</title></head><body>x</body></html>", msg: "HTML page: Sign in"},
		"empty":       {body: "", msg: "empty body"},
		"nuls gzip":   {hdr: http.Header{"Content-Encoding": {"gzip"}}, body: "\x00\x00\x00", msg: "not the InvokeCommand JSON envelope"},
		"wrong shape": {body: `{"value":{"a":1}}`, msg: "not the InvokeCommand JSON envelope"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				for k, v := range tc.hdr {
					w.Header()[k] = v
				}
				io.WriteString(w, tc.body)
			})
			c, _, _ := newClient(t, srv, nil)
			_, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadResponse || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v", err)
			}
			if srv.count() != 1 {
				t.Fatalf("%d requests: a bad answer must not be retried", srv.count())
			}
			if c.Stats().Errors[CodeBadResponse] != 1 {
				t.Fatalf("stats %+v", c.Stats())
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	good := Options{BaseURL: "https://outlook.office365.com", TenantID: testTenant, Tokens: newTokens()}
	for name, mutate := range map[string]func(*Options){
		"no base":            func(o *Options) { o.BaseURL = "" },
		"relative base":      func(o *Options) { o.BaseURL = "/adminapi" },
		"http remote":        func(o *Options) { o.BaseURL = "http://outlook.office365.com" },
		"query":              func(o *Options) { o.BaseURL = "https://x/?a=b" },
		"no tenant":          func(o *Options) { o.TenantID = "" },
		"no tokens":          func(o *Options) { o.Tokens = nil },
		"bad service":        func(o *Options) { o.Service = "graph" },
		"compliance, no org": func(o *Options) { o.Service = catalog.Compliance },
	} {
		o := good
		mutate(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.hc.CheckRedirect == nil || c.hc.Transport == nil {
		t.Fatal("default HTTP client follows redirects or has no transport")
	}
	hc := &http.Client{}
	c, _ = New(Options{BaseURL: "http://127.0.0.1:1/", TenantID: "contoso.onmicrosoft.com", Tokens: newTokens(), HTTPClient: hc})
	if hc.CheckRedirect != nil {
		t.Fatal("the caller's client was modified")
	}
	if c.BaseURL() != "http://127.0.0.1:1" {
		t.Fatalf("base %q", c.BaseURL())
	}
	if got := c.tenant; got != url.PathEscape("contoso.onmicrosoft.com") {
		t.Fatalf("tenant %q", got)
	}
}

func TestBadParameterSendsNothing(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { writePage(w, nil, "") })
	c, _, _ := newClient(t, srv, nil)
	_, err := c.Invoke(context.Background(), Request{Cmdlet: "Set-Mailbox", Parameters: map[string]any{"X": struct{}{}}})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadParameter || srv.count() != 0 {
		t.Fatalf("%v, %d requests", err, srv.count())
	}
	if _, err := c.Invoke(context.Background(), Request{}); err == nil {
		t.Fatal("empty cmdlet accepted")
	}
}

// gzipped compresses a page the way writePage writes it.
func gzipped(t *testing.T, values []string, next string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	writePage(rec, values, next)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(rec.Body.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPagesReuseBuffers: pages of different sizes, gzip and plain, read
// with and without page-ahead while their buffers are recycled and
// poisoned once decoded: every object arrives whole and in order, so no
// object refers to a page's buffer.
func TestPagesReuseBuffers(t *testing.T) {
	const pages = 12
	values := func(p int) []string {
		var v []string
		for i := range 1 + p*37%50 {
			v = append(v, fmt.Sprintf(`{"Page":%d,"N":%d,"Pad":%q}`, p, i, strings.Repeat(string(rune('a'+p)), 100*p)))
		}
		return v
	}
	for _, ahead := range []bool{false, true} {
		t.Run(fmt.Sprintf("ahead=%v", ahead), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				next := ""
				if n+1 < pages {
					next = fmt.Sprintf("https://%s/adminapi/beta/%s/InvokeCommand?$skiptoken=%d", r.Host, testTenant, n+1)
				}
				if n%2 == 0 {
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(gzipped(t, values(n), next))
					return
				}
				writePage(w, values(n), next)
			})
			c, _, _ := newClient(t, srv, nil)
			c.poison = true
			s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox", PageAhead: ahead})
			if err != nil {
				t.Fatal(err)
			}
			got, err := drain(t, s)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for p := range pages {
				want = append(want, values(p)...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %d objects, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestFalseGzip: plain JSON declared gzip is read as it came; a gzip body
// cut part-way is a cut answer, retried like one.
func TestFalseGzip(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Encoding", "gzip")
		writePage(w, []string{`{"Name":"plain"}`}, "")
	})
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(t, s); err != nil || len(got) != 1 || got[0] != `{"Name":"plain"}` {
		t.Fatalf("%q %v", got, err)
	}

	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Encoding", "gzip")
		body := gzipped(t, []string{`{"Name":"zipped"}`}, "")
		if n == 0 {
			body = body[:len(body)/2]
		}
		w.Write(body)
	})
	c, _, _ = newClient(t, srv, nil)
	s, err = c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(t, s); err != nil || len(got) != 1 || got[0] != `{"Name":"zipped"}` || srv.count() != 2 {
		t.Fatalf("%q %v after %d requests, want the object after one retry", got, err, srv.count())
	}
}

// TestGzipWholeButBad: a complete gzip body that does not inflate is no
// cut answer: its status still decides (a 401 gets a new token and one
// resend), and bytes after the stream are ignored.
func TestGzipWholeButBad(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Encoding", "gzip")
		if n == 0 {
			body := gzipped(t, []string{`{"Name":"x"}`}, "")
			body[len(body)-5] ^= 0xff // the CRC-32 of the trailer
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(body)
			return
		}
		w.Write(append(gzipped(t, []string{`{"Name":"after"}`}, ""), "\r\n"...))
	})
	c, tok, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(t, s); err != nil || len(got) != 1 || got[0] != `{"Name":"after"}` {
		t.Fatalf("%q %v", got, err)
	}
	if srv.count() != 2 || len(tok.dropped()) != 1 {
		t.Fatalf("%d requests, %d tokens dropped; want the 401 to get a new token and one resend", srv.count(), len(tok.dropped()))
	}
}
