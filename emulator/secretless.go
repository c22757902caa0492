package emulator

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/entra"
	"github.com/exorun/exorun/emulator/internal/statefile"
	"github.com/exorun/exorun/emulator/msi"
	"github.com/exorun/exorun/emulator/oidc"
)

// Secretless sign-in: the emulated host's managed identity endpoint (App
// Service's shape, plain HTTP on a loopback listener of its own, as the
// real one is HTTP on localhost) and the test OIDC issuer whose tokens
// federated credentials accept (on the main HTTPS listener, under /oidc).

const (
	// IdentityHeaderFile holds the identity endpoint's IDENTITY_HEADER
	// secret, mode 0600. It is kept so shells set up before a restart
	// still reach the endpoint after it.
	IdentityHeaderFile = "identity-header"
	// IdentityPath is the identity endpoint's path: IDENTITY_ENDPOINT is
	// http://{identity listener}/msi/token.
	IdentityPath = "/msi/token"
)

// startSecretless loads the test issuer and the identity header, and
// listens for the identity endpoint: on the address the state folder last
// served it on when that is free, else a free port on the main listener's
// loopback host.
func (e *Emulator) startSecretless(opts Options, base string) error {
	var err error
	if e.issuer, err = oidc.Load(opts.StateDir, base, opts.Now); err != nil {
		return err
	}
	if e.idHeader, err = statefile.Secret(filepath.Join(opts.StateDir, IdentityHeaderFile), "identity header", msi.NewHeader); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(e.ln.Addr().String())
	if err != nil {
		return fmt.Errorf("emulator: identity endpoint: %w", err)
	}
	addr := net.JoinHostPort(host, "0")
	if remembered := rememberedIdentityAddr(opts.StateDir); remembered != "" {
		if e.idLn, err = net.Listen("tcp", remembered); err == nil {
			return nil
		}
	}
	if e.idLn, err = net.Listen("tcp", addr); err != nil {
		return fmt.Errorf("emulator: identity endpoint: listen on %s: %w", addr, err)
	}
	return nil
}

// rememberedIdentityAddr is the host:port of the identity endpoint in the
// state folder's endpoints.json, "" when there is none or it is no
// loopback address.
func rememberedIdentityAddr(dir string) string {
	ep, err := ReadEndpoints(dir)
	if err != nil || ep.IdentityEndpoint == "" {
		return ""
	}
	u, err := url.Parse(ep.IdentityEndpoint)
	if err != nil || u.Port() == "" || u.Port() == "0" || checkLoopback(u.Host) != nil {
		return ""
	}
	return u.Host
}

// issuerKeys is the token service's view of the identity providers it
// can reach: the emulator's own test issuer, looked up in-process (what
// its JWKS publishes), and no other, since the emulator never goes to
// the internet.
func (e *Emulator) issuerKeys() entra.IssuerKeys {
	if e.issuer == nil {
		return nil
	}
	return func(issuer string) (map[string]*rsa.PublicKey, bool) {
		if issuer != e.issuer.URL() {
			return nil, false
		}
		return e.issuer.PublicKeys(), true
	}
}

// serveIdentity serves the identity endpoint until Close.
func (e *Emulator) serveIdentity(tenantID string) {
	mux := http.NewServeMux()
	mux.Handle(IdentityPath, msi.Handler(identityHost{dir: e.dir, tokens: e.tokens, tenantID: tenantID}, e.idHeader))
	e.idSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() { e.idServed <- e.idSrv.Serve(e.idLn) }()
}

// identityHost is the emulated host behind the identity endpoint: the
// demo tenant's managed identities, read from the directory at each
// request (an admin may add one while the emulator runs), signed by the
// token service.
type identityHost struct {
	dir      *directory.Directory
	tokens   *entra.Service
	tenantID string
}

// Identities lists the demo tenant's managed identities. A
// system-assigned identity has no resource id of its own to select it by
// (its resource id is its host's), so it goes to the endpoint without one.
func (h identityHost) Identities() []msi.Identity {
	mis, err := h.dir.ManagedIdentities(h.tenantID)
	if err != nil {
		return nil
	}
	out := make([]msi.Identity, 0, len(mis))
	for _, a := range mis {
		id := msi.Identity{ClientID: a.AppID, ObjectID: a.ObjectID, SystemAssigned: a.ManagedIdentity.SystemAssigned}
		if !id.SystemAssigned {
			id.ResourceID = a.ManagedIdentity.ResourceID
		}
		out = append(out, id)
	}
	return out
}

// Issue signs the identity's token. Entra's refusals (a disabled identity,
// an unknown resource) reach the client with their status and AADSTS
// text, as App Service relays them.
func (h identityHost) Issue(_ context.Context, id msi.Identity, resource string) (string, time.Time, error) {
	t, err := h.dir.Tenant(h.tenantID)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity endpoint: %w", err)
	}
	app, ok := t.App(id.ClientID)
	if !ok || !app.IsManagedIdentity() {
		// Removed between Identities and Issue.
		return "", time.Time{}, &msi.IssueError{Status: http.StatusBadRequest, Message: "No Managed Identity found for specified ClientId/ResourceId/PrincipalId."}
	}
	tok, exp, err := h.tokens.IssueFor(t, app, resource)
	var refused interface{ HTTPStatus() int }
	if errors.As(err, &refused) {
		msg := err.Error()
		if i := strings.Index(msg, "AADSTS"); i >= 0 {
			msg = msg[i:]
		}
		return "", time.Time{}, &msi.IssueError{Status: refused.HTTPStatus(), Message: msg}
	}
	return tok, exp, err
}

// IdentityEnv returns the variables that select the App Service managed
// identity source (MSAL's "AppService") and reach the identity endpoint
// of the emulator serving stateDir, whose endpoints.json is ep:
// IDENTITY_ENDPOINT and IDENTITY_HEADER. The header is a secret: print it
// only where the user asked for it.
func IdentityEnv(stateDir string, ep Endpoints) ([][2]string, error) {
	if ep.IdentityEndpoint == "" {
		return nil, errors.New("emulator: the serving emulator has no managed identity endpoint (an older exorun, or one started without it)")
	}
	header, err := statefile.ReadSecret(filepath.Join(stateDir, IdentityHeaderFile), "identity header")
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return [][2]string{{"IDENTITY_ENDPOINT", ep.IdentityEndpoint}, {"IDENTITY_HEADER", header}}, nil
}

// GitHubActionsEnv returns the variables a GitHub Actions job with
// id-token: write has, reaching the test issuer of the emulator serving
// stateDir for tokens about subject: ACTIONS_ID_TOKEN_REQUEST_URL (the
// subject in its query; a client appends &audience=...) and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, a secret.
func GitHubActionsEnv(stateDir string, ep Endpoints, subject string) ([][2]string, error) {
	if ep.ActionsIDTokenURL == "" {
		return nil, errors.New("emulator: the serving emulator has no test OIDC issuer (an older exorun, or one started without it)")
	}
	if subject == "" {
		return nil, errors.New("emulator: the subject is empty: give the sub the tokens should carry, such as repo:OWNER/REPO:environment:NAME")
	}
	token, err := oidc.ReadRequestToken(stateDir)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return [][2]string{
		{"ACTIONS_ID_TOKEN_REQUEST_URL", ep.ActionsIDTokenURL + "?subject=" + url.QueryEscape(subject)},
		{"ACTIONS_ID_TOKEN_REQUEST_TOKEN", token},
	}, nil
}

// MintFederatedToken signs a token of the test issuer of the emulator
// whose state folder is stateDir, about subject for audience (empty:
// directory.DefaultFederatedAudience), valid for lifetime: what a
// Kubernetes projected service account token is to Entra. The issuer URL
// holds the emulator's address as its endpoints.json names it, so the
// emulator must have served the folder once. It returns the issuer too.
func MintFederatedToken(stateDir, subject, audience string, lifetime time.Duration) (token, issuer string, err error) {
	ep, err := ReadEndpoints(stateDir)
	if err != nil {
		return "", "", fmt.Errorf("%w (start the emulator once: the issuer's URL holds its address)", err)
	}
	iss, err := oidc.Load(stateDir, ep.Authority, nil)
	if err != nil {
		return "", "", err
	}
	if audience == "" {
		audience = directory.DefaultFederatedAudience
	}
	token, err = iss.Mint(subject, audience, lifetime)
	return token, iss.URL(), err
}

// Issuer is the emulator's test OIDC issuer, for tests that mint external
// tokens; nil with Options.SkipSecretless.
func (e *Emulator) Issuer() *oidc.Issuer { return e.issuer }
