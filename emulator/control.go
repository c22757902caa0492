package emulator

import (
	"fmt"
	"slices"

	"github.com/exorun/exorun/emulator/directory"
	"github.com/exorun/exorun/emulator/exchange/api"
)

// The emulator's public surface for the CLI and for tests is this
// package: Start with Options, the methods below, and these names for the
// parts a caller changes or reads. They are aliases so that the parts stay
// in their own packages while callers import only this one.
type (
	// Faults are the failures the emulated admin API injects: latency,
	// 429 with Retry-After, 503 bursts, connections cut mid-response and a
	// per-tenant concurrency limit.
	Faults = api.Faults
	// Stats count what the emulated admin API answered.
	Stats = api.Stats
	// Directory is the emulated Entra ID directory: tenants, apps,
	// certificates, client secrets, consent and directory roles. Changes
	// are written to the state folder at once and a running emulator
	// sees them on its next request.
	Directory = directory.Directory
)

// WithMailboxes is CreateTenant's option recording that the tenant's
// Exchange data is a generated tenant of n mailboxes, which the emulator
// serving it provisions at its first request.
func WithMailboxes(n int) directory.TenantOption { return directory.WithMailboxes(n) }

// OpenDirectory opens the directory in a state folder without serving
// it, as `exorun emulator admin` does to take an onboarding step.
func OpenDirectory(stateDir string) (*Directory, error) {
	return directory.Open(stateDir, nil)
}

// Directory is the running emulator's directory.
func (e *Emulator) Directory() *Directory { return e.dir }

// SetFaults replaces the faults the admin API injects; the zero Faults
// turns them off.
func (e *Emulator) SetFaults(f Faults) { e.admin.SetFaults(f) }

// Stats returns what the admin API has answered since the start or the
// last ResetStats.
func (e *Emulator) Stats() Stats { return e.admin.Stats() }

// ResetStats zeroes the admin API's counters.
func (e *Emulator) ResetStats() { e.admin.ResetStats() }

// SetDemoRoles replaces the demo app's directory roles (names or template
// ids), so a demo run can show what a Global Reader, say, may not do.
func (e *Emulator) SetDemoRoles(roles ...string) error {
	ep := e.endpoints
	app, err := e.dir.App(ep.TenantID, ep.AppID)
	if err != nil {
		return fmt.Errorf("demo app: %w", err)
	}
	for _, r := range app.Roles {
		if err := e.dir.RemoveRole(ep.TenantID, ep.AppID, r); err != nil {
			return fmt.Errorf("demo app: %w", err)
		}
	}
	for _, r := range roles {
		if _, err := e.dir.AssignRole(ep.TenantID, ep.AppID, r); err != nil {
			return fmt.Errorf("demo app: %w", err)
		}
	}
	return nil
}

// DemoRoles are the demo app's directory roles in the demo tenant, as
// the directory records them (template ids).
func (e *Emulator) DemoRoles() ([]string, error) {
	app, err := e.dir.App(e.endpoints.TenantID, e.endpoints.AppID)
	if err != nil {
		return nil, fmt.Errorf("demo app: %w", err)
	}
	return slices.Clone(app.Roles), nil
}

// SetTenantFaults gives one tenant faults of its own, replacing SetFaults'
// for that tenant only (its ConcurrencyLimit counts its own requests, as
// always), so a test can make one tenant throttled or slow while the
// others are fine. organization is the initial domain, a verified domain
// or the tenant GUID. The zero Faults makes the tenant fault-free.
func (e *Emulator) SetTenantFaults(organization string, f Faults) error {
	t, err := e.dir.Tenant(organization)
	if err != nil {
		return fmt.Errorf("tenant faults: %w", err)
	}
	e.admin.SetTenantFaults(t.ID, f)
	return nil
}

// ClearTenantFaults puts a tenant back under SetFaults.
func (e *Emulator) ClearTenantFaults(organization string) error {
	t, err := e.dir.Tenant(organization)
	if err != nil {
		return fmt.Errorf("tenant faults: %w", err)
	}
	e.admin.ClearTenantFaults(t.ID)
	return nil
}
