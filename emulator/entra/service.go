package entra

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/google/uuid"
)

const (
	// DefaultLifetime is how long issued tokens last unless Options say
	// otherwise; Entra's app-only tokens last 60-90 minutes.
	DefaultLifetime = 75 * time.Minute
	// Skew is the clock difference tolerated on both sides: client
	// assertions' exp/nbf and access tokens' exp/nbf in Verify.
	Skew = 5 * time.Minute
)

// Resource is an API tokens can be requested for.
type Resource struct {
	// URI is the resource's App ID URI; it becomes the aud of its tokens.
	URI string
	// AppID is the resource's application id, accepted in scope and
	// resource as a synonym of URI.
	AppID string
}

// DefaultResources are the commercial cloud's Exchange Online and Security
// & Compliance resources (PROTOCOL.md 2.2).
func DefaultResources() []Resource {
	return []Resource{
		{URI: "https://outlook.office365.com", AppID: "00000002-0000-0ff1-ce00-000000000000"},
		{URI: "https://ps.compliance.protection.outlook.com", AppID: "00000007-0000-0ff1-ce00-000000000000"},
	}
}

// Options configure a Service.
type Options struct {
	// BaseURL is the emulator's own URL, e.g. https://127.0.0.1:PORT: the
	// host of the endpoints the discovery documents publish. Required.
	// MSAL accepts only https authorities.
	BaseURL string
	// Lifetime of issued tokens (default DefaultLifetime).
	Lifetime time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Resources tokens can be requested for (default DefaultResources);
	// add a sovereign cloud's resource URIs here.
	Resources []Resource
	// IssuerKeys finds the keys of the external OIDC issuers whose
	// tokens federated credentials accept. nil: none is reachable, so
	// every federated sign-in that matches a credential fails with
	// AADSTS50166, as it would for an issuer Entra cannot fetch.
	IssuerKeys IssuerKeys
}

// Service is the token service; an http.Handler. It is safe for concurrent
// use; the directory it reads may change while it serves.
type Service struct {
	dir       *directory.Directory
	key       *rsa.PrivateKey
	kid       string
	base      *url.URL
	lifetime  time.Duration
	now       func() time.Time
	resources []Resource
	issuers   IssuerKeys
	mux       *http.ServeMux
}

// New builds the token service over dir, signing tokens with key.
func New(dir *directory.Directory, key *rsa.PrivateKey, opts Options) (*Service, error) {
	if dir == nil {
		return nil, errors.New("new token service: no directory")
	}
	if key == nil || key.N == nil || key.N.BitLen() < 2048 {
		return nil, errors.New("new token service: the signing key must be an RSA key of at least 2048 bits")
	}
	base, err := url.Parse(strings.TrimSuffix(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.Path != "" {
		return nil, fmt.Errorf("new token service: base url %q: want an absolute url such as https://127.0.0.1:8443", opts.BaseURL)
	}
	s := &Service{
		dir:       dir,
		key:       key,
		kid:       KeyID(&key.PublicKey),
		base:      base,
		lifetime:  opts.Lifetime,
		now:       opts.Now,
		resources: opts.Resources,
		issuers:   opts.IssuerKeys,
		mux:       http.NewServeMux(),
	}
	if s.lifetime <= 0 {
		s.lifetime = DefaultLifetime
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.resources == nil {
		s.resources = DefaultResources()
	}
	s.mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration(true))
	s.mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.openIDConfiguration(false))
	s.mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.keys)
	s.mux.HandleFunc("GET /{tenant}/discovery/keys", s.keys)
	s.mux.HandleFunc("GET /common/discovery/instance", s.instanceDiscovery)
	s.mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token(false))
	s.mux.HandleFunc("POST /{tenant}/oauth2/token", s.token(true))
	return s, nil
}

// ServeHTTP serves the routes listed in the package documentation.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Authority is the authority URL a client (MSAL) uses for tenant.
func (s *Service) Authority(tenant string) string { return s.base.String() + "/" + tenant }

// KeyID is the kid and x5t of the tokens the service signs.
func (s *Service) KeyID() string { return s.kid }

// PublicKey is the key tokens are signed with, for verifiers other than
// Verify.
func (s *Service) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// tenantFree reports whether seg is a tenant-independent path segment; the
// emulator serves those only for signing keys (app-only tokens always name
// a tenant).
func tenantFree(seg string) bool {
	switch strings.ToLower(seg) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// tenant resolves a {tenant} path segment.
func (s *Service) tenant(seg string) (directory.Tenant, *oauthError) {
	if tenantFree(seg) {
		return directory.Tenant{}, fail("invalid_request", 90023, "The tenant-independent endpoint '%s' cannot issue app-only tokens; use the tenant id or one of its domains.", seg)
	}
	if uuid.Validate(seg) != nil && !strings.Contains(seg, ".") {
		return directory.Tenant{}, fail("invalid_tenant", 900023, "Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", seg)
	}
	t, err := s.dir.Tenant(seg)
	if err != nil {
		return directory.Tenant{}, fail("invalid_tenant", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg)
	}
	return t, nil
}

func (s *Service) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	if id := r.Header.Get("client-request-id"); id != "" {
		w.Header().Set("client-request-id", id)
	}
	w.WriteHeader(status)
	// The status is sent; a failed write means the client went away.
	_ = json.NewEncoder(w).Encode(v)
}
