package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/exorun/exorun/emulator/internal/statefile"
	"github.com/golang-jwt/jwt/v5"
)

const (
	// KeyFile is the issuer's signing key in the state folder.
	KeyFile = "oidc-signing-key.pem"
	// RequestTokenFile holds the Actions endpoint's request token
	// (ACTIONS_ID_TOKEN_REQUEST_TOKEN), mode 0600.
	RequestTokenFile = "actions-request-token"
	// Path is where the issuer lives under the emulator's base URL.
	Path = "/oidc"
	// DefaultActionsAudience is the aud of an Actions ID token requested
	// without an audience: GitHub's default is the URL of the repository
	// owner, and the emulator's made-up owner is exorun-emulator.
	DefaultActionsAudience = "https://github.com/exorun-emulator"
	// ActionsLifetime is how long Actions ID tokens last: minutes, as
	// GitHub's do; a client asks again for each sign-in.
	ActionsLifetime = 5 * time.Minute
	// MaxLifetime bounds Mint: a day is more than a Kubernetes projected
	// token's default hour and keeps a leaked test token short-lived.
	MaxLifetime = 24 * time.Hour
)

// Issuer is the test OIDC issuer; an http.Handler for the paths in the
// package documentation. It is safe for concurrent use.
type Issuer struct {
	url          string
	key          *rsa.PrivateKey
	kid          string
	requestToken string
	now          func() time.Time
	mux          *http.ServeMux
}

// Load returns the issuer of the emulator whose base URL is base (such
// as https://127.0.0.1:8443), with the signing key and request token kept
// in the state folder stateDir, creating them on first use. now is the
// clock (nil: time.Now).
func Load(stateDir, base string, now func() time.Time) (*Issuer, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" {
		return nil, fmt.Errorf("oidc issuer: base url %q: want an https url such as https://127.0.0.1:8443", base)
	}
	if stateDir == "" {
		return nil, errors.New("oidc issuer: a state folder is required")
	}
	key, err := statefile.RSAKey(filepath.Join(stateDir, KeyFile), "oidc issuer signing key")
	if err != nil {
		return nil, err
	}
	token, err := statefile.Secret(filepath.Join(stateDir, RequestTokenFile), "actions request token", newRequestToken)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	i := &Issuer{url: u.String() + Path, key: key, kid: thumbprint(&key.PublicKey), requestToken: token, now: now, mux: http.NewServeMux()}
	i.mux.HandleFunc("GET "+Path+"/.well-known/openid-configuration", i.discovery)
	i.mux.HandleFunc("GET "+Path+"/keys", i.keys)
	i.mux.HandleFunc("GET "+Path+"/actions/idtoken", i.actionsToken)
	return i, nil
}

// ReadRequestToken reads the request token of the issuer served from
// stateDir, without creating one: an error wrapping fs.ErrNotExist when
// no emulator has served the folder yet.
func ReadRequestToken(stateDir string) (string, error) {
	return statefile.ReadSecret(filepath.Join(stateDir, RequestTokenFile), "actions request token")
}

// newRequestToken is 260 random bits, like a runner's token unguessable.
func newRequestToken() (string, error) { return rand.Text() + rand.Text(), nil }

// URL is the issuer: the iss of its tokens, {base}/oidc.
func (i *Issuer) URL() string { return i.url }

// ActionsTokenURL is the Actions ID token endpoint without its query.
func (i *Issuer) ActionsTokenURL() string { return i.url + "/actions/idtoken" }

// RequestToken is the bearer token the Actions endpoint wants. It is a
// secret: print it only where the user asked for it.
func (i *Issuer) RequestToken() string { return i.requestToken }

// KeyID is the kid of the issuer's tokens and key.
func (i *Issuer) KeyID() string { return i.kid }

// PublicKeys are the issuer's verification keys by kid: what its JWKS
// publishes, for a verifier in the same process.
func (i *Issuer) PublicKeys() map[string]*rsa.PublicKey {
	return map[string]*rsa.PublicKey{i.kid: &i.key.PublicKey}
}

// ServeHTTP serves the issuer's paths.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) { i.mux.ServeHTTP(w, r) }

// claims are a minted token's claims; aud is a string, as GitHub writes
// it (Kubernetes writes a one-element array; verifiers take both).
type claims struct {
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Aud string           `json:"aud"`
	Iat *jwt.NumericDate `json:"iat"`
	Nbf *jwt.NumericDate `json:"nbf"`
	Exp *jwt.NumericDate `json:"exp"`
	Jti string           `json:"jti"`
}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.Exp, nil }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.Iat, nil }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.Nbf, nil }
func (c claims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c claims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings{c.Aud}, nil }

// Mint signs a token about subject for audience, valid from now for
// lifetime (at most MaxLifetime): what a Kubernetes projected service
// account token or a GitHub Actions ID token is to Entra.
func (i *Issuer) Mint(subject, audience string, lifetime time.Duration) (string, error) {
	switch {
	case subject == "":
		return "", errors.New("mint federated token: the subject is empty")
	case audience == "":
		return "", errors.New("mint federated token: the audience is empty")
	case lifetime <= 0 || lifetime > MaxLifetime:
		return "", fmt.Errorf("mint federated token: lifetime %v: want more than 0 and at most %v", lifetime, MaxLifetime)
	}
	now := i.now().Truncate(time.Second)
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{
		Iss: i.url, Sub: subject, Aud: audience,
		Iat: jwt.NewNumericDate(now), Nbf: jwt.NewNumericDate(now), Exp: jwt.NewNumericDate(now.Add(lifetime)),
		Jti: rand.Text(),
	})
	tok.Header["kid"] = i.kid
	raw, err := tok.SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("mint federated token: %w", err)
	}
	return raw, nil
}

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.url,
		"jwks_uri":                              i.url + "/keys",
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"iss", "sub", "aud", "iat", "nbf", "exp", "jti"},
	})
}

func (i *Issuer) keys(w http.ResponseWriter, r *http.Request) {
	pub := &i.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": i.kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// actionsToken is GitHub Actions' ID token endpoint. The request token is
// compared in constant time and never appears in an answer.
func (i *Issuer) actionsToken(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(i.requestToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="exorun emulator"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials: send Authorization: Bearer with ACTIONS_ID_TOKEN_REQUEST_TOKEN (exorun emulator env --github-actions SUBJECT prints it)"})
		return
	}
	q := r.URL.Query()
	subject := q.Get("subject")
	if subject == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "no subject: the emulator's ACTIONS_ID_TOKEN_REQUEST_URL names it (?subject=repo:OWNER/REPO:environment:NAME)"})
		return
	}
	audience := q.Get("audience")
	if audience == "" {
		audience = DefaultActionsAudience
	}
	raw, err := i.Mint(subject, audience, ActionsLifetime)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"value": raw})
}

// thumbprint is the key's RFC 7638 JWK thumbprint, the usual kid.
func thumbprint(pub *rsa.PublicKey) string {
	canonical := `{"e":"` + b64(big.NewInt(int64(pub.E)).Bytes()) + `","kty":"RSA","n":"` + b64(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The status is sent; a failed write means the client went away.
	_ = json.NewEncoder(w).Encode(v)
}
