package connect

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exorun/exorun/catalog"
)

// Identity is who a token says the session is. exorun reads it without
// checking the signature: the service checks that, and the client only
// needs the claims to decide which cmdlets to offer.
type Identity struct {
	TenantID string
	AppID    string
	// Audience is the resource the token is for.
	Audience string
	// Permissions are the application permissions ("roles" claim), e.g.
	// Exchange.ManageAsApp.
	Permissions []string
	// Roles are the directory roles exorun knows ("wids" claim), in
	// catalog order; UnknownRoleIDs are the other template ids, minus the
	// marker every app-only token carries.
	Roles          []catalog.Role
	UnknownRoleIDs []string
	ExpiresOn      time.Time
	// AppOnly is true when the token has no user (no "scp" claim).
	AppOnly bool
}

// HasManageAsApp reports whether the Exchange.ManageAsApp permission is
// in the token: without it the service refuses every cmdlet.
func (id Identity) HasManageAsApp() bool {
	return slices.Contains(id.Permissions, catalog.ManageAsApp)
}

// RoleNames lists the directory roles by name.
func (id Identity) RoleNames() []string {
	names := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		names[i] = r.Name
	}
	return names
}

// HonouredRoles are the roles that service honours for app-only sessions
// (PROTOCOL.md 2.4).
func (id Identity) HonouredRoles(s catalog.Service) []catalog.Role {
	var out []catalog.Role
	for _, r := range id.Roles {
		if r.Honours(s) {
			out = append(out, r)
		}
	}
	return out
}

// errNotJWT keeps token text out of the message: a malformed token is
// still a secret.
var errNotJWT = errors.New("the access token is not a JWT (three base64url parts)")

// ParseToken reads the claims of an access token.
func ParseToken(token string) (Identity, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Identity{}, errNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Identity{}, errNotJWT
	}
	var c struct {
		TID   string   `json:"tid"`
		AppID string   `json:"appid"`
		AZP   string   `json:"azp"`
		Aud   any      `json:"aud"`
		Roles []string `json:"roles"`
		WIDs  []string `json:"wids"`
		Exp   float64  `json:"exp"`
		Scp   string   `json:"scp"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return Identity{}, fmt.Errorf("the access token's claims are not JSON: %w", err)
	}
	id := Identity{
		TenantID:    c.TID,
		AppID:       c.AppID,
		Permissions: c.Roles,
		AppOnly:     c.Scp == "",
	}
	if id.AppID == "" {
		id.AppID = c.AZP // v2 tokens
	}
	switch aud := c.Aud.(type) {
	case string:
		id.Audience = aud
	case []any:
		if len(aud) > 0 {
			id.Audience, _ = aud[0].(string)
		}
	}
	if c.Exp > 0 {
		id.ExpiresOn = time.Unix(int64(c.Exp), 0).UTC()
	}
	for _, w := range c.WIDs {
		if strings.EqualFold(w, catalog.AppOnlyMarkerID) {
			continue
		}
		if r, ok := catalog.RoleByTemplateID(w); ok {
			id.Roles = append(id.Roles, r)
		} else {
			id.UnknownRoleIDs = append(id.UnknownRoleIDs, w)
		}
	}
	// Catalog order, so output is stable whatever order the token lists.
	order := map[string]int{}
	for i, r := range catalog.Roles() {
		order[r.Name] = i
	}
	slices.SortFunc(id.Roles, func(a, b catalog.Role) int { return order[a.Name] - order[b.Name] })
	if id.TenantID == "" || id.AppID == "" {
		return id, errors.New("the access token has no tid or appid claim; is it an app-only token?")
	}
	return id, nil
}
