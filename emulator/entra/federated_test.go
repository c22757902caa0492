package entra_test

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/entra"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const (
	testIssuer  = "https://127.0.0.1:9/oidc" // the emulator's own test issuer
	issuerKid   = "issuer-key-1"
	k8sSubject  = "system:serviceaccount:reports:runner"
	githubIss   = "https://token.actions.githubusercontent.com"
	exchangeAud = "api://AzureADTokenExchange"
)

// federatedFixture is a fixture whose service reaches testIssuer only,
// and whose app trusts that issuer's tokens about k8sSubject.
func federatedFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, entra.Options{IssuerKeys: func(iss string) (map[string]*rsa.PublicKey, bool) {
		if iss != testIssuer {
			return nil, false
		}
		return map[string]*rsa.PublicKey{issuerKid: &testKeys()[keyIssuer].PublicKey}, true
	}})
	if _, err := f.dir.AddFederatedCredential(f.tenant.ID, f.app.AppID, directory.FederatedCredential{Issuer: testIssuer, Subject: k8sSubject}); err != nil {
		t.Fatal(err)
	}
	return f
}

// externalToken is what an OIDC provider issues: RS256 with a kid, aud
// the token exchange audience, valid for an hour; edit changes it first.
func externalToken(t *testing.T, edit func(h map[string]any, c jwt.MapClaims)) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": testIssuer, "sub": k8sSubject, "aud": []string{exchangeAud},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": uuid.NewString(),
	})
	tok.Header["kid"] = issuerKid
	key := testKeys()[keyIssuer]
	if edit != nil {
		h := map[string]any{"kid": issuerKid}
		edit(h, tok.Claims.(jwt.MapClaims))
		tok.Header["kid"] = h["kid"]
		if h["key"] != nil {
			key = h["key"].(*rsa.PrivateKey)
		}
	}
	raw, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestFederatedCredentials is the workload identity federation table:
// each way an external token can fail, with Entra's code, and the
// successes.
func TestFederatedCredentials(t *testing.T) {
	f := federatedFixture(t)
	v2 := f.tokenURL(f.tenant.ID, false)
	if _, err := f.dir.AddFederatedCredential(f.tenant.ID, f.app.AppID, directory.FederatedCredential{Issuer: githubIss, Subject: "repo:contoso/reports:environment:Prod"}); err != nil {
		t.Fatal(err)
	}
	bare, _ := f.dir.RegisterApp(f.tenant.ID, "no federated credentials")
	form := func(clientID, assertion string) url.Values {
		fm := f.certForm(assertion)
		fm.Set("client_id", clientID)
		return fm
	}
	claim := func(k string, v any) func(map[string]any, jwt.MapClaims) {
		return func(_ map[string]any, c jwt.MapClaims) { c[k] = v }
	}

	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		err    string
		code   int
		says   []string
	}{
		{"no federated credentials", form(bare.AppID, externalToken(t, nil)), 401, "invalid_client", 70021,
			[]string{"Assertion Issuer: '" + testIssuer + "'. Assertion Subject: '" + k8sSubject + "'. Assertion Audience: '" + exchangeAud + "'."}},
		{"wrong issuer", form(f.app.AppID, externalToken(t, claim("iss", "https://oidc.prod-aks.azure.com/x/"))), 401, "invalid_client", 700211,
			[]string{"presented assertion issuer 'https://oidc.prod-aks.azure.com/x/'"}},
		{"issuer in other case", form(f.app.AppID, externalToken(t, claim("iss", strings.ToUpper(testIssuer)))), 401, "invalid_client", 700211, nil},
		{"wrong subject", form(f.app.AppID, externalToken(t, claim("sub", "system:serviceaccount:reports:other"))), 401, "invalid_client", 700213,
			[]string{"assertion subject 'system:serviceaccount:reports:other'", "Subject is '" + k8sSubject + "'"}},
		{"subject in other case", form(f.app.AppID, externalToken(t, claim("sub", strings.ToUpper(k8sSubject)))), 401, "invalid_client", 7002138,
			[]string{"case-insensitive comparison, but not with case-sensitive", "Subject is '" + k8sSubject + "'"}},
		{"wrong audience", form(f.app.AppID, externalToken(t, claim("aud", "https://github.com/contoso"))), 401, "invalid_client", 700212,
			[]string{"assertion audience 'https://github.com/contoso'", "Audience is '" + exchangeAud + "'"}},
		{"unreachable issuer", form(f.app.AppID, externalToken(t, func(_ map[string]any, c jwt.MapClaims) {
			c["iss"], c["sub"] = githubIss, "repo:contoso/reports:environment:Prod"
		})), 400, "invalid_request", 50166, []string{"Request to External OIDC endpoint failed."}},
		{"unknown kid", form(f.app.AppID, externalToken(t, func(h map[string]any, _ jwt.MapClaims) { h["kid"] = "rotated-away" })), 401, "invalid_client", 7000272,
			[]string{"identifier rotated-away used to sign the federated credential could not be found in the metadata of identity provider " + testIssuer}},
		{"no kid", form(f.app.AppID, externalToken(t, func(h map[string]any, _ jwt.MapClaims) { h["kid"] = nil })), 401, "invalid_client", 7000272, nil},
		{"bad signature", form(f.app.AppID, externalToken(t, func(h map[string]any, _ jwt.MapClaims) { h["key"] = testKeys()[keyOtherIssuer] })), 401, "invalid_client", 700027,
			[]string{"failed signature validation"}},
		{"expired", form(f.app.AppID, externalToken(t, claim("exp", time.Now().Add(-entra.Skew-time.Minute).Unix()))), 401, "invalid_client", 700024,
			[]string{"not within its valid time range"}},
		{"not yet valid", form(f.app.AppID, externalToken(t, claim("nbf", time.Now().Add(entra.Skew+time.Minute).Unix()))), 401, "invalid_client", 700024, nil},
		{"no exp", form(f.app.AppID, externalToken(t, claim("exp", nil))), 401, "invalid_client", 50027, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.post(t, v2, tc.form, nil)
			codes, _ := body["error_codes"].([]any)
			if status != tc.status || body["error"] != tc.err || len(codes) != 1 || codes[0] != float64(tc.code) {
				t.Fatalf("got %d %v %v, want %d %s [%v]; body %v", status, body["error"], body["error_codes"], tc.status, tc.err, tc.code, body)
			}
			desc, _ := body["error_description"].(string)
			if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", tc.code)) {
				t.Errorf("error_description %q", desc)
			}
			for _, says := range tc.says {
				if !strings.Contains(desc, says) {
					t.Errorf("error_description %q, want it to say %q", desc, says)
				}
			}
		})
	}

	// Within the skew an expired token still works, as assertions do.
	for name, tok := range map[string]string{
		"match":           externalToken(t, nil),
		"aud as a string": externalToken(t, claim("aud", exchangeAud)),
		"within the skew": externalToken(t, claim("exp", time.Now().Add(-entra.Skew+time.Minute).Unix())),
	} {
		if status, body := f.post(t, v2, form(f.app.AppID, tok), nil); status != http.StatusOK {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}
	// The app's own certificate still signs it in, and a certificate
	// assertion with a wrong iss still gets the certificate path's code.
	if status, body := f.post(t, v2, f.certForm(f.assertion(t, f.cred, v2, nil)), nil); status != http.StatusOK {
		t.Errorf("certificate assertion: %d %v", status, body)
	}
	status, body := f.post(t, v2, f.certForm(f.assertion(t, f.cred, v2, func(_ map[string]any, c jwt.MapClaims) { c["iss"] = "someone-else" })), nil)
	if codes, _ := body["error_codes"].([]any); status != 401 || len(codes) != 1 || codes[0] != float64(700021) {
		t.Errorf("certificate assertion with a wrong iss: %d %v", status, body)
	}
}

// TestFederatedTokenCarriesTheAppsPermissions checks a federated sign-in's
// token: the app's roles like any other, appidacr 2, on v1 and v2, and
// through a multi-tenant app's home registration.
func TestFederatedTokenCarriesTheAppsPermissions(t *testing.T) {
	f := federatedFixture(t)
	_ = f.dir.GrantManageAsApp(f.tenant.ID, f.app.AppID)
	_ = f.dir.Consent(f.tenant.ID, f.app.AppID)
	_, _ = f.dir.AssignRole(f.tenant.ID, f.app.AppID, "Exchange Administrator")
	for _, v1 := range []bool{false, true} {
		fm := f.certForm(externalToken(t, nil))
		if v1 {
			fm.Del("scope")
			fm.Set("resource", exchange)
		}
		status, body := f.post(t, f.tokenURL("contoso.com", v1), fm, nil)
		if status != http.StatusOK {
			t.Fatalf("v1 %v: %d %v", v1, status, body)
		}
		c := payload(t, body["access_token"].(string))
		if c["appidacr"] != "2" || c["appid"] != f.app.AppID || c["oid"] != f.app.ObjectID || c["aud"] != exchange ||
			!strings.Contains(fmt.Sprint(c["roles"]), "Exchange.ManageAsApp") || !strings.Contains(fmt.Sprint(c["wids"]), exAdmin) {
			t.Errorf("v1 %v: claims %v", v1, c)
		}
		if _, ok := c["xms_mirid"]; ok {
			t.Errorf("an app's token has xms_mirid: %v", c)
		}
	}

	guest, _ := f.dir.CreateTenant("fabrikam")
	if _, err := f.dir.AddServicePrincipal(guest.ID, f.tenant.ID, f.app.AppID); err != nil {
		t.Fatal(err)
	}
	if status, body := f.post(t, f.tokenURL(guest.ID, false), f.certForm(externalToken(t, nil)), nil); status != http.StatusOK {
		t.Errorf("guest tenant, home registration's credential: %d %v", status, body)
	}
}

func TestIssueForManagedIdentities(t *testing.T) {
	f := newFixture(t, entra.Options{})
	mi, err := f.dir.CreateManagedIdentity(f.tenant.ID, "reports-runner", true)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.dir.GrantManageAsApp(f.tenant.ID, mi.AppID)
	_, _ = f.dir.AssignRole(f.tenant.ID, mi.AppID, "Exchange Administrator")
	mi, _ = f.dir.App(f.tenant.ID, mi.AppID)

	for _, res := range []string{exchange, exchange + "/", exchange + "/.default", "00000002-0000-0ff1-ce00-000000000000"} {
		tok, exp, err := f.svc.IssueFor(f.tenant, mi, res)
		if err != nil {
			t.Fatalf("%s: %v", res, err)
		}
		claims, err := f.svc.Verify(tok)
		if err != nil {
			t.Fatal(err)
		}
		if claims.AppID != mi.AppID || claims.Oid != mi.ObjectID || claims.AppIDACR != "2" || claims.Aud != exchange || !claims.HasRole("Exchange.ManageAsApp") || !claims.Exp.Equal(exp) {
			t.Errorf("%s: claims %+v", res, claims)
		}
		if c := payload(t, tok); c["xms_mirid"] != mi.ManagedIdentity.ResourceID {
			t.Errorf("xms_mirid %v", c["xms_mirid"])
		}
	}

	status := func(err error) int {
		var st interface{ HTTPStatus() int }
		if !errors.As(err, &st) {
			return 0
		}
		return st.HTTPStatus()
	}
	if _, _, err := f.svc.IssueFor(f.tenant, mi, "https://graph.microsoft.com"); status(err) != 400 || !strings.Contains(err.Error(), "AADSTS500011") {
		t.Errorf("unknown resource: %v", err)
	}
	if _, _, err := f.svc.IssueFor(f.tenant, f.app, exchange); err == nil || status(err) != 0 {
		t.Errorf("an app registration: %v", err)
	}
	_ = f.dir.DisableApp(f.tenant.ID, mi.AppID)
	mi, _ = f.dir.App(f.tenant.ID, mi.AppID)
	if _, _, err := f.svc.IssueFor(f.tenant, mi, exchange); status(err) != 400 || !strings.Contains(err.Error(), "AADSTS7000112") {
		t.Errorf("disabled identity: %v", err)
	}

	// A managed identity cannot use the token endpoint with a
	// certificate or secret: it has none.
	_ = f.dir.EnableApp(f.tenant.ID, mi.AppID)
	fm := f.certForm(f.assertion(t, f.cred, f.tokenURL(f.tenant.ID, false), nil))
	fm.Set("client_id", mi.AppID)
	if status, body := f.post(t, f.tokenURL(f.tenant.ID, false), fm, nil); status != 401 || !strings.Contains(fmt.Sprint(body["error_codes"]), "700027") {
		t.Errorf("certificate assertion for a managed identity: %d %v", status, body)
	}
}
