package directory

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exorun/exorun/catalog"
	"github.com/google/uuid"
)

// DefaultSecretLifetime is how long a client secret added without an
// expiry lasts: the portal's recommended 180 days.
const DefaultSecretLifetime = 180 * 24 * time.Hour

// RegisterApp registers an app in the tenant and creates its service
// principal; it starts with no credential, no permission and no role.
func (d *Directory) RegisterApp(tenant, displayName string) (App, error) {
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		return App{}, fmt.Errorf("register app: the display name is empty")
	}
	var app App
	err := d.updateTenant(tenant, func(_ []Tenant, t *Tenant) error {
		app = App{AppID: strings.ToLower(d.newID()), ObjectID: strings.ToLower(d.newID()), DisplayName: displayName}
		t.Apps = append(t.Apps, app)
		return nil
	})
	if err != nil {
		return App{}, fmt.Errorf("register app: %w", err)
	}
	return app, nil
}

// AddServicePrincipal adds to tenant a service principal of the app
// appID registered in homeTenant, as an admin's consent to a multi-tenant
// app does: same app id, its own object id, and (like a fresh app) no
// permission and no role yet. Its credentials stay those of the home
// registration; the token service checks client assertions against them.
func (d *Directory) AddServicePrincipal(tenant, homeTenant, appID string) (App, error) {
	var sp App
	err := d.update(func(tenants *[]Tenant) error {
		home, reg, err := homeRegistration(*tenants, homeTenant, appID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(*tenants, func(t Tenant) bool { return t.Matches(tenant) })
		if i < 0 {
			return fmt.Errorf("%w: %q", ErrTenantNotFound, tenant)
		}
		t := &(*tenants)[i]
		if t.ID == home.ID {
			return fmt.Errorf("tenant %s is the app's home tenant; it has the app's own service principal", t.InitialDomain)
		}
		if _, dup := t.App(reg.AppID); dup {
			return fmt.Errorf("app %s %w in tenant %s", reg.AppID, ErrExists, t.InitialDomain)
		}
		sp = App{AppID: reg.AppID, ObjectID: strings.ToLower(d.newID()), DisplayName: reg.DisplayName, HomeTenant: home.ID}
		t.Apps = append(t.Apps, sp)
		return nil
	})
	if err != nil {
		return App{}, fmt.Errorf("add service principal: %w", err)
	}
	return sp, nil
}

// Credentials returns the app registration whose certificates and
// secrets authenticate app in tenant: the app itself, or for the service
// principal of a multi-tenant app, its registration in the home tenant.
func (d *Directory) Credentials(app App) (App, error) {
	if app.HomeTenant == "" {
		return app, nil
	}
	reg, err := d.App(app.HomeTenant, app.AppID)
	if err != nil {
		return App{}, fmt.Errorf("registration of app %s: %w", app.AppID, err)
	}
	return reg, nil
}

// App finds an app by its application (client) id.
func (d *Directory) App(tenant, appID string) (App, error) {
	t, err := d.Tenant(tenant)
	if err != nil {
		return App{}, err
	}
	a, ok := t.App(appID)
	if !ok {
		return App{}, fmt.Errorf("%w: %q in tenant %s", ErrAppNotFound, appID, t.InitialDomain)
	}
	return a, nil
}

// Apps lists a tenant's apps in registration order.
func (d *Directory) Apps(tenant string) ([]App, error) {
	t, err := d.Tenant(tenant)
	if err != nil {
		return nil, err
	}
	return t.Apps, nil
}

// UploadCertificate registers the public part of a certificate with an app:
// a .cer (DER) or a PEM CERTIFICATE. A private key is refused. An expired
// certificate is accepted, so that a client's handling of AADSTS700027 can
// be tried; the token service refuses it.
func (d *Directory) UploadCertificate(tenant, appID string, pemOrDER []byte) (Certificate, error) {
	parsed, err := parseUpload(pemOrDER)
	if err != nil {
		return Certificate{}, fmt.Errorf("upload certificate: %w", err)
	}
	cert := newCertificate(parsed)
	err = d.updateApp(tenant, appID, func(a *App) error {
		if err := registrationOnly(a); err != nil {
			return err
		}
		if err := noSecrets(a); err != nil {
			return err
		}
		if slices.ContainsFunc(a.Certificates, func(c Certificate) bool { return c.Thumbprint == cert.Thumbprint }) {
			return fmt.Errorf("certificate %s %w on app %s", cert.Thumbprint, ErrExists, a.AppID)
		}
		a.Certificates = append(a.Certificates, cert)
		return nil
	})
	if err != nil {
		return Certificate{}, fmt.Errorf("upload certificate: %w", err)
	}
	return cert, nil
}

// registrationOnly refuses a credential change on the service principal
// of an app registered elsewhere: credentials belong to the registration.
func registrationOnly(a *App) error {
	if a.HomeTenant != "" {
		return fmt.Errorf("app %s is registered in tenant %s; add credentials to the registration there", a.AppID, a.HomeTenant)
	}
	return nil
}

// RemoveCertificate removes a certificate by its SHA-1 or SHA-256
// thumbprint in hex (case, spaces and colons ignored).
func (d *Directory) RemoveCertificate(tenant, appID, thumbprint string) error {
	want := strings.ToUpper(strings.NewReplacer(" ", "", ":", "").Replace(thumbprint))
	err := d.updateApp(tenant, appID, func(a *App) error {
		n := len(a.Certificates)
		a.Certificates = slices.DeleteFunc(a.Certificates, func(c Certificate) bool {
			return c.Thumbprint == want || c.ThumbprintSHA256 == want
		})
		if len(a.Certificates) == n {
			return fmt.Errorf("%w: %s on app %s", ErrCertificateNotFound, thumbprint, a.AppID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove certificate: %w", err)
	}
	return nil
}

// AddClientSecret adds a client secret expiring at expires (zero: in
// DefaultSecretLifetime) and returns its value. The value is shown only
// here; the directory keeps a salted hash. Like expired certificates,
// already expired secrets are accepted so AADSTS7000222 can be tried.
func (d *Directory) AddClientSecret(tenant, appID string, expires time.Time) (string, Secret, error) {
	now := d.now().UTC()
	if expires.IsZero() {
		expires = now.Add(DefaultSecretLifetime)
	}
	// Entra's secrets look like "abc8Q~" + 34 more characters: a 3-character
	// hint, a version marker, then the random rest.
	text := rand.Text()[:3] + "8Q~" + (rand.Text() + rand.Text())[:34]
	salt := make([]byte, 16)
	rand.Read(salt)
	s := Secret{Hint: text[:3], Created: now, Expires: expires.UTC(), Salt: salt, SHA256: secretHash(salt, text)}
	err := d.updateApp(tenant, appID, func(a *App) error {
		if err := registrationOnly(a); err != nil {
			return err
		}
		if err := noSecrets(a); err != nil {
			return err
		}
		s.ID = strings.ToLower(d.newID())
		a.Secrets = append(a.Secrets, s)
		return nil
	})
	if err != nil {
		return "", Secret{}, fmt.Errorf("add client secret: %w", err)
	}
	return text, s, nil
}

// RemoveClientSecret removes a client secret by its key id.
func (d *Directory) RemoveClientSecret(tenant, appID, secretID string) error {
	err := d.updateApp(tenant, appID, func(a *App) error {
		n := len(a.Secrets)
		a.Secrets = slices.DeleteFunc(a.Secrets, func(s Secret) bool { return strings.EqualFold(s.ID, secretID) })
		if len(a.Secrets) == n {
			return fmt.Errorf("%w: %s on app %s", ErrSecretNotFound, secretID, a.AppID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove client secret: %w", err)
	}
	return nil
}

// GrantManageAsApp adds the Exchange.ManageAsApp application permission to
// the app's configured permissions. Tokens carry it only after Consent.
//
// A managed identity has no app registration, so no configured
// permissions and no consent prompt: in Entra an admin assigns it the app
// role through Graph (New-MgServicePrincipalAppRoleAssignment), and that
// assignment is the grant and the consent at once. For a managed identity
// GrantManageAsApp therefore records both.
func (d *Directory) GrantManageAsApp(tenant, appID string) error {
	return d.setFlag("grant Exchange.ManageAsApp", tenant, appID, func(a *App) {
		a.ManageAsAppGranted = true
		if a.ManagedIdentity != nil {
			a.ManageAsAppConsented = true
		}
	})
}

// RemoveManageAsApp removes Exchange.ManageAsApp from the configured
// permissions, and with it any consent to it.
func (d *Directory) RemoveManageAsApp(tenant, appID string) error {
	return d.setFlag("remove Exchange.ManageAsApp", tenant, appID, func(a *App) {
		a.ManageAsAppGranted, a.ManageAsAppConsented = false, false
	})
}

// Consent records an admin's consent to the app's permissions ("Grant admin
// consent for {tenant}").
func (d *Directory) Consent(tenant, appID string) error {
	return d.setFlag("consent", tenant, appID, func(a *App) { a.ManageAsAppConsented = true })
}

// RevokeConsent withdraws the admin consent; the permission stays
// configured but tokens no longer carry it. A managed identity's app role
// assignment is its consent (see GrantManageAsApp): revoking removes it,
// permission and all.
func (d *Directory) RevokeConsent(tenant, appID string) error {
	return d.setFlag("revoke consent", tenant, appID, func(a *App) {
		a.ManageAsAppConsented = false
		if a.ManagedIdentity != nil {
			a.ManageAsAppGranted = false
		}
	})
}

// DisableApp stops the service principal from signing in (AADSTS7000112).
func (d *Directory) DisableApp(tenant, appID string) error {
	return d.setFlag("disable app", tenant, appID, func(a *App) { a.Disabled = true })
}

// EnableApp lets a disabled service principal sign in again.
func (d *Directory) EnableApp(tenant, appID string) error {
	return d.setFlag("enable app", tenant, appID, func(a *App) { a.Disabled = false })
}

// AssignRole assigns a directory role to the app's service principal and
// returns its template id. role is a role name known to the catalog
// ("Exchange Administrator", case and spaces ignored) or any template id,
// so roles Exchange does not honour can be assigned too.
func (d *Directory) AssignRole(tenant, appID, role string) (string, error) {
	id, err := resolveRole(role)
	if err != nil {
		return "", fmt.Errorf("assign role: %w", err)
	}
	err = d.updateApp(tenant, appID, func(a *App) error {
		if !slices.Contains(a.Roles, id) {
			a.Roles = append(a.Roles, id)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("assign role: %w", err)
	}
	return id, nil
}

// RemoveRole removes a directory role assignment; removing a role the app
// does not hold is not an error.
func (d *Directory) RemoveRole(tenant, appID, role string) error {
	id, err := resolveRole(role)
	if err != nil {
		return fmt.Errorf("remove role: %w", err)
	}
	err = d.updateApp(tenant, appID, func(a *App) error {
		a.Roles = slices.DeleteFunc(a.Roles, func(r string) bool { return r == id })
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove role: %w", err)
	}
	return nil
}

// resolveRole turns a role name or template id into a lower-case template id.
func resolveRole(role string) (string, error) {
	role = strings.TrimSpace(role)
	if r, ok := catalog.ParseRole(role); ok {
		return r.TemplateID, nil
	}
	u, err := uuid.Parse(role)
	if err != nil {
		names := make([]string, 0, len(catalog.Roles()))
		for _, r := range catalog.Roles() {
			names = append(names, r.Name)
		}
		return "", fmt.Errorf("unknown role %q: give a role template id or one of %s", role, strings.Join(names, ", "))
	}
	if id := u.String(); id != catalog.AppOnlyMarkerID {
		return id, nil
	}
	return "", fmt.Errorf("%s is the app-only marker every app-only token carries, not a directory role", catalog.AppOnlyMarkerID)
}

func (d *Directory) setFlag(what, tenant, appID string, set func(a *App)) error {
	err := d.updateApp(tenant, appID, func(a *App) error {
		set(a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// updateApp runs fn on one app inside update.
func (d *Directory) updateApp(tenant, appID string, fn func(a *App) error) error {
	return d.updateTenant(tenant, func(_ []Tenant, t *Tenant) error {
		i := t.appIndex(appID)
		if i < 0 {
			return fmt.Errorf("%w: %q in tenant %s", ErrAppNotFound, appID, t.InitialDomain)
		}
		return fn(&t.Apps[i])
	})
}

// EnsureGuests makes each tenant in names (a name or initial domain, as
// CreateTenant takes) ready for the multi-tenant app appID registered in
// homeTenant: the tenant is created (with opts) if missing, and gets a
// service principal of the app with Exchange.ManageAsApp granted and
// consented and role assigned, as an admin of each tenant would do. A
// tenant that already holds the app is left as it is, so a consent an
// admin revoked stays revoked. It is one write however many tenants, so a
// thousand tenants start in a moment. The tenants come back in names'
// order.
func (d *Directory) EnsureGuests(homeTenant, appID, role string, names []string, opts ...TenantOption) ([]Tenant, error) {
	roleID, err := resolveRole(role)
	if err != nil {
		return nil, fmt.Errorf("ensure guest tenants: %w", err)
	}
	out := make([]Tenant, len(names))
	err = d.update(func(tenants *[]Tenant) error {
		home, reg, err := homeRegistration(*tenants, homeTenant, appID)
		if err != nil {
			return err
		}
		for k, n := range names {
			name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), initialSuffix)
			if strings.Contains(name, ".") || !label().MatchString(name) {
				return fmt.Errorf("tenant %q: want a name such as fabrikam (letters, digits and inner hyphens)", n)
			}
			i := slices.IndexFunc(*tenants, func(t Tenant) bool { return t.Matches(name + initialSuffix) })
			if i < 0 {
				t := Tenant{ID: strings.ToLower(d.newID()), InitialDomain: name + initialSuffix, DisplayName: name}
				for _, o := range opts {
					o(&t)
				}
				*tenants = append(*tenants, t)
				i = len(*tenants) - 1
			}
			t := &(*tenants)[i]
			if t.ID == home.ID {
				return fmt.Errorf("tenant %s is the app's home tenant", t.InitialDomain)
			}
			if _, has := t.App(reg.AppID); !has {
				t.Apps = append(t.Apps, App{
					AppID: reg.AppID, ObjectID: strings.ToLower(d.newID()), DisplayName: reg.DisplayName, HomeTenant: home.ID,
					ManageAsAppGranted: true, ManageAsAppConsented: true, Roles: []string{roleID},
				})
			}
			out[k] = t.clone()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ensure guest tenants: %w", err)
	}
	return out, nil
}

// homeRegistration finds a multi-tenant app's registration in its home
// tenant: an app registered there, not a service principal of another's.
func homeRegistration(tenants []Tenant, homeTenant, appID string) (Tenant, App, error) {
	home, ok := findTenant(tenants, homeTenant)
	if !ok {
		return Tenant{}, App{}, fmt.Errorf("home %w: %q", ErrTenantNotFound, homeTenant)
	}
	reg, ok := home.App(appID)
	if !ok || reg.HomeTenant != "" {
		return Tenant{}, App{}, fmt.Errorf("%w: %q is not registered in tenant %s", ErrAppNotFound, appID, home.InitialDomain)
	}
	return home, reg, nil
}
