package bindings

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/internal/exitcode"
)

// Permit is least privilege enforced by the runtime: the cmdlets a
// bundle's manifest declares, each with the access it declares. A run
// with a Permit sends nothing else, whatever the app's roles allow.
type Permit struct {
	// Source names the declaration in errors, e.g. `the manifest of
	// bundle "permission-audit" 1.2.0`.
	Source string
	// Cmdlets maps each declared cmdlet, as the manifest spells it, to
	// what is declared of it.
	Cmdlets map[string]Declared
}

// Declared is what a manifest says of one cmdlet: whether it reads or
// writes, and the service it is called in.
type Declared struct {
	Effect  catalog.Effect
	Service catalog.Service
}

// declared is what the permit says of name (any case).
func (p *Permit) declared(name string) (Declared, bool) {
	for n, d := range p.Cmdlets {
		if strings.EqualFold(n, name) {
			return d, true
		}
	}
	return Declared{}, false
}

// names lists the declared cmdlets, sorted.
func (p *Permit) names() []string {
	out := make([]string, 0, len(p.Cmdlets))
	for n := range p.Cmdlets {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// allows is nil when the permit lets a call of name with the given effect
// through in service: it is declared for that service, and not declared
// read while it writes.
func (p *Permit) allows(name string, effect catalog.Effect, service catalog.Service) error {
	if p == nil {
		return nil
	}
	d, ok := p.declared(name)
	switch {
	case !ok:
		return &undeclaredError{cmdlet: name, permit: p}
	case d.Service != service:
		return &undeclaredError{cmdlet: name, permit: p, service: d.Service}
	case d.Effect == catalog.Read && effect == catalog.Write:
		return &undeclaredError{cmdlet: name, permit: p, writes: true}
	}
	return nil
}

// undeclaredError is a call its Permit does not cover, refused before
// any request.
type undeclaredError struct {
	cmdlet string
	permit *Permit
	writes bool // declared read, but the cmdlet writes
	// service is the service the cmdlet is declared for, when the call
	// goes to the other.
	service catalog.Service
}

func (e *undeclaredError) Error() string {
	if e.writes {
		return fmt.Sprintf("%s writes, but %s declares it read; a bundle may not write through a cmdlet declared read", e.cmdlet, e.permit.Source)
	}
	if e.service != "" {
		return fmt.Sprintf("%s is declared in %s for %s, not for this session's service", e.cmdlet, e.permit.Source, e.service)
	}
	declared := "none"
	if names := e.permit.names(); len(names) > 0 {
		declared = strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s is not declared in %s (it declares: %s); a bundle runs only the cmdlets its manifest declares", e.cmdlet, e.permit.Source, declared)
}

func (e *undeclaredError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Permission, Err: errors.New(e.Error()),
		Hint: "the bundle's author must declare the cmdlet in manifest.json and pack the bundle again"}
}

func (e *undeclaredError) LuaFields() map[string]any {
	return map[string]any{"code": "not_declared", "cmdlet": e.cmdlet}
}

// missingRolesError lists, at connect, the declared cmdlets the app's
// roles do not grant: a bundle fails before its first request rather
// than half-way through.
type missingRolesError struct {
	source  string
	appID   string
	roles   []string // the app's
	missing []string // "Set-Mailbox (Exchange Administrator grants it)"
	needed  []string // the smallest role set granting every declared cmdlet
}

func (e *missingRolesError) Error() string {
	have := "none"
	if len(e.roles) > 0 {
		have = strings.Join(e.roles, ", ")
	}
	msg := fmt.Sprintf("%s needs cmdlets the roles of app %s (%s) do not grant:\n  %s", e.source, e.appID, have, strings.Join(e.missing, "\n  "))
	if len(e.needed) > 0 {
		msg += "\nit asks for the role" + plural(len(e.needed)) + " " + strings.Join(e.needed, ", ")
	}
	return msg
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (e *missingRolesError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Permission, Err: errors.New(e.Error()),
		Hint: "assign the roles to the app in Entra ID (Roles and administrators), or run the bundle with an app that has them; nothing was sent"}
}

// checkRoles is run at connect, before any request to the service: every
// cmdlet the permit declares for the session's service must be granted.
func (s *session) checkRoles() error {
	p := s.host.opts.Permit
	if p == nil {
		return nil
	}
	var missing []string
	for _, name := range p.names() {
		c, ok := catalog.Lookup(name)
		if d, _ := p.declared(name); !ok || d.Service != s.conn.Service {
			continue // another service's, or unknown to the catalog: the service decides
		}
		err := s.check(c)
		var na *notAllowedError
		if !errors.As(err, &na) {
			continue
		}
		why := na.reason
		switch {
		case why != "":
		case len(na.granting) == 0:
			why = "no directory role grants it to an app"
		default:
			why = strings.Join(na.granting, " or ") + " grants it"
		}
		missing = append(missing, fmt.Sprintf("%s (%s)", c.Name, why))
	}
	if len(missing) == 0 {
		return nil
	}
	return &missingRolesError{source: p.Source, appID: s.conn.Identity.AppID, roles: s.conn.Identity.RoleNames(), missing: missing, needed: s.host.opts.PermitRoles}
}

// settings refuses connect{} keys a bundle may not set: every one but
// service. Where to connect and with what credential is the business of
// whoever runs the bundle; a bundle naming an authority, an admin API
// URL or a CA file could send the runner's credential and token to a
// server of its choice, and a token cache file is a write outside --out.
func (p *Permit) settings(s connect.Settings) error {
	if p == nil {
		return nil
	}
	var refused []string
	for _, f := range connect.Fields() {
		if f.Key != "service" && f.Get(&s) != "" {
			refused = append(refused, f.Key)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return &exitcode.Error{Code: exitcode.Permission,
		Err:  fmt.Errorf("connect: a bundle may set only service in connect{}, not %s (%s)", strings.Join(refused, ", "), p.Source),
		Hint: "connection settings come from the one who runs the bundle: flags, environment or a profile"}
}
