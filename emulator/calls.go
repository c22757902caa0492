package emulator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store"
)

// Call is one cmdlet call a tenant received (Options.RecordCalls): the
// cmdlet's canonical name, its parameters as the client sent them, and
// whether it writes (any verb but Get, Search and Test).
type Call struct {
	Service    catalog.Service
	Cmdlet     string
	Parameters map[string]any
	Write      bool
}

// callLog keeps the calls each tenant received, by tenant GUID.
type callLog struct {
	mu       sync.Mutex
	byTenant map[string][]Call
}

// recorder is the admin API's Called hook: nil when calls are not kept.
func (l *callLog) recorder() func(exchange.Call) {
	if l == nil {
		return nil
	}
	return l.record
}

func (l *callLog) record(c exchange.Call) {
	write := true
	if cmd, ok := catalog.Lookup(c.Cmdlet); ok {
		write = cmd.Effect != catalog.Read
	}
	rec := Call{Service: c.Service, Cmdlet: c.Cmdlet, Parameters: maps.Clone(map[string]any(c.Params)), Write: write}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byTenant[c.Caller.TenantID] = append(l.byTenant[c.Caller.TenantID], rec)
}

// Calls returns the cmdlet calls a tenant has received since the start,
// in the order they arrived. organization is the initial domain, a
// verified domain or the tenant GUID. It needs Options.RecordCalls.
func (e *Emulator) Calls(organization string) ([]Call, error) {
	if e.calls == nil {
		return nil, fmt.Errorf("emulator: calls are not recorded (Options.RecordCalls)")
	}
	t, err := e.dir.Tenant(organization)
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	return slices.Clone(e.calls.byTenant[t.ID]), nil
}

// ReferenceTime is the moment the demo, fixture and generated tenants'
// data is written against (2026-11-01 12:00 UTC): their last logons,
// message trace and audit entries lie before it. A script that sees it
// as now gets the same report every day.
func ReferenceTime() time.Time { return store.ReferenceTime() }

// Object is one cmdlet output object, its properties in PowerShell's
// order.
type Object = exchange.Object

// IsNotFound says whether a Query failed because the object it named
// does not exist, as the service's ManagementObjectNotFoundException.
func IsNotFound(err error) bool {
	var e *exchange.Error
	return errors.As(err, &e) && e.Status == 404
}

// Query runs a read cmdlet (Get, Search or Test) on a tenant's data
// directly, as a tenant-wide administrator, without the admin API: it is
// how a test looks at the tenant a script changed. Nothing is recorded
// or throttled, and the cmdlet must be one the emulator models.
func (e *Emulator) Query(ctx context.Context, organization, cmdlet string, params map[string]any) ([]Object, error) {
	cmd, ok := catalog.Lookup(cmdlet)
	if !ok {
		return nil, fmt.Errorf("query %s: no such cmdlet", cmdlet)
	}
	if cmd.Effect != catalog.Read {
		return nil, fmt.Errorf("query %s: only Get, Search and Test cmdlets read a tenant", cmd.Name)
	}
	t, err := e.dir.Tenant(organization)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", cmd.Name, err)
	}
	if err := e.ensureData(t.ID); err != nil {
		return nil, fmt.Errorf("query %s: %w", cmd.Name, err)
	}
	admin, _ := catalog.RoleByName("Global Administrator")
	service := catalog.Exchange
	if !cmd.Runs(service) {
		service = catalog.Compliance
	}
	res, err := e.data.Invoke(ctx, exchange.Call{
		Service: service, Cmdlet: cmd.Name, Params: exchange.Params(params),
		Caller: exchange.Caller{TenantID: t.ID, Organization: t.InitialDomain, AppName: "exorun test",
			Roles: []catalog.Role{admin}},
	})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", cmd.Name, err)
	}
	if res == nil {
		return nil, nil
	}
	objs := make([]Object, res.Count)
	for i := range objs {
		objs[i] = res.Object(i)
	}
	return objs, nil
}
