package connect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/connect/certificate"
	"github.com/exorun/exorun/internal/exitcode"
)

// Options are what Open needs from outside the settings: how to read
// files, the certificate store, the clock and the logger. Nil fields
// have working defaults except ReadFile, which file settings need.
type Options struct {
	ReadFile  func(name string) ([]byte, error)
	WriteFile func(name string, data []byte, perm fs.FileMode) error // token cache only
	Store     *certificate.Store
	Now       func() time.Time
	Logger    *slog.Logger
	// Transport overrides the HTTP transport (tests, benchmarks); nil
	// builds one that trusts the system roots plus ca_file.
	Transport http.RoundTripper
	// PageSize and Retry tune the admin API client.
	PageSize int
	Retry    adminapi.RetryPolicy
	// LookupEnv finds the variables a platform sets for secretless
	// sign-in (GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_*); nil reads none.
	// MSAL's managed identity client reads the process environment
	// itself.
	LookupEnv func(string) (string, bool)
}

func (o *Options) lookupEnv(name string) string {
	if o.LookupEnv == nil {
		return ""
	}
	v, _ := o.LookupEnv(name)
	return v
}

func (o *Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o *Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Session is an authenticated connection to one service of one tenant.
type Session struct {
	Service  catalog.Service
	Identity Identity
	// Credential is how the session authenticates: "certificate",
	// "client secret", "access token", "managed identity" or "federated
	// token"; CredentialSource says which one of its kind, for the last
	// two ("system-assigned, App Service endpoint", "file PATH").
	Credential       string
	CredentialSource string
	Certificate      *certificate.Credential // nil unless Credential is "certificate"
	Environment      Environment
	Tokens           *TokenSource
	Client           *adminapi.Client
	// Warnings were found while connecting (certificate expiring soon, a
	// risky organization value); they are also logged.
	Warnings []string

	httpc *http.Client
	// identityHTTP reaches a managed identity's endpoint; nil otherwise.
	identityHTTP *http.Client
}

// Info is who a session is, in one shape for `exorun whoami` (text and
// JSON) and exo.whoami() in Lua.
type Info struct {
	TenantID         string   `json:"tenant_id"`
	AppID            string   `json:"app_id"`
	Service          string   `json:"service"`
	Environment      string   `json:"environment"`
	Credential       string   `json:"credential"`
	CredentialSource string   `json:"credential_source,omitempty"`
	Thumbprint       string   `json:"certificate_thumbprint,omitempty"`
	CertSubject      string   `json:"certificate_subject,omitempty"`
	CertExpires      string   `json:"certificate_expires,omitempty"`
	TokenExpires     string   `json:"token_expires"`
	ManageAsApp      bool     `json:"manage_as_app"`
	Permissions      []string `json:"permissions"`
	Roles            []string `json:"roles"`
	UnknownRoleIDs   []string `json:"unknown_role_ids,omitempty"`
}

// Info describes the session; times are RFC 3339 UTC.
func (s *Session) Info() Info {
	id := s.Identity
	info := Info{
		TenantID: id.TenantID, AppID: id.AppID, Service: string(s.Service), Environment: s.Environment.Name,
		Credential: s.Credential, CredentialSource: s.CredentialSource, TokenExpires: s.Tokens.ExpiresOn().UTC().Format(time.RFC3339),
		ManageAsApp: id.HasManageAsApp(), Permissions: id.Permissions, Roles: id.RoleNames(), UnknownRoleIDs: id.UnknownRoleIDs,
	}
	if info.Permissions == nil {
		info.Permissions = []string{}
	}
	if c := s.Certificate; c != nil {
		info.Thumbprint = c.Thumbprint()
		info.CertSubject = c.Leaf().Subject.String()
		info.CertExpires = c.Leaf().NotAfter.UTC().Format(time.RFC3339)
	}
	return info
}

// plan is what the settings resolve to before any network call.
type plan struct {
	settings  Settings
	env       Environment
	service   catalog.Service
	authority string // https://login.../{organization}
	resource  string // token resource, e.g. https://outlook.office365.com
	apiBase   string
	httpc     *http.Client
	cert      *certificate.Credential
	kind      credentialKind
	// managed and federated are the secretless sources; nil unless kind
	// says so.
	managed   *managedIdentity
	federated *federatedSource
	warnings  []string
}

// resolve checks the settings and loads the credential: everything that
// can fail without the network.
func resolve(s Settings, o *Options) (*plan, error) {
	usage := func(fix, format string, args ...any) error {
		return stepErr(StepSettings, exitcode.Usage, fix, format, args...)
	}
	p := &plan{settings: s}
	var err error
	if p.env, err = LookupEnvironment(s.Environment); err != nil {
		return nil, usage("set environment to one of the listed names", "%v", err)
	}
	if p.service, err = catalog.ParseService(s.Service); err != nil {
		return nil, usage(`use service = "exchange" or "compliance"`, "%v", err)
	}
	p.resource = p.env.Resource(p.service)

	p.apiBase = p.resource
	custom := s.ExchangeURL
	if p.service == catalog.Compliance {
		custom = s.ComplianceURL
		if custom == "" && s.ExchangeURL != "" {
			return nil, usage("set compliance_url (--compliance-url, EXORUN_COMPLIANCE_URL) beside exchange_url",
				"exchange_url is custom but compliance_url is not; compliance calls would go to %s", p.resource)
		}
	}
	if custom != "" {
		if err := checkURL("service URL", custom); err != nil {
			return nil, usage("", "%v", err)
		}
		p.apiBase = strings.TrimRight(custom, "/")
	}

	if err := p.chooseCredential(o); err != nil {
		return nil, err
	}
	if p.httpc, err = httpClient(s.CAFile, o); err != nil {
		return nil, err
	}
	return p, nil
}

// chooseCredential picks the one credential the settings name, in the
// README's order: a pre-acquired token, a managed identity, a federated
// token file, a certificate, a client secret, and last what is only
// detected, the AKS webhook's token file and a GitHub Actions ID token
// (every job with id-token: write has one), so neither overrides a
// credential exorun was given.
func (p *plan) chooseCredential(o *Options) error {
	s := p.settings
	usage := func(fix, format string, args ...any) error {
		return stepErr(StepSettings, exitcode.Usage, fix, format, args...)
	}
	if s.AccessToken != "" {
		p.kind = kindToken
		return nil
	}
	mi, err := parseManagedIdentity(s.ManagedIdentity)
	if err != nil {
		return usage("managed_identity takes true (the system-assigned identity), a user-assigned identity's client id, its resource id (/subscriptions/...) or object_id:GUID", "%v", err)
	}
	if mi == nil && s.AppID == "" {
		return usage("pass app_id in connect{}, --app-id, EXORUN_APP_ID or a profile", "no app id: which Entra ID app should exorun sign in as?")
	}
	if s.Organization == "" {
		return usage("pass organization (the tenant's .onmicrosoft.com domain) in connect{}, --organization, EXORUN_ORGANIZATION or a profile", "no organization: which tenant should exorun connect to?")
	}
	if w := organizationWarning(s.Organization); w != "" {
		p.warnings = append(p.warnings, w)
	}
	login := p.env.Login
	if s.Authority != "" {
		if err := checkURL("authority", s.Authority); err != nil {
			return usage("", "%v", err)
		}
		login = strings.TrimRight(s.Authority, "/")
	}
	// A managed identity's token comes from the identity endpoint; the
	// authority still tells which tenant organization names.
	p.authority = login + "/" + s.Organization
	if mi != nil {
		p.kind, p.managed = kindManagedIdentity, mi
		return nil
	}
	if s.FederatedTokenFile != "" {
		src, err := fileFederatedSource(s.FederatedTokenFile, o)
		if err != nil {
			return err
		}
		p.kind, p.federated = kindFederated, src
		return nil
	}
	cert, warnings, err := loadCertificate(s, o)
	if err != nil {
		return &StepError{Step: StepCredential, Code: exitcode.Of(err), Msg: err.Error(), Fix: exitcode.HintOf(err), Err: err}
	}
	p.warnings = append(p.warnings, warnings...)
	switch {
	case cert != nil:
		p.cert, p.kind = cert, kindCertificate
	case s.ClientSecret != "":
		p.kind = kindSecret
	case o.lookupEnv(AzureTokenFileVar) != "":
		src, err := fileFederatedSource(o.lookupEnv(AzureTokenFileVar), o)
		if err != nil {
			return err
		}
		p.kind, p.federated = kindFederated, src
	case o.lookupEnv(actionsURLVar) != "" && o.lookupEnv(actionsTokenVar) != "":
		p.kind, p.federated = kindFederated, actionsFederatedSource(o.lookupEnv(actionsURLVar), o.lookupEnv(actionsTokenVar))
	default:
		return usage("give thumbprint, certificate_file or certificate; or sign in without a secret with managed_identity or federated_token_file (or client_secret / access_token)",
			"no credential: set a certificate thumbprint, a certificate file, certificate bytes, a managed identity, a federated token file, a client secret or an access token")
	}
	return nil
}

// httpClient trusts the system roots plus caFile and never follows
// redirects (the compliance front door's 302 is handled by adminapi).
func httpClient(caFile string, o *Options) (*http.Client, error) {
	if o.Transport != nil {
		return &http.Client{Transport: o.Transport}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		if o.ReadFile == nil {
			return nil, exitcode.New(exitcode.Usage, "ca_file %s: no file access configured", caFile)
		}
		data, err := o.ReadFile(caFile)
		if err != nil {
			return nil, stepErr(StepSettings, exitcode.Usage, "check ca_file (--ca-file, EXORUN_CA_FILE)", "ca_file: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, stepErr(StepSettings, exitcode.Usage, "ca_file must be PEM", "ca_file %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 0}, nil
}

// Open connects: it resolves the settings, gets the first token (which
// proves tenant, app and credential), reads the identity from it, checks
// the permission and role steps, and returns a session whose client is
// ready for cmdlets. Failures are *StepError values naming the missing
// onboarding step.
func Open(ctx context.Context, s Settings, o Options) (*Session, error) {
	p, err := resolve(s, &o)
	if err != nil {
		return nil, err
	}
	sess, err := p.connect(ctx, &o)
	if err != nil {
		return nil, err
	}
	if err := sess.checkRights(); err != nil {
		return nil, err
	}
	return sess, nil
}

// connect builds the token source and gets the first token.
func (p *plan) connect(ctx context.Context, o *Options) (*Session, error) {
	log := o.logger()
	for _, w := range p.warnings {
		log.Warn(w)
	}
	sess := &Session{
		Service:          p.service,
		Credential:       string(p.kind),
		CredentialSource: p.source(),
		Certificate:      p.cert,
		Environment:      p.env,
		Warnings:         p.warnings,
	}
	if p.kind == kindToken {
		id, err := ParseToken(p.settings.AccessToken)
		if err != nil {
			return nil, stepErr(StepToken, exitcode.Auth, "pass the raw JWT from the token endpoint's access_token", "access token: %v", err)
		}
		sess.Identity = id
		sess.Tokens = staticTokenSource(p.settings.AccessToken, id.ExpiresOn, o.now, log)
		// An expired token fails here, not at the first cmdlet; one that
		// expires soon is warned about now.
		if _, err := sess.Tokens.Token(ctx); err != nil {
			return nil, &StepError{Step: StepToken, Code: exitcode.Auth, Msg: err.Error(), Fix: exitcode.HintOf(err), Err: err}
		}
	} else {
		if p.federated != nil {
			if err := p.federated.prime(ctx, p.httpc); err != nil {
				return nil, tokenFailure(err, p)
			}
		}
		acquire, err := p.acquirer(o)
		if err != nil {
			return nil, err
		}
		sess.Tokens = newTokenSource(acquire, o.now, log)
		token, err := sess.Tokens.Token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			if p.managed != nil {
				return nil, p.managed.failure(err)
			}
			return nil, tokenFailure(err, p)
		}
		if sess.Identity, err = ParseToken(token); err != nil {
			return nil, stepErr(StepToken, exitcode.Auth, "", "token from entra id: %v", err)
		}
		if p.federated != nil {
			p.federated.drop()
		}
		if p.managed != nil {
			sess.identityHTTP = p.managed.httpc
			if err := p.checkManagedTenant(ctx, sess.Identity.TenantID); err != nil {
				sess.Close()
				return nil, err
			}
		}
	}
	client, err := adminapi.New(adminapi.Options{
		BaseURL:      p.apiBase,
		Service:      p.service,
		TenantID:     sess.Identity.TenantID,
		Organization: p.settings.Organization,
		Tokens:       sess.Tokens,
		HTTPClient:   p.httpc,
		PageSize:     o.PageSize,
		Retry:        o.Retry,
		Logger:       log,
	})
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("admin api client: %w", err))
	}
	sess.Client = client
	sess.httpc = p.httpc
	return sess, nil
}

// acquirer builds what gets the session's tokens: MSAL's managed
// identity client, or its confidential client with the certificate,
// secret or federated token.
func (p *plan) acquirer(o *Options) (acquireFunc, error) {
	if p.managed != nil {
		return p.managed.acquirer(p.resource)
	}
	var cred confidential.Credential
	var err error
	if p.federated != nil {
		cred = p.federated.credential(p.httpc)
	} else if cred, err = msalCredential(p.cert, p.settings.ClientSecret); err != nil {
		return nil, err
	}
	opts := []confidential.Option{confidential.WithHTTPClient(p.httpc)}
	if !trustedLogin(strings.TrimSuffix(p.authority, "/"+p.settings.Organization)) {
		opts = append(opts, confidential.WithInstanceDiscovery(false))
	}
	if p.settings.TokenCache != "" {
		opts = append(opts, confidential.WithCache(&fileCache{path: p.settings.TokenCache, read: o.ReadFile, write: o.WriteFile, log: o.logger()}))
	}
	client, err := confidential.New(p.authority, p.settings.AppID, cred, opts...)
	if err != nil {
		return nil, stepErr(StepSettings, exitcode.Usage, "check authority and organization", "entra id client: %v", err)
	}
	return msalAcquirer(client, p.resource+"/.default"), nil
}

// source says which credential of its kind the plan uses, for the
// secretless kinds; "" for the others, whose kind says it all.
func (p *plan) source() string {
	switch {
	case p.managed != nil:
		return p.managed.describe()
	case p.federated != nil:
		return p.federated.describe
	}
	return ""
}

// Close releases the session's idle connections. Without it a server
// shutting down gracefully waits for HTTP/2 clients to hang up (a second
// for Go's server), and an idle connection outlives the session.
func (s *Session) Close() {
	if s.httpc != nil {
		s.httpc.CloseIdleConnections()
	}
	if s.identityHTTP != nil {
		s.identityHTTP.CloseIdleConnections()
	}
}

// manageAsAppRoleID is the id of Exchange Online's Exchange.ManageAsApp
// app role, which a managed identity is assigned through Microsoft Graph.
const manageAsAppRoleID = "dc50a0fb-09a3-484d-be87-e023b12c6440"

// checkRights are the permission and role steps, read from the token: a
// token without Exchange.ManageAsApp, or without a directory role the
// service honours, is refused by every cmdlet, so fail now with the fix.
func (s *Session) checkRights() error {
	id := s.Identity
	if !id.HasManageAsApp() {
		perms := "none"
		if len(id.Permissions) > 0 {
			perms = strings.Join(id.Permissions, ", ")
		}
		// Entra ID issues the same token, without the role, whether the
		// permission was never added or added and never consented
		// (PROTOCOL.md 1.7): the fix names both steps and how to tell
		// them apart, and the consent link for a customer's tenant.
		if s.Credential == string(kindManagedIdentity) {
			return stepErr(StepPermission, exitcode.Permission,
				"a managed identity has no API permissions page: assign Exchange.ManageAsApp as an app role of Office 365 Exchange Online (appRoleId "+manageAsAppRoleID+") to the identity's service principal with Microsoft Graph, e.g. az rest --method POST --uri https://graph.microsoft.com/v1.0/servicePrincipals/IDENTITY_OBJECT_ID/appRoleAssignments --body '{\"principalId\":\"IDENTITY_OBJECT_ID\",\"resourceId\":\"EXCHANGE_SP_OBJECT_ID\",\"appRoleId\":\""+manageAsAppRoleID+"\"}' (see the README)",
				"managed identity %s has no Exchange.ManageAsApp permission in tenant %s (token permissions: %s)", id.AppID, id.TenantID, perms)
		}
		return stepErr(StepPermission, exitcode.Permission,
			fmt.Sprintf("in the app registration's API permissions, Exchange.ManageAsApp is either missing (add it: Office 365 Exchange Online > Application permissions > Exchange.ManageAsApp) or shown 'Not granted' (click 'Grant admin consent'); "+
				"for a multi-tenant app in a customer's tenant, that tenant's admin consents at %s/%s/adminconsent?client_id=%s", strings.TrimRight(s.Environment.Login, "/"), id.TenantID, id.AppID),
			"app %s has no Exchange.ManageAsApp permission in tenant %s (token permissions: %s): the permission is not granted, or granted but not consented; the token cannot say which", id.AppID, id.TenantID, perms)
	}
	if len(id.HonouredRoles(s.Service)) == 0 {
		have := "none"
		if names := id.RoleNames(); len(names) > 0 {
			have = strings.Join(names, ", ")
		}
		var want []string
		for _, r := range catalog.Roles() {
			if r.Honours(s.Service) {
				want = append(want, r.Name)
			}
		}
		return stepErr(StepRole, exitcode.Permission,
			"assign one of these directory roles to the app (Entra ID > Roles and administrators): "+strings.Join(want, ", "),
			"the role assigned to application %s isn't supported by %s for app-only access (its directory roles: %s)", id.AppID, s.Service, have)
	}
	return nil
}
