package api

import (
	"fmt"
	"strings"
	"testing"
)

// collect follows nextLinks from the first InvokeCommand POST, sending
// body to each, and returns every object's Name, the page count and the
// warnings of every page.
func collect(t *testing.T, e *env, url, body string, hdr ...string) (names []string, pages int, warnings [][]any) {
	t.Helper()
	for url != "" {
		r := e.do("POST", url, "admin", body, hdr...)
		if r.status != 200 {
			t.Fatalf("page %d: status %d: %s", pages+1, r.status, r.body)
		}
		v := r.json(t)
		pages++
		w, _ := v["@adminapi.warnings"].([]any)
		warnings = append(warnings, w)
		for _, o := range v["value"].([]any) {
			names = append(names, o.(map[string]any)["Name"].(string))
		}
		url, _ = v["@odata.nextLink"].(string)
		if pages > 20000 {
			t.Fatal("nextLinks do not end")
		}
	}
	return names, pages, warnings
}

func TestPagingEveryObjectOnce(t *testing.T) {
	e := newEnv(t)
	first := "/adminapi/beta/" + tenantA + "/InvokeCommand"
	body := cmdlet("Get-Recipient")
	for _, tc := range []struct {
		prefer  string
		pages   int
		applied string
	}{
		{"odata.maxpagesize=7", 1429, `odata.include-annotations="*", odata.maxpagesize=7`},
		{"odata.maxpagesize=1000", 10, `odata.include-annotations="*", odata.maxpagesize=1000`},
		{"", 10, `odata.include-annotations="*"`},
		{`odata.include-annotations="*"; odata.maxpagesize=5000;`, 10, `odata.include-annotations="*", odata.maxpagesize=1000`},
	} {
		t.Run(tc.prefer, func(t *testing.T) {
			var hdr []string
			if tc.prefer != "" {
				hdr = []string{"Prefer", tc.prefer}
			}
			r := e.do("POST", first, "admin", body, hdr...)
			if got := r.header.Get("Preference-Applied"); got != tc.applied {
				t.Errorf("Preference-Applied %q, want %q", got, tc.applied)
			}
			names, pages, warnings := collect(t, e, first, body, hdr...)
			if pages != tc.pages {
				t.Errorf("%d pages, want %d", pages, tc.pages)
			}
			if len(names) != 10000 {
				t.Fatalf("%d objects, want 10000", len(names))
			}
			for i, n := range names {
				if want := fmt.Sprintf("r%05d", i); n != want {
					t.Fatalf("object %d is %s, want %s", i, n, want)
				}
			}
			if len(warnings[0]) != 1 || warnings[0][0] != "more" {
				t.Errorf("first page warnings %v", warnings[0])
			}
			for i, w := range warnings[1:] {
				if len(w) != 0 {
					t.Errorf("page %d repeats warnings %v", i+2, w)
				}
			}
		})
	}
}

func TestNextLink(t *testing.T) {
	e := newEnv(t)
	body := `{"CmdletInput":{"CmdletName":"Get-Recipient","Parameters":{"ResultSize":"Unlimited","Filter":"x"}}}`
	r := e.do("POST", "/adminapi/beta/"+tenantA+"/InvokeCommand?$select=Name", "admin", body, "Prefer", "odata.maxpagesize=3")
	next, _ := r.json(t)["@odata.nextLink"].(string)
	prefix := e.srv.URL + "/adminapi/beta/" + tenantA + "/InvokeCommand?$select=Name&$skiptoken="
	if !strings.HasPrefix(next, prefix) {
		t.Fatalf("nextLink %q, want prefix %q", next, prefix)
	}
	if strings.Contains(next, "=3") || strings.Contains(next[len(prefix):], "&") {
		t.Errorf("skip token is not opaque: %q", next)
	}

	// The same body re-encoded (member order, white space) is the same request.
	same := "{ \"CmdletInput\" : { \"Parameters\": {\"Filter\":\"x\", \"ResultSize\":\"Unlimited\"}, \"CmdletName\":\"get-recipient\"}}"
	r = e.do("POST", next, "admin", same, "Prefer", "odata.maxpagesize=3")
	if r.status != 200 {
		t.Fatalf("same body: status %d: %s", r.status, r.body)
	}
	v := r.json(t)
	o := v["value"].([]any)[0].(map[string]any)
	if len(o) != 1 || o["Name"] != "r00003" {
		t.Errorf("second page starts with %v, want only Name r00003", o)
	}
	if next2, _ := v["@odata.nextLink"].(string); !strings.HasPrefix(next2, prefix) || next2 == next {
		t.Errorf("second nextLink %q", next2)
	}

	for name, other := range map[string]string{
		"other parameters": `{"CmdletInput":{"CmdletName":"Get-Recipient","Parameters":{"ResultSize":"Unlimited","Filter":"y"}}}`,
		"other cmdlet":     cmdlet("Get-Mailbox"),
	} {
		r := e.do("POST", next, "admin", other)
		if r.status != 400 || !strings.Contains(errorField(t, r, "message"), "skiptoken") {
			t.Errorf("%s: status %d: %s", name, r.status, r.body)
		}
	}
	// The token is bound to the service too.
	regional := strings.Replace(next, "/adminapi/", "/compliance/eur02b/adminapi/", 1)
	if r := e.do("POST", regional, "ipps", body); r.status != 400 {
		t.Errorf("token on compliance: status %d: %s", r.status, r.body)
	}
}

func TestPageSizeOptions(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.DefaultPageSize = 4000; o.MaxPageSize = 2500 })
	names, pages, _ := collect(t, e, "/adminapi/beta/"+tenantA+"/InvokeCommand", cmdlet("Get-Recipient"))
	if len(names) != 10000 || pages != 4 {
		t.Errorf("%d objects in %d pages, want 10000 in 4", len(names), pages)
	}
	e = newEnv(t, func(o *Options) { o.DefaultPageSize = 3 })
	r := e.invoke("admin", cmdlet("Get-Recipient"), "Prefer", "odata.maxpagesize=0")
	if n := len(r.json(t)["value"].([]any)); n != 1 {
		t.Errorf("maxpagesize=0 gave %d objects, want 1", n)
	}
	r = e.invoke("admin", cmdlet("Get-Recipient"), "Prefer", "odata.maxpagesize=abc")
	if n := len(r.json(t)["value"].([]any)); n != 3 {
		t.Errorf("unparsable maxpagesize gave %d objects, want the default 3", n)
	}
}

func TestBaseURL(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.BaseURL = "https://emulator.test:1234/" })
	v := e.invoke("admin", cmdlet("Get-Recipient"), "Prefer", "odata.maxpagesize=10").json(t)
	if ctx := v["@odata.context"].(string); !strings.HasPrefix(ctx, "https://emulator.test:1234/adminapi/beta/") {
		t.Errorf("context %q", ctx)
	}
	if next := v["@odata.nextLink"].(string); !strings.HasPrefix(next, "https://emulator.test:1234/adminapi/beta/"+tenantA+"/InvokeCommand?$skiptoken=") {
		t.Errorf("nextLink %q", next)
	}
	r := e.do("POST", "/compliance/adminapi/beta/"+tenantA+"/InvokeCommand", "", "")
	if loc := r.header.Get("Location"); loc != "https://emulator.test:1234/compliance/eur02b/adminapi/beta/"+tenantA+"/InvokeCommand" {
		t.Errorf("Location %q", loc)
	}
}
