package adminapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirect handles a 3xx (PROTOCOL.md 3.1, 4): the request is sent again,
// same method and body, to the regional URL, and the regional base is kept
// for the rest of the Client's life.
func (c *Client) redirect(op *call, out *outcome, target string) verdict {
	e := &Error{Code: CodeBadResponse, Status: out.status, Cmdlet: op.cmdlet, RequestID: out.requestID}
	loc := strings.TrimSpace(out.header.Get("Location"))
	if loc == "" {
		e.Message = fmt.Sprintf("the service answered %d without a Location", out.status)
		return verdict{act: actFail, err: e}
	}
	from, err := url.Parse(target)
	if err != nil {
		e.Message = "bad request URL: " + err.Error()
		return verdict{act: actFail, err: e}
	}
	to, err := from.Parse(loc)
	if err != nil {
		e.Message = fmt.Sprintf("the service redirected to %q, which is not a URL", shorten(loc, 200))
		return verdict{act: actFail, err: e}
	}
	next, base, err := regionalTarget(from, to, c.base)
	if err != nil {
		e.Message = err.Error()
		return verdict{act: actFail, err: e}
	}
	if old := c.BaseURL(); old != base {
		c.regional.Store(&base)
		c.log.Info("the service named its regional endpoint; using it from now on",
			"cmdlet", op.cmdlet, "base_url", base, "status", out.status)
	}
	return verdict{act: actRedirect, location: next, err: e}
}

// regionalTarget checks a redirect's Location and returns the URL to send
// the request to and the new service base (everything before /adminapi).
//
// A Location on {region}.admin.protection.{suffix} (the compliance back end,
// not reachable from outside) becomes {region}.ps.compliance.protection.{suffix}
// when the request went to ps.compliance.protection.{suffix}. Otherwise the
// Location must be on the request's own host (the emulator) or on a
// subdomain of the configured base's host ({prefix}.outlook.office365.com):
// a token is never sent anywhere else.
func regionalTarget(from, to *url.URL, configured string) (next, base string, err error) {
	cfg, _ := url.Parse(configured)
	u := *to
	u.User = nil
	host := strings.ToLower(u.Hostname())
	fromHost := strings.ToLower(from.Hostname())
	switch {
	case complianceRegion(fromHost, host) != "":
		u.Host = complianceRegion(fromHost, host)
		u.Scheme = "https"
	case strings.EqualFold(u.Host, from.Host) && u.Scheme == from.Scheme:
	case u.Scheme == "https" && cfg != nil && strings.HasSuffix(host, "."+strings.ToLower(cfg.Hostname())):
	default:
		return "", "", fmt.Errorf("the service redirected to %s://%s, a host exorun does not send tokens to", u.Scheme, u.Host)
	}
	i := adminapiIndex(u.Path)
	if i < 0 {
		return "", "", fmt.Errorf("the service redirected to %s, which is not an admin API URL", shorten(u.Redacted(), 200))
	}
	b := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path[:i]}
	return u.String(), strings.TrimSuffix(b.String(), "/"), nil
}

// complianceRegion returns {region}.ps.compliance.protection.{suffix} when
// host is {region}.admin.protection.{suffix} and fromHost is the compliance
// front door (or a regional host) of the same suffix, else "".
func complianceRegion(fromHost, host string) string {
	region, rest, ok := strings.Cut(host, ".")
	if !ok || region == "" {
		return ""
	}
	suffix, ok := strings.CutPrefix(rest, "admin.protection.")
	if !ok || suffix == "" {
		return ""
	}
	door := "ps.compliance.protection." + suffix
	if fromHost != door && !strings.HasSuffix(fromHost, "."+door) {
		return ""
	}
	return region + "." + door
}

// adminapiIndex is where the /adminapi segment starts in path (any case),
// or -1.
func adminapiIndex(path string) int {
	l := strings.ToLower(path)
	for i := 0; ; {
		j := strings.Index(l[i:], "/adminapi")
		if j < 0 {
			return -1
		}
		end := i + j + len("/adminapi")
		if end == len(l) || l[end] == '/' {
			return i + j
		}
		i = end
	}
}
