package emulator

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/exorun/exorun/emulator/internal/atomicfile"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/entra"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/api"
	"github.com/exorun/exorun/emulator/exchange/store"
	"github.com/exorun/exorun/emulator/fixture"
	"github.com/exorun/exorun/emulator/oidc"
)

// Demo tenant and app names. The demo app holds Exchange.ManageAsApp
// (granted and consented) and the Exchange Administrator role.
const (
	DemoTenant  = "contoso"
	DemoAppName = "exorun demo app"
	demoRole    = "Exchange Administrator"
	// EndpointsFile is written to the state folder at start.
	EndpointsFile = "endpoints.json"
	// TenantsFile is written beside it: a CSV with the header
	// "organization" and one row per ready tenant, the --tenants file of
	// exorun run.
	TenantsFile = "tenants.csv"
	// ProfileFile is written beside it too: the demo app's connection
	// settings as an exorun profile (a JSON object of connect{} keys),
	// usable as CONFIG/exorun/profiles/NAME.json.
	ProfileFile = "profile.json"
)

// Options configure an emulator. StateDir is required.
type Options struct {
	// Addr is the loopback address to listen on. Empty means the address
	// the state folder was last served on (its endpoints.json), so a
	// restart keeps the URLs that profiles and shells hold, or a free
	// port on 127.0.0.1 when there is none or it is taken now (AddrNote
	// says so). Other hosts are refused: the emulator's tokens and data
	// are for this machine only.
	Addr     string
	StateDir string
	// Mailboxes > 0 generates a demo tenant of that size from Seed;
	// 0 loads the small hand-written fixture tenant.
	Mailboxes int
	Seed      int64
	// Tenants are more ready tenants beside the demo tenant: names such
	// as "fabrikam" (initial domain fabrikam.onmicrosoft.com). Each gets
	// Exchange data (the fixture, or Mailboxes generated from a seed that
	// differs per tenant) and a service principal of the demo app, which
	// is registered once in contoso as a multi-tenant app would be, with
	// Exchange.ManageAsApp consented and Exchange Administrator assigned:
	// the demo app id and certificate reach every tenant.
	Tenants []string
	// TokenLifetime of issued access tokens (default 75 minutes).
	TokenLifetime time.Duration
	Now           func() time.Time
	// TenantData, when set, builds the Exchange data of every tenant
	// that is not generated (Mailboxes 0) instead of the built-in demo
	// tenant: a fixture file a user wrote, for example.
	TenantData func(tenantID, organization string) *store.Tenant
	// RecordCalls keeps every cmdlet call the admin API receives, per
	// tenant, for Calls: what a test asserts a script sent. Off by
	// default, since a long-running emulator would keep them forever.
	RecordCalls bool
	// SkipSecretless leaves out what secretless sign-in needs: the
	// managed identity endpoint (a second listener) and the test OIDC
	// issuer (a fourth RSA key to generate in a fresh state folder). The
	// in-process demo, which signs in with the demo certificate only,
	// sets it.
	SkipSecretless bool
}

// Endpoints are what a client needs to reach the emulator; the JSON keys
// are a stable interface for scripts and other tools.
type Endpoints struct {
	Authority       string `json:"authority"`
	ExchangeURL     string `json:"exchange_url"`
	ComplianceURL   string `json:"compliance_url"`
	CAFile          string `json:"ca_file"`
	TenantID        string `json:"tenant_id"`
	Organization    string `json:"organization"`
	AppID           string `json:"app_id"`
	CertificateFile string `json:"certificate_file"`
	Thumbprint      string `json:"thumbprint"`
	// Tenants are the ready tenants, the demo tenant first: the demo app
	// reaches each with the same app id and certificate.
	Tenants []EndpointTenant `json:"tenants"`
	// OIDCIssuer is the test OIDC issuer ({authority}/oidc): the issuer
	// of federated credentials that accept its tokens.
	OIDCIssuer string `json:"oidc_issuer,omitempty"`
	// ActionsIDTokenURL is the issuer's GitHub Actions-style ID token
	// endpoint, without its ?subject= query.
	ActionsIDTokenURL string `json:"actions_id_token_url,omitempty"`
	// IdentityEndpoint is the managed identity endpoint
	// (IDENTITY_ENDPOINT, plain HTTP on loopback), serving the demo
	// tenant's managed identities. Its IDENTITY_HEADER is a secret kept
	// in the state folder, not here.
	IdentityEndpoint string `json:"identity_endpoint,omitempty"`
}

// EndpointTenant is one ready tenant in Endpoints.
type EndpointTenant struct {
	Organization string `json:"organization"` // initial domain
	TenantID     string `json:"tenant_id"`
}

// Emulator is a running emulated tenant.
type Emulator struct {
	endpoints Endpoints
	ln        net.Listener
	srv       *http.Server
	served    chan error
	closeOnce sync.Once
	closeErr  error
	dir       *directory.Directory
	tokens    *entra.Service
	data      *store.Store
	admin     *api.Handler
	// seed is Options.Seed, from which tenants other than the demo
	// tenant derive theirs.
	seed int64
	// provisioning serialises giving tenants their Exchange data, so two
	// first requests for a new tenant provision it once.
	provisioning sync.Mutex
	// lock is held on the state folder from Start to Close.
	lock *stateLock
	// tenantData is Options.TenantData.
	tenantData func(tenantID, organization string) *store.Tenant
	// calls are the recorded calls (Options.RecordCalls), nil when off.
	calls *callLog
	// addrNote says why the remembered address was not used; "" when it
	// was, or when there was none.
	addrNote string

	// Secretless sign-in (secretless.go); all nil with
	// Options.SkipSecretless.
	issuer   *oidc.Issuer
	idHeader string
	idLn     net.Listener
	idSrv    *http.Server
	idServed chan error
}

// Start provisions the state folder (CA, signing key, demo tenant and app on
// first use) and serves HTTPS on opts.Addr until Close. It locks the state
// folder first: when another emulator serves it, Start returns an
// *InUseError (errors.Is ErrStateInUse) and has written nothing.
func Start(opts Options) (*Emulator, error) {
	if opts.StateDir == "" {
		return nil, errors.New("emulator: a state folder is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Addr != "" {
		if err := checkLoopback(opts.Addr); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator state folder: %w", err)
	}
	lock, err := acquireLock(opts.StateDir)
	if err != nil {
		return nil, err
	}
	e := &Emulator{served: make(chan error, 1), idServed: make(chan error, 1), seed: opts.Seed, lock: lock, tenantData: opts.TenantData}
	if opts.RecordCalls {
		e.calls = &callLog{byTenant: map[string][]Call{}}
	}
	if err := e.start(opts); err != nil {
		return nil, errors.Join(err, lock.release())
	}
	return e, nil
}

// start is Start under the state folder's lock.
func (e *Emulator) start(opts Options) error {
	now := opts.Now()
	ca, err := loadOrCreateCA(opts.StateDir, now)
	if err != nil {
		return err
	}
	serverCert, err := ca.serverCertificate(now)
	if err != nil {
		return err
	}
	if err := e.open(opts); err != nil {
		return err
	}
	if err := e.listen(opts); err != nil {
		e.data.Close()
		return err
	}
	base := "https://" + e.ln.Addr().String()
	if !opts.SkipSecretless {
		if err := e.startSecretless(opts, base); err != nil {
			e.ln.Close()
			e.data.Close()
			return err
		}
	}
	if err := e.wire(opts, base); err != nil {
		e.closeListeners()
		e.data.Close()
		return err
	}
	e.endpoints.CAFile = filepath.Join(opts.StateDir, caCertFile)
	err = e.lock.record(Server{PID: os.Getpid(), Authority: base})
	if err == nil {
		err = writeEndpoints(opts.StateDir, e.endpoints)
	}
	if err == nil {
		err = writeTenantsFile(opts.StateDir, e.endpoints.Tenants)
	}
	if err == nil {
		err = writeProfile(opts.StateDir, e.endpoints)
	}
	if err != nil {
		e.closeListeners()
		e.data.Close()
		return err
	}
	e.srv = &http.Server{
		Handler:           e.routes(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() { e.served <- e.srv.ServeTLS(e.ln, "", "") }()
	if e.idLn != nil {
		e.serveIdentity(e.endpoints.TenantID)
	}
	return nil
}

// closeListeners closes the listeners of a start that failed before
// serving.
func (e *Emulator) closeListeners() {
	e.ln.Close()
	if e.idLn != nil {
		e.idLn.Close()
	}
}

// listen listens on opts.Addr or, without one, on the address the state
// folder was last served on, falling back to a free port when that one
// is taken now.
func (e *Emulator) listen(opts Options) error {
	addr := opts.Addr
	remembered := ""
	if addr == "" {
		remembered = rememberedAddr(opts.StateDir)
		addr = remembered
		if addr == "" {
			addr = "127.0.0.1:0"
		}
	}
	var err error
	e.ln, err = net.Listen("tcp", addr)
	if err != nil && remembered != "" {
		e.addrNote = fmt.Sprintf("%s, where this state folder was last served, is taken (%v); serving on a free port instead", remembered, err)
		e.ln, err = net.Listen("tcp", "127.0.0.1:0")
		addr = "127.0.0.1:0"
	}
	if err != nil {
		return fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	return nil
}

// rememberedAddr is the host:port of the authority in the state folder's
// endpoints.json: where it was last served. "" when there is none, or
// it is no loopback address.
func rememberedAddr(dir string) string {
	ep, err := ReadEndpoints(dir)
	if err != nil {
		return ""
	}
	u, err := url.Parse(ep.Authority)
	if err != nil || u.Port() == "" || u.Port() == "0" || checkLoopback(u.Host) != nil {
		return ""
	}
	return u.Host
}

// ReadEndpoints reads the endpoints.json an emulator wrote to stateDir.
// It says where the emulator was last served; Serving says whether it
// still is.
func ReadEndpoints(stateDir string) (Endpoints, error) {
	var ep Endpoints
	path := filepath.Join(stateDir, EndpointsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return ep, fmt.Errorf("emulator endpoints: %w", err)
	}
	if err := json.Unmarshal(data, &ep); err != nil {
		return ep, fmt.Errorf("emulator endpoints %s: %w", path, err)
	}
	return ep, nil
}

// AddrNote says why the emulator serves on another port than the one its
// state folder was last served on (that one was taken); "" otherwise.
func (e *Emulator) AddrNote() string { return e.addrNote }

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("emulator: address %q is not a loopback address; the emulator serves this machine only", addr)
	}
	return nil
}

// open loads the directory and the Exchange store from the state folder.
func (e *Emulator) open(opts Options) error {
	var err error
	if e.dir, err = directory.Open(opts.StateDir, &directory.Options{Now: opts.Now}); err != nil {
		return err
	}
	if e.data, err = store.New(opts.StateDir, store.WithClock(opts.Now)); err != nil {
		return err
	}
	return nil
}

// wire builds the token service and the admin API for base and provisions
// the demo tenant and app.
func (e *Emulator) wire(opts Options, base string) error {
	key, _, err := entra.LoadOrCreateSigningKey(opts.StateDir)
	if err != nil {
		return err
	}
	e.tokens, err = entra.New(e.dir, key, entra.Options{BaseURL: base, Lifetime: opts.TokenLifetime, Now: opts.Now, IssuerKeys: e.issuerKeys()})
	if err != nil {
		return err
	}
	cred, err := loadOrCreateDemoCredential(opts.StateDir, opts.Now())
	if err != nil {
		return err
	}
	tenant, app, err := provisionDemo(e.dir, cred)
	if err != nil {
		return err
	}
	if err := e.provisionData(tenant, opts); err != nil {
		return err
	}
	ready, err := e.provisionTenants(tenant, app, opts)
	if err != nil {
		return err
	}
	e.admin = api.New(api.Options{
		Backend:       servedData{e},
		Authenticate:  e.authenticate,
		ResolveTenant: e.resolveTenant,
		Known:         catalog.Known,
		BaseURL:       base,
		Now:           opts.Now,
		Called:        e.calls.recorder(),
	})
	e.endpoints = Endpoints{
		Authority:       base,
		ExchangeURL:     base,
		ComplianceURL:   base + "/compliance",
		TenantID:        tenant.ID,
		Organization:    tenant.InitialDomain,
		AppID:           app.AppID,
		CertificateFile: cred.path,
		Thumbprint:      cred.thumbprint,
		Tenants:         ready,
	}
	if e.issuer != nil {
		e.endpoints.OIDCIssuer = e.issuer.URL()
		e.endpoints.ActionsIDTokenURL = e.issuer.ActionsTokenURL()
	}
	if e.idLn != nil {
		e.endpoints.IdentityEndpoint = "http://" + e.idLn.Addr().String() + IdentityPath
	}
	return nil
}

// provisionDemo makes sure the demo tenant and app exist, as the onboarding
// steps of the seed documents would: register the app, upload the
// certificate's public part, grant and consent Exchange.ManageAsApp, assign
// Exchange Administrator.
func provisionDemo(dir *directory.Directory, cred *demoCredential) (directory.Tenant, directory.App, error) {
	tenant, err := dir.Tenant(DemoTenant + ".onmicrosoft.com")
	if errors.Is(err, directory.ErrTenantNotFound) {
		tenant, err = dir.CreateTenant(DemoTenant)
	}
	if err != nil {
		return tenant, directory.App{}, fmt.Errorf("demo tenant: %w", err)
	}
	for _, a := range tenant.Apps {
		if a.DisplayName == DemoAppName {
			return tenant, a, nil
		}
	}
	app, err := dir.RegisterApp(tenant.ID, DemoAppName)
	if err == nil {
		_, err = dir.UploadCertificate(tenant.ID, app.AppID, cred.certDER)
	}
	if err == nil {
		err = dir.GrantManageAsApp(tenant.ID, app.AppID)
	}
	if err == nil {
		err = dir.Consent(tenant.ID, app.AppID)
	}
	if err == nil {
		_, err = dir.AssignRole(tenant.ID, app.AppID, demoRole)
	}
	if err != nil {
		return tenant, app, fmt.Errorf("demo app: %w", err)
	}
	app, err = dir.App(tenant.ID, app.AppID)
	return tenant, app, err
}

// provisionData gives the demo tenant its Exchange data on first start:
// the fixture, or a generated tenant of opts.Mailboxes. Options.TenantData
// is served fresh at every start instead: it is what the caller asked
// for, not what an earlier run of the state folder left.
func (e *Emulator) provisionData(tenant directory.Tenant, opts Options) error {
	if _, ok := e.data.Tenant(tenant.ID); ok {
		if opts.TenantData == nil || opts.Mailboxes > 0 {
			return nil
		}
		if err := e.data.RemoveTenant(tenant.ID); err != nil {
			return fmt.Errorf("emulator: replace the tenant's data: %w", err)
		}
	}
	var t *store.Tenant
	if opts.Mailboxes > 0 {
		t = store.Generate(tenant.ID, tenant.InitialDomain, opts.Mailboxes, opts.Seed)
	} else {
		t = e.fixture(tenant.ID, tenant.InitialDomain)
	}
	return e.data.AddTenant(t)
}

// fixture is the Exchange data of a tenant that is not generated:
// Options.TenantData's, or the built-in demo tenant.
func (e *Emulator) fixture(tenantID, organization string) *store.Tenant {
	if e.tenantData != nil {
		return e.tenantData(tenantID, organization)
	}
	return fixture.Demo().Tenant(tenantID, organization)
}

// authenticate adapts the token service's verifier to the admin API.
func (e *Emulator) authenticate(bearer string) (exchange.Token, error) {
	c, err := e.tokens.Verify(bearer)
	switch {
	case errors.Is(err, entra.ErrTokenExpired):
		return exchange.Token{}, fmt.Errorf("%w: %v", exchange.ErrTokenExpired, err)
	case err != nil:
		return exchange.Token{}, fmt.Errorf("%w: %v", exchange.ErrTokenInvalid, err)
	}
	return exchange.Token{
		Audience: c.Aud, TenantID: c.Tid, AppID: c.AppID, AppName: c.AppDisplayName,
		Roles: c.Roles, Wids: c.Wids, ExpiresAt: c.Exp,
	}, nil
}

func (e *Emulator) resolveTenant(nameOrID string) (string, string, bool) {
	t, err := e.dir.Tenant(nameOrID)
	if err != nil {
		return "", "", false
	}
	return t.ID, t.InitialDomain, true
}

// routes sends the admin API's paths to it, the test OIDC issuer's
// (/oidc/..., which no tenant segment can be: tenants are GUIDs or
// domains) to it, and everything else (Entra's /{tenant}/... and
// /common/...) to the token service.
func (e *Emulator) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.ToLower(r.URL.Path)
		switch {
		case strings.HasPrefix(p, "/adminapi/") || strings.HasPrefix(p, "/compliance/"):
			e.admin.ServeHTTP(w, r)
		case e.issuer != nil && strings.HasPrefix(r.URL.Path, oidc.Path+"/"):
			e.issuer.ServeHTTP(w, r)
		default:
			e.tokens.ServeHTTP(w, r)
		}
	})
}

// Endpoints returns what a client needs to connect.
func (e *Emulator) Endpoints() Endpoints { return e.endpoints }

// Close stops serving and flushes the store to the state folder. Calling
// it again returns the first call's result.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := e.srv.Shutdown(ctx)
		if serveErr := <-e.served; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
			err = serveErr
		}
		if e.idSrv != nil {
			idErr := e.idSrv.Shutdown(ctx)
			if serveErr := <-e.idServed; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && idErr == nil {
				idErr = serveErr
			}
			err = errors.Join(err, idErr)
		}
		// The lock goes last: until the data is flushed, another
		// emulator must not load the state.
		e.closeErr = errors.Join(err, e.data.Close(), e.lock.release())
	})
	return e.closeErr
}

func writeEndpoints(dir string, ep Endpoints) error {
	data, err := json.MarshalIndent(ep, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, EndpointsFile), append(data, '\n'), 0o644)
}

// Profile is the demo app's connection settings by exorun's profile keys
// (the connect{} keys): what reaches the demo tenant through the real
// MSAL, TLS and HTTP path.
func (ep Endpoints) Profile() map[string]string {
	return map[string]string{
		"app_id":           ep.AppID,
		"organization":     ep.Organization,
		"certificate_file": ep.CertificateFile,
		"authority":        ep.Authority,
		"exchange_url":     ep.ExchangeURL,
		"compliance_url":   ep.ComplianceURL,
		"ca_file":          ep.CAFile,
	}
}

func writeProfile(dir string, ep Endpoints) error {
	data, err := json.MarshalIndent(ep.Profile(), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, ProfileFile), append(data, '\n'), 0o644)
}
