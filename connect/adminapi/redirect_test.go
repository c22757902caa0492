package adminapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/exorun/exorun/catalog"
)

func TestComplianceRedirectIsFollowedAndRemembered(t *testing.T) {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/compliance/adminapi/"):
			loc := srv.URL + "/compliance/eur02b" + strings.TrimPrefix(p, "/compliance")
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", loc)
			w.WriteHeader(http.StatusFound)
		case strings.HasPrefix(p, "/compliance/eur02b/adminapi/beta/"):
			if r.URL.Query().Get("$skiptoken") == "" {
				writePage(w, []string{`{"Name":"p1"}`}, srv.URL+"/compliance/eur02b/adminapi/beta/"+testTenant+"/InvokeCommand?$skiptoken=2")
				return
			}
			writePage(w, []string{`{"Name":"p2"}`}, "")
		case strings.HasPrefix(p, "/compliance/eur02b/adminapi/v1.0/"):
			w.Write([]byte(`{"value":[{"exportedCmdlets":"Get-DlpCompliancePolicy"}]}`))
		default:
			http.NotFound(w, r)
		}
	})
	c, _, _ := newClient(t, srv, func(o *Options) {
		o.BaseURL = srv.URL + "/compliance"
		o.Service = catalog.Compliance
		o.Organization = "contoso.onmicrosoft.com"
	})
	for i := range 2 {
		got, err := invokeAll(t, c, Request{Cmdlet: "Get-DlpCompliancePolicy", Parameters: map[string]any{"Identity": "p"}})
		if err != nil || len(got) != 2 {
			t.Fatalf("call %d: %q %v", i, got, err)
		}
	}
	frontDoor := 0
	reqs := srv.requests()
	for _, r := range reqs {
		if strings.HasPrefix(r.url, "/compliance/adminapi/") {
			frontDoor++
		}
		if r.method != http.MethodPost || r.body != `{"CmdletInput":{"CmdletName":"Get-DlpCompliancePolicy","Parameters":{"Identity":"p"}}}` {
			t.Fatalf("redirected request changed: %s %s", r.method, r.body)
		}
	}
	if frontDoor != 1 || len(reqs) != 5 {
		t.Fatalf("front door hit %d times in %d requests; want once in 5", frontDoor, len(reqs))
	}
	if got := c.BaseURL(); got != srv.URL+"/compliance/eur02b" {
		t.Fatalf("regional base %q", got)
	}
	if st := c.Stats(); st.Retries != 0 || st.Requests != 5 {
		t.Fatalf("a redirect is not a retry: %+v", st)
	}

	// A fresh client learns it from EXOModuleFile too.
	c2, _, _ := newClient(t, srv, func(o *Options) {
		o.BaseURL = srv.URL + "/compliance/"
		o.Service = catalog.Compliance
		o.Organization = "contoso.onmicrosoft.com"
	})
	names, err := c2.ModuleCmdlets(context.Background())
	if err != nil || len(names) != 1 || c2.BaseURL() != srv.URL+"/compliance/eur02b" {
		t.Fatalf("%q %v base %q", names, err, c2.BaseURL())
	}
}

func TestRegionalTarget(t *testing.T) {
	cases := []struct {
		configured, from, loc string
		next, base            string
		bad                   string
	}{
		{configured: "https://ps.compliance.protection.outlook.com",
			from: "https://ps.compliance.protection.outlook.com/adminapi/beta/t/InvokeCommand",
			loc:  "https://eur02b.admin.protection.outlook.com:446/adminapi/beta/t/InvokeCommand?$select=A",
			next: "https://eur02b.ps.compliance.protection.outlook.com/adminapi/beta/t/InvokeCommand?$select=A",
			base: "https://eur02b.ps.compliance.protection.outlook.com"},
		{configured: "https://ps.compliance.protection.office365.us",
			from: "https://ps.compliance.protection.office365.us/AdminApi/v1.0/t/EXOModuleFile?Version=3.7.1",
			loc:  "https://gcc02b.admin.protection.office365.us:446/AdminApi/v1.0/t/EXOModuleFile?Version=3.7.1",
			next: "https://gcc02b.ps.compliance.protection.office365.us/AdminApi/v1.0/t/EXOModuleFile?Version=3.7.1",
			base: "https://gcc02b.ps.compliance.protection.office365.us"},
		{configured: "https://outlook.office365.com",
			from: "https://outlook.office365.com/adminapi/beta/t/InvokeCommand",
			loc:  "https://nam12b.outlook.office365.com/adminapi/beta/t/InvokeCommand",
			next: "https://nam12b.outlook.office365.com/adminapi/beta/t/InvokeCommand",
			base: "https://nam12b.outlook.office365.com"},
		{configured: "https://127.0.0.1:8443/compliance",
			from: "https://127.0.0.1:8443/compliance/adminapi/beta/t/InvokeCommand",
			loc:  "/compliance/eur02b/adminapi/beta/t/InvokeCommand",
			next: "https://127.0.0.1:8443/compliance/eur02b/adminapi/beta/t/InvokeCommand",
			base: "https://127.0.0.1:8443/compliance/eur02b"},
		{configured: "https://outlook.office365.com", from: "https://outlook.office365.com/adminapi/beta/t/InvokeCommand",
			loc: "https://evil.example.com/adminapi/beta/t/InvokeCommand", bad: "does not send tokens to"},
		{configured: "https://outlook.office365.com", from: "https://outlook.office365.com/adminapi/beta/t/InvokeCommand",
			loc: "http://outlook.office365.com/adminapi/beta/t/InvokeCommand", bad: "does not send tokens to"},
		{configured: "https://outlook.office365.com", from: "https://outlook.office365.com/adminapi/beta/t/InvokeCommand",
			loc: "https://outlook.office365.com.evil.example/adminapi/beta/t/InvokeCommand", bad: "does not send tokens to"},
		{configured: "https://ps.compliance.protection.outlook.com", from: "https://ps.compliance.protection.outlook.com/adminapi/beta/t/InvokeCommand",
			loc: "https://eur02b.admin.protection.evil.com/adminapi/beta/t/InvokeCommand", bad: "does not send tokens to"},
		{configured: "https://outlook.office365.com", from: "https://outlook.office365.com/adminapi/beta/t/InvokeCommand",
			loc: "https://outlook.office365.com/login", bad: "not an admin API URL"},
	}
	for _, tc := range cases {
		from, _ := url.Parse(tc.from)
		to, err := from.Parse(tc.loc)
		if err != nil {
			t.Fatal(err)
		}
		next, base, err := regionalTarget(from, to, tc.configured)
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%s: want error %q, got %q %q %v", tc.loc, tc.bad, next, base, err)
			}
			continue
		}
		if err != nil || next != tc.next || base != tc.base {
			t.Errorf("%s:\n got %q %q %v\nwant %q %q", tc.loc, next, base, err, tc.next, tc.base)
		}
	}
}

func TestRedirectToUntrustedHostIsNotFollowed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, "https://login.evil.example/adminapi/beta/x/InvokeCommand", http.StatusFound)
	})
	c, _, _ := newClient(t, srv, nil)
	_, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadResponse || e.Status != 302 || srv.count() != 1 {
		t.Fatalf("%v after %d", err, srv.count())
	}
	if c.BaseURL() != srv.URL {
		t.Fatalf("base changed to %q", c.BaseURL())
	}
}

func TestRedirectLoopStops(t *testing.T) {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Location", srv.URL+"/adminapi/beta/"+testTenant+"/InvokeCommand")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	c, _, _ := newClient(t, srv, nil)
	_, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadResponse || !strings.Contains(e.Message, "too many redirects") || srv.count() != maxRedirects+1 {
		t.Fatalf("%v after %d", err, srv.count())
	}
}
