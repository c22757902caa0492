package entra

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/directory"
	"github.com/golang-jwt/jwt/v5"
)

// Errors Verify wraps, so a resource can answer an expired token
// differently from a bad one.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("token invalid")
)

// Claims are the claims of an access token the service issued: the v1
// app-only token Exchange Online receives (PROTOCOL.md 2.1). Field names
// follow the claim names.
type Claims struct {
	Aud            string // resource, e.g. https://outlook.office365.com
	Iss            string // https://sts.windows.net/{tid}/
	Idp            string // same as Iss
	Ver            string // "1.0"
	Tid            string // tenant GUID
	AppID          string // client id
	AppIDACR       string // "2" certificate, "1" client secret
	Oid            string // service principal object id
	Sub            string // same as Oid
	AppDisplayName string
	Uti            string   // unique token id
	Roles          []string // application permissions; Exchange.ManageAsApp when granted and consented
	Wids           []string // assigned directory role template ids plus the app-only marker
	Iat, Nbf, Exp  time.Time
}

// HasRole reports whether the token carries the application permission.
func (c Claims) HasRole(role string) bool { return slices.Contains(c.Roles, role) }

// accessClaims is the token payload on the wire. It is not
// jwt.RegisteredClaims because Entra writes aud as a string, which
// RegisteredClaims would only do by changing a golang-jwt global.
type accessClaims struct {
	Aud            string           `json:"aud"`
	Iss            string           `json:"iss"`
	Iat            *jwt.NumericDate `json:"iat"`
	Nbf            *jwt.NumericDate `json:"nbf"`
	Exp            *jwt.NumericDate `json:"exp"`
	AppDisplayName string           `json:"app_displayname,omitempty"`
	AppID          string           `json:"appid"`
	AppIDACR       string           `json:"appidacr"`
	Idp            string           `json:"idp"`
	Oid            string           `json:"oid"`
	Roles          []string         `json:"roles,omitempty"`
	Sub            string           `json:"sub"`
	Tid            string           `json:"tid"`
	Uti            string           `json:"uti"`
	Ver            string           `json:"ver"`
	Wids           []string         `json:"wids"`
	// XmsMirid is a managed identity's Azure resource id, which Entra
	// adds to its tokens.
	XmsMirid string `json:"xms_mirid,omitempty"`
}

func (c accessClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.Exp, nil }
func (c accessClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.Iat, nil }
func (c accessClaims) GetNotBefore() (*jwt.NumericDate, error)      { return c.Nbf, nil }
func (c accessClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c accessClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c accessClaims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings{c.Aud}, nil }

func (c accessClaims) claims() Claims {
	return Claims{
		Aud: c.Aud, Iss: c.Iss, Idp: c.Idp, Ver: c.Ver, Tid: c.Tid, AppID: c.AppID, AppIDACR: c.AppIDACR,
		Oid: c.Oid, Sub: c.Sub, AppDisplayName: c.AppDisplayName, Uti: c.Uti, Roles: c.Roles, Wids: c.Wids,
		Iat: dateOf(c.Iat), Nbf: dateOf(c.Nbf), Exp: dateOf(c.Exp),
	}
}

func v1Issuer(tid string) string { return "https://sts.windows.net/" + tid + "/" }

// sign issues a token for app in t, for resource aud.
func (s *Service) sign(t directory.Tenant, app directory.App, aud, acr string) (issued, error) {
	now := s.now().Truncate(time.Second)
	c := accessClaims{
		Aud:            aud,
		Iss:            v1Issuer(t.ID),
		Iat:            jwt.NewNumericDate(now),
		Nbf:            jwt.NewNumericDate(now),
		Exp:            jwt.NewNumericDate(now.Add(s.lifetime)),
		AppDisplayName: app.DisplayName,
		AppID:          app.AppID,
		AppIDACR:       acr,
		Idp:            v1Issuer(t.ID),
		Oid:            app.ObjectID,
		Sub:            app.ObjectID,
		Tid:            t.ID,
		Uti:            base64.RawURLEncoding.EncodeToString(randomBytes(16)),
		Ver:            "1.0",
		Wids:           append(slices.Clone(app.Roles), catalog.AppOnlyMarkerID),
	}
	if app.HasManageAsApp() {
		c.Roles = []string{catalog.ManageAsApp}
	}
	if app.ManagedIdentity != nil {
		c.XmsMirid = app.ManagedIdentity.ResourceID
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["x5t"] = s.kid
	tok.Header["kid"] = s.kid
	raw, err := tok.SignedString(s.key)
	if err != nil {
		return issued{}, fmt.Errorf("sign access token: %w", err)
	}
	return issued{raw: raw, claims: c.claims()}, nil
}

// Verify checks a bearer token the way a resource would: signed RS256 by
// this service's key, exp and nbf within Skew of now, issuer consistent
// with the tenant. Errors wrap ErrTokenExpired or ErrTokenInvalid. It does
// not check aud, tenant or roles: those depend on the request.
func (s *Service) Verify(token string) (Claims, error) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if kid, ok := t.Header["kid"].(string); ok && kid != s.kid {
			return nil, fmt.Errorf("signed with key %q, not the emulator's %q", kid, s.kid)
		}
		return &s.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithLeeway(Skew), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenExpired, err)
	case err != nil:
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	case c.Tid == "" || c.Iss != v1Issuer(c.Tid):
		return Claims{}, fmt.Errorf("%w: issuer %q does not belong to tenant %q", ErrTokenInvalid, c.Iss, c.Tid)
	}
	return c.claims(), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails since Go 1.24
	return b
}
