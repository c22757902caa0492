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
	// "client secret" or "access token".
	Credential  string
	Certificate *certificate.Credential // nil unless Credential is "certificate"
	Environment Environment
	Tokens      *TokenSource
	Client      *adminapi.Client
	// Warnings were found while connecting (certificate expiring soon, a
	// risky organization value); they are also logged.
	Warnings []string

	httpc *http.Client
}

// Info is who a session is, in one shape for `exorun whoami` (text and
// JSON) and exo.whoami() in Lua.
type Info struct {
	TenantID       string   `json:"tenant_id"`
	AppID          string   `json:"app_id"`
	Service        string   `json:"service"`
	Environment    string   `json:"environment"`
	Credential     string   `json:"credential"`
	Thumbprint     string   `json:"certificate_thumbprint,omitempty"`
	CertSubject    string   `json:"certificate_subject,omitempty"`
	CertExpires    string   `json:"certificate_expires,omitempty"`
	TokenExpires   string   `json:"token_expires"`
	ManageAsApp    bool     `json:"manage_as_app"`
	Permissions    []string `json:"permissions"`
	Roles          []string `json:"roles"`
	UnknownRoleIDs []string `json:"unknown_role_ids,omitempty"`
}

// Info describes the session; times are RFC 3339 UTC.
func (s *Session) Info() Info {
	id := s.Identity
	info := Info{
		TenantID: id.TenantID, AppID: id.AppID, Service: string(s.Service), Environment: s.Environment.Name,
		Credential: s.Credential, TokenExpires: s.Tokens.ExpiresOn().UTC().Format(time.RFC3339),
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

	if s.AccessToken != "" {
		p.kind = kindToken
	} else {
		if s.AppID == "" {
			return nil, usage("pass app_id in connect{}, --app-id, EXORUN_APP_ID or a profile", "no app id: which Entra ID app should exorun sign in as?")
		}
		if s.Organization == "" {
			return nil, usage("pass organization (the tenant's .onmicrosoft.com domain) in connect{}, --organization, EXORUN_ORGANIZATION or a profile", "no organization: which tenant should exorun connect to?")
		}
		login := p.env.Login
		if s.Authority != "" {
			if err := checkURL("authority", s.Authority); err != nil {
				return nil, usage("", "%v", err)
			}
			login = strings.TrimRight(s.Authority, "/")
		}
		p.authority = login + "/" + s.Organization
		if w := organizationWarning(s.Organization); w != "" {
			p.warnings = append(p.warnings, w)
		}
		cert, warnings, err := loadCertificate(s, o)
		if err != nil {
			return nil, &StepError{Step: StepCredential, Code: exitcode.Of(err), Msg: err.Error(), Fix: exitcode.HintOf(err), Err: err}
		}
		p.warnings = append(p.warnings, warnings...)
		switch {
		case cert != nil:
			p.cert, p.kind = cert, kindCertificate
		case s.ClientSecret != "":
			p.kind = kindSecret
		default:
			return nil, usage("give thumbprint, certificate_file or certificate (or client_secret / access_token)",
				"no credential: set a certificate thumbprint, a certificate file, certificate bytes, a client secret or an access token")
		}
	}
	if p.httpc, err = httpClient(s.CAFile, o); err != nil {
		return nil, err
	}
	return p, nil
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
		Service:     p.service,
		Credential:  string(p.kind),
		Certificate: p.cert,
		Environment: p.env,
		Warnings:    p.warnings,
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
		cred, err := msalCredential(p.cert, p.settings.ClientSecret)
		if err != nil {
			return nil, err
		}
		opts := []confidential.Option{confidential.WithHTTPClient(p.httpc)}
		if !trustedLogin(strings.TrimSuffix(p.authority, "/"+p.settings.Organization)) {
			opts = append(opts, confidential.WithInstanceDiscovery(false))
		}
		if p.settings.TokenCache != "" {
			opts = append(opts, confidential.WithCache(&fileCache{path: p.settings.TokenCache, read: o.ReadFile, write: o.WriteFile, log: log}))
		}
		client, err := confidential.New(p.authority, p.settings.AppID, cred, opts...)
		if err != nil {
			return nil, stepErr(StepSettings, exitcode.Usage, "check authority and organization", "entra id client: %v", err)
		}
		sess.Tokens = newTokenSource(msalAcquirer(client, p.resource+"/.default"), o.now, log)
		token, err := sess.Tokens.Token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, tokenFailure(err, p)
		}
		if sess.Identity, err = ParseToken(token); err != nil {
			return nil, stepErr(StepToken, exitcode.Auth, "", "token from entra id: %v", err)
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

// Close releases the session's idle connections. Without it a server
// shutting down gracefully waits for HTTP/2 clients to hang up (a second
// for Go's server), and an idle connection outlives the session.
func (s *Session) Close() {
	if s.httpc != nil {
		s.httpc.CloseIdleConnections()
	}
}

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
