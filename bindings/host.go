package bindings

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/runtime"
)

// Options configure the bindings of one run.
type Options struct {
	// Settings are the ambient connection settings (flags, environment,
	// profile); a connect{} table overrides them key by key.
	Settings connect.Settings
	// Connect is handed to connect.Open (files, certificate store, clock).
	Connect connect.Options
	Logger  *slog.Logger
	// WhatIf starts every session with exo.what_if = true (--what-if).
	WhatIf bool
	// Journal opens the run journal for appending; it is called on the
	// first write actually sent. nil: writes are not journalled.
	Journal func() (io.WriteCloser, error)
	Now     func() time.Time
	// Open connects; nil means connect.Open. The CLI's --demo swaps in
	// nothing here: it only changes the settings.
	Open func(ctx context.Context, s connect.Settings, o connect.Options) (*connect.Session, error)
	// Parallelism caps exo.parallel's concurrency (default 32).
	Parallelism int
	// PageAhead fetches a stream's next page while the script reads the
	// current one.
	PageAhead bool
	// Permit, when not nil, confines the run to a bundle's declared
	// cmdlets; PermitRoles are the roles its manifest asks for, named
	// when the app lacks some.
	Permit      *Permit
	PermitRoles []string
}

// Host holds the sessions a run opened, for the run summary.
type Host struct {
	opts Options

	mu       sync.Mutex
	sessions []*session
	journal  *journal
	running  activities // for Activity (activity.go)
	// workers are exo.parallel fan-outs still running; Close waits for
	// them, so every call sent is journalled and counted.
	workers sync.WaitGroup
}

// NewHost returns the bindings of one run.
func NewHost(o Options) *Host {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Open == nil {
		o.Open = connect.Open
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 32
	}
	if o.Connect.Logger == nil {
		o.Connect.Logger = o.Logger
	}
	h := &Host{opts: o}
	h.journal = &journal{open: o.Journal, now: o.Now, log: o.Logger}
	return h
}

// Globals are the global functions scripts get: connect.
func (h *Host) Globals() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"connect": h.connect}
}

// Close waits for exo.parallel calls still running (they stop with the
// context of the chunk that started them), then closes the run journal
// and the sessions' idle connections.
func (h *Host) Close() error {
	h.workers.Wait()
	h.mu.Lock()
	for _, s := range h.sessions {
		s.conn.Close()
	}
	h.mu.Unlock()
	return h.journal.close()
}

// connect is Lua's connect{...}: settings from the table over the
// ambient ones, then connect.Open.
func (h *Host) connect(L *lua.LState) int {
	var lset connect.Settings
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			L.ArgError(1, "want a table of settings, e.g. connect{organization = \"contoso.onmicrosoft.com\"}")
		}
		var err error
		if lset, err = settingsFromTable(t); err != nil {
			return runtime.Raise(L, err)
		}
		if err := h.opts.Permit.settings(lset); err != nil {
			return runtime.Raise(L, err)
		}
	}
	s := connect.Merge(lset, h.opts.Settings)
	ctx := runtime.Context(L)
	cs, err := h.opts.Open(ctx, s, h.opts.Connect)
	if err != nil {
		return runtime.Raise(L, err)
	}
	sess := newSession(h, cs)
	sess.organization = s.Organization
	if err := sess.checkRoles(); err != nil {
		cs.Close()
		return runtime.Raise(L, err)
	}
	if err := sess.loadOffered(ctx); err != nil {
		return runtime.Raise(L, err)
	}
	h.mu.Lock()
	h.sessions = append(h.sessions, sess)
	h.mu.Unlock()
	L.Push(sess.table(L))
	return 1
}

// settingsFromTable reads a connect{} table; an unknown key fails with
// the known ones, so a misspelt key never silently falls back.
func settingsFromTable(t *lua.LTable) (connect.Settings, error) {
	var s connect.Settings
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		key, ok := k.(lua.LString)
		f, known := connect.FieldByKey(string(key))
		if !ok || !known {
			err = fmt.Errorf("connect: unknown setting %s (known: %s)", k.String(), strings.Join(connect.Keys(), ", "))
			return
		}
		if f.Key == "profile" {
			// Profiles are read by the command line before the script
			// runs; taking the key here would silently do nothing.
			err = fmt.Errorf("connect: profile is chosen with --profile or EXORUN_PROFILE, not in the script")
			return
		}
		switch v := v.(type) {
		case lua.LString:
			f.Set(&s, string(v))
		case lua.LNumber:
			f.Set(&s, v.String())
		case lua.LBool:
			if !f.Switch {
				err = fmt.Errorf("connect: %s wants a string, got a boolean", f.Key)
				return
			}
			// false is kept as a value, so it overrides an ambient
			// EXORUN_MANAGED_IDENTITY=true (Merge skips only "").
			f.Set(&s, strconv.FormatBool(bool(v)))
		default:
			err = fmt.Errorf("connect: %s wants a string, got a %s", f.Key, v.Type())
		}
	})
	return s, err
}

// Summary is what one session did, for the end of a run.
type Summary struct {
	Service      catalog.Service
	TenantID     string
	Organization string // as the settings named the tenant: its domain, or its id
	AppID        string
	Thumbprint   string // of the certificate; "" for other credentials
	// Calls counts the cmdlets sent, by name.
	Calls                             map[string]int64
	Requests, Pages, Objects, Retries int64
	ThrottleWait                      time.Duration
	Writes                            Writes
	// Errors counts failed calls by error code.
	Errors map[string]int
}

// Summaries lists the run's sessions in connect order.
func (h *Host) Summaries() []Summary {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Summary
	for _, s := range h.sessions {
		st := s.conn.Client.Stats()
		calls, writes := s.usage.snapshot()
		sum := Summary{
			Service: s.conn.Service, TenantID: s.conn.Identity.TenantID, Organization: s.organization,
			AppID: s.conn.Identity.AppID, Calls: calls,
			Requests: st.Requests, Pages: st.Pages, Objects: st.Objects, Retries: st.Retries,
			ThrottleWait: st.ThrottleWait, Writes: writes, Errors: st.Errors,
		}
		if c := s.conn.Certificate; c != nil {
			sum.Thumbprint = c.Thumbprint()
		}
		out = append(out, sum)
	}
	return out
}
