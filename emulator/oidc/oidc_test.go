package oidc_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exorun/exorun/emulator/oidc"
	"github.com/golang-jwt/jwt/v5"
)

// serve starts the issuer of state folder dir on a real TLS listener.
func serve(t *testing.T, dir string) (*oidc.Issuer, *httptest.Server) {
	t.Helper()
	var h atomic.Pointer[oidc.Issuer]
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	iss, err := oidc.Load(dir, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Store(iss)
	return iss, srv
}

func getJSON(t *testing.T, srv *httptest.Server, u, bearer string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", bearer)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return resp.StatusCode
}

// jwksKey fetches the issuer's JWKS through discovery, as Entra does.
func jwksKey(t *testing.T, srv *httptest.Server, issuer string) (string, *rsa.PublicKey) {
	t.Helper()
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if code := getJSON(t, srv, issuer+"/.well-known/openid-configuration", "", &disc); code != 200 || disc.Issuer != issuer || disc.JWKSURI != issuer+"/keys" {
		t.Fatalf("discovery: %d %+v", code, disc)
	}
	var set struct {
		Keys []struct{ Kty, Alg, Use, Kid, N, E string }
	}
	if code := getJSON(t, srv, disc.JWKSURI, "", &set); code != 200 || len(set.Keys) != 1 {
		t.Fatalf("jwks: %d %+v", code, set)
	}
	k := set.Keys[0]
	if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.Kid == "" {
		t.Fatalf("jwk %+v", k)
	}
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	return k.Kid, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

type minted struct {
	jwt.RegisteredClaims
}

func verify(t *testing.T, raw, kid string, pub *rsa.PublicKey) minted {
	t.Helper()
	var c minted
	tok, err := jwt.ParseWithClaims(raw, &c, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != kid {
			t.Errorf("kid %v, want %s", tok.Header["kid"], kid)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid {
		t.Fatalf("minted token does not verify with the JWKS key: %v", err)
	}
	return c
}

func TestDiscoveryKeysAndMint(t *testing.T) {
	dir := t.TempDir()
	iss, srv := serve(t, dir)
	if iss.URL() != srv.URL+"/oidc" {
		t.Fatalf("issuer %s", iss.URL())
	}
	kid, pub := jwksKey(t, srv, iss.URL())
	if kid != iss.KeyID() || !iss.PublicKeys()[kid].Equal(pub) {
		t.Fatal("the JWKS key is not the issuer's")
	}
	raw, err := iss.Mint("system:serviceaccount:reports:runner", "api://AzureADTokenExchange", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := verify(t, raw, kid, pub)
	if c.Issuer != iss.URL() || c.Subject != "system:serviceaccount:reports:runner" || len(c.Audience) != 1 || c.Audience[0] != "api://AzureADTokenExchange" || c.ID == "" {
		t.Fatalf("claims %+v", c)
	}
	if d := c.ExpiresAt.Sub(c.IssuedAt.Time); d != time.Hour || !c.NotBefore.Equal(c.IssuedAt.Time) {
		t.Fatalf("lifetime %v, nbf %v iat %v", d, c.NotBefore, c.IssuedAt)
	}
	for _, bad := range []struct {
		sub, aud string
		life     time.Duration
	}{{"", "a", time.Minute}, {"s", "", time.Minute}, {"s", "a", 0}, {"s", "a", 25 * time.Hour}} {
		if _, err := iss.Mint(bad.sub, bad.aud, bad.life); err == nil {
			t.Errorf("Mint%v: no error", bad)
		}
	}

	// A restart keeps the key and the request token.
	again, err := oidc.Load(dir, srv.URL, nil)
	if err != nil || again.KeyID() != kid || again.RequestToken() != iss.RequestToken() {
		t.Fatalf("reloaded: %v", err)
	}
	if tok, err := oidc.ReadRequestToken(dir); err != nil || tok != iss.RequestToken() {
		t.Fatalf("ReadRequestToken: %v", err)
	}
	if _, err := oidc.Load(dir, "http://127.0.0.1:1", nil); err == nil {
		t.Fatal("an http base was accepted")
	}
}

func TestActionsIDTokenEndpoint(t *testing.T) {
	iss, srv := serve(t, t.TempDir())
	kid, pub := jwksKey(t, srv, iss.URL())
	const subject = "repo:Contoso/Reports:environment:Prod"
	// As a runner's ACTIONS_ID_TOKEN_REQUEST_URL, with the client's
	// &audience= appended.
	base := iss.ActionsTokenURL() + "?subject=" + url.QueryEscape(subject)

	var body map[string]string
	for _, bearer := range []string{"", "Bearer wrong", "Basic " + iss.RequestToken()} {
		if code := getJSON(t, srv, base, bearer, &body); code != http.StatusUnauthorized || strings.Contains(body["message"], iss.RequestToken()) {
			t.Fatalf("authorization %q: %d %v", bearer, code, body)
		}
	}
	if code := getJSON(t, srv, iss.ActionsTokenURL(), "Bearer "+iss.RequestToken(), &body); code != http.StatusBadRequest {
		t.Fatalf("no subject: %d %v", code, body)
	}

	if code := getJSON(t, srv, base, "bearer "+iss.RequestToken(), &body); code != 200 {
		t.Fatalf("default audience: %d %v", code, body)
	}
	c := verify(t, body["value"], kid, pub)
	if c.Subject != subject || c.Audience[0] != oidc.DefaultActionsAudience || c.Issuer != iss.URL() {
		t.Fatalf("claims %+v", c)
	}
	if code := getJSON(t, srv, base+"&audience="+url.QueryEscape("api://AzureADTokenExchange"), "Bearer "+iss.RequestToken(), &body); code != 200 {
		t.Fatalf("audience: %d %v", code, body)
	}
	if c := verify(t, body["value"], kid, pub); c.Audience[0] != "api://AzureADTokenExchange" || c.ExpiresAt.Sub(c.IssuedAt.Time) != oidc.ActionsLifetime {
		t.Fatalf("claims %+v", c)
	}
}
