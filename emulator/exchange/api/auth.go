package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
)

// exchangeAppID is the "Office 365 Exchange Online" resource app id
// (PROTOCOL.md 2.2); Exchange names it as client_id in its challenges.
const exchangeAppID = "00000002-0000-0ff1-ce00-000000000000"

// unsupportedRole is the module's text for an app without a directory
// role the service honours (PROTOCOL.md 2.4).
const unsupportedRole = "The role assigned to application %s isn't supported in this scenario. " +
	"Please check online documentation for assigning correct Directory Roles to Azure AD Application " +
	"for EXO App-Only Authentication."

// authenticate checks the bearer token against the route and the URL's
// tenant t (resolved on arrival) and returns the caller, in the order
// PROTOCOL.md 6.6 lists: token, audience, tenant, Exchange.ManageAsApp,
// directory role.
func (h *Handler) authenticate(r *http.Request, rt route, t urlTenant) (exchange.Caller, *failure) {
	scheme, bearer, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	bearer = strings.TrimSpace(bearer)
	if !strings.EqualFold(scheme, "Bearer") || bearer == "" {
		return exchange.Caller{}, h.invalidToken(rt, "The access token is missing.", "")
	}
	tok, err := h.opts.Authenticate(bearer)
	if err != nil {
		if errors.Is(err, exchange.ErrTokenExpired) {
			return exchange.Caller{}, h.invalidToken(rt, "The access token has expired.", err.Error())
		}
		return exchange.Caller{}, h.invalidToken(rt, "The access token is invalid.", err.Error())
	}
	if want := h.resource(rt.service); !sameResource(tok.Audience, want) {
		return exchange.Caller{}, h.invalidToken(rt, "The access token's audience '"+tok.Audience+
			"' is not valid for "+string(rt.service)+"; request a token for "+want+".", "")
	}

	if !t.ok {
		// 404, not 401: the token may be fine, the URL names no tenant,
		// and a 401 would send clients off to renew tokens.
		return exchange.Caller{}, tenantNotFound(rt.tenant)
	}
	if !strings.EqualFold(t.id, tok.TenantID) {
		return exchange.Caller{}, h.invalidToken(rt, "The access token was issued for tenant "+tok.TenantID+
			", not for the tenant '"+rt.tenant+"' in the URL.", "")
	}

	if !hasFold(tok.Roles, catalog.ManageAsApp) {
		// "UnAuthorized" is all the module prints for an app without the
		// permission (Microsoft365DSC#4380); the detail says why.
		return exchange.Caller{}, h.accessDenied(rt, "UnAuthorized", "The access token of application "+
			tok.AppID+" does not carry the "+catalog.ManageAsApp+" application permission.")
	}

	var roles []catalog.Role
	for _, id := range tok.Wids {
		role, ok := catalog.RoleByTemplateID(id)
		if ok && role.Honours(rt.service) && !hasRole(roles, role) {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		msg := strings.Replace(unsupportedRole, "%s", tok.AppID, 1)
		return exchange.Caller{}, h.accessDenied(rt, msg, "")
	}
	return exchange.Caller{
		TenantID:     t.id,
		Organization: t.org,
		AppID:        tok.AppID,
		AppName:      tok.AppName,
		Roles:        roles,
	}, nil
}

func (h *Handler) resource(s catalog.Service) string {
	if s == catalog.Compliance {
		return h.opts.ComplianceResource
	}
	return h.opts.ExchangeResource
}

// sameResource compares audiences as Entra writes them: with or without
// the trailing slash a v1 resource may carry, any case.
func sameResource(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// invalidToken is a 401 the client may cure with a new token. Exchange's
// challenge names error="invalid_token" even for a missing token [I];
// error_description says which case it is.
func (h *Handler) invalidToken(rt route, msg, detail string) *failure {
	if detail != "" {
		detail = msg + " (" + detail + ")"
	}
	return &failure{status: http.StatusUnauthorized, code: "Unauthorized", message: msg, detail: detail,
		exception: excInvalidToken, challenge: h.challenge(rt, "invalid_token", msg)}
}

// accessDenied is a 401 a new token will not cure; the challenge says
// insufficient_scope so a client can tell the two apart.
func (h *Handler) accessDenied(rt route, msg, detail string) *failure {
	desc := msg
	if detail != "" {
		desc = detail
	}
	return &failure{status: http.StatusUnauthorized, code: "Unauthorized", message: msg, detail: detail,
		exception: excAccessDenied, challenge: h.challenge(rt, "insufficient_scope", desc)}
}

func (h *Handler) challenge(rt route, code, desc string) string {
	var b strings.Builder
	b.WriteString("Bearer ")
	if rt.service == catalog.Exchange {
		b.WriteString(`client_id="` + exchangeAppID + `", `)
	}
	b.WriteString(`error="` + code + `", error_description="` + quoteSafe(desc) + `"`)
	return b.String()
}

// quoteSafe keeps a value legal inside an HTTP quoted-string.
func quoteSafe(s string) string {
	return strings.NewReplacer(`"`, "'", `\`, "/", "\r", " ", "\n", " ").Replace(s)
}

func hasFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func hasRole(list []catalog.Role, r catalog.Role) bool {
	for _, e := range list {
		if e.TemplateID == r.TemplateID {
			return true
		}
	}
	return false
}
