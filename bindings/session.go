package bindings

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings/decode"
	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/runtime"
)

// session is one connect{} result: the connection, the cmdlets its roles
// allow, and the Lua table that represents it.
type session struct {
	host *Host
	conn *connect.Session
	// offered is the service's own list of the app's cmdlets (lower-case
	// names), nil when the service did not give one.
	offered map[string]bool
	dec     *decode.Decoder
	exo     *lua.LTable
	// organization is the tenant as the settings named it.
	organization string
	usage        usage
	// allowed is what Host.Cmdlets answers, worked out once.
	allowedOnce sync.Once
	allowed     []*catalog.Cmdlet
}

func newSession(h *Host, cs *connect.Session) *session {
	return &session{host: h, conn: cs, dec: decode.New()}
}

// loadOffered asks the service which cmdlets the app may run
// (EXOModuleFile, PROTOCOL.md 3.9). The list is the authority when there
// is one; where it disagrees with the catalog's role model, the log says
// so. A service without the list leaves the catalog in charge.
func (s *session) loadOffered(ctx context.Context) error {
	names, err := s.conn.Client.ModuleCmdlets(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		s.host.opts.Logger.Debug("the service gave no cmdlet list; the catalog's role model decides", "error", err)
		return nil
	}
	s.offered = make(map[string]bool, len(names))
	for _, n := range names {
		s.offered[strings.ToLower(n)] = true
	}
	var onlyService, onlyCatalog []string
	for _, n := range names {
		if c, ok := catalog.Lookup(n); !ok || !s.rolesGrant(c) {
			onlyService = append(onlyService, n)
		}
	}
	for _, c := range catalog.All() {
		if c.Runs(s.conn.Service) && c.WrapperOf == "" && s.rolesGrant(c) && !s.offered[strings.ToLower(c.Name)] {
			onlyCatalog = append(onlyCatalog, c.Name)
		}
	}
	if len(onlyService) > 0 {
		s.host.opts.Logger.Debug("the service offers cmdlets the catalog's role model does not grant", "count", len(onlyService), "cmdlets", abbreviate(onlyService))
	}
	if len(onlyCatalog) > 0 {
		s.host.opts.Logger.Debug("the catalog grants cmdlets the service does not offer", "count", len(onlyCatalog), "cmdlets", abbreviate(onlyCatalog))
	}
	return nil
}

func abbreviate(names []string) string {
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// rolesGrant is the catalog's role model for this session's roles.
func (s *session) rolesGrant(c *catalog.Cmdlet) bool {
	return catalog.Allowed(s.conn.Identity.HonouredRoles(s.conn.Service), c.Name, s.conn.Service)
}

// check is the role filter, after a bundle's Permit: nil when the
// session may run c.
func (s *session) check(c *catalog.Cmdlet) error {
	if err := s.host.opts.Permit.allows(c.Name, c.Effect, s.conn.Service); err != nil {
		return err
	}
	id := s.conn.Identity
	if c.AppOnly.Unsupported {
		return &notAllowedError{cmdlet: c.Name, appID: id.AppID, reason: c.AppOnly.Reason}
	}
	name := c.Name
	if c.WrapperOf != "" {
		name = c.WrapperOf
	}
	server, known := catalog.Lookup(name)
	granted := known && s.rolesGrant(server)
	if s.offered != nil {
		if s.offered[strings.ToLower(name)] {
			return nil
		}
		if granted {
			return &notAllowedError{cmdlet: c.Name, appID: id.AppID,
				reason: "the service does not offer it to this app (its cmdlet list), although the app's roles (" + strings.Join(id.RoleNames(), ", ") + ") grant it in exorun's role model"}
		}
	} else if granted {
		return nil
	}
	var granting []string
	for _, r := range catalog.GrantingRoles(name, s.conn.Service) {
		granting = append(granting, r.Name)
	}
	return &notAllowedError{cmdlet: c.Name, appID: id.AppID, roles: id.RoleNames(), granting: granting}
}

// allowedCmdlets lists the cmdlets the session may run, sorted.
func (s *session) allowedCmdlets() []string {
	cmdlets, _ := s.host.Cmdlets(s.exo)
	out := make([]string, len(cmdlets))
	for i, c := range cmdlets {
		out[i] = c.Name
	}
	return out
}

// table builds the exo table: methods as fields, cmdlets resolved on
// first use by __index and cached in the table.
func (s *session) table(L *lua.LState) *lua.LTable {
	exo := L.NewTable()
	s.exo = exo
	L.SetFuncs(exo, map[string]lua.LGFunction{
		"invoke":   s.luaInvoke,
		"cmdlets":  s.luaCmdlets,
		"whoami":   s.luaWhoami,
		"stats":    s.luaStats,
		"parallel": s.luaParallel,
	})
	exo.RawSetString("what_if", lua.LBool(s.host.opts.WhatIf))
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(s.luaIndex))
	meta.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("exo session (%s, tenant %s, app %s)", s.conn.Service, s.conn.Identity.TenantID, s.conn.Identity.AppID)))
		return 1
	}))
	L.SetMetatable(exo, meta)
	return exo
}

// luaIndex resolves exo.get_mailbox and exo["Get-Mailbox"].
func (s *session) luaIndex(L *lua.LState) int {
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	c, err := s.resolve(string(key))
	if err != nil {
		return runtime.Raise(L, err)
	}
	fn := L.NewFunction(func(L *lua.LState) int { return s.call(L, c, L.OptTable(1, nil)) })
	s.exo.RawSetString(string(key), fn)
	L.Push(fn)
	return 1
}

// resolve finds the cmdlet a key names in the session's service.
func (s *session) resolve(key string) (*catalog.Cmdlet, error) {
	var c *catalog.Cmdlet
	var ok bool
	if strings.Contains(key, "-") {
		c, ok = catalog.Lookup(key)
	} else {
		c, ok = catalog.BySnakeName(key)
	}
	if ok && c.Runs(s.conn.Service) {
		return c, nil
	}
	e := &unknownCmdletError{name: key, service: s.conn.Service}
	switch {
	case ok:
		e.hint = fmt.Sprintf("%s runs in %s: connect{service = %q}", c.Name, strings.Join(servicesOf(c), " and "), c.Services[0].Key())
	default:
		if sug := catalog.SuggestCmdlet(key); len(sug) > 0 {
			e.hint = "did you mean " + strings.Join(sug, " or ") + "?"
		} else {
			e.hint = `exo.invoke("Verb-Noun", {...}) sends a cmdlet the catalog does not know`
		}
	}
	return nil, e
}

func servicesOf(c *catalog.Cmdlet) []string {
	var out []string
	for _, s := range c.Services {
		out = append(out, string(s))
	}
	return out
}

// call runs a catalog cmdlet: parameters checked, role filter, what-if,
// then the request; it pushes the result stream.
func (s *session) call(L *lua.LState, c *catalog.Cmdlet, args *lua.LTable) int {
	req, err := s.request(c, args)
	if err != nil {
		return runtime.Raise(L, err)
	}
	return s.send(L, req)
}

// request checks a call of c against the catalog and the role filter and
// builds what goes on the wire: a Get-EXO* wrapper becomes its server
// cmdlet, with PropertySets/Properties as $select.
func (s *session) request(c *catalog.Cmdlet, args *lua.LTable) (adminapi.Request, error) {
	conv, err := convertParams(c, s.conn.Service, args)
	if err != nil {
		return adminapi.Request{}, err
	}
	if err := s.check(c); err != nil {
		return adminapi.Request{}, err
	}
	req := adminapi.Request{Cmdlet: c.Name, Parameters: conv.params, Write: c.Effect == catalog.Write, PageAhead: s.host.opts.PageAhead}
	if c.WrapperOf != "" {
		fields, all, err := catalog.Select(c.Name, conv.clientSide["PropertySets"], conv.clientSide["Properties"])
		if err != nil {
			return adminapi.Request{}, &ParamError{Cmdlet: c.Name, Msg: err.Error()}
		}
		req.Cmdlet = c.WrapperOf
		if !all {
			req.Select = fields
		}
		if req.Parameters, err = serverParams(c, req.Parameters); err != nil {
			return adminapi.Request{}, err
		}
	}
	return req, nil
}

// holdsWritesBack reports whether writes are logged, not sent:
// exo.what_if, or --what-if, which a script cannot lower (setting
// exo.what_if = false under --what-if changes nothing), so previewing
// someone else's script never writes.
func (s *session) holdsWritesBack() bool {
	return s.host.opts.WhatIf || lua.LVAsBool(s.exo.RawGetString("what_if"))
}

// whatIf reports whether req is a write that what-if holds back, and
// logs it as it would have been sent.
func (s *session) whatIf(req adminapi.Request) bool {
	if !req.Write || !s.holdsWritesBack() {
		return false
	}
	s.host.opts.Logger.Info("what-if: not sent", "cmdlet", req.Cmdlet, "parameters", describeParams(req.Parameters))
	s.usage.heldBack()
	return true
}

// send runs req (or, for a write under what-if, logs it) and pushes the
// stream.
func (s *session) send(L *lua.LState, req adminapi.Request) int {
	if s.whatIf(req) {
		L.Push(newResults(L, s, nil, req, nil))
		return 1
	}
	act := s.host.running.start(s, req.Cmdlet, 0)
	stream, err := s.invoke(s.ctx(L), req)
	if err != nil || req.Write {
		// A write's answer is whole once Invoke returns; a script that
		// keeps its results unread must not leave it "running".
		s.host.running.end(act)
	}
	if err != nil {
		return runtime.Raise(L, luaErr(err))
	}
	L.Push(newResults(L, s, stream, req, act))
	return 1
}

// invoke sends req, counting it and journalling a write.
func (s *session) invoke(ctx context.Context, req adminapi.Request) (*adminapi.Stream, error) {
	s.usage.sent(req)
	stream, err := s.conn.Client.Invoke(ctx, req)
	if req.Write {
		s.host.journal.record(s.conn, req, stream, err)
	}
	s.usage.finished(req, err)
	return stream, err
}

func (s *session) ctx(L *lua.LState) context.Context {
	return runtime.Context(L)
}

// luaInvoke is exo.invoke(name, params): a catalog cmdlet goes the usual
// way; any other name is passed through unchecked and the service decides.
func (s *session) luaInvoke(L *lua.LState) int {
	name := L.CheckString(1)
	args := L.OptTable(2, nil)
	if c, ok := catalog.Lookup(name); ok && c.Runs(s.conn.Service) {
		return s.call(L, c, args)
	}
	if err := s.host.opts.Permit.allows(name, catalog.EffectOf(name), s.conn.Service); err != nil {
		return runtime.Raise(L, err)
	}
	params := map[string]any{}
	if args != nil {
		m, err := hashtable(args)
		if err != nil {
			return runtime.Raise(L, &ParamError{Cmdlet: name, Msg: err.Error()})
		}
		params = m
	}
	s.host.opts.Logger.Debug("invoking a cmdlet the catalog does not know; parameters unchecked", "cmdlet", name)
	return s.send(L, adminapi.Request{Cmdlet: name, Parameters: params, Write: catalog.EffectOf(name) == catalog.Write, PageAhead: s.host.opts.PageAhead})
}

func (s *session) luaCmdlets(L *lua.LState) int {
	names := s.allowedCmdlets()
	t := runtime.NewArray(L, len(names))
	for _, n := range names {
		t.Append(lua.LString(n))
	}
	L.Push(t)
	return 1
}

// luaWhoami is exo.whoami(): who the session is, from the token, in the
// shape `exorun whoami --json` prints (connect.Info).
func (s *session) luaWhoami(L *lua.LState) int {
	data, err := json.Marshal(s.conn.Info())
	if err != nil {
		return runtime.Raise(L, err)
	}
	v, err := runtime.DecodeJSON(L, data)
	if err != nil {
		return runtime.Raise(L, err)
	}
	L.Push(v)
	return 1
}

func (s *session) luaStats(L *lua.LState) int {
	st := s.conn.Client.Stats()
	errs := map[string]any{}
	for k, v := range st.Errors {
		errs[k] = v
	}
	L.Push(runtime.ToLua(L, map[string]any{
		"calls": st.Calls, "requests": st.Requests, "pages": st.Pages, "objects": st.Objects,
		"retries": st.Retries, "throttled": st.Throttled, "throttle_wait": st.ThrottleWait.Seconds(),
		"errors": errs, "token_refreshes": s.conn.Tokens.Refreshes(),
	}))
	return 1
}

// describeParams renders parameters PowerShell-style for logs, secrets
// redacted.
func describeParams(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := redact(k, p[k])
		if bv, ok := v.(bool); ok {
			fmt.Fprintf(&b, "-%s:$%t", k, bv)
			continue
		}
		fmt.Fprintf(&b, "-%s %v", k, v)
	}
	return b.String()
}

// identityAliases are Get-EXO* parameters that name the object another
// way; the server cmdlet takes them as -Identity.
var identityAliases = []string{"UserPrincipalName", "PrimarySmtpAddress", "ExternalDirectoryObjectId"}

// serverParams maps a Get-EXO* wrapper's parameters to its server
// cmdlet's, refusing the ones the server cmdlet has no counterpart for.
func serverParams(c *catalog.Cmdlet, params map[string]any) (map[string]any, error) {
	server := c.Server()
	out := make(map[string]any, len(params))
	for name, v := range params {
		if _, ok := server.Param(name); ok {
			out[name] = v
			continue
		}
		if slices.Contains(identityAliases, name) {
			if _, taken := params["Identity"]; taken {
				return nil, &ParamError{Cmdlet: c.Name, Param: name, Msg: fmt.Sprintf("give either Identity or %s, not both", name)}
			}
			out["Identity"] = v
			continue
		}
		return nil, &ParamError{Cmdlet: c.Name, Param: name, Msg: fmt.Sprintf("%s is a PowerShell-module-only parameter with no counterpart on %s", name, server.Name)}
	}
	return out, nil
}
