package connect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"

	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/internal/exitcode"
)

// Secretless sign-in (PROTOCOL.md 8): a managed identity of the Azure
// resource the job runs on, through MSAL Go's managed identity client;
// or a federated token from Kubernetes or GitHub Actions, exchanged as a
// client assertion through MSAL's confidential client. Both renew like a
// certificate does, through TokenSource.

// The GitHub Actions variables a job with "permissions: id-token: write"
// has, and the audience Entra ID wants in the token.
const (
	actionsURLVar     = "ACTIONS_ID_TOKEN_REQUEST_URL"
	actionsTokenVar   = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	federatedAudience = "api://AzureADTokenExchange"
	// actionsTimeout bounds one ID token request: the first one runs on
	// the caller's context, which may have no deadline.
	actionsTimeout = 30 * time.Second
)

// AzureTokenFileVar is the token file the AKS workload identity webhook
// names. Like the Actions variables it is detected, not configured: it
// signs in only when no credential is set (federated_token_file is the
// setting that says "use this file").
const AzureTokenFileVar = "AZURE_FEDERATED_TOKEN_FILE"

// managedIdentity is the managed_identity setting, parsed.
type managedIdentity struct {
	id   managedidentity.ID
	what string // "system-assigned", "user-assigned, client id ..."
	// source is where MSAL will ask, from the variables the platform
	// sets (MSAL reads the process environment itself).
	source managedidentity.Source
	// httpc reaches the endpoint; the session closes its idle
	// connections.
	httpc *http.Client
}

// parseManagedIdentity reads managed_identity: true (or "system") for
// the system-assigned identity, a GUID for a user-assigned identity's
// client id, /subscriptions/... for its resource id, object_id:GUID for
// its object id. It returns nil for "" and false.
func parseManagedIdentity(v string) (*managedIdentity, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "false":
		return nil, nil
	case "true", "system":
		return newManagedIdentity(managedidentity.SystemAssigned(), "system-assigned"), nil
	}
	if guidRE.MatchString(v) {
		return newManagedIdentity(managedidentity.UserAssignedClientID(v), "user-assigned, client id "+v), nil
	}
	if strings.HasPrefix(strings.ToLower(v), "/subscriptions/") {
		return newManagedIdentity(managedidentity.UserAssignedResourceID(v), "user-assigned, resource id "+v), nil
	}
	if k, id, ok := strings.Cut(v, ":"); ok && strings.EqualFold(k, "object_id") && guidRE.MatchString(id) {
		return newManagedIdentity(managedidentity.UserAssignedObjectID(id), "user-assigned, object id "+id), nil
	}
	return nil, fmt.Errorf("managed_identity %q: want true, a client id (GUID), a resource id (/subscriptions/...) or object_id:GUID", v)
}

func newManagedIdentity(id managedidentity.ID, what string) *managedIdentity {
	// GetSource only reads variables; its error return is never set.
	source, _ := managedidentity.GetSource()
	return &managedIdentity{id: id, what: what, source: source}
}

// sourceNames say where each MSAL source lives, for whoami and errors.
var sourceNames = map[managedidentity.Source]string{
	managedidentity.AppService:    "IDENTITY_ENDPOINT (App Service, Container Apps, Automation)",
	managedidentity.DefaultToIMDS: "the instance metadata service at 169.254.169.254",
	managedidentity.AzureArc:      "the Azure Arc agent (IDENTITY_ENDPOINT, IMDS_ENDPOINT)",
	managedidentity.CloudShell:    "MSI_ENDPOINT (Cloud Shell)",
	managedidentity.AzureML:       "MSI_ENDPOINT (Azure Machine Learning)",
	managedidentity.ServiceFabric: "IDENTITY_ENDPOINT (Service Fabric)",
}

func (m *managedIdentity) where() string {
	if name, ok := sourceNames[m.source]; ok {
		return name
	}
	return string(m.source)
}

func (m *managedIdentity) describe() string { return m.what + ", from " + m.where() }

// identityHTTPClient reaches the identity endpoint: on the host itself
// (loopback or link-local), so never through a proxy, and quick to say
// when nothing listens (IMDS on a machine outside Azure).
func identityHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = (&net.Dialer{Timeout: 3 * time.Second}).DialContext
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// acquirer gets tokens for resource from the identity endpoint. A fresh
// request passes claims, which makes MSAL skip its cache.
func (m *managedIdentity) acquirer(resource string) (acquireFunc, error) {
	m.httpc = identityHTTPClient()
	client, err := managedidentity.New(m.id, managedidentity.WithHTTPClient(m.httpc))
	if err != nil {
		return nil, stepErr(StepIdentity, exitcode.Auth, "check managed_identity and the identity's kind (this platform may support system-assigned identities only)",
			"managed identity, %s: %v", m.describe(), err)
	}
	return func(ctx context.Context, fresh bool) (string, time.Time, error) {
		var opts []managedidentity.AcquireTokenOption
		if fresh {
			opts = append(opts, managedidentity.WithClaims(freshClaims))
		}
		res, err := client.AcquireToken(ctx, resource, opts...)
		if err != nil {
			return "", time.Time{}, err
		}
		if res.AccessToken == "" {
			return "", time.Time{}, errors.New("the identity endpoint returned an empty access token")
		}
		return res.AccessToken, res.ExpiresOn, nil
	}, nil
}

// failure explains why the identity endpoint gave no token: nothing
// listens, it refused the request's secret header, or the resource has
// no such identity.
func (m *managedIdentity) failure(err error) *StepError {
	var se *StepError
	if errors.As(err, &se) {
		return se
	}
	var call msalerrors.CallErr
	var opErr *net.OpError
	status := 0
	if errors.As(err, &call) && call.Resp != nil {
		status = call.Resp.StatusCode
	}
	fail := func(fix, format string, args ...any) *StepError {
		s := stepErr(StepIdentity, exitcode.Auth, fix, format, args...)
		s.Err = err
		return s
	}
	if code := aadstsRE.FindStringSubmatch(err.Error()); code != nil {
		// The endpoint relays Entra ID's own refusal (a disabled
		// identity, an unknown resource).
		return fail("see https://login.microsoftonline.com/error?code="+code[1],
			"%s relayed Entra ID's refusal: %s", m.where(), aadDescription(err.Error(), code[0]))
	}
	switch {
	case status == 0 && (errors.As(err, &opErr) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err)):
		return fail("run the job on an Azure resource with a managed identity turned on (VM, App Service, Container Apps, Automation account, AKS node), or use a certificate or workload identity federation outside Azure",
			"no managed identity endpoint reachable: MSAL asked %s, chosen from the variables this process has, and nothing answered (%v)", m.where(), err)
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) && !m.sendsSecret():
		// IMDS takes no secret: a refusal comes from something else
		// on that address (a proxy, a non-Azure cloud's metadata).
		return fail("run the job on an Azure resource with a managed identity turned on (VM, App Service, Container Apps, Automation account, AKS node), or use a certificate or workload identity federation outside Azure",
			"no managed identity endpoint here: %s answered HTTP %d (%s), which Azure's identity endpoint does not", m.where(), status, endpointMessage(err))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fail("let the platform set IDENTITY_ENDPOINT and IDENTITY_HEADER (never copy them between hosts or restarts); restart the app after turning the identity on",
			"the identity endpoint, %s, refused the request (HTTP %d): the IDENTITY_HEADER this process has is not the one the platform issued", m.where(), status)
	case status == http.StatusBadRequest || status == http.StatusNotFound:
		return fail("turn on the system-assigned identity of the resource (az webapp identity assign, az containerapp identity assign --system-assigned, az vm identity assign), or attach the user-assigned identity (az webapp identity assign --identities RESOURCE_ID) and name it by its client id",
			"the resource has no such managed identity (%s): %s answered HTTP %d (%s)", m.what, m.where(), status, endpointMessage(err))
	}
	return fail("", "managed identity token request to %s failed: %v", m.where(), err)
}

// sendsSecret reports whether the source authenticates its requests
// with a secret the platform sets (IDENTITY_HEADER, MSI_SECRET).
func (m *managedIdentity) sendsSecret() bool {
	switch m.source {
	case managedidentity.AppService, managedidentity.ServiceFabric, managedidentity.AzureML:
		return true
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// endpointMessage is the identity endpoint's answer in MSAL's error,
// which ends with the reply body: one line, short.
func endpointMessage(err error) string {
	text := err.Error()
	if i := strings.LastIndex(text, "\n"); i >= 0 {
		text = text[i+1:]
	}
	var body struct {
		Message string `json:"message"`
		Error   string `json:"error_description"`
	}
	if json.Unmarshal([]byte(text), &body) == nil {
		if body.Message != "" {
			return body.Message
		}
		if body.Error != "" {
			return body.Error
		}
	}
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return text
}

// federatedSource hands out the external token that is exchanged for an
// Entra ID token. The token is short-lived (the kubelet rotates the
// file; an Actions ID token lasts minutes), so it is fetched again for
// every Entra ID token rather than kept.
type federatedSource struct {
	describe string // "file PATH", "GitHub Actions ID token"
	fetch    func(ctx context.Context, httpc *http.Client) (string, error)

	mu   sync.Mutex
	last federatedClaims // of the token last handed out, for messages
	// next is a token fetched by prime and not yet handed out.
	next string
}

// prime fetches the first token before MSAL is involved, so a source
// that gives none (an Actions job without id-token: write) fails on its
// own terms, before any Entra ID round trip; MSAL's first acquisition
// takes this token.
func (f *federatedSource) prime(ctx context.Context, httpc *http.Client) error {
	f.mu.Lock()
	ready := f.next != ""
	f.mu.Unlock()
	if ready {
		return nil // the file source read its token while resolving
	}
	token, err := f.fetch(ctx, httpc)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.next = token
	f.mu.Unlock()
	return nil
}

// federatedClaims are what Entra ID matches a federated credential on.
type federatedClaims struct {
	Issuer, Subject, Audience string
	Expires                   time.Time
}

// credential is MSAL's credential: an assertion callback that fetches
// the token on every acquisition.
func (f *federatedSource) credential(httpc *http.Client) confidential.Credential {
	return confidential.NewCredFromAssertionCallback(func(ctx context.Context, _ confidential.AssertionRequestOptions) (string, error) {
		return f.assertion(ctx, httpc)
	})
}

// assertion is the token for one acquisition: the primed one, once,
// else a fresh one.
func (f *federatedSource) assertion(ctx context.Context, httpc *http.Client) (string, error) {
	f.mu.Lock()
	token := f.next
	f.next = ""
	f.mu.Unlock()
	if token != "" {
		return token, nil
	}
	return f.fetch(ctx, httpc)
}

// claims are the issuer, subject and audience of the token last handed
// out; zero before the first.
func (f *federatedSource) claims() federatedClaims {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// drop forgets a primed token MSAL did not take (its first token came
// from its cache): handed out later it could be stale.
func (f *federatedSource) drop() {
	f.mu.Lock()
	f.next = ""
	f.mu.Unlock()
}

func (f *federatedSource) remember(c federatedClaims) {
	f.mu.Lock()
	f.last = c
	f.mu.Unlock()
}

// fileFederatedSource reads the token from a file at every
// acquisition, as the kubelet rewrites the projected token before it
// expires. The file is read once here too, so a missing or expired
// token fails before any network call, and doctor can show its claims.
func fileFederatedSource(path string, o *Options) (*federatedSource, error) {
	if o.ReadFile == nil {
		return nil, exitcode.New(exitcode.Usage, "federated_token_file %s: no file access configured", path)
	}
	now := o.now
	src := &federatedSource{describe: "file " + path}
	read := func() (string, error) {
		data, err := o.ReadFile(path)
		if err != nil {
			return "", stepErr(StepCredential, exitcode.Auth,
				"on AKS, label the pod azure.workload.identity/use: \"true\" and annotate its service account with azure.workload.identity/client-id; elsewhere point federated_token_file at the projected service account token",
				"federated token file %s: %v", path, cleanPathError(err))
		}
		token := strings.TrimSpace(string(data))
		c, err := readFederatedClaims(token)
		if err != nil {
			return "", stepErr(StepCredential, exitcode.Auth, "point federated_token_file at the projected service account token (a JWT), not at a folder or another file",
				"federated token file %s: %v", path, err)
		}
		if !c.Expires.IsZero() && !now().Before(c.Expires) {
			return "", stepErr(StepCredential, exitcode.Auth, "the kubelet rewrites the projected token before it expires: read it from the projected volume, not from a copy",
				"federated token file %s holds a token that expired at %s", path, c.Expires.UTC().Format(time.RFC3339))
		}
		src.remember(c)
		return token, nil
	}
	token, err := read()
	if err != nil {
		return nil, err
	}
	src.next = token // MSAL's first acquisition takes it: the file is read once to connect
	src.fetch = func(context.Context, *http.Client) (string, error) { return read() }
	return src, nil
}

// cleanPathError drops the path an *fs.PathError repeats.
func cleanPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// actionsFederatedSource asks GitHub Actions for an ID token for Entra
// ID's audience at every acquisition: the request URL and bearer token
// the runner gives a job with "permissions: id-token: write".
func actionsFederatedSource(requestURL, requestToken string) *federatedSource {
	src := &federatedSource{describe: "GitHub Actions ID token (" + actionsURLVar + ")"}
	src.fetch = func(ctx context.Context, httpc *http.Client) (string, error) {
		token, err := fetchActionsToken(ctx, httpc, requestURL, requestToken)
		if err != nil {
			return "", err
		}
		c, err := readFederatedClaims(token)
		if err != nil {
			return "", stepErr(StepCredential, exitcode.Auth, "", "GitHub Actions ID token: %v", err)
		}
		src.remember(c)
		return token, nil
	}
	return src
}

// fetchActionsToken is GitHub's ID token request: GET the request URL
// with &audience=..., the request token as bearer; the answer is
// {"value": "<JWT>"}. Neither token ever reaches an error message (the
// URL may, and holds neither).
func fetchActionsToken(ctx context.Context, httpc *http.Client, requestURL, requestToken string) (string, error) {
	fix := "give the job 'permissions: id-token: write' and run exorun in that job's steps, where the runner sets " + actionsURLVar + " and " + actionsTokenVar
	u, err := url.Parse(requestURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && adminapi.IsLoopback(u.Hostname()))) {
		// The request token is a bearer secret: never over plain HTTP
		// beyond this machine.
		return "", stepErr(StepCredential, exitcode.Auth, fix, "%s is not an https URL", actionsURLVar)
	}
	ctx, cancel := context.WithTimeout(ctx, actionsTimeout)
	defer cancel()
	q := u.Query()
	q.Set("audience", federatedAudience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", stepErr(StepCredential, exitcode.Auth, fix, "GitHub Actions ID token request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := httpc.Do(req)
	if err != nil {
		return "", stepErr(StepCredential, exitcode.Auth, fix, "GitHub Actions ID token request to %s: %v", u.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", stepErr(StepCredential, exitcode.Auth, fix, "GitHub Actions ID token: reading the answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", stepErr(StepCredential, exitcode.Auth, fix, "GitHub Actions refused the ID token request: HTTP %d (is %s this job's?)", resp.StatusCode, actionsTokenVar)
	}
	var answer struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.Value == "" {
		return "", stepErr(StepCredential, exitcode.Auth, fix, "GitHub Actions answered the ID token request without a token")
	}
	return answer.Value, nil
}

// readFederatedClaims reads the claims Entra ID matches on, without
// checking the signature (Entra ID does that against the issuer's keys).
func readFederatedClaims(token string) (federatedClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return federatedClaims{}, errors.New("not a JWT (three base64url parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return federatedClaims{}, errors.New("not a JWT (three base64url parts)")
	}
	var c struct {
		Iss string  `json:"iss"`
		Sub string  `json:"sub"`
		Aud any     `json:"aud"`
		Exp float64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return federatedClaims{}, errors.New("the token's claims are not JSON")
	}
	out := federatedClaims{Issuer: c.Iss, Subject: c.Sub}
	switch aud := c.Aud.(type) {
	case string:
		out.Audience = aud
	case []any:
		var auds []string
		for _, a := range aud {
			if s, ok := a.(string); ok {
				auds = append(auds, s)
			}
		}
		out.Audience = strings.Join(auds, " ")
	}
	if c.Exp > 0 {
		out.Expires = time.Unix(int64(c.Exp), 0).UTC()
	}
	return out, nil
}

// federatedFailure explains Entra ID's answer to a federated token: no
// federated credential matches (with the exact issuer and subject to
// register), the token expired, or the issuer's keys are out of reach.
// It returns nil for codes that mean the same for every credential.
func federatedFailure(code int, p *plan) *StepError {
	c := p.federated.claims()
	register := fmt.Sprintf(`add a federated credential to app %s with exactly this issuer and subject (case-sensitive): az ad app federated-credential create --id %s --parameters '{"name":"exorun","issuer":"%s","subject":"%s","audiences":["%s"]}'`,
		p.settings.AppID, p.settings.AppID, c.Issuer, c.Subject, federatedAudience)
	switch code {
	case 70021, 700211, 700213, 7002137, 7002138:
		return stepErr(StepUpload, exitcode.Auth, register,
			"no federated credential on app %s matches the token from %s (AADSTS%d): issuer %q, subject %q, audience %q", p.settings.AppID, p.federated.describe, code, c.Issuer, c.Subject, c.Audience)
	case 700212:
		return stepErr(StepUpload, exitcode.Auth, "request the token for the audience "+federatedAudience+" (Kubernetes: the webhook's projected token has it; a custom projection sets audience: "+federatedAudience+"), or add the token's audience to the federated credential",
			"the token from %s is for audience %q, which no federated credential on app %s accepts (AADSTS%d)", p.federated.describe, c.Audience, p.settings.AppID, code)
	case 700024:
		return stepErr(StepClock, exitcode.Auth, "the token must be fresh: read the projected token file, never a copy; check this machine's clock",
			"entra id rejected the token from %s as expired or not yet valid (AADSTS%d; it expires %s)", p.federated.describe, code, c.Expires.Format(time.RFC3339))
	case 50166, 50161, 700222:
		return stepErr(StepUpload, exitcode.Auth, "the issuer's /.well-known/openid-configuration and keys must be reachable from the internet (AKS: az aks update --enable-oidc-issuer; use the URL 'az aks show --query oidcIssuerProfile.issuerUrl' prints)",
			"entra id could not verify the token from %s: it could not fetch the signing keys of issuer %q (AADSTS%d)", p.federated.describe, c.Issuer, code)
	}
	return nil
}
