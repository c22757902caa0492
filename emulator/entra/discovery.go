package entra

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
)

// openIDConfiguration serves the v2 (or v1) OpenID Connect metadata. MSAL
// reads authorization_endpoint, token_endpoint and issuer and refuses an
// issuer on another host than the authority's (PROTOCOL.md 1.2), so every
// URL here is on the emulator's own host. The endpoints keep the tenant as
// the client wrote it; the v2 issuer names the tenant GUID, as Entra's does.
func (s *Service) openIDConfiguration(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		seg := r.PathValue("tenant")
		t, e := s.tenant(seg)
		if e != nil {
			s.writeError(w, r, e)
			return
		}
		base := s.base.String()
		oauth := base + "/" + seg + "/oauth2"
		doc := map[string]any{
			"response_modes_supported":              []string{"query", "fragment", "form_post"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
			"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid", "appidacr", "roles", "wids"},
			"request_uri_parameter_supported":       false,
			"http_logout_supported":                 true,
			"frontchannel_logout_supported":         true,
			"tenant_region_scope":                   "NA",
			"cloud_instance_name":                   s.base.Host,
		}
		if v2 {
			doc["issuer"] = base + "/" + t.ID + "/v2.0"
			doc["authorization_endpoint"] = oauth + "/v2.0/authorize"
			doc["token_endpoint"] = oauth + "/v2.0/token"
			doc["device_authorization_endpoint"] = oauth + "/v2.0/devicecode"
			doc["end_session_endpoint"] = oauth + "/v2.0/logout"
			doc["jwks_uri"] = base + "/" + seg + "/discovery/v2.0/keys"
		} else {
			doc["issuer"] = v1Issuer(t.ID)
			doc["authorization_endpoint"] = oauth + "/authorize"
			doc["token_endpoint"] = oauth + "/token"
			doc["device_authorization_endpoint"] = oauth + "/devicecode"
			doc["end_session_endpoint"] = oauth + "/logout"
			doc["jwks_uri"] = base + "/common/discovery/keys"
		}
		s.writeJSON(w, r, http.StatusOK, doc)
	}
}

// jwk is one RSA key of a JSON Web Key Set.
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	X5t string `json:"x5t"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// keys serves the signing key as a JWKS, for the common endpoint and for
// every known tenant.
func (s *Service) keys(w http.ResponseWriter, r *http.Request) {
	if seg := r.PathValue("tenant"); !tenantFree(seg) {
		if _, e := s.tenant(seg); e != nil {
			s.writeError(w, r, e)
			return
		}
	}
	pub := s.key.PublicKey
	s.writeJSON(w, r, http.StatusOK, map[string][]jwk{"keys": {{
		Kty: "RSA",
		Use: "sig",
		Kid: s.kid,
		X5t: s.kid,
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// instanceDiscovery answers MSAL's instance discovery for the emulator's
// host, naming it as its own only alias, and refuses other hosts the way
// Entra refuses unknown ones (AADSTS50049). MSAL asks login.microsoftonline.com
// for this, not the emulator, so clients set WithInstanceDiscovery(false);
// the route serves clients that route discovery to the emulator.
func (s *Service) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := "common"
	hosts := []string{s.base.Host}
	if !strings.EqualFold(r.Host, s.base.Host) && r.Host != "" {
		hosts = append(hosts, r.Host)
	}
	if ae := r.URL.Query().Get("authorization_endpoint"); ae != "" {
		u, err := url.Parse(ae)
		if err != nil || !containsFold(hosts, u.Host) {
			s.writeError(w, r, fail("invalid_instance", 50049, "Unknown or invalid instance."))
			return
		}
		if seg, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); seg != "" {
			tenant = seg
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.base.String() + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": s.base.Host,
			"preferred_cache":   s.base.Host,
			"aliases":           hosts,
		}},
	})
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
