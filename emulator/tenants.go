package emulator

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store"
	"github.com/exorun/exorun/emulator/internal/atomicfile"
)

// MaxTenants bounds how many ready tenants one emulator starts with.
const MaxTenants = 1000

// TenantNames are the names of n ready tenants: the demo tenant, then
// tenant02, tenant03, ... zero-padded to the width of n (at least two
// digits), so they sort in order. It is what `exorun emulator serve
// --tenants N` starts; pass names[1:] as Options.Tenants.
func TenantNames(n int) []string {
	if n < 1 {
		return nil
	}
	width := max(2, len(strconv.Itoa(n)))
	names := []string{DemoTenant}
	for i := 2; i <= n; i++ {
		names = append(names, fmt.Sprintf("tenant%0*d", width, i))
	}
	return names
}

// provisionTenants makes Options.Tenants ready for the demo app (see
// Options.Tenants) and gives each its Exchange data. It returns every
// ready tenant, the demo tenant first.
func (e *Emulator) provisionTenants(home directory.Tenant, app directory.App, opts Options) ([]EndpointTenant, error) {
	ready := []EndpointTenant{{Organization: home.InitialDomain, TenantID: home.ID}}
	var names []string
	seen := map[string]bool{DemoTenant: true}
	for _, n := range opts.Tenants {
		n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".onmicrosoft.com")
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ready, nil
	}
	if len(names)+1 > MaxTenants {
		return nil, fmt.Errorf("emulator: %d tenants; at most %d", len(names)+1, MaxTenants)
	}
	tenants, err := e.dir.EnsureGuests(home.ID, app.AppID, demoRole, names, directory.WithMailboxes(opts.Mailboxes))
	if err != nil {
		return nil, fmt.Errorf("emulator tenants: %w", err)
	}
	for _, t := range tenants {
		if err := e.ensureData(t.ID); err != nil {
			return nil, err
		}
		ready = append(ready, EndpointTenant{Organization: t.InitialDomain, TenantID: t.ID})
	}
	return ready, nil
}

// ensureData gives a tenant the directory knows its Exchange data if the
// store lacks it: a tenant created after the emulator started (exorun
// emulator admin tenant create, in another process) is served at its
// first request, without a restart. Its data is the fixture, or the
// generated tenant of the size its directory record asks for, from a
// seed derived from the emulator's seed and the tenant's initial domain,
// so the same tenant gets the same data every time. A tenant the
// directory does not know wraps store.ErrUnknownTenant, which the admin
// API answers as the service answers an unknown tenant.
func (e *Emulator) ensureData(tenantID string) error {
	if _, ok := e.data.Tenant(tenantID); ok {
		return nil
	}
	e.provisioning.Lock()
	defer e.provisioning.Unlock()
	if _, ok := e.data.Tenant(tenantID); ok {
		return nil // provisioned by the request we waited for
	}
	t, err := e.dir.Tenant(tenantID)
	if errors.Is(err, directory.ErrTenantNotFound) {
		return fmt.Errorf("tenant %s: %w", tenantID, store.ErrUnknownTenant)
	}
	if err != nil {
		return fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	var data *store.Tenant
	if t.Mailboxes > 0 {
		data = store.Generate(t.ID, t.InitialDomain, t.Mailboxes, tenantSeed(e.seed, t.InitialDomain))
	} else {
		data = e.fixture(t.ID, t.InitialDomain)
	}
	if err := e.data.AddTenant(data); err != nil {
		return fmt.Errorf("exchange data of tenant %s: %w", t.InitialDomain, err)
	}
	return nil
}

// tenantSeed is the generator seed of a tenant other than the demo tenant
// (which uses Options.Seed itself): distinct per tenant, so two generated
// tenants do not hold the same people.
func tenantSeed(seed int64, domain string) int64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(domain)))
	return seed ^ int64(h.Sum64()>>1)
}

// servedData is the admin API's backend: the store, provisioning a
// tenant's data on its first call.
type servedData struct{ e *Emulator }

func (b servedData) Invoke(ctx context.Context, call exchange.Call) (*exchange.Result, error) {
	if err := b.e.ensureData(call.Caller.TenantID); err != nil {
		return nil, err
	}
	return b.e.data.Invoke(ctx, call)
}

func (b servedData) Modelled(service catalog.Service) []string { return b.e.data.Modelled(service) }

// writeTenantsFile writes TenantsFile: the header organization and one
// row per ready tenant.
func writeTenantsFile(dir string, tenants []EndpointTenant) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"organization"})
	for _, t := range tenants {
		_ = w.Write([]string{t.Organization})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("tenants file: %w", err)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, TenantsFile), []byte(b.String()), 0o644)
}
