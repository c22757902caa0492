package directory

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// initialSuffix ends every tenant's initial domain.
const initialSuffix = ".onmicrosoft.com"

// label is one DNS label in lower case.
var label = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`) })

// TenantOption sets something on a tenant as CreateTenant creates it, in
// the same write, so a running emulator never sees the tenant without it.
type TenantOption func(*Tenant)

// WithMailboxes records that the tenant's Exchange data is a generated
// tenant of n mailboxes rather than the fixture (Tenant.Mailboxes).
func WithMailboxes(n int) TenantOption {
	return func(t *Tenant) { t.Mailboxes = max(n, 0) }
}

// CreateTenant creates a tenant from a name ("contoso") or its initial
// domain ("contoso.onmicrosoft.com"). The display name starts as the name.
func (d *Directory) CreateTenant(nameOrDomain string, opts ...TenantOption) (Tenant, error) {
	name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(nameOrDomain)), initialSuffix)
	if strings.Contains(name, ".") || !label().MatchString(name) {
		return Tenant{}, fmt.Errorf("create tenant %q: want a name such as contoso or an initial domain such as contoso.onmicrosoft.com (letters, digits and inner hyphens); add other domains with AddDomain", nameOrDomain)
	}
	t := Tenant{InitialDomain: name + initialSuffix, DisplayName: name}
	for _, o := range opts {
		o(&t)
	}
	err := d.update(func(tenants *[]Tenant) error {
		if owner, ok := findTenant(*tenants, t.InitialDomain); ok {
			return fmt.Errorf("create tenant: domain %s %w in tenant %s", t.InitialDomain, ErrExists, owner.ID)
		}
		t.ID = strings.ToLower(d.newID())
		*tenants = append(*tenants, t)
		return nil
	})
	if err != nil {
		return Tenant{}, err
	}
	return t, nil
}

// AddDomain adds a verified domain to a tenant. A domain belongs to at most
// one tenant; *.onmicrosoft.com domains are only ever initial domains.
func (d *Directory) AddDomain(tenant, domain string) error {
	dom, err := normalizeDomain(domain)
	if err != nil {
		return fmt.Errorf("add domain: %w", err)
	}
	if strings.HasSuffix(dom, initialSuffix) {
		return fmt.Errorf("add domain %s: an onmicrosoft.com domain is a tenant's initial domain; create a tenant instead", dom)
	}
	return d.updateTenant(tenant, func(tenants []Tenant, t *Tenant) error {
		if owner, ok := findTenant(tenants, dom); ok {
			if owner.ID == t.ID {
				return nil
			}
			return fmt.Errorf("add domain %s: %w in tenant %s", dom, ErrExists, owner.ID)
		}
		t.Domains = append(t.Domains, dom)
		return nil
	})
}

// SetTenantDisplayName renames a tenant (the organization's display name).
func (d *Directory) SetTenantDisplayName(tenant, displayName string) error {
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		return fmt.Errorf("set tenant display name: the name is empty")
	}
	return d.updateTenant(tenant, func(_ []Tenant, t *Tenant) error {
		t.DisplayName = displayName
		return nil
	})
}

// Tenant finds a tenant by GUID, initial domain or verified domain,
// case-insensitively.
func (d *Directory) Tenant(key string) (Tenant, error) {
	var (
		t  Tenant
		ok bool
	)
	d.read(func(tenants []Tenant) {
		t, ok = findTenant(tenants, key)
		t = t.clone()
	})
	if !ok {
		return Tenant{}, fmt.Errorf("%w: %q", ErrTenantNotFound, key)
	}
	return t, nil
}

// Tenants lists all tenants in creation order.
func (d *Directory) Tenants() []Tenant {
	var out []Tenant
	d.read(func(tenants []Tenant) {
		out = make([]Tenant, len(tenants))
		for i, t := range tenants {
			out[i] = t.clone()
		}
	})
	return out
}

func findTenant(tenants []Tenant, key string) (Tenant, bool) {
	i := slices.IndexFunc(tenants, func(t Tenant) bool { return t.Matches(key) })
	if i < 0 {
		return Tenant{}, false
	}
	return tenants[i], true
}

// updateTenant runs fn on the tenant named by key inside update; fn also
// sees all tenants, for checks that span them.
func (d *Directory) updateTenant(key string, fn func(tenants []Tenant, t *Tenant) error) error {
	return d.update(func(tenants *[]Tenant) error {
		i := slices.IndexFunc(*tenants, func(t Tenant) bool { return t.Matches(key) })
		if i < 0 {
			return fmt.Errorf("%w: %q", ErrTenantNotFound, key)
		}
		return fn(*tenants, &(*tenants)[i])
	})
}

// normalizeDomain lower-cases a DNS name and checks its shape.
func normalizeDomain(s string) (string, error) {
	dom := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	labels := strings.Split(dom, ".")
	if len(dom) > 253 || len(labels) < 2 {
		return "", fmt.Errorf("%q is not a domain name such as contoso.com", s)
	}
	for _, l := range labels {
		if !label().MatchString(l) {
			return "", fmt.Errorf("%q is not a domain name such as contoso.com", s)
		}
	}
	return dom, nil
}
