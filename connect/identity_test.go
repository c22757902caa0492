package connect

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exorun/exorun/catalog"
)

const (
	tenantGUID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	appGUID    = "6f1c0b6a-0f3e-4f7e-9c1a-2b3c4d5e6f70"
	exAdmin    = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	globalRead = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	unknownWID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)

func TestParseTokenClaims(t *testing.T) {
	exp := time.Date(2026, 11, 1, 10, 15, 0, 0, time.UTC)
	tok := makeJWT(t, map[string]any{
		"aud":   "https://outlook.office365.com",
		"tid":   tenantGUID,
		"appid": appGUID,
		"roles": []string{"Exchange.ManageAsApp"},
		// Token order differs from catalog order; the marker is dropped.
		"wids": []string{globalRead, catalog.AppOnlyMarkerID, unknownWID, strings.ToUpper(exAdmin)},
		"exp":  exp.Unix(),
	})
	id, err := ParseToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if id.TenantID != tenantGUID || id.AppID != appGUID || id.Audience != "https://outlook.office365.com" {
		t.Errorf("identity = %+v", id)
	}
	if !id.ExpiresOn.Equal(exp) || id.ExpiresOn.Location() != time.UTC {
		t.Errorf("ExpiresOn = %v, want %v", id.ExpiresOn, exp)
	}
	if !id.AppOnly || !id.HasManageAsApp() {
		t.Errorf("AppOnly=%v HasManageAsApp=%v", id.AppOnly, id.HasManageAsApp())
	}
	if got, want := id.RoleNames(), []string{"Exchange Administrator", "Global Reader"}; !slices.Equal(got, want) {
		t.Errorf("RoleNames = %v, want %v (catalog order)", got, want)
	}
	if !slices.Equal(id.UnknownRoleIDs, []string{unknownWID}) {
		t.Errorf("UnknownRoleIDs = %v", id.UnknownRoleIDs)
	}
	if got := id.HonouredRoles(catalog.Compliance); len(got) != 1 || got[0].Name != "Global Reader" {
		t.Errorf("HonouredRoles(compliance) = %v", got)
	}
	if got := id.HonouredRoles(catalog.Exchange); len(got) != 2 {
		t.Errorf("HonouredRoles(exchange) = %v", got)
	}
}

func TestParseTokenV2AndVariants(t *testing.T) {
	// v2 tokens name the app in azp; aud may be an array; a user token
	// has scp.
	id, err := ParseToken(makeJWT(t, map[string]any{
		"aud": []string{"https://ps.compliance.protection.outlook.com", "other"},
		"tid": tenantGUID, "azp": appGUID, "scp": "Exchange.Manage", "exp": 1.7e9,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if id.AppID != appGUID || id.Audience != "https://ps.compliance.protection.outlook.com" || id.AppOnly {
		t.Errorf("identity = %+v", id)
	}
	if id.HasManageAsApp() || len(id.Roles) != 0 || len(id.UnknownRoleIDs) != 0 || id.ExpiresOn.Unix() != 1.7e9 {
		t.Errorf("identity = %+v", id)
	}
	// appid wins over azp.
	id, _ = ParseToken(makeJWT(t, map[string]any{"tid": tenantGUID, "appid": appGUID, "azp": "other"}))
	if id.AppID != appGUID || !id.ExpiresOn.IsZero() {
		t.Errorf("appid/azp: %+v", id)
	}
	// A token that only carries the app-only marker has no roles at all.
	id, _ = ParseToken(makeJWT(t, map[string]any{"tid": tenantGUID, "appid": appGUID, "wids": []string{catalog.AppOnlyMarkerID}}))
	if len(id.Roles)+len(id.UnknownRoleIDs) != 0 || len(id.RoleNames()) != 0 {
		t.Errorf("marker-only: %+v", id)
	}
	// Padded payloads (some tools add '=') are read too.
	tok := makeJWT(t, map[string]any{"tid": tenantGUID, "appid": appGUID, "x": "ab"})
	parts := strings.Split(tok, ".")
	if pad := len(parts[1]) % 4; pad != 0 {
		parts[1] += strings.Repeat("=", 4-pad)
	}
	if _, err := ParseToken(strings.Join(parts, ".")); err != nil {
		t.Errorf("padded payload: %v", err)
	}
}

func TestParseTokenErrorsHideTheToken(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	secretPayload := "eyJzZWNyZXQiOiJzdXBlci1zZWNyZXQtdG9rZW4tdGV4dCJ9" // {"secret":"super-secret-token-text"}
	for name, tok := range map[string]string{
		"one part":        "supersecretopaquetokenvalue0123456789",
		"two parts":       "header-secret-part.payload-secret-part",
		"four parts":      "a-secret.b-secret.c-secret.d-secret",
		"bad base64":      "eyJhbGciOiJSUzI1NiJ9.!!!secret-not-base64!!!.sig-secret",
		"not json":        "eyJhbGciOiJSUzI1NiJ9." + enc([]byte("secret-plain-text-claims")) + ".sig-secret",
		"json not claims": "eyJhbGciOiJSUzI1NiJ9." + enc([]byte(`["secret-in-array"]`)) + ".sig-secret",
		"wrong types":     "eyJhbGciOiJSUzI1NiJ9." + enc([]byte(`{"tid":"secret-tid-value","roles":"secret-role-string"}`)) + ".sig-secret",
		"no tid":          "eyJhbGciOiJSUzI1NiJ9." + secretPayload + ".sig-secret",
		"empty":           "",
	} {
		_, err := ParseToken(tok)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		for _, part := range append(strings.Split(tok, "."), "secret") {
			if len(part) >= 6 && strings.Contains(msg, part) {
				t.Errorf("%s: error %q holds token text %q", name, msg, part)
			}
		}
	}
	// A token without tid still says what it found.
	id, err := ParseToken(makeJWT(t, map[string]any{"appid": appGUID}))
	if err == nil || !strings.Contains(err.Error(), "app-only") || id.AppID != appGUID {
		t.Errorf("no tid: %+v, %v", id, err)
	}
}
