package directory

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Federated identity credentials follow Microsoft Graph's
// federatedIdentityCredential rules: a name of 3 to 120 URL-friendly
// characters unique on the app, an issuer URL and subject of up to 600
// characters whose combination is unique on the app, one audience
// (api://AzureADTokenExchange unless the issuer needs another) and at
// most 20 per app.
const (
	// DefaultFederatedAudience is the audience Entra expects in an
	// external token unless a credential says otherwise.
	DefaultFederatedAudience = "api://AzureADTokenExchange"
	// MaxFederatedCredentials is Entra's limit per app or identity.
	MaxFederatedCredentials = 20
	maxFederatedValue       = 600
)

var federatedName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$`) })

// AddFederatedCredential adds a federated identity credential to an app
// registration or user-assigned managed identity and returns it as
// stored. An empty Name is made from the subject ("repo:o/r:ref:x" gives
// "repo-o-r-ref-x"), numbered when that name is taken; empty Audiences
// are DefaultFederatedAudience. Values are kept exactly as given, since
// the token service compares them case-sensitively.
func (d *Directory) AddFederatedCredential(tenant, appID string, fc FederatedCredential) (FederatedCredential, error) {
	if err := checkFederated(&fc); err != nil {
		return FederatedCredential{}, fmt.Errorf("add federated credential: %w", err)
	}
	err := d.updateApp(tenant, appID, func(a *App) error {
		if err := registrationOnly(a); err != nil {
			return err
		}
		if a.ManagedIdentity != nil && a.ManagedIdentity.SystemAssigned {
			return fmt.Errorf("%s is a system-assigned managed identity: federated credentials go on app registrations and user-assigned managed identities", a.AppID)
		}
		if len(a.FederatedCredentials) >= MaxFederatedCredentials {
			return fmt.Errorf("app %s has %d federated credentials, the most Entra allows; remove one first", a.AppID, MaxFederatedCredentials)
		}
		if fc.Name == "" {
			fc.Name = freeName(a.FederatedCredentials, nameFromSubject(fc.Subject))
		}
		for _, o := range a.FederatedCredentials {
			if strings.EqualFold(o.Name, fc.Name) {
				return fmt.Errorf("federated credential %q %w on app %s", o.Name, ErrExists, a.AppID)
			}
			if o.Issuer == fc.Issuer && o.Subject == fc.Subject {
				return fmt.Errorf("federated credential %q already has issuer %s and subject %q on app %s (%w)", o.Name, o.Issuer, o.Subject, a.AppID, ErrExists)
			}
		}
		a.FederatedCredentials = append(a.FederatedCredentials, fc)
		return nil
	})
	if err != nil {
		return FederatedCredential{}, fmt.Errorf("add federated credential: %w", err)
	}
	return fc, nil
}

// FederatedCredentials lists an app's federated identity credentials in
// the order they were added.
func (d *Directory) FederatedCredentials(tenant, appID string) ([]FederatedCredential, error) {
	a, err := d.App(tenant, appID)
	if err != nil {
		return nil, fmt.Errorf("federated credentials: %w", err)
	}
	return a.FederatedCredentials, nil
}

// RemoveFederatedCredential removes a federated identity credential by
// name (case-insensitively, as names are unique that way).
func (d *Directory) RemoveFederatedCredential(tenant, appID, name string) error {
	err := d.updateApp(tenant, appID, func(a *App) error {
		n := len(a.FederatedCredentials)
		a.FederatedCredentials = slices.DeleteFunc(a.FederatedCredentials, func(fc FederatedCredential) bool {
			return strings.EqualFold(fc.Name, strings.TrimSpace(name))
		})
		if len(a.FederatedCredentials) == n {
			return fmt.Errorf("%w: %q on app %s", ErrFederatedCredentialNotFound, name, a.AppID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove federated credential: %w", err)
	}
	return nil
}

// checkFederated validates fc and fills in the default audience.
func checkFederated(fc *FederatedCredential) error {
	fc.Name = strings.TrimSpace(fc.Name)
	if fc.Name != "" && !federatedName().MatchString(fc.Name) {
		return fmt.Errorf("name %q: want 3 to 120 letters, digits, hyphens and underscores, starting with a letter or digit", fc.Name)
	}
	u, err := url.Parse(fc.Issuer)
	switch {
	case fc.Issuer == "":
		return fmt.Errorf("the issuer is empty: give the external identity provider's issuer URL (the iss of its tokens)")
	case err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("issuer %q: want the https URL the provider's tokens carry as iss, such as https://token.actions.githubusercontent.com", fc.Issuer)
	case len(fc.Issuer) > maxFederatedValue:
		return fmt.Errorf("the issuer is %d characters; at most %d", len(fc.Issuer), maxFederatedValue)
	case fc.Subject == "":
		return fmt.Errorf("the subject is empty: give the sub of the external tokens, such as repo:OWNER/REPO:environment:NAME")
	case len(fc.Subject) > maxFederatedValue:
		return fmt.Errorf("the subject is %d characters; at most %d", len(fc.Subject), maxFederatedValue)
	case strings.TrimSpace(fc.Subject) != fc.Subject || strings.TrimSpace(fc.Issuer) != fc.Issuer:
		// Matching is exact: a stray space would never match a token.
		return fmt.Errorf("the issuer and subject must not begin or end with spaces")
	}
	if len(fc.Audiences) == 0 {
		fc.Audiences = []string{DefaultFederatedAudience}
	}
	if len(fc.Audiences) != 1 {
		return fmt.Errorf("%d audiences: Entra takes exactly one", len(fc.Audiences))
	}
	if aud := fc.Audiences[0]; aud == "" || strings.TrimSpace(aud) != aud || len(aud) > maxFederatedValue {
		return fmt.Errorf("audience %q: want a non-empty value of at most %d characters without surrounding spaces, normally %s", aud, maxFederatedValue, DefaultFederatedAudience)
	}
	fc.Audiences = slices.Clone(fc.Audiences)
	return nil
}

// nameFromSubject turns a subject into a credential name: runs of other
// characters become one hyphen.
func nameFromSubject(subject string) string {
	var b strings.Builder
	dash := false
	for _, r := range subject {
		ok := r < 128 && (r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-_")
	if len(name) > 110 { // room for a number
		name = strings.TrimRight(name[:110], "-_")
	}
	if len(name) < 3 {
		name = "federated-credential"
	}
	return name
}

// freeName is base, or base-2, base-3, ... when taken.
func freeName(existing []FederatedCredential, base string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(existing, func(fc FederatedCredential) bool { return strings.EqualFold(fc.Name, n) })
	}
	name := base
	for i := 2; taken(name); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}
