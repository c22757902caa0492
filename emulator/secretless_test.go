package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"
	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/emulator/directory"
)

const outlookScope = "https://outlook.office365.com/.default"

// onboard gives an app or identity of the demo tenant what the demo app
// has: Exchange.ManageAsApp consented and Exchange Administrator.
func onboard(t *testing.T, d *emulator.Directory, tenant, appID string) {
	t.Helper()
	if err := d.GrantManageAsApp(tenant, appID); err != nil {
		t.Fatal(err)
	}
	if err := d.Consent(tenant, appID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AssignRole(tenant, appID, "Exchange Administrator"); err != nil {
		t.Fatal(err)
	}
}

// callGetMailbox calls Get-Mailbox with token and wants it to work.
func callGetMailbox(t *testing.T, ep emulator.Endpoints, hc *http.Client, token string) {
	t.Helper()
	resp, data := invoke(t, hc, ep.ExchangeURL+"/adminapi/beta/"+ep.TenantID+"/InvokeCommand", token,
		`{"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"Identity":"MeganB"}}}`, 0)
	if resp.StatusCode != 200 || !strings.Contains(string(data), "Megan Bowen") {
		t.Fatalf("Get-Mailbox: %d %s", resp.StatusCode, data)
	}
}

// federatedClient is MSAL Go's confidential client for appID whose
// credential is an external token, as a workload identity federation
// client builds it: assertion is called for each acquisition.
func federatedClient(t *testing.T, ep emulator.Endpoints, hc *http.Client, appID string, assertion func() (string, error)) confidential.Client {
	t.Helper()
	cred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
		return assertion()
	})
	app, err := confidential.New(ep.Authority+"/"+ep.Organization, appID, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestWorkloadIdentityFederation signs an app in with tokens of the
// emulator's test issuer, through MSAL Go over real TLS, the way a
// Kubernetes pod and a GitHub Actions job do, and calls a cmdlet.
func TestWorkloadIdentityFederation(t *testing.T) {
	dir := t.TempDir()
	em := start(t, dir, 0)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	if ep.OIDCIssuer != ep.Authority+"/oidc" || ep.ActionsIDTokenURL != ep.OIDCIssuer+"/actions/idtoken" {
		t.Fatalf("endpoints %+v", ep)
	}

	// The issuer's discovery document and keys, as Entra would fetch them.
	var disc struct{ Issuer, JWKSURI string }
	getJSON(t, hc, ep.OIDCIssuer+"/.well-known/openid-configuration", nil, &disc)
	if disc.Issuer != ep.OIDCIssuer {
		t.Fatalf("discovery %+v", disc)
	}
	var keys struct{ Keys []map[string]string }
	getJSON(t, hc, ep.OIDCIssuer+"/keys", nil, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0]["kid"] != em.Issuer().KeyID() {
		t.Fatalf("jwks %+v", keys)
	}

	d := em.Directory()
	app, err := d.RegisterApp(ep.TenantID, "nightly report")
	if err != nil {
		t.Fatal(err)
	}
	onboard(t, d, ep.TenantID, app.AppID)
	const podSubject = "system:serviceaccount:reports:runner"
	if _, err := d.AddFederatedCredential(ep.TenantID, app.AppID, directory.FederatedCredential{Issuer: ep.OIDCIssuer, Subject: podSubject}); err != nil {
		t.Fatal(err)
	}

	// Kubernetes: a projected token, minted as the kubelet would.
	pod := federatedClient(t, ep, hc, app.AppID, func() (string, error) {
		return em.Issuer().Mint(podSubject, directory.DefaultFederatedAudience, time.Hour)
	})
	res, err := pod.AcquireTokenByCredential(context.Background(), []string{outlookScope})
	if err != nil {
		t.Fatalf("federated sign-in: %v", err)
	}
	callGetMailbox(t, ep, hc, res.AccessToken)

	// The same, minted from the state folder as `exorun emulator admin
	// federated-token` does.
	minted, issuer, err := emulator.MintFederatedToken(dir, podSubject, "", time.Hour)
	if err != nil || issuer != ep.OIDCIssuer {
		t.Fatalf("MintFederatedToken: %s %v", issuer, err)
	}
	fresh := federatedClient(t, ep, hc, app.AppID, func() (string, error) { return minted, nil })
	if _, err := fresh.AcquireTokenByCredential(context.Background(), []string{outlookScope}); err != nil {
		t.Fatalf("token minted from the state folder: %v", err)
	}

	// A subject the app does not trust: Entra's code, the presented
	// subject and the one registered.
	stranger := federatedClient(t, ep, hc, app.AppID, func() (string, error) {
		return em.Issuer().Mint("system:serviceaccount:reports:other", directory.DefaultFederatedAudience, time.Hour)
	})
	_, err = stranger.AcquireTokenByCredential(context.Background(), []string{outlookScope})
	if err == nil || !strings.Contains(err.Error(), "AADSTS700213") || !strings.Contains(err.Error(), "'system:serviceaccount:reports:other'") || !strings.Contains(err.Error(), "Subject is '"+podSubject+"'") {
		t.Fatalf("wrong subject: %v", err)
	}

	// GitHub Actions: the job asks the ID token endpoint, with the
	// variables `exorun emulator env --github-actions` prints.
	const jobSubject = "repo:contoso/reports:environment:Prod"
	if _, err := d.AddFederatedCredential(ep.TenantID, app.AppID, directory.FederatedCredential{Issuer: ep.OIDCIssuer, Subject: jobSubject}); err != nil {
		t.Fatal(err)
	}
	vars, err := emulator.GitHubActionsEnv(dir, ep, jobSubject)
	if err != nil || len(vars) != 2 || vars[0][0] != "ACTIONS_ID_TOKEN_REQUEST_URL" || vars[1][0] != "ACTIONS_ID_TOKEN_REQUEST_TOKEN" {
		t.Fatalf("GitHubActionsEnv: %v %v", vars, err)
	}
	job := federatedClient(t, ep, hc, app.AppID, func() (string, error) {
		var body struct{ Value string }
		getJSON(t, hc, vars[0][1]+"&audience="+url.QueryEscape(directory.DefaultFederatedAudience), http.Header{"Authorization": {"Bearer " + vars[1][1]}}, &body)
		return body.Value, nil
	})
	res, err = job.AcquireTokenByCredential(context.Background(), []string{outlookScope})
	if err != nil {
		t.Fatalf("GitHub Actions sign-in: %v", err)
	}
	callGetMailbox(t, ep, hc, res.AccessToken)
}

// TestManagedIdentityEndpoint signs the demo tenant's managed identities
// in through MSAL Go's managed identity client (source App Service) and
// calls a cmdlet with their tokens. It sets IDENTITY_* with t.Setenv, so
// it cannot run in parallel.
func TestManagedIdentityEndpoint(t *testing.T) {
	dir := t.TempDir()
	em := start(t, dir, 0)
	ep := em.Endpoints()
	hc := httpClient(t, ep)
	if !strings.HasPrefix(ep.IdentityEndpoint, "http://127.0.0.1:") || !strings.HasSuffix(ep.IdentityEndpoint, "/msi/token") {
		t.Fatalf("identity endpoint %q", ep.IdentityEndpoint)
	}
	d := em.Directory()
	sa, err := d.CreateManagedIdentity(ep.TenantID, "exorun-host", false)
	if err != nil {
		t.Fatal(err)
	}
	ua, err := d.CreateManagedIdentity(ep.TenantID, "reports-runner", true)
	if err != nil {
		t.Fatal(err)
	}
	onboard(t, d, ep.TenantID, sa.AppID)
	// A user-assigned identity's app role assignment is its consent.
	if err := d.GrantManageAsApp(ep.TenantID, ua.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AssignRole(ep.TenantID, ua.AppID, "Exchange Administrator"); err != nil {
		t.Fatal(err)
	}

	vars, err := emulator.IdentityEnv(dir, ep)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range vars {
		t.Setenv(kv[0], kv[1])
	}
	t.Setenv("IDENTITY_SERVER_THUMBPRINT", "") // set, it would mean Service Fabric
	if src, err := managedidentity.GetSource(); err != nil || src != managedidentity.AppService {
		t.Fatalf("MSAL source %q %v", src, err)
	}
	plain := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(plain.CloseIdleConnections)
	for name, id := range map[string]managedidentity.ID{
		"system-assigned":           managedidentity.SystemAssigned(),
		"user-assigned by client":   managedidentity.UserAssignedClientID(ua.AppID),
		"user-assigned by resource": managedidentity.UserAssignedResourceID(ua.ManagedIdentity.ResourceID),
	} {
		t.Run(name, func(t *testing.T) {
			client, err := managedidentity.New(id, managedidentity.WithHTTPClient(plain), managedidentity.WithRetryPolicyDisabled())
			if err != nil {
				t.Fatal(err)
			}
			// WithClaims skips MSAL's process-wide token cache.
			res, err := client.AcquireToken(context.Background(), outlookScope, managedidentity.WithClaims(`{"access_token":{"xms_t":{"value":"`+t.Name()+`"}}}`))
			if err != nil {
				t.Fatalf("managed identity sign-in: %v", err)
			}
			callGetMailbox(t, ep, hc, res.AccessToken)
		})
	}

	// The header is required; an unknown resource is Entra's refusal,
	// relayed.
	var body map[string]any
	if code := getJSON(t, plain, ep.IdentityEndpoint+"?api-version=2019-08-01&resource=https://outlook.office365.com", http.Header{"X-IDENTITY-HEADER": {"wrong"}}, &body); code != http.StatusForbidden {
		t.Fatalf("wrong header: %d %v", code, body)
	}
	if code := getJSON(t, plain, ep.IdentityEndpoint+"?api-version=2019-08-01&resource=https://graph.microsoft.com", http.Header{"X-IDENTITY-HEADER": {vars[1][1]}}, &body); code != http.StatusBadRequest || !strings.HasPrefix(body["message"].(string), "AADSTS500011") {
		t.Fatalf("unknown resource: %d %v", code, body)
	}

	// A restart keeps the endpoint's address and header, so a shell set
	// up before it still works.
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	again := start(t, dir, 0)
	if got := again.Endpoints().IdentityEndpoint; got != ep.IdentityEndpoint {
		t.Errorf("identity endpoint moved from %s to %s", ep.IdentityEndpoint, got)
	}
	if vars2, err := emulator.IdentityEnv(dir, again.Endpoints()); err != nil || vars2[1][1] != vars[1][1] {
		t.Errorf("identity header changed: %v", err)
	}
	header, _ := os.Stat(filepath.Join(dir, emulator.IdentityHeaderFile))
	if header == nil || header.Mode().Perm() != 0o600 {
		t.Errorf("identity header file %v", header)
	}
}

func TestSkipSecretless(t *testing.T) {
	em, err := emulator.Start(emulator.Options{StateDir: t.TempDir(), SkipSecretless: true})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	ep := em.Endpoints()
	if ep.IdentityEndpoint != "" || ep.OIDCIssuer != "" || em.Issuer() != nil {
		t.Fatalf("endpoints %+v", ep)
	}
	if _, err := emulator.IdentityEnv(t.TempDir(), ep); err == nil {
		t.Fatal("IdentityEnv without an identity endpoint")
	}
}

func getJSON(t *testing.T, hc *http.Client, u string, h http.Header, v any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %d, %v", u, resp.StatusCode, err)
	}
	return resp.StatusCode
}
