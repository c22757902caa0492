package msi

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	outlook = "https://outlook.office365.com"

	sysClientID  = "5d6c1f0e-0b6a-4a53-9a3e-6f1d2b8a7c01"
	sysObjectID  = "0e2f4a6c-8b1d-4c3e-9f5a-7b9d1e3f5a02"
	userClientID = "a04566df-9a65-4e90-ae3d-574572a16423"
	userObjectID = "3c0ce698-24bf-43f2-bfc8-b25df0e0625a"
	userResID    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/exorun"
)

var (
	systemIdentity = Identity{ClientID: sysClientID, ObjectID: sysObjectID, SystemAssigned: true}
	userIdentity   = Identity{ClientID: userClientID, ObjectID: userObjectID, ResourceID: userResID}
)

// fakeHost signs nothing: its tokens are JWT-shaped ("h.p.s", base64url JSON)
// so a reader can see which identity and resource they were issued for.
type fakeHost struct {
	mu        sync.Mutex
	ids       []Identity
	expiresOn time.Time
	issueErr  error
	issued    []issued // every Issue call, in order
}

type issued struct {
	id       Identity
	resource string
}

func newFakeHost(ids ...Identity) *fakeHost {
	// Whole seconds, since expires_on carries no more.
	return &fakeHost{ids: ids, expiresOn: time.Now().Add(time.Hour).Truncate(time.Second)}
}

func (h *fakeHost) Identities() []Identity {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Identity(nil), h.ids...)
}

func (h *fakeHost) Issue(_ context.Context, id Identity, resource string) (string, time.Time, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.issued = append(h.issued, issued{id, resource})
	if h.issueErr != nil {
		return "", time.Time{}, h.issueErr
	}
	return fakeToken(id, resource, h.expiresOn), h.expiresOn, nil
}

func (h *fakeHost) calls() []issued {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]issued(nil), h.issued...)
}

func fakeToken(id Identity, resource string, exp time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"typ": "JWT", "alg": "none"}) + "." +
		enc(map[string]any{"aud": resource, "appid": id.ClientID, "oid": id.ObjectID, "exp": exp.Unix()}) + "." +
		base64.RawURLEncoding.EncodeToString([]byte("not-a-signature"))
}

// claims decodes a fakeToken's payload.
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not h.p.s", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return c
}

func newHeader(t *testing.T) string {
	t.Helper()
	h, err := NewHeader()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandlerStatuses(t *testing.T) {
	t.Parallel()
	header := newHeader(t)
	wrong := newHeader(t)

	type tc struct {
		name     string
		method   string
		query    string   // raw query, api-version included where wanted
		headers  []string // X-IDENTITY-HEADER values; nil = the right one, []string{} = none
		ids      []Identity
		issueErr error
		status   int
		contains []string // substrings of the body
	}
	both := []Identity{systemIdentity, userIdentity}
	ok := "api-version=2019-08-01&resource=" + url.QueryEscape(outlook)
	cases := []tc{
		{name: "post", method: http.MethodPost, query: ok, status: 405},
		{name: "head", method: http.MethodHead, query: ok, status: 405},
		{name: "no api-version", query: "resource=" + outlook, status: 400,
			contains: []string{`"code":"ApiVersionUnspecified"`, `"innerError":null`}},
		{name: "old api-version", query: "api-version=2017-09-01&resource=" + outlook, status: 400,
			contains: []string{`"code":"UnsupportedApiVersion"`, `does not support the API version '2017-09-01'`, "/msi/token?"}},
		{name: "two api-versions", query: ok + "&api-version=2017-09-01", status: 400,
			contains: []string{`"code":"UnsupportedApiVersion"`}},
		{name: "header missing", query: ok, headers: []string{}, status: 403,
			contains: []string{`"statusCode":403`, "X-IDENTITY-HEADER"}},
		{name: "header wrong", query: ok, headers: []string{wrong}, status: 403},
		{name: "header case differs", query: ok, headers: []string{strings.ToUpper(header)}, status: 403},
		{name: "header twice", query: ok, headers: []string{header, wrong}, status: 403},
		{name: "resource missing", query: "api-version=2019-08-01", status: 400,
			contains: []string{`"statusCode":400`, "resource"}},
		{name: "unknown client_id", query: ok + "&client_id=11111111-1111-1111-1111-111111111111", status: 400,
			contains: []string{"No Managed Identity found for specified ClientId/ResourceId/PrincipalId.", `"correlationId":"`}},
		{name: "empty client_id", query: ok + "&client_id=", status: 400,
			contains: []string{"No Managed Identity found"}},
		{name: "unknown mi_res_id", query: ok + "&mi_res_id=" + url.QueryEscape(userResID+"x"), status: 400,
			contains: []string{"No Managed Identity found"}},
		{name: "client_id and mi_res_id", query: ok + "&client_id=" + userClientID + "&mi_res_id=" + url.QueryEscape(userResID), status: 400,
			contains: []string{"Only one of"}},
		{name: "object_id and principal_id", query: ok + "&object_id=" + userObjectID + "&principal_id=" + userObjectID, status: 400,
			contains: []string{"Only one of"}},
		{name: "client_id twice", query: ok + "&client_id=" + userClientID + "&client_id=" + userClientID, status: 400,
			contains: []string{"Only one of"}},
		{name: "system-assigned absent", query: ok, ids: []Identity{userIdentity}, status: 400,
			contains: []string{"No Managed Identity found"}},
		{name: "no identities", query: ok + "&client_id=" + userClientID, ids: []Identity{}, status: 400,
			contains: []string{"No Managed Identity found"}},
		{name: "issue error", query: ok, issueErr: &IssueError{Status: 400, Message: "Unknown resource."}, status: 400,
			contains: []string{`"message":"Unknown resource."`}},
		{name: "issue error wrapped", query: ok, issueErr: errors.Join(errors.New("x"), &IssueError{Status: 404, Message: "gone"}), status: 404},
		{name: "issue error bad status", query: ok, issueErr: &IssueError{Status: 200, Message: "nonsense"}, status: 500},
		{name: "other issue error", query: ok, issueErr: errors.New("signing key at /secret/path unreadable"), status: 500,
			contains: []string{"An unexpected error occurred while fetching the AAD Token."}},
		{name: "system-assigned", query: ok, status: 200},
		{name: "client_id upper case", query: ok + "&client_id=" + strings.ToUpper(userClientID), status: 200},
		{name: "client_id of system-assigned", query: ok + "&client_id=" + sysClientID, status: 200},
		{name: "principal_id", query: ok + "&principal_id=" + userObjectID, status: 200},
		{name: "msi_res_id lower case", query: ok + "&msi_res_id=" + url.QueryEscape(strings.ToLower(userResID)), status: 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ids := both
			if c.ids != nil {
				ids = c.ids
			}
			host := newFakeHost(ids...)
			host.issueErr = c.issueErr
			srv := httptest.NewServer(Handler(host, header))
			defer srv.Close()

			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, srv.URL+"/msi/token?"+c.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			values := c.headers
			if values == nil {
				values = []string{header}
			}
			for _, v := range values {
				req.Header.Add("X-IDENTITY-HEADER", v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}

			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, c.status, body)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			for _, s := range c.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("body %s does not contain %q", body, s)
				}
			}
			for _, secret := range []string{header, wrong, strings.ToUpper(header), "/secret/path"} {
				if strings.Contains(strings.ToLower(string(body)), strings.ToLower(secret)) {
					t.Errorf("body reveals %q: %s", secret, body)
				}
			}
			switch {
			case c.status == 405:
				if got := resp.Header.Get("Allow"); got != http.MethodGet {
					t.Errorf("Allow %q, want GET", got)
				}
				if len(body) != 0 {
					t.Errorf("405 body %q, want empty", body)
				}
			case c.status == 200:
				checkSuccess(t, resp, body, host)
			default:
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				if strings.Contains(string(body), "access_token") {
					t.Errorf("error body holds a token: %s", body)
				}
				if c.issueErr == nil && len(host.calls()) != 0 {
					t.Errorf("Issue called for a refused request")
				}
			}
		})
	}
}

// checkSuccess asserts the body is exactly App Service's shape for the one
// identity the host issued to.
func checkSuccess(t *testing.T, resp *http.Response, body []byte, host *fakeHost) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	calls := host.calls()
	if len(calls) != 1 {
		t.Fatalf("Issue called %d times, want 1", len(calls))
	}
	id := calls[0].id
	if calls[0].resource != outlook {
		t.Errorf("Issue resource %q, want %q", calls[0].resource, outlook)
	}
	want := `{"access_token":"` + fakeToken(id, outlook, host.expiresOn) + `",` +
		`"expires_on":"` + jsonInt(host.expiresOn.Unix()) + `",` +
		`"resource":"` + outlook + `","token_type":"Bearer","client_id":"` + id.ClientID + `"}`
	if string(body) != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestHandlerIdentitiesChange shows the handler asks the host on every
// request rather than remembering its identities.
func TestHandlerIdentitiesChange(t *testing.T) {
	t.Parallel()
	header := newHeader(t)
	host := newFakeHost(userIdentity)
	srv := httptest.NewServer(Handler(host, header))
	defer srv.Close()

	get := func() int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/msi/token?api-version=2019-08-01&resource="+outlook, nil)
		req.Header.Set("X-IDENTITY-HEADER", header)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != 400 {
		t.Fatalf("without a system-assigned identity: %d, want 400", got)
	}
	host.mu.Lock()
	host.ids = append(host.ids, systemIdentity)
	host.mu.Unlock()
	if got := get(); got != 200 {
		t.Fatalf("after attaching one: %d, want 200", got)
	}
}

// TestHandlerEmptySecretRefusesAll: a host configured without a secret must
// not serve tokens to requests that also send none.
func TestHandlerEmptySecretRefusesAll(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(Handler(newFakeHost(systemIdentity), ""))
	defer srv.Close()
	for _, h := range []string{"", "x"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?api-version=2019-08-01&resource="+outlook, nil)
		req.Header.Set("X-IDENTITY-HEADER", h)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("header %q: status %d, want 403", h, resp.StatusCode)
		}
	}
}

func TestHandlerNilHost(t *testing.T) {
	t.Parallel()
	header := newHeader(t)
	srv := httptest.NewServer(Handler(nil, header))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?api-version=2019-08-01&resource="+outlook, nil)
	req.Header.Set("X-IDENTITY-HEADER", header)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
}

func TestNewHeader(t *testing.T) {
	t.Parallel()
	a, b := newHeader(t), newHeader(t)
	if a == b {
		t.Fatal("two headers are equal")
	}
	raw, err := hex.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("header %q: %d bytes, err %v; want 32 hex-encoded bytes", a, len(raw), err)
	}
}
