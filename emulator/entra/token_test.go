package entra_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/exorun/exorun/emulator/entra"
	"github.com/golang-jwt/jwt/v5"
)

// msalToken gets a token the way exorun's connect package will: MSAL Go
// with a certificate, instance discovery off, trusting the test server.
func msalToken(t *testing.T, f *fixture, tenant string, cred confidential.Credential) string {
	t.Helper()
	client, err := confidential.New(f.srv.URL+"/"+tenant, f.app.AppID, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(f.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.AcquireTokenByCredential(context.Background(), []string{exchange + "/.default"})
	if err != nil {
		t.Fatalf("AcquireTokenByCredential: %v", err)
	}
	return res.AccessToken
}

func certCredential(t *testing.T, c credential) confidential.Credential {
	t.Helper()
	cred, err := confidential.NewCredFromCert([]*x509.Certificate{c.cert}, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func TestMSALCertificate(t *testing.T) {
	f := newFixture(t, entra.Options{})
	_ = f.dir.GrantManageAsApp(f.tenant.ID, f.app.AppID)
	_ = f.dir.Consent(f.tenant.ID, f.app.AppID)
	_, _ = f.dir.AssignRole(f.tenant.ID, f.app.AppID, "Exchange Administrator")

	for _, tenant := range []string{f.tenant.ID, "Contoso.OnMicrosoft.COM", "CONTOSO.com"} {
		t.Run(tenant, func(t *testing.T) {
			tok := msalToken(t, f, tenant, certCredential(t, f.cred))
			h, c := header(t, tok), payload(t, tok)
			if h["alg"] != "RS256" || h["typ"] != "JWT" || h["x5t"] != f.svc.KeyID() || h["kid"] != f.svc.KeyID() {
				t.Errorf("header %v", h)
			}
			iss := "https://sts.windows.net/" + f.tenant.ID + "/"
			for claim, want := range map[string]string{
				"aud": exchange, "iss": iss, "idp": iss, "ver": "1.0", "tid": f.tenant.ID,
				"appid": f.app.AppID, "appidacr": "2", "oid": f.app.ObjectID, "sub": f.app.ObjectID,
				"app_displayname": "exorun reports",
			} {
				if c[claim] != want {
					t.Errorf("%s = %v, want %s", claim, c[claim], want)
				}
			}
			if r := strs(c["roles"]); !slices.Equal(r, []string{"Exchange.ManageAsApp"}) {
				t.Errorf("roles = %v", r)
			}
			if w := strs(c["wids"]); !slices.Equal(w, []string{exAdmin, marker}) {
				t.Errorf("wids = %v", w)
			}
			iat, nbf, exp := c["iat"].(float64), c["nbf"].(float64), c["exp"].(float64)
			if exp-iat != (75*time.Minute).Seconds() || nbf != iat || c["uti"] == "" {
				t.Errorf("iat %v nbf %v exp %v uti %v", iat, nbf, exp, c["uti"])
			}
			claims, err := f.svc.Verify(tok)
			if err != nil || claims.Tid != f.tenant.ID || !claims.HasRole("Exchange.ManageAsApp") || claims.AppIDACR != "2" {
				t.Errorf("Verify = %+v, %v", claims, err)
			}
		})
	}
}

func TestMSALClientSecret(t *testing.T) {
	f := newFixture(t, entra.Options{})
	secret, _, err := f.dir.AddClientSecret(f.tenant.ID, f.app.AppID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	c := payload(t, msalToken(t, f, "contoso.onmicrosoft.com", cred))
	if c["appidacr"] != "1" {
		t.Errorf("appidacr = %v, want 1 for a secret", c["appidacr"])
	}
	// client_secret_basic too: the OIDC document advertises it.
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {exchange + "/.default"}}
	req, _ := http.NewRequest(http.MethodPost, f.tokenURL(f.tenant.ID, false), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(f.app.AppID), url.QueryEscape(secret))
	if status, body := f.do(t, req); status != http.StatusOK {
		t.Errorf("client_secret_basic: %d %v", status, body)
	}
}

// rs256Assertion is a hand-built legacy assertion: RS256 with an x5t SHA-1
// thumbprint in standard base64 with padding. encode encodes the header and
// payload segments.
func rs256Assertion(t *testing.T, c credential, claims map[string]any, encode func([]byte) string) string {
	t.Helper()
	sum := sha1.Sum(c.cert.Raw)
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": base64.StdEncoding.EncodeToString(sum[:])})
	p, _ := json.Marshal(claims)
	input := encode(h) + "." + encode(p)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestV1HandBuiltRS256(t *testing.T) {
	f := newFixture(t, entra.Options{Lifetime: 90 * time.Second})
	now := time.Now()
	claims := map[string]any{
		"aud": f.tokenURL("contoso.onmicrosoft.com", true) + "/", "iss": f.app.AppID, "sub": f.app.AppID,
		"jti": "1", "nbf": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {f.app.AppID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {rs256Assertion(t, f.cred, claims, base64.RawURLEncoding.EncodeToString)},
		"resource":              {exchange + "/"},
	}
	status, body := f.post(t, f.tokenURL("contoso.onmicrosoft.com", true), form, nil)
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	for _, k := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
		if _, ok := body[k].(string); !ok {
			t.Errorf("v1 %s = %#v, want a string", k, body[k])
		}
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != "90" || body["resource"] != exchange {
		t.Errorf("body %v", body)
	}
	c := payload(t, body["access_token"].(string))
	if c["aud"] != exchange || c["appidacr"] != "2" {
		t.Errorf("claims %v", c)
	}
	if _, ok := c["roles"]; ok {
		t.Errorf("roles without grant or consent: %v", c["roles"])
	}
	if exp, _ := strconv.ParseInt(body["expires_on"].(string), 10, 64); exp != int64(c["exp"].(float64)) {
		t.Errorf("expires_on %v, exp %v", body["expires_on"], c["exp"])
	}

	// CIPP encodes header and payload in standard base64 with padding.
	// Pad the claims until the encoding needs both '=' and a '+' or '/'.
	claims["aud"] = f.tokenURL(f.tenant.ID, true)
	for i := 0; ; i++ {
		claims["jti"] = strings.Repeat("?", i) + ">"
		p, _ := json.Marshal(claims)
		if enc := base64.StdEncoding.EncodeToString(p); strings.ContainsAny(enc, "+/") && strings.HasSuffix(enc, "=") {
			break
		}
	}
	form.Set("client_assertion", rs256Assertion(t, f.cred, claims, base64.StdEncoding.EncodeToString))
	if status, body := f.post(t, f.tokenURL(f.tenant.ID, true), form, nil); status != http.StatusOK {
		t.Errorf("standard base64 segments: %d %v", status, body)
	}
}

func TestResources(t *testing.T) {
	f := newFixture(t, entra.Options{Resources: append(entra.DefaultResources(), entra.Resource{URI: "https://outlook.office365.us/"})})
	for scope, aud := range map[string]string{
		"00000002-0000-0ff1-ce00-000000000000/.default":         exchange,
		"https://ps.compliance.protection.outlook.com/.default": "https://ps.compliance.protection.outlook.com",
		"00000007-0000-0ff1-ce00-000000000000/.default":         "https://ps.compliance.protection.outlook.com",
		"https://outlook.office365.com//.default":               exchange,
		"https://outlook.office365.us/.default":                 "https://outlook.office365.us",
	} {
		form := f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, false), nil))
		form.Set("scope", scope)
		status, body := f.post(t, f.tokenURL(f.tenant.ID, false), form, nil)
		if status != http.StatusOK {
			t.Errorf("%s: %d %v", scope, status, body)
			continue
		}
		if got := payload(t, body["access_token"].(string))["aud"]; got != aud {
			t.Errorf("%s: aud %v, want %s", scope, got, aud)
		}
	}
}

func TestRolesAndWids(t *testing.T) {
	f := newFixture(t, entra.Options{})
	get := func() map[string]any {
		t.Helper()
		status, body := f.post(t, f.tokenURL(f.tenant.ID, false), f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, false), nil)), nil)
		if status != http.StatusOK {
			t.Fatalf("%d %v", status, body)
		}
		return payload(t, body["access_token"].(string))
	}
	c := get()
	if _, ok := c["roles"]; ok || !slices.Equal(strs(c["wids"]), []string{marker}) {
		t.Errorf("fresh app: roles %v, wids %v", c["roles"], c["wids"])
	}
	_ = f.dir.GrantManageAsApp(f.tenant.ID, f.app.AppID)
	if _, ok := get()["roles"]; ok {
		t.Error("granted without consent: the token has a roles claim")
	}
	_ = f.dir.Consent(f.tenant.ID, f.app.AppID)
	_, _ = f.dir.AssignRole(f.tenant.ID, f.app.AppID, "Global Reader")
	c = get()
	if !slices.Equal(strs(c["roles"]), []string{"Exchange.ManageAsApp"}) || !slices.Equal(strs(c["wids"]), []string{"f2ef992c-3afb-46b9-b7cf-a126ee74c451", marker}) {
		t.Errorf("granted, consented, Global Reader: roles %v, wids %v", c["roles"], c["wids"])
	}
	_ = f.dir.RevokeConsent(f.tenant.ID, f.app.AppID)
	if _, ok := get()["roles"]; ok {
		t.Error("consent revoked: the token has a roles claim")
	}
}

func TestVerify(t *testing.T) {
	f := newFixture(t, entra.Options{Lifetime: 30 * time.Second})
	_ = f.dir.GrantManageAsApp(f.tenant.ID, f.app.AppID)
	_ = f.dir.Consent(f.tenant.ID, f.app.AppID)
	_, body := f.post(t, f.tokenURL(f.tenant.ID, false), f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, false), nil)), nil)
	tok := body["access_token"].(string)

	c, err := f.svc.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Aud != exchange || c.AppID != f.app.AppID || c.Oid != f.app.ObjectID || !slices.Equal(c.Wids, []string{marker}) ||
		c.Exp.Sub(c.Iat) != 30*time.Second || c.Ver != "1.0" {
		t.Errorf("claims %+v", c)
	}

	// Another emulator's key.
	other := newFixtureSignedBy(t, entra.Options{}, keyOtherSigning)
	_, otherBody := other.post(t, other.tokenURL(other.tenant.ID, false), other.certForm(other.assertion(t, other.cred, other.tokenURL(other.tenant.ID, false), nil)), nil)
	if _, err := f.svc.Verify(otherBody["access_token"].(string)); !errors.Is(err, entra.ErrTokenInvalid) {
		t.Errorf("token of another key: %v", err)
	}

	// Tampered: the payload gains a role, the signature stays.
	parts := strings.Split(tok, ".")
	claims := payload(t, tok)
	claims["wids"] = []string{"62e90394-69f5-4237-9190-012177145e10", marker}
	p, _ := json.Marshal(claims)
	if _, err := f.svc.Verify(parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]); !errors.Is(err, entra.ErrTokenInvalid) {
		t.Errorf("tampered token: %v", err)
	}

	// alg none.
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(claims)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if _, err := f.svc.Verify(none); !errors.Is(err, entra.ErrTokenInvalid) {
		t.Errorf("alg none: %v", err)
	}

	// Within the skew it still verifies; past it, it is expired.
	f.skew.Store(int64(30*time.Second + entra.Skew - 10*time.Second))
	if _, err := f.svc.Verify(tok); err != nil {
		t.Errorf("within skew: %v", err)
	}
	f.skew.Store(int64(30*time.Second + entra.Skew + 10*time.Second))
	if _, err := f.svc.Verify(tok); !errors.Is(err, entra.ErrTokenExpired) {
		t.Errorf("expired token: %v", err)
	}
}

func TestErrorBody(t *testing.T) {
	f := newFixture(t, entra.Options{})
	form := f.certForm("")
	form.Del("client_assertion")
	form.Del("client_assertion_type")
	corr := "6bd4a5e9-2d4c-4d3f-8f1f-0f4a1f3a2b7c"
	status, body := f.post(t, f.tokenURL(f.tenant.ID, false), form, http.Header{"Client-Request-Id": {corr}})
	if status != http.StatusUnauthorized {
		t.Fatalf("status %d", status)
	}
	want := fmt.Sprintf("Trace ID: %s Correlation ID: %s Timestamp: %s", body["trace_id"], corr, body["timestamp"])
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.") || !strings.HasSuffix(desc, want) {
		t.Errorf("error_description %q", desc)
	}
	if body["correlation_id"] != corr || body["error_uri"] != "https://login.microsoftonline.com/error?code=7000218" {
		t.Errorf("body %v", body)
	}
	if _, err := time.Parse("2006-01-02 15:04:05Z", body["timestamp"].(string)); err != nil {
		t.Errorf("timestamp: %v", err)
	}
	if len(body) != 7 {
		t.Errorf("body has %d fields, want 7: %v", len(body), body)
	}
}
