package store

import (
	"time"

	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// The tenant data lives in package tenant; these names let a caller build
// a tenant and hand it to AddTenant without importing it.

// Tenant is one organization's data (tenant.Tenant).
type Tenant = tenant.Tenant

// Generate builds a deterministic tenant of the given size
// (tenant.Generate).
func Generate(tenantID, organization string, mailboxes int, seed int64) *Tenant {
	return tenant.Generate(tenantID, organization, mailboxes, seed)
}

// ReferenceTime is the "now" fixture and generated data are written
// against (tenant.ReferenceTime); pin a Store's clock to it for stable
// output.
func ReferenceTime() time.Time { return tenant.ReferenceTime() }
