package bindings

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
)

// What a session table holds, for the REPL's banner and Tab completion:
// answered from what the session already knows, never over the network.

// sessionOf finds the session whose exo table v is.
func (h *Host) sessionOf(v lua.LValue) *session {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.sessions {
		if s.exo == t {
			return s
		}
	}
	return nil
}

// Cmdlets lists the cmdlets the session table v may run (its roles, or
// the service's own list), sorted by name; ok is false when v is not a
// session table. The list is worked out once per session.
func (h *Host) Cmdlets(v lua.LValue) (cmdlets []*catalog.Cmdlet, ok bool) {
	s := h.sessionOf(v)
	if s == nil {
		return nil, false
	}
	s.allowedOnce.Do(func() {
		for _, c := range catalog.All() {
			if c.Runs(s.conn.Service) && s.check(c) == nil {
				s.allowed = append(s.allowed, c)
			}
		}
	})
	return s.allowed, true
}

// Info is who the session table v is (as exo.whoami() says); ok is false
// when v is not a session table.
func (h *Host) Info(v lua.LValue) (info connect.Info, ok bool) {
	s := h.sessionOf(v)
	if s == nil {
		return connect.Info{}, false
	}
	return s.conn.Info(), true
}
