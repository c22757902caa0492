package directory

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The Azure resource ids of the emulator's managed identities: one made-up
// subscription and resource group, so ids have the real shape (a client
// selecting a user-assigned identity by mi_res_id sends one) without
// naming anything real.
const (
	Subscription  = "00000000-0000-0000-0000-000000000000"
	ResourceGroup = "exorun-emulator"
)

// resourceName is an Azure resource name as user-assigned identities
// allow: 3 to 128 letters, digits, hyphens and underscores, starting with
// a letter or digit.
var resourceName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$`) })

// UserAssignedResourceID is the resource id of the user-assigned identity
// name.
func UserAssignedResourceID(name string) string {
	return "/subscriptions/" + Subscription + "/resourcegroups/" + ResourceGroup + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name
}

// hostResourceID is the resource id of the emulated host (an App Service
// site) whose system-assigned identity is name: a system-assigned
// identity is known by its host's resource id.
func hostResourceID(name string) string {
	return "/subscriptions/" + Subscription + "/resourcegroups/" + ResourceGroup + "/providers/Microsoft.Web/sites/" + name
}

// CreateManagedIdentity creates a managed identity's service principal in
// the tenant: user-assigned, an Azure resource named name, or else the
// system-assigned identity of the emulated host named name, of which a
// tenant has at most one. Like an app it starts with no permission and no
// role; unlike an app it never has certificates or client secrets.
func (d *Directory) CreateManagedIdentity(tenant, name string, userAssigned bool) (App, error) {
	name = strings.TrimSpace(name)
	if !resourceName().MatchString(name) {
		return App{}, fmt.Errorf("create managed identity %q: want 3 to 128 letters, digits, hyphens and underscores, starting with a letter or digit", name)
	}
	mi := &ManagedIdentity{SystemAssigned: !userAssigned, ResourceID: hostResourceID(name)}
	if userAssigned {
		mi.ResourceID = UserAssignedResourceID(name)
	}
	var app App
	err := d.updateTenant(tenant, func(_ []Tenant, t *Tenant) error {
		for _, a := range t.Apps {
			switch {
			case a.ManagedIdentity == nil:
			case !userAssigned && a.ManagedIdentity.SystemAssigned:
				return fmt.Errorf("tenant %s already has the system-assigned identity %s (%s): the emulated host has one; create user-assigned identities for more", t.InitialDomain, a.DisplayName, a.AppID)
			case strings.EqualFold(a.ManagedIdentity.ResourceID, mi.ResourceID):
				// Azure resource ids compare case-insensitively.
				return fmt.Errorf("managed identity %s %w in tenant %s (%s)", name, ErrExists, t.InitialDomain, a.AppID)
			}
		}
		app = App{AppID: strings.ToLower(d.newID()), ObjectID: strings.ToLower(d.newID()), DisplayName: name, ManagedIdentity: mi}
		t.Apps = append(t.Apps, app)
		return nil
	})
	if err != nil {
		return App{}, fmt.Errorf("create managed identity: %w", err)
	}
	return app.clone(), nil
}

// ManagedIdentities lists a tenant's managed identities, the
// system-assigned one first.
func (d *Directory) ManagedIdentities(tenant string) ([]App, error) {
	t, err := d.Tenant(tenant)
	if err != nil {
		return nil, err
	}
	var out []App
	for _, a := range t.Apps {
		if a.ManagedIdentity != nil {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b App) int {
		switch {
		case a.ManagedIdentity.SystemAssigned == b.ManagedIdentity.SystemAssigned:
			return 0
		case a.ManagedIdentity.SystemAssigned:
			return -1
		}
		return 1
	})
	return out, nil
}

// noSecrets refuses a certificate or client secret on a managed identity:
// it has no app registration to hold them.
func noSecrets(a *App) error {
	if a.ManagedIdentity != nil {
		return fmt.Errorf("%s is a managed identity: it has no certificates or client secrets; its host's identity endpoint signs it in", a.AppID)
	}
	return nil
}
