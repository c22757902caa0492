package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// ErrUnknownTenant is returned for a call to a tenant the store does not
// hold; it is the front end's exchange.ErrUnknownTenant, so the API can
// answer it in the service's shape without knowing the store.
var ErrUnknownTenant = exchange.ErrUnknownTenant

// ErrClosed is returned by a Store after Close.
var ErrClosed = errors.New("exchange store closed")

// Store holds emulated tenants and runs cmdlets against them. It is safe
// for concurrent use: each tenant has its own read-write lock.
type Store struct {
	dir       string
	now       func() time.Time
	saveDelay time.Duration
	cmdlets   map[string]*cmdlet // by lower-case name
	views     *views

	mu      sync.RWMutex
	tenants map[string]*tenant.State // by lower-case tenant id
	closed  bool

	saveMu  sync.Mutex // serialises file writes; guards saveErr and tenant.State.Saved
	saveErr error      // last background save failure, reported by Flush/Close
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock cmdlets use for WhenChanged, audit dates and
// the default message trace window. Golden tests pin it.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithSaveDelay sets how long a write waits for others before the tenant
// is saved, so a script's burst of writes costs one file write. Zero saves
// before Invoke returns. The default is 200ms.
func WithSaveDelay(d time.Duration) Option { return func(s *Store) { s.saveDelay = d } }

// New opens a store whose state lives in dir, loading every tenant saved
// there. An empty dir keeps everything in memory. A state file that cannot
// be read is an error naming the file; it is never replaced silently.
func New(dir string, opts ...Option) (*Store, error) {
	s := &Store{
		dir:       dir,
		now:       time.Now,
		saveDelay: 200 * time.Millisecond,
		tenants:   map[string]*tenant.State{},
		views:     newViews(),
	}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.cmdlets, err = registry(declarations()); err != nil {
		return nil, err
	}
	if dir != "" {
		loaded, err := tenant.LoadDir(dir, normalizeRuleSettings)
		if err != nil {
			return nil, err
		}
		for _, ts := range loaded {
			ts.Saved = ts.Version
			s.tenants[strings.ToLower(ts.T.ID)] = ts
		}
		s.kick = make(chan struct{}, 1)
		s.stop = make(chan struct{})
		s.done = make(chan struct{})
		go s.flusher()
	}
	return s, nil
}

// AddTenant adds a tenant and, with a state folder, saves it at once. The
// store takes ownership of t. A tenant id already present is an error.
func (s *Store) AddTenant(t *tenant.Tenant) error {
	ts, err := tenant.NewState(t)
	if err != nil {
		return fmt.Errorf("add tenant: %w", err)
	}
	key := strings.ToLower(t.ID)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if _, dup := s.tenants[key]; dup {
		s.mu.Unlock()
		return fmt.Errorf("add tenant %s: already in the store", t.ID)
	}
	ts.Version = 1
	s.tenants[key] = ts
	s.mu.Unlock()
	if s.dir == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	return s.save(ts)
}

// RemoveTenant drops a tenant and deletes its state file, for resetting a
// demo tenant.
func (s *Store) RemoveTenant(id string) error {
	s.mu.Lock()
	ts, ok := s.tenants[strings.ToLower(id)]
	delete(s.tenants, strings.ToLower(id))
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("remove tenant %s: %w", id, ErrUnknownTenant)
	}
	if s.dir == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if err := tenant.Remove(s.dir, ts.T.ID); err != nil {
		return fmt.Errorf("remove tenant %s: %w", id, err)
	}
	return nil
}

func (s *Store) tenant(id string) *tenant.State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tenants[strings.ToLower(id)]
}

// TenantInfo describes a tenant the store holds, with object counts the
// front end's tests can check results against.
type TenantInfo struct {
	ID, Organization string
	Counts           Counts
}

// Counts are the numbers of a tenant's objects.
type Counts = tenant.Counts

// Tenant describes one tenant; ok is false when the store lacks it.
func (s *Store) Tenant(id string) (TenantInfo, bool) {
	ts := s.tenant(id)
	if ts == nil {
		return TenantInfo{}, false
	}
	ts.RLock()
	defer ts.RUnlock()
	return TenantInfo{ID: ts.T.ID, Organization: ts.T.Organization, Counts: ts.Counts()}, true
}

// Tenants lists the tenants, sorted by id.
func (s *Store) Tenants() []TenantInfo {
	s.mu.RLock()
	ids := make([]string, 0, len(s.tenants))
	for _, ts := range s.tenants {
		ids = append(ids, ts.T.ID)
	}
	s.mu.RUnlock()
	sort.Strings(ids)
	out := make([]TenantInfo, 0, len(ids))
	for _, id := range ids {
		if info, ok := s.Tenant(id); ok {
			out = append(out, info)
		}
	}
	return out
}

// MailboxCount is the number of mailboxes (all four types) in a tenant,
// or -1 when the store lacks the tenant.
func (s *Store) MailboxCount(tenantID string) int {
	info, ok := s.Tenant(tenantID)
	if !ok {
		return -1
	}
	return info.Counts.Mailboxes
}

// Modelled lists the cmdlets the store implements for service, sorted.
func (s *Store) Modelled(service catalog.Service) []string {
	var out []string
	for _, c := range s.cmdlets {
		if c.service == service {
			out = append(out, c.ref.Name)
		}
	}
	sort.Strings(out)
	return out
}

// invocation is one cmdlet call in progress.
type invocation struct {
	ctx  context.Context
	s    *Store
	ts   *tenant.State
	t    *tenant.Tenant
	a    *args
	call exchange.Call
	now  time.Time
	// object is what a write changed, for the audit log's ObjectModified.
	object string
}

// Invoke runs one cmdlet for call.Caller.TenantID. Reads hold the tenant's
// read lock while they select objects and again for each Object(i) they
// render; writes hold the write lock for the whole call, validate
// everything before changing anything, and are recorded in the admin
// audit log whether they succeed or fail.
func (s *Store) Invoke(ctx context.Context, call exchange.Call) (*exchange.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := s.cmdlets[strings.ToLower(call.Cmdlet)]
	if c == nil || c.service != call.Service {
		return nil, fmt.Errorf("%s: %w", call.Cmdlet, exchange.ErrNotModelled)
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	ts := s.tenant(call.Caller.TenantID)
	if ts == nil {
		return nil, fmt.Errorf("%s for tenant %q: %w", c.ref.Name, call.Caller.TenantID, ErrUnknownTenant)
	}
	a, err := bind(c, call.Params, call.Service)
	if err != nil {
		return nil, err
	}
	inv := &invocation{ctx: ctx, s: s, ts: ts, t: ts.T, a: a, call: call, now: s.now().UTC()}
	if !c.write {
		ts.RLock()
		defer ts.RUnlock()
		return c.run(inv)
	}
	ts.Lock()
	res, err := c.run(inv)
	var xerr *exchange.Error
	if err == nil || errors.As(err, &xerr) {
		inv.audit(c.ref.Name, err)
		ts.Version++
	}
	ts.Unlock()
	if serr := s.changed(ts); serr != nil && err == nil {
		return nil, fmt.Errorf("%s: the change was made but not saved: %w", c.ref.Name, serr)
	}
	return res, err
}

// target resolves -Identity to exactly one recipient of the wanted kinds,
// once the call's parameters have bound, as every cmdlet that changes one
// recipient starts.
func (inv *invocation) target(want tenant.Kinds) (*tenant.Recipient, error) {
	id := inv.a.str("Identity")
	if err := inv.a.failed(); err != nil {
		return nil, err
	}
	return inv.ts.Resolve(id, want)
}

// commit replaces r with its edited copy nr and re-indexes its names, or,
// when the edit changed nothing, warns as the service does. DeepEqual
// follows the Mailbox and Group pointers, so the copy is compared with the
// original field by field.
func (inv *invocation) commit(r *tenant.Recipient, nr tenant.Recipient) *exchange.Result {
	inv.object = r.Name
	if reflect.DeepEqual(nr, *r) {
		return none(unchanged(r.Name))
	}
	inv.ts.Unindex(r)
	nr.WhenChanged = inv.now
	*r = nr
	inv.ts.Index(r)
	return none()
}

// unchanged is the service's warning for a Set- that changed nothing.
func unchanged(name string) string {
	return fmt.Sprintf("The command completed successfully but no settings of '%s' have been modified.", name)
}

// audit appends the call to the admin audit log.
func (inv *invocation) audit(name string, err error) {
	e := tenant.AuditEntry{
		ID:             inv.newGUID("audit"),
		RunDate:        inv.now,
		CmdletName:     name,
		ObjectModified: inv.object,
		Caller:         inv.call.Caller.AuditName(),
		AppID:          inv.call.Caller.AppID,
		Succeeded:      err == nil,
	}
	if e.ObjectModified == "" {
		e.ObjectModified = inv.a.str("Identity")
		if e.ObjectModified == "" {
			e.ObjectModified = inv.a.str("Name")
		}
	}
	for _, n := range inv.a.names() {
		e.Parameters = append(e.Parameters, tenant.AuditParam{Name: n, Value: inv.a.text(n)})
	}
	if err != nil {
		var xerr *exchange.Error
		if errors.As(err, &xerr) {
			e.Error = xerr.Exception + ": " + xerr.Message
		} else {
			e.Error = err.Error()
		}
	}
	inv.t.AuditLog = append(inv.t.AuditLog, e)
}

// newGUID derives a GUID for an object a cmdlet creates from the tenant
// and a per-tenant counter, so replays of the same calls give the same
// GUIDs.
func (inv *invocation) newGUID(kind string) tenant.UUID {
	inv.t.Seq++
	return tenant.NameUUID("exorun-created", inv.t.ID, kind, fmt.Sprint(inv.t.Seq))
}

// lazy wraps selected items as a Result whose objects are rendered on
// demand, under the tenant's read lock, because the front end renders one
// page of a possibly 200,000-object result at a time.
func lazy[T any](ts *tenant.State, items []T, render func(*tenant.State, T) exchange.Object, warnings ...string) *exchange.Result {
	return &exchange.Result{
		Count: len(items),
		Object: func(i int) exchange.Object {
			ts.RLock()
			defer ts.RUnlock()
			return render(ts, items[i])
		},
		Warnings: warnings,
	}
}

// none is the empty output of a cmdlet that returns nothing.
func none(warnings ...string) *exchange.Result {
	return &exchange.Result{Object: func(int) exchange.Object { return nil }, Warnings: warnings}
}

// limit cuts a selection to ResultSize (-1: unlimited), adding the
// service's warning when it cut anything.
func limit[T any](items []T, size int) ([]T, []string) {
	if size >= 0 && len(items) > size {
		return items[:size], []string{moreResults}
	}
	return items, nil
}
