package entra_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/entra"
	"github.com/golang-jwt/jwt/v5"
)

// TestErrors provokes every AADSTS case the emulator models and checks the
// status, the OAuth error, the code and the part of the message a user
// acts on.
func TestErrors(t *testing.T) {
	f := newFixture(t, entra.Options{})
	v2 := f.tokenURL(f.tenant.ID, false)
	stranger := newCredential(t, keyStranger, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	strangerSum := sha256.Sum256(stranger.cert.Raw)
	expired := newCredential(t, keyExpired, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	if _, err := f.dir.UploadCertificate(f.tenant.ID, f.app.AppID, expired.cert.Raw); err != nil {
		t.Fatal(err)
	}
	secret, _, _ := f.dir.AddClientSecret(f.tenant.ID, f.app.AppID, time.Time{})
	oldSecret, _, _ := f.dir.AddClientSecret(f.tenant.ID, f.app.AppID, time.Now().Add(-time.Hour))
	disabled, _ := f.dir.RegisterApp(f.tenant.ID, "retired")
	_ = f.dir.DisableApp(f.tenant.ID, disabled.AppID)

	valid := func() url.Values { return f.certForm(f.assertion(t, f.cred, v2, nil)) }
	with := func(form url.Values, kv ...string) url.Values {
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				form.Del(kv[i])
			} else {
				form.Set(kv[i], kv[i+1])
			}
		}
		return form
	}
	edited := func(edit func(h map[string]any, c jwt.MapClaims)) url.Values {
		return f.certForm(f.assertion(t, f.cred, v2, edit))
	}
	tampered := func() url.Values {
		a := f.assertion(t, f.cred, v2, nil)
		i := strings.LastIndexByte(a, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(a[i+1:])
		sig[0] ^= 1
		return f.certForm(a[:i+1] + base64.RawURLEncoding.EncodeToString(sig))
	}
	secretForm := func(s string) url.Values {
		return with(valid(), "client_assertion", "", "client_assertion_type", "", "client_secret", s)
	}

	for _, tc := range []struct {
		name   string
		url    string
		form   url.Values
		status int
		err    string
		code   int
		says   string
	}{
		{"unregistered certificate", v2, f.certForm(f.assertion(t, stranger, v2, nil)), 401, "invalid_client", 700027,
			"Thumbprint of key used by client: '" + strings.ToUpper(hex.EncodeToString(strangerSum[:])) + "'"},
		{"tampered signature", v2, tampered(), 401, "invalid_client", 700027, "Client assertion failed signature validation."},
		{"expired assertion", v2, edited(func(_ map[string]any, c jwt.MapClaims) {
			c["nbf"], c["exp"] = time.Now().Add(-20*time.Minute).Unix(), time.Now().Add(-6*time.Minute).Unix()
		}), 401, "invalid_client", 700024, "not within its valid time range"},
		{"future nbf", v2, edited(func(_ map[string]any, c jwt.MapClaims) {
			c["nbf"], c["exp"] = time.Now().Add(6*time.Minute).Unix(), time.Now().Add(20*time.Minute).Unix()
		}), 401, "invalid_client", 700024, "not within its valid time range"},
		{"no exp", v2, edited(func(_ map[string]any, c jwt.MapClaims) { delete(c, "exp") }), 401, "invalid_client", 50027, "no exp"},
		{"expired certificate", v2, f.certForm(f.assertion(t, expired, v2, nil)), 401, "invalid_client", 700027, "The key used is expired."},
		{"wrong audience", v2, f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, true), nil)), 401, "invalid_client", 700023, "does not match"},
		{"wrong issuer", v2, edited(func(_ map[string]any, c jwt.MapClaims) { c["iss"] = "someone-else" }), 401, "invalid_client", 700021, "doesn't match 'client_id'"},
		{"hs256", v2, edited(func(h map[string]any, _ jwt.MapClaims) { h["alg"] = "HS256" }), 401, "invalid_client", 5002738, "'HS256' is not a supported"},
		{"malformed assertion", v2, with(valid(), "client_assertion", "not-a-jwt"), 401, "invalid_client", 50027, "malformed"},
		{"unknown tenant", f.tokenURL("nowhere.onmicrosoft.com", false), valid(), 400, "invalid_tenant", 90002, "Tenant 'nowhere.onmicrosoft.com' not found"},
		{"malformed tenant", f.tokenURL("nowhere", false), valid(), 400, "invalid_tenant", 900023, "neither a valid DNS name"},
		{"unknown app", v2, with(valid(), "client_id", "11111111-2222-3333-4444-555555555555"), 400, "unauthorized_client", 700016,
			"Application with identifier '11111111-2222-3333-4444-555555555555' was not found"},
		{"disabled app", v2, with(valid(), "client_id", disabled.AppID), 400, "unauthorized_client", 7000112, "is disabled"},
		{"no credential", v2, with(valid(), "client_assertion", "", "client_assertion_type", ""), 401, "invalid_client", 7000218, "'client_assertion' or 'client_secret'"},
		{"both credentials", v2, with(valid(), "client_secret", secret), 400, "invalid_request", 90023, "Only one client credential"},
		{"no assertion type", v2, with(valid(), "client_assertion_type", ""), 400, "invalid_request", 900144, "'client_assertion_type'"},
		{"missing grant_type", v2, with(valid(), "grant_type", ""), 400, "invalid_request", 900144, "'grant_type'"},
		{"missing client_id", v2, with(valid(), "client_id", ""), 400, "invalid_request", 900144, "'client_id'"},
		{"missing scope", v2, with(valid(), "scope", ""), 400, "invalid_request", 900144, "'scope'"},
		{"missing resource", f.tokenURL(f.tenant.ID, true), f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, true), nil)), 400, "invalid_request", 900144, "'resource'"},
		{"unsupported grant", v2, with(valid(), "grant_type", "password"), 400, "unsupported_grant_type", 70003, "'password'"},
		{"scope without .default", v2, with(valid(), "scope", exchange+"/Exchange.ManageAsApp"), 400, "invalid_scope", 1002012, "/.default suffixed"},
		{"only openid", v2, with(valid(), "scope", "openid profile"), 400, "invalid_scope", 1002012, "/.default suffixed"},
		{"two resources", v2, with(valid(), "scope", exchange+"/.default https://ps.compliance.protection.outlook.com/.default"), 400, "invalid_scope", 700022, "more than one resource"},
		{"unknown resource", v2, with(valid(), "scope", "https://graph.microsoft.com/.default"), 400, "invalid_resource", 500011, "https://graph.microsoft.com was not found"},
		{"wrong secret", v2, secretForm("not the secret"), 401, "invalid_client", 7000215, "Invalid client secret provided."},
		{"expired secret", v2, secretForm(oldSecret), 401, "invalid_client", 7000222, "are expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.post(t, tc.url, tc.form, nil)
			codes, _ := body["error_codes"].([]any)
			if status != tc.status || body["error"] != tc.err || len(codes) != 1 || codes[0] != float64(tc.code) {
				t.Fatalf("got %d %v %v, want %d %s [%v]; body %v", status, body["error"], body["error_codes"], tc.status, tc.err, tc.code, body)
			}
			desc, _ := body["error_description"].(string)
			if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", tc.code)) || !strings.Contains(desc, tc.says) {
				t.Errorf("error_description %q, want it to say %q", desc, tc.says)
			}
		})
	}

	// The secret itself works, so the failures above are the credential's.
	if status, body := f.post(t, v2, secretForm(secret), nil); status != http.StatusOK {
		t.Errorf("valid secret: %d %v", status, body)
	}
}
