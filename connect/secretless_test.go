package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"

	"github.com/exorun/exorun/internal/exitcode"
)

func TestParseManagedIdentity(t *testing.T) {
	const id = "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b"
	const res = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities/exorun"
	for _, tc := range []struct {
		in   string
		want managedidentity.ID // nil: off
		what string
	}{
		{"", nil, ""},
		{"false", nil, ""},
		{"true", managedidentity.SystemAssigned(), "system-assigned"},
		{" System ", managedidentity.SystemAssigned(), "system-assigned"},
		{id, managedidentity.UserAssignedClientID(id), "user-assigned, client id " + id},
		{res, managedidentity.UserAssignedResourceID(res), "user-assigned, resource id " + res},
		{"object_id:" + id, managedidentity.UserAssignedObjectID(id), "user-assigned, object id " + id},
	} {
		got, err := parseManagedIdentity(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if tc.want == nil {
			if got != nil {
				t.Errorf("%q: got %v, want off", tc.in, got.id)
			}
			continue
		}
		if got == nil || got.id != tc.want || got.what != tc.what {
			t.Errorf("%q: got %+v, want %v %q", tc.in, got, tc.want, tc.what)
		}
	}
	for _, bad := range []string{"yes", "contoso-identity", "object_id:nope", "subscriptions/x"} {
		if _, err := parseManagedIdentity(bad); err == nil || !strings.Contains(err.Error(), "want true, a client id") {
			t.Errorf("%q: err = %v, want the accepted forms", bad, err)
		}
	}
}

// TestCredentialOrder: the documented order, and a GitHub Actions ID
// token only when no other credential is given.
func TestCredentialOrder(t *testing.T) {
	dir := t.TempDir()
	tokenFile := writeFile(t, dir, "token", []byte(makeJWT(t, map[string]any{
		"iss": "https://oidc.example", "sub": "system:serviceaccount:ops:exorun", "aud": federatedAudience,
		"exp": time.Now().Add(time.Hour).Unix(),
	})))
	actions := map[string]string{actionsURLVar: "https://actions.example/idtoken?x=1", actionsTokenVar: "request-token"}
	webhook := map[string]string{AzureTokenFileVar: tokenFile, actionsURLVar: "https://actions.example/idtoken?x=1", actionsTokenVar: "request-token"}
	base := Settings{AppID: "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b", Organization: "contoso.onmicrosoft.com"}
	with := func(f func(*Settings)) Settings { s := base; f(&s); return s }
	for _, tc := range []struct {
		name string
		s    Settings
		env  map[string]string
		want credentialKind
	}{
		{"token first", with(func(s *Settings) { s.AccessToken = "a.b.c"; s.ManagedIdentity = "true" }), nil, kindToken},
		{"managed identity over a secret", with(func(s *Settings) { s.ManagedIdentity = "true"; s.ClientSecret = "x" }), nil, kindManagedIdentity},
		{"managed identity false is off", with(func(s *Settings) { s.ManagedIdentity = "false"; s.ClientSecret = "x" }), nil, kindSecret},
		{"token file over a secret", with(func(s *Settings) { s.FederatedTokenFile = tokenFile; s.ClientSecret = "x" }), actions, kindFederated},
		{"secret over Actions", with(func(s *Settings) { s.ClientSecret = "x" }), actions, kindSecret},
		{"Actions when nothing else", base, actions, kindFederated},
		{"a secret over the webhook's token file", with(func(s *Settings) { s.ClientSecret = "x" }), webhook, kindSecret},
		{"the webhook's token file over Actions", base, webhook, kindFederated},
	} {
		o := Options{ReadFile: os.ReadFile, LookupEnv: lookupMap(tc.env)}
		p, err := resolve(tc.s, &o)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.kind != tc.want {
			t.Errorf("%s: kind %q, want %q", tc.name, p.kind, tc.want)
		}
		if tc.name == "the webhook's token file over Actions" && p.federated.describe != "file "+tokenFile {
			t.Errorf("%s: source %q", tc.name, p.federated.describe)
		}
	}

	// Nothing at all names every choice.
	_, err := resolve(base, &Options{LookupEnv: lookupMap(nil)})
	if err == nil || !strings.Contains(err.Error(), "a managed identity, a federated token file") {
		t.Errorf("no credential: %v", err)
	}
	// A managed identity needs no app id, but an organization.
	if _, err := resolve(Settings{ManagedIdentity: "true", Organization: "contoso.onmicrosoft.com"}, &Options{}); err != nil {
		t.Errorf("managed identity without app id: %v", err)
	}
	if _, err := resolve(Settings{ManagedIdentity: "true"}, &Options{}); err == nil || !strings.Contains(err.Error(), "no organization") {
		t.Errorf("managed identity without organization: %v", err)
	}
	if _, err := resolve(Settings{ManagedIdentity: "maybe", Organization: "contoso.onmicrosoft.com"}, &Options{}); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("bad managed_identity: %v (code %d), want a usage error", err, exitcode.Of(err))
	}
}

// TestFederatedTokenFile: a missing or expired file fails before any
// network call, naming the file and never the token; the file is read
// again at every acquisition.
func TestFederatedTokenFile(t *testing.T) {
	dir := t.TempDir()
	expired := makeJWT(t, map[string]any{"iss": "https://oidc.example", "sub": "s", "aud": federatedAudience, "exp": time.Now().Add(-time.Minute).Unix()})
	s := Settings{AppID: "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b", Organization: "contoso.onmicrosoft.com"}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"missing", "", "federated token file " + filepath.Join(dir, "missing") + ": no such file"},
		{"expired", expired, "holds a token that expired at "},
		{"not a jwt", "hello", "not a JWT"},
	} {
		path := filepath.Join(dir, tc.name)
		if tc.content != "" {
			path = writeFile(t, dir, tc.name, []byte(tc.content+"\n"))
		}
		s.FederatedTokenFile = path
		_, err := resolve(s, &Options{ReadFile: os.ReadFile})
		var se *StepError
		if !errors.As(err, &se) || se.Step != StepCredential || exitcode.Of(err) != exitcode.Auth || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a credential step error containing %q", tc.name, err, tc.want)
			continue
		}
		if se.Fix == "" || strings.Contains(err.Error()+se.Fix, expired) {
			t.Errorf("%s: fix %q; the token must never show", tc.name, se.Fix)
		}
	}

	// Rotation: each fetch reads what the file holds now.
	mint := func(sub string) string {
		return makeJWT(t, map[string]any{"iss": "https://oidc.example", "sub": sub, "aud": federatedAudience, "exp": time.Now().Add(time.Hour).Unix()})
	}
	path := writeFile(t, dir, "rotating", []byte(mint("first")))
	src, err := fileFederatedSource(path, &Options{ReadFile: os.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.claims().Subject; got != "first" {
		t.Errorf("subject after resolve = %q", got)
	}
	second := mint("second")
	writeFile(t, dir, "rotating", []byte(second))
	got, err := src.fetch(context.Background(), nil)
	if err != nil || got != second || src.claims().Subject != "second" {
		t.Errorf("fetch after rotation = %v, subject %q", err, src.claims().Subject)
	}
}

// TestActionsToken: the request carries the bearer token and Entra ID's
// audience; a refusal names the variables, never the tokens.
func TestActionsToken(t *testing.T) {
	idToken := makeJWT(t, map[string]any{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:contoso/ops:ref:refs/heads/main", "aud": federatedAudience, "exp": time.Now().Add(5 * time.Minute).Unix()})
	const requestToken = "request-token-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+requestToken {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("audience") != federatedAudience || r.URL.Query().Get("api-version") != "2.0" {
			http.Error(w, "bad query "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"count":1,"value":"` + idToken + `"}`))
	}))
	defer srv.Close()

	src := actionsFederatedSource(srv.URL+"/idtoken?api-version=2.0", requestToken)
	got, fetchErr := src.fetch(context.Background(), srv.Client())
	if fetchErr != nil || got != idToken {
		t.Fatalf("fetch = %v", fetchErr)
	}
	if c := src.claims(); c.Subject != "repo:contoso/ops:ref:refs/heads/main" || c.Audience != federatedAudience {
		t.Errorf("claims = %+v", c)
	}

	// Plain HTTP beyond this machine would show the bearer token.
	_, err := actionsFederatedSource("http://actions.example/idtoken", requestToken).fetch(context.Background(), srv.Client())
	if err == nil || !strings.Contains(err.Error(), "is not an https URL") {
		t.Errorf("http URL: %v", err)
	}

	_, err = actionsFederatedSource(srv.URL+"/idtoken?api-version=2.0", "wrong").fetch(context.Background(), srv.Client())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("refused: %v", err)
	}
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Fix, "id-token: write") {
		t.Errorf("refused: fix = %+v", se)
	}
}

func TestFromAzureEnv(t *testing.T) {
	env := map[string]string{
		"AZURE_CLIENT_ID": "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b", "AZURE_TENANT_ID": "7f1b4e5a-3c2d-4f6a-9b0c-1d2e3f4a5b6c",
		"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token", "EXORUN_APP_ID": "from-exorun",
	}
	az := FromAzureEnv(lookupMap(env))
	// The token file is a detected credential (TestCredentialOrder), not
	// a setting.
	if az.AppID != env["AZURE_CLIENT_ID"] || az.Organization != env["AZURE_TENANT_ID"] || az.FederatedTokenFile != "" {
		t.Errorf("FromAzureEnv = %+v", az)
	}
	// The lowest layer: exorun's own variable and a profile win.
	profile := Settings{Organization: "contoso.onmicrosoft.com"}
	got := Merge(FromEnv(lookupMap(env)), profile, az)
	if got.AppID != "from-exorun" || got.Organization != "contoso.onmicrosoft.com" {
		t.Errorf("merged = %+v", got)
	}
}

// TestPrimedTokenIsNotKept: the first acquisition takes the primed
// token; one MSAL never took (its first token came from its cache) is
// dropped, so a later acquisition reads the file again rather than
// sending a token from the start of the run.
func TestPrimedTokenIsNotKept(t *testing.T) {
	dir := t.TempDir()
	mint := func(sub string) string {
		return makeJWT(t, map[string]any{"iss": "https://oidc.example", "sub": sub, "aud": federatedAudience, "exp": time.Now().Add(time.Hour).Unix()})
	}
	first, rotated := mint("first"), mint("rotated")
	path := writeFile(t, dir, "token", []byte(first))
	src, err := fileFederatedSource(path, &Options{ReadFile: os.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := src.prime(ctx, nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "token", []byte(rotated))
	if got, _ := src.assertion(ctx, nil); got != first {
		t.Error("the first acquisition did not take the primed token")
	}
	if got, _ := src.assertion(ctx, nil); got != rotated {
		t.Error("the second acquisition did not read the file again")
	}

	writeFile(t, dir, "token", []byte(first))
	if err := src.prime(ctx, nil); err != nil {
		t.Fatal(err)
	}
	src.drop()
	writeFile(t, dir, "token", []byte(rotated))
	if got, _ := src.assertion(ctx, nil); got != rotated {
		t.Error("a dropped primed token was handed out")
	}
}

// TestProfileSwitchBoolean: a profile may say "managed_identity": true,
// as connect{} may; other keys still want strings.
func TestProfileSwitchBoolean(t *testing.T) {
	s, err := ParseProfile("ops", []byte(`{"managed_identity": true, "organization": "contoso.onmicrosoft.com"}`), lookupMap(nil))
	if err != nil || s.ManagedIdentity != "true" {
		t.Errorf("managed_identity true: %+v, %v", s, err)
	}
	if _, err := ParseProfile("ops", []byte(`{"app_id": true}`), lookupMap(nil)); err == nil || !strings.Contains(err.Error(), "app_id wants a string") {
		t.Errorf("app_id true: %v", err)
	}
}
