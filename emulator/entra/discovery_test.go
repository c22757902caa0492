package entra_test

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/entra"
)

func TestOpenIDConfiguration(t *testing.T) {
	f := newFixture(t, entra.Options{})
	for _, seg := range []string{f.tenant.ID, "contoso.onmicrosoft.com"} {
		status, doc := f.get(t, f.srv.URL+"/"+seg+"/v2.0/.well-known/openid-configuration")
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", seg, status, doc)
		}
		for k, want := range map[string]string{
			"issuer":                 f.srv.URL + "/" + f.tenant.ID + "/v2.0",
			"token_endpoint":         f.srv.URL + "/" + seg + "/oauth2/v2.0/token",
			"authorization_endpoint": f.srv.URL + "/" + seg + "/oauth2/v2.0/authorize",
			"jwks_uri":               f.srv.URL + "/" + seg + "/discovery/v2.0/keys",
		} {
			if doc[k] != want {
				t.Errorf("%s: %s = %v, want %s", seg, k, doc[k], want)
			}
		}
	}
	status, doc := f.get(t, f.srv.URL+"/CONTOSO.COM/.well-known/openid-configuration")
	if status != http.StatusOK || doc["issuer"] != "https://sts.windows.net/"+f.tenant.ID+"/" ||
		doc["token_endpoint"] != f.srv.URL+"/CONTOSO.COM/oauth2/token" || doc["jwks_uri"] != f.srv.URL+"/common/discovery/keys" {
		t.Errorf("v1: %d %v", status, doc)
	}
	status, doc = f.get(t, f.srv.URL+"/fabrikam.com/v2.0/.well-known/openid-configuration")
	if codes, _ := doc["error_codes"].([]any); status != http.StatusBadRequest || doc["error"] != "invalid_tenant" || len(codes) != 1 || codes[0] != float64(90002) ||
		!strings.HasPrefix(doc["error_description"].(string), "AADSTS90002: Tenant 'fabrikam.com' not found.") {
		t.Errorf("unknown tenant: %d %v", status, doc)
	}
}

func TestKeys(t *testing.T) {
	f := newFixture(t, entra.Options{})
	for _, path := range []string{"/common/discovery/keys", "/common/discovery/v2.0/keys", "/" + f.tenant.ID + "/discovery/v2.0/keys", "/contoso.com/discovery/keys"} {
		status, body := f.get(t, f.srv.URL+path)
		keys, _ := body["keys"].([]any)
		if status != http.StatusOK || len(keys) != 1 {
			t.Fatalf("%s: %d %v", path, status, body)
		}
		k := keys[0].(map[string]any)
		n, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
		e, _ := base64.RawURLEncoding.DecodeString(k["e"].(string))
		pub := f.svc.PublicKey()
		if k["kty"] != "RSA" || k["use"] != "sig" || k["kid"] != f.svc.KeyID() || k["x5t"] != f.svc.KeyID() ||
			new(big.Int).SetBytes(n).Cmp(pub.N) != 0 || new(big.Int).SetBytes(e).Int64() != int64(pub.E) {
			t.Errorf("%s: key %v", path, k)
		}
	}
	if status, _ := f.get(t, f.srv.URL+"/fabrikam.com/discovery/keys"); status != http.StatusBadRequest {
		t.Errorf("keys of an unknown tenant: %d", status)
	}
}

func TestInstanceDiscovery(t *testing.T) {
	f := newFixture(t, entra.Options{})
	host := strings.TrimPrefix(f.srv.URL, "https://")
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {f.srv.URL + "/contoso.com/oauth2/v2.0/authorize"}}
	status, body := f.get(t, f.srv.URL+"/common/discovery/instance?"+q.Encode())
	meta, _ := body["metadata"].([]any)
	if status != http.StatusOK || body["tenant_discovery_endpoint"] != f.srv.URL+"/contoso.com/v2.0/.well-known/openid-configuration" || len(meta) != 1 {
		t.Fatalf("%d %v", status, body)
	}
	if m := meta[0].(map[string]any); m["preferred_network"] != host || strs(m["aliases"])[0] != host {
		t.Errorf("metadata %v", m)
	}
	q.Set("authorization_endpoint", "https://login.example.com/contoso.com/oauth2/v2.0/authorize")
	status, body = f.get(t, f.srv.URL+"/common/discovery/instance?"+q.Encode())
	if status != http.StatusBadRequest || body["error"] != "invalid_instance" {
		t.Errorf("foreign host: %d %v", status, body)
	}
}

func TestSigningKeyPersists(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	key, kid, err := entra.LoadOrCreateSigningKey(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(stateDir, entra.SigningKeyFile)
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	again, kid2, err := entra.LoadOrCreateSigningKey(stateDir)
	if err != nil || !again.Equal(key) || kid2 != kid || kid != entra.KeyID(&key.PublicKey) {
		t.Fatalf("reloaded key differs (kid %s, %s): %v", kid, kid2, err)
	}
	if entries, _ := os.ReadDir(stateDir); len(entries) != 1 {
		t.Errorf("state folder holds %d entries, want only the key", len(entries))
	}

	// A token from before a restart verifies after it.
	dir, _ := directory.Open("", nil)
	ten, _ := dir.CreateTenant("contoso")
	app, _ := dir.RegisterApp(ten.ID, "reports")
	secret, _, _ := dir.AddClientSecret(ten.ID, app.AppID, time.Time{})
	before, _ := entra.New(dir, key, entra.Options{BaseURL: "https://127.0.0.1:1"})
	tok := tokenFrom(t, before, ten.ID, app.AppID, secret)
	after, _ := entra.New(dir, again, entra.Options{BaseURL: "https://127.0.0.1:1"})
	if _, err := after.Verify(tok); err != nil {
		t.Errorf("token from before the restart: %v", err)
	}

	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := entra.LoadOrCreateSigningKey(stateDir); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt key file: %v", err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	dir, _ := directory.Open("", nil)
	key, _, _ := entra.LoadOrCreateSigningKey("")
	for _, base := range []string{"", "127.0.0.1:8443", "https://127.0.0.1:8443/login", "ftp://x"} {
		if _, err := entra.New(dir, key, entra.Options{BaseURL: base}); err == nil {
			t.Errorf("base url %q accepted", base)
		}
	}
	if _, err := entra.New(dir, nil, entra.Options{BaseURL: "https://127.0.0.1:8443"}); err == nil {
		t.Error("nil key accepted")
	}
}

// tokenFrom gets a token from svc without a listener, with a client secret.
func tokenFrom(t *testing.T, svc *entra.Service, tenant, appID, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "client_secret": {secret}, "scope": {exchange + "/.default"}}
	req := httptest.NewRequest(http.MethodPost, "/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.AccessToken == "" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	return body.AccessToken
}
