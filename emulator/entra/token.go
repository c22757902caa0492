package entra

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/directory"
)

// maxForm bounds a token request body; real ones are a few kilobytes.
const maxForm = 64 << 10

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// How the client authenticated, as the appidacr claim says it: "2" for
// any client assertion (a certificate's, or an external provider's token
// matched by a federated credential) and for managed identities, whose
// host signs them in with a certificate of its own.
const (
	acrSecret      = "1"
	acrCertificate = "2"
)

// token serves the v2 (scope=) or v1 (resource=) token endpoint for the
// client credentials grant.
func (s *Service) token(v1 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, fail("invalid_request", 90023, "The request body is not a valid form: %v.", err))
			return
		}
		tok, e := s.issue(r, v1)
		if e != nil {
			s.writeError(w, r, e)
			return
		}
		expiresIn := int(s.lifetime / time.Second)
		if v1 {
			// v1 sends every number as a string (PROTOCOL.md 1.5).
			s.writeJSON(w, r, http.StatusOK, map[string]string{
				"token_type":     "Bearer",
				"expires_in":     strconv.Itoa(expiresIn),
				"ext_expires_in": strconv.Itoa(expiresIn),
				"expires_on":     strconv.FormatInt(tok.claims.Exp.Unix(), 10),
				"not_before":     strconv.FormatInt(tok.claims.Nbf.Unix(), 10),
				"resource":       tok.claims.Aud,
				"access_token":   tok.raw,
			})
			return
		}
		s.writeJSON(w, r, http.StatusOK, struct {
			TokenType    string `json:"token_type"`
			ExpiresIn    int    `json:"expires_in"`
			ExtExpiresIn int    `json:"ext_expires_in"`
			AccessToken  string `json:"access_token"`
		}{"Bearer", expiresIn, expiresIn, tok.raw})
	}
}

// issued is a signed access token and what it says.
type issued struct {
	raw    string
	claims Claims
}

// issue checks a token request in about the order Entra does (request
// shape, then the app, then its credential, then the resource) and signs
// the token.
func (s *Service) issue(r *http.Request, v1 bool) (issued, *oauthError) {
	t, e := s.tenant(r.PathValue("tenant"))
	if e != nil {
		return issued{}, e
	}
	form := r.PostForm
	switch grant := form.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		return issued{}, missingParam("grant_type")
	default:
		return issued{}, fail("unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'. The emulator issues app-only tokens (client_credentials) only.", grant)
	}
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if user, pass, ok := basicAuth(r); ok { // client_secret_basic
		clientID, secret = cmp.Or(clientID, user), cmp.Or(secret, pass)
	}
	if clientID == "" {
		return issued{}, missingParam("client_id")
	}
	requested, e := requestedResource(form, v1)
	if e != nil {
		return issued{}, e
	}
	app, ok := t.App(clientID)
	if !ok {
		return issued{}, fail("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, t.DisplayName)
	}
	if app.Disabled {
		return issued{}, fail("unauthorized_client", 7000112, "Application '%s'(%s) is disabled.", app.AppID, app.DisplayName)
	}
	// A multi-tenant app's service principal has no credentials of its
	// own: the assertion is checked against its home registration.
	reg, err := s.dir.Credentials(app)
	if err != nil {
		return issued{}, fail("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, app.HomeTenant)
	}
	acr, e := s.authenticate(r, t, reg, secret, v1)
	if e != nil {
		return issued{}, e
	}
	res, ok := s.resource(requested)
	if !ok {
		return issued{}, fail("invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", requested, t.DisplayName)
	}
	tok, err := s.sign(t, app, res.URI, acr)
	if err != nil {
		return issued{}, fail("temporarily_unavailable", 90033, "The emulator could not sign the token: %v.", err)
	}
	return tok, nil
}

// authenticate checks the client's credential and returns appidacr.
func (s *Service) authenticate(r *http.Request, t directory.Tenant, app directory.App, secret string, v1 bool) (string, *oauthError) {
	assertion, assertionType := r.PostForm.Get("client_assertion"), r.PostForm.Get("client_assertion_type")
	switch {
	case assertion != "" && secret != "":
		return "", fail("invalid_request", 90023, "Only one client credential may be sent, but the request has both 'client_assertion' and 'client_secret'.")
	case assertion != "":
		if assertionType == "" {
			return "", missingParam("client_assertion_type")
		}
		if assertionType != jwtBearer {
			return "", fail("invalid_request", 90023, "The client_assertion_type '%s' is not supported; use '%s'.", assertionType, jwtBearer)
		}
		a, e := parseAssertion(assertion)
		if e != nil {
			return "", e
		}
		if a.federated(app.AppID) {
			// A federated credential stands in for a certificate:
			// appidacr is "2" on its tokens too.
			return acrCertificate, s.verifyFederated(a, app)
		}
		if e := s.verifyAssertion(a, app, func(aud string) bool { return s.isTokenURL(aud, r, t, v1) }); e != nil {
			return "", e
		}
		return acrCertificate, nil
	case secret != "":
		sec, ok := app.MatchSecret(secret)
		if !ok {
			return "", fail("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.AppID)
		}
		if s.now().After(sec.Expires) {
			return "", fail("invalid_client", 7000222, "The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.AppID)
		}
		return acrSecret, nil
	}
	return "", fail("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

// requestedResource reads the one resource a request asks for: v1's
// resource, or v2's scope, which must hold exactly one {resource}/.default
// besides the OpenID scopes MSAL always appends (PROTOCOL.md 1.3).
func requestedResource(form url.Values, v1 bool) (string, *oauthError) {
	if v1 {
		res := strings.TrimSpace(form.Get("resource"))
		if res == "" {
			return "", missingParam("resource")
		}
		return strings.TrimRight(res, "/"), nil
	}
	scope := form.Get("scope")
	if strings.TrimSpace(scope) == "" {
		return "", missingParam("scope")
	}
	var resources []string
	for _, sc := range strings.Fields(scope) {
		switch strings.ToLower(sc) {
		case "openid", "offline_access", "profile":
			continue
		}
		res, ok := strings.CutSuffix(sc, "/.default")
		if !ok || strings.TrimRight(res, "/") == "" {
			return "", badScope(scope)
		}
		if res = strings.TrimRight(res, "/"); !containsFold(resources, res) {
			resources = append(resources, res)
		}
	}
	switch len(resources) {
	case 0:
		return "", badScope(scope)
	case 1:
		return resources[0], nil
	}
	return "", fail("invalid_scope", 700022, "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", scope)
}

func badScope(scope string) *oauthError {
	return fail("invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
}

// resource finds a known resource by App ID URI or application id.
func (s *Service) resource(name string) (Resource, bool) {
	for _, res := range s.resources {
		if strings.EqualFold(strings.TrimRight(res.URI, "/"), name) || (res.AppID != "" && strings.EqualFold(res.AppID, name)) {
			return Resource{URI: strings.TrimRight(res.URI, "/"), AppID: res.AppID}, true
		}
	}
	return Resource{}, false
}

// isTokenURL reports whether aud is the token endpoint the request came
// to: the emulator's host (as configured, or as the client reached it),
// the same tenant (by GUID or any domain, any case) and the same v1 or v2
// path; a trailing slash is allowed.
func (s *Service) isTokenURL(aud string, r *http.Request, t directory.Tenant, v1 bool) bool {
	u, err := url.Parse(aud)
	if err != nil || u.Scheme != s.base.Scheme || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if !containsFold([]string{s.base.Host, r.Host}, u.Host) {
		return false
	}
	seg, rest, _ := strings.Cut(strings.TrimPrefix(strings.TrimSuffix(u.Path, "/"), "/"), "/")
	want := "oauth2/v2.0/token"
	if v1 {
		want = "oauth2/token"
	}
	return strings.EqualFold(rest, want) && t.Matches(seg)
}

// basicAuth reads client_secret_basic credentials, which RFC 6749 2.3.1
// form-encodes before base64.
func basicAuth(r *http.Request) (user, pass string, ok bool) {
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	user, err1 := url.QueryUnescape(u)
	pass, err2 := url.QueryUnescape(p)
	return user, pass, err1 == nil && err2 == nil
}
